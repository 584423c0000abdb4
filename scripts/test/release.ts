// `npm run test:release`: the release path end to end against a real registry. Verdaccio
// (tools/verdaccio) starts on 127.0.0.1 with empty throwaway storage; the release binaries this
// machine builds with the workflows' command (glibc ones at the 2.17 floor) are published with
// the real `npm run release -- --only-present`; then fresh consumer projects outside the
// repository install the addon from that registry with npm, pnpm, yarn and bun and load it, on
// this glibc host and, for musl installs, under musl Node.js in a glibc-free root (as on
// Alpine). The WebAssembly package (napi.targets' wasm32-wasip1-threads) is built and released
// too: `npm install --cpu=wasm32` gets only it, require and import run every export on it, and
// with the native package installed beside it the native one loads. Its runtime dependencies
// (@napi-rs/wasm-runtime and what it needs) are published to the test registry first from this
// repository's node_modules, as registry.npmjs.org would serve them. A --registry that is not an http(s) URL or does not answer is refused before npm is
// asked anything (this Verdaccio, npm's configured registry, must receive no request), broken
// releases must leave the registry untouched, and a second release of the same version must be
// a no-op. Ends with a table and "test:release: N passed, M failed".
//
// Without root or on another OS it says why it cannot run and exits 0; under CI=true a missing
// prerequisite is a failure.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'

import { $ } from 'zx'

import { inArm64Root, inMuslRoot, type MuslNode, muslRootEnv, muslRootUnsupported, provisionArm64Root, provisionMuslRoot, rootEnv } from '@napi-kit/cli'
import { parseFlags } from '../lib/args.js'
import { expect, stopIfUnsupported } from '../lib/checks.js'
import { bad, ok, seconds, table, timed } from '../lib/log.js'
import { ADDON_DIR, NPM_DIR, ROOT } from '../lib/paths.js'
import { isWasiTarget, type PlatformPackage, platformPackages, readAddonManifest } from '../lib/targets.js'
import { packageManagers } from '../lib/tools.js'
import { releaseFaults } from '../lib/release-faults.js'
import { freePort, type Registry, startVerdaccio } from '../lib/verdaccio.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm run test:release', {})

const started = performance.now()
const PREFIX = 'test:release'

// The musl root's needs (a linux-x64 host, root, unshare) are this test's too.
stopIfUnsupported(PREFIX, await muslRootUnsupported())

interface Row {
  name: string
  ok: boolean
  detail: string
  ms: number
}
const rows: Row[] = []
async function check(name: string, body: () => Promise<string>): Promise<boolean> {
  console.log(`\n→ ${name}`)
  const t0 = performance.now()
  let passed = false
  let detail: string
  try {
    detail = await body()
    passed = true
  } catch (error) {
    detail = (error as Error).message
  }
  const ms = performance.now() - t0
  rows.push({ name, ok: passed, detail, ms })
  ;(passed ? ok : bad)(`${name}: ${passed ? detail.split('\n')[0] : detail} (${seconds(ms)})`)
  return passed
}

const manifest = readAddonManifest()
const { name, version } = manifest
const targets = platformPackages(manifest)
const byTriple = (triple: string): PlatformPackage => {
  const found = targets.find((t) => t.triple === triple)
  if (!found) throw new Error(`napi.targets must contain ${triple} for ${PREFIX}`)
  return found
}
const gnu = byTriple('x86_64-unknown-linux-gnu')
const musl = byTriple('x86_64-unknown-linux-musl')
/** The WebAssembly package, when napi.targets lists a WASI target. */
const wasm = targets.find((t) => isWasiTarget(t.triple))
const WORK = mkdtempSync(join(tmpdir(), 'hashkit-test-release-'))

// 1. The release binaries, with the workflows' command (turbo makes a repeat a cache hit).
//    The arm64 pair is released too when present (.ci/run builds it before this step). The
//    WebAssembly module and its loaders are built here: test:linux (the step before this one
//    in .ci/run) builds only the Linux binaries.
for (const target of [gnu, musl, ...(wasm ? [wasm] : [])]) {
  await timed(`release build ${target.triple}`, () => $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- --release --target ${target.triple}`)
}
const present = targets.filter((t) => existsSync(join(ADDON_DIR, t.binary)) || existsSync(join(NPM_DIR, t.dir, t.binary)))

// 2. Tools, installed on first use and cached: Verdaccio, pnpm, yarn, bun, musl Node.js.
const pms = await timed('package managers (pnpm, yarn, bun) from tools/package-managers', () => packageManagers())
const nodes: MuslNode[] = await provisionMuslRoot(['22'])
const muslNode = nodes[0]
if (!muslNode) throw new Error('no musl Node.js was provisioned')
const registry: Registry = await timed('start Verdaccio on 127.0.0.1 with empty storage', () => startVerdaccio())
// Stopped from outside (Ctrl-C, a CI timeout): Verdaccio goes with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void registry.stop().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)))
  })
}
const npmEnv = { ...process.env, npm_config_userconfig: registry.userconfig }
process.on('exit', () => rmSync(WORK, { recursive: true, force: true }))

/**
 * Publishes `names` and everything they need (dependencies and peer dependencies) from this
 * repository's node_modules to the test registry, which has no uplink: what an install of the
 * WebAssembly package fetches from registry.npmjs.org. Each is copied without its scripts and
 * publishConfig (which may name registry.npmjs.org). Returns name@version of each, in order.
 */
async function publishFromNodeModules(names: string[]): Promise<string[]> {
  const done = new Map<string, string>()
  const queue = [...names]
  for (let dep = queue.shift(); dep !== undefined; dep = queue.shift()) {
    if (done.has(dep)) continue
    const source = join(ROOT, 'node_modules', dep)
    if (!existsSync(join(source, 'package.json'))) throw new Error(`${dep} is not in node_modules: run npm ci (the WebAssembly package depends on it)`)
    const staged = join(WORK, 'dependencies', dep)
    cpSync(source, staged, { recursive: true, filter: (p) => !p.slice(source.length).includes('/node_modules') })
    const pkg = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as Record<string, unknown> & { version: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
    delete pkg.scripts
    delete pkg.publishConfig
    writeFileSync(join(staged, 'package.json'), JSON.stringify(pkg, null, 2))
    await $({ cwd: staged, quiet: true, env: npmEnv })`npm publish --ignore-scripts --access public --registry ${registry.url}`
    done.set(dep, pkg.version)
    queue.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}))
  }
  return [...done].map(([n, v]) => `${n}@${v}`)
}
const wasmJson = wasm ? (JSON.parse(readFileSync(join(NPM_DIR, wasm.dir, 'package.json'), 'utf8')) as Record<string, unknown> & { dependencies?: Record<string, string> }) : {}
const wasmDependencies = Object.keys(wasmJson.dependencies ?? {})
const seeded = wasm ? await timed(`publish the WebAssembly package's dependencies (${wasmDependencies.join(', ')}) to the test registry`, () => publishFromNodeModules(wasmDependencies)) : []
if (seeded.length > 0) console.log(`  ${seeded.join(', ')}`)
/** The names published from node_modules: yarn must be told they are not too new to install. */
const seededNames = seeded.map((s) => s.slice(0, s.lastIndexOf('@')))

/** The registry's document for `pkg` (or for one version of it), or undefined for a 404. */
async function registryDoc<T>(pkg: string, at?: string): Promise<T | undefined> {
  const response = await fetch(`${registry.url}${pkg.replace('/', '%2f')}${at ? `/${at}` : ''}`)
  if (response.status === 404) return undefined
  return (await response.json()) as T
}

/** What the registry has for `pkg`: its versions, or none. */
async function registryVersions(pkg: string): Promise<string[]> {
  return Object.keys((await registryDoc<{ versions?: Record<string, unknown> }>(pkg))?.versions ?? {})
}
const everyName = [name, ...targets.map((t) => t.name)]
async function registryEmpty(): Promise<void> {
  for (const pkg of everyName) {
    const versions = await registryVersions(pkg)
    expect(versions.length === 0, `the registry has ${pkg}@${versions.join(', ')} after a refused release`)
  }
}

/** `npm run release` in `cwd` against the test registry (or the one given). */
const release = (cwd: string, args: string[] = [], to = registry.url) =>
  $({ cwd, nothrow: true, quiet: true, env: npmEnv })`npm run release -- --registry ${to} ${args}`

/**
 * A copy of the repository's release inputs (scripts, the addon and npm/ packages with the built
 * binaries, dependencies linked) where a refusal case breaks one thing.
 */
function mirror(caseName: string, breakIt: (root: string) => void): string {
  const root = join(WORK, 'mirror', caseName)
  mkdirSync(root, { recursive: true })
  for (const entry of ['package.json', 'scripts', 'npm']) cpSync(join(ROOT, entry), join(root, entry), { recursive: true })
  cpSync(ADDON_DIR, join(root, 'packages', basename(ADDON_DIR)), { recursive: true, filter: (p) => !/\/(node_modules|__test__)(\/|$)/.test(p) })
  // The release scripts import @napi-kit/cli through the linked node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  breakIt(root)
  return root
}

// 3. A --registry that cannot be used: refused before anything runs. npm's configured registry
//    (the test user's npmrc) is this Verdaccio, where npm would send every request if it fell
//    back from an invalid --registry, so its request log must stay as it was.
const RELEASE_USAGE =
  'napi-kit release [--dry-run] [--registry <url>] [--only-present] [--artifacts <dir>] [--tag <dist-tag>] [--package <dir>] [--npm-dir <dir>] [--glibc-floor 2.17]'
const deadPort = await freePort()
const dead = `http://127.0.0.1:${deadPort}/`
const registryRefusals: Array<{ case: string; to: string; exit: number; expected: string }> = [
  {
    case: '--registry not-a-url: not a URL (exit 2)',
    to: 'not-a-url',
    exit: 2,
    expected:
      "✗ napi-kit release: --registry not-a-url cannot be used: it is not a URL; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/\n" +
      `usage: ${RELEASE_USAGE}\n`,
  },
  {
    case: '--registry at a loopback port nothing listens on (exit 1)',
    to: dead,
    exit: 1,
    expected:
      `✗ nothing was checked or published: the registry ${dead} does not answer (request to ${dead}-/ping failed, reason: connect ECONNREFUSED 127.0.0.1:${deadPort})\n` +
      `    fix: start it, or pass the right one with --registry <url>; then run the release again (npm ping --registry ${dead} checks it)\n`,
  },
]
for (const refusal of registryRefusals) {
  await check(`refused: ${refusal.case}`, async () => {
    const before = (await registry.requests()).length
    const result = await release(ROOT, ['--only-present'], refusal.to)
    const output = result.stdout + result.stderr
    expect(result.exitCode === refusal.exit, `npm run release exited ${result.exitCode}, want ${refusal.exit}:\n${output}`)
    expect(result.stderr.includes(refusal.expected), `the output lacks\n${refusal.expected}in:\n${output}`)
    expect(!/stage, pack and check/.test(output), `it went on to stage and pack:\n${output}`)
    const sent = (await registry.requests()).slice(before)
    expect(sent.length === 0, `npm's configured registry (this Verdaccio) received ${sent.join(', ')}`)
    await registryEmpty()
    return `exit ${result.exitCode}, the fix named; Verdaccio received no request, registry still empty`
  })
}

// 4. Broken releases: refused before any upload, with the package and the fix named.
const refusals: Array<{ case: string; args: string[]; breakIt: (root: string) => void; expected: RegExp }> = [
  {
    case: 'a platform package without its binary (a full release)',
    args: [],
    breakIt: () => {},
    expected: new RegExp(`✗ ${targets.find((t) => !present.includes(t))?.name ?? '@none'}: binary: no .*\\n\\s+fix: download the build artifacts`),
  },
  {
    case: 'a binary that fails the audit (the glibc build in the musl package)',
    args: ['--only-present'],
    breakIt: (root) => cpSync(join(ADDON_DIR, gnu.binary), join(root, 'npm', musl.dir, musl.binary)),
    expected: new RegExp(`✗ ${musl.name}: audit: .*links glibc, but the package is for musl`),
  },
  {
    case: 'a version mismatch between packages',
    args: ['--only-present'],
    breakIt: (root) => {
      const file = join(root, 'npm', musl.dir, 'package.json')
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: '9.9.9' }, null, 2))
    },
    expected: new RegExp(`✗ ${musl.name}: version: version is 9\\.9\\.9, the release is ${version.replace(/\./g, '\\.')}\\n\\s+fix: set the release's version in .*: napi version --package-json-path`),
  },
  {
    // npm packs the file "main" names whatever "files" says, so both name a stale binary, as
    // after renaming napi.binaryName without regenerating npm/*.
    case: 'a files list that leaves the binary out',
    args: ['--only-present'],
    breakIt: (root) => {
      const file = join(root, 'npm', gnu.dir, 'package.json')
      const stale = `old-${gnu.binary}`
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), main: stale, files: [stale] }, null, 2))
    },
    expected: new RegExp(`✗ ${gnu.name}: npm pack: the tarball would leave out ${gnu.binary.replace(/\./g, '\\.')}.*\\n\\s+fix: add "${gnu.binary.replace(/\./g, '\\.')}" to "files"`),
  },
]
const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
if (wasm) {
  // The Node.js thread worker the loader starts; napi build writes it beside the .wasm.
  const worker = wasm.files.find((f) => f.endsWith('worker.mjs') && !f.includes('browser')) ?? ''
  // A shipped file no field of package.json names: npm packs main, types' neighbours and browser whatever "files" says.
  const unnamed = wasm.files.filter((f) => f !== wasm.binary && !['main', 'types', 'browser'].some((k) => wasmJson[k] === f)).at(-1) ?? ''
  const [firstDependency = ''] = wasmDependencies
  refusals.push(
    {
      case: `the WebAssembly package's .wasm without ${worker} beside it`,
      args: ['--only-present'],
      breakIt: (root) => {
        for (const dir of [join(root, 'packages', basename(ADDON_DIR)), join(root, 'npm', wasm.dir)]) rmSync(join(dir, worker), { force: true })
      },
      expected: new RegExp(
        `✗ ${esc(wasm.name)}: loaders: no ${esc(worker)} in \\S+ beside ${esc(wasm.binary)}.*\\n\\s+fix: build the module and its loaders again: npm run build -- --release --target ${esc(wasm.triple)}`,
      ),
    },
    {
      case: `the WebAssembly package's package.json with an os label, without ${firstDependency}, and "files" without ${unnamed}`,
      args: ['--only-present'],
      breakIt: (root) => {
        const file = join(root, 'npm', wasm.dir, 'package.json')
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { files: string[]; dependencies: Record<string, string> }
        delete pkg.dependencies[firstDependency]
        writeFileSync(file, JSON.stringify({ ...pkg, os: ['linux'], files: pkg.files.filter((f) => f !== unnamed) }, null, 2))
      },
      expected: new RegExp(
        [
          `✗ ${esc(wasm.name)}: name, os, cpu, libc: .* says ${esc(wasm.name)} \\[\\["linux"\\],\\["wasm32"\\],null\\], napi\\.targets gives ${esc(wasm.name)} \\[null,\\["wasm32"\\],null\\]`,
          `✗ ${esc(wasm.name)}: dependencies: "dependencies" lacks ${esc(firstDependency)}: .*\\n\\s+fix: add them to "dependencies"`,
          `✗ ${esc(wasm.name)}: npm pack: the tarball would leave out ${esc(unnamed)} .*\\n\\s+fix: add "${esc(unnamed)}" to "files"`,
        ].join('[\\s\\S]*'),
      ),
    },
  )
}
for (const refusal of refusals) {
  await check(`refused: ${refusal.case}`, async () => {
    const root = mirror(refusal.case.replace(/\W+/g, '-'), refusal.breakIt)
    const result = await release(root, refusal.args)
    const output = result.stdout + result.stderr
    expect(result.exitCode !== 0, `npm run release exited 0:\n${output}`)
    expect(refusal.expected.test(output), `the output lacks ${refusal.expected}:\n${output}`)
    expect(/nothing was published/.test(output), `no "nothing was published" line:\n${output}`)
    await registryEmpty()
    return `exit ${result.exitCode}, ${output.match(/^\d+ ok, \d+ failed$/m)?.[0] ?? ''}; registry still empty`
  })
}

// 5. The real release.
const released = present
const releasedOk = await check(`npm run release -- --only-present (${released.map((t) => t.dir).join(', ')})`, async () => {
  const result = await release(ROOT, ['--only-present'])
  process.stdout.write(result.stdout)
  expect(result.exitCode === 0, `exit ${result.exitCode}:\n${result.stdout}${result.stderr}`)
  const order = [...result.stdout.matchAll(/^✓ publish (\S+)@/gm)].map((m) => m[1])
  expect(order.at(-1) === name && order.length === released.length + 1, `published ${order.join(', ')}: the addon package must come last, after ${released.length} platform packages`)
  for (const pkg of [name, ...released.map((t) => t.name)]) {
    const versions = await registryVersions(pkg)
    expect(versions.includes(version), `${pkg}@${version} is not on the registry`)
  }
  const meta = (await registryDoc<{ optionalDependencies?: Record<string, string> }>(name, version)) ?? {}
  const want = Object.fromEntries(released.map((t) => [t.name, version]))
  expect(JSON.stringify(meta.optionalDependencies) === JSON.stringify(want), `optionalDependencies are ${JSON.stringify(meta.optionalDependencies)}, want ${JSON.stringify(want)}`)
  return `${released.length + 1} packages published, platform packages first; optionalDependencies pinned to ${version}`
})

// 6. Consumers: fresh projects outside the repository.
const PROBE_CJS = `const a = require(${JSON.stringify(name)}); const i = a.buildInfo(); console.log(JSON.stringify({ how: 'require', libc: i.libc, target: i.target, digest: a.hash('hello') }))\n`
const PROBE_MJS = `import { buildInfo, hash } from ${JSON.stringify(name)}; const i = buildInfo(); console.log(JSON.stringify({ how: 'import', libc: i.libc, target: i.target, digest: hash('hello') }))\n`
const DIGEST = '9555e8555c62dcfd'
// Every export, on whichever build loads: hash with each algorithm buildInfo() lists (its hot
// path, a seed, a Buffer), hashAsync and a Hasher fed in two chunks. The WebAssembly build must
// answer exactly as the native one. (panicForTesting is left out: Rust panics abort on wasm32,
// so there it throws a RuntimeError "unreachable", not the panic's message.)
const EXERCISE = `async (a, how) => {
  const info = a.buildInfo()
  const results = {}
  for (const algorithm of info.algorithms) {
    const hasher = new a.Hasher({ algorithm }).update('hel').update(Buffer.from('lo'))
    results[algorithm] = {
      hash: a.hash('hello', { algorithm }),
      seeded: a.hash(Buffer.from('hello'), { algorithm, seed: 42 }),
      hashAsync: await a.hashAsync(Buffer.from('hello'), { algorithm }),
      hasher: [hasher.digest(), hasher.bytesHashed, hasher.algorithm],
    }
  }
  const exports = Object.keys(a).filter((k) => k !== 'default' && k !== 'module.exports').sort()
  return { how, target: info.target, libc: info.libc, loaded: a.__napiBindingTarget, digest: a.hash('hello'), exports, algorithms: info.algorithms, results }
}`
const EXERCISE_CJS = `(${EXERCISE})(require(${JSON.stringify(name)}), 'require').then((r) => console.log(JSON.stringify(r)))\n`
const EXERCISE_MJS = `import * as a from ${JSON.stringify(name)}\nconsole.log(JSON.stringify(await (${EXERCISE})(a, 'import')))\n`

function consumer(label: string, extra: Record<string, unknown> = {}): string {
  const dir = join(WORK, 'consumers', label)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${label}`, private: true, version: '1.0.0', dependencies: { [name]: version }, ...extra }, null, 2))
  writeFileSync(join(dir, 'probe.cjs'), PROBE_CJS)
  writeFileSync(join(dir, 'probe.mjs'), PROBE_MJS)
  writeFileSync(join(dir, 'exercise.cjs'), EXERCISE_CJS)
  writeFileSync(join(dir, 'exercise.mjs'), EXERCISE_MJS)
  return dir
}

/** The platform packages installed in `dir` (any layout: hoisted node_modules, pnpm's store, bun's). */
function installedPlatformPackages(dir: string): string[] {
  const found = new Set<string>()
  const scope = name.split('/')[0] ?? ''
  const visit = (d: string, depth: number) => {
    if (depth > 6 || !existsSync(d)) return
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue
      const platform = targets.find((t) => e.name === t.name.split('/')[1] || e.name.startsWith(`${scope}+${t.name.split('/')[1]}@`))
      if (platform) found.add(platform.dir)
      else visit(join(d, e.name), depth + 1)
    }
  }
  visit(join(dir, 'node_modules'), 0)
  return [...found].toSorted()
}

/** The one platform package installed in `dir`, which must be `pkg`'s; fails naming what was installed. */
function onlyInstalled(dir: string, pkg: PlatformPackage): string {
  const installed = installedPlatformPackages(dir)
  expect(JSON.stringify(installed) === JSON.stringify([pkg.dir]), `installed ${installed.join(', ') || 'no platform package'}, want ${pkg.dir} only`)
  return pkg.dir
}

/** Runs an install; a failure carries the command's last output lines (yarn reports on stdout). */
async function install(dir: string, command: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const result = await $({ cwd: dir, quiet: true, nothrow: true, env })`${command}`
  if (result.exitCode !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-8).join('\n')
    throw new Error(`${command.map((c) => c.split('/').pop()).join(' ')} exited with ${result.exitCode}: ${output}`)
  }
}

type Where = 'host' | 'musl' | 'arm64-glibc' | 'arm64-musl'
const LIBC: Record<Where, string> = { host: 'glibc', musl: 'musl', 'arm64-glibc': 'glibc', 'arm64-musl': 'musl' }

/** The command line that runs `file` in `dir` with the Node.js of `where`. */
async function probeCommand(where: Where, dir: string, file: string): Promise<{ argv: string[]; env?: NodeJS.ProcessEnv; runtime: string }> {
  if (where === 'host') return { argv: ['node', file], runtime: `this host's Node.js ${process.version}` }
  if (where === 'musl') return { argv: inMuslRoot([muslNode?.bin ?? '', file], { binds: [dir], cwd: dir }), env: muslRootEnv(), runtime: `musl Node.js ${muslNode?.version}` }
  const libc = where === 'arm64-glibc' ? 'glibc' : 'musl'
  const [node] = await provisionArm64Root(libc, ['24'])
  return { argv: inArm64Root(libc, [node?.bin ?? '', file], { binds: [dir], cwd: dir }), env: rootEnv(), runtime: `arm64 ${libc} Node.js ${node?.version} under qemu` }
}

async function probe(dir: string, where: Where): Promise<string> {
  const results: string[] = []
  for (const file of ['probe.cjs', 'probe.mjs']) {
    const { argv, env, runtime } = await probeCommand(where, dir, file)
    const result = await $({ cwd: dir, quiet: true, nothrow: true, ...(env ? { env } : {}) })`${argv}`
    expect(result.exitCode === 0, `${file} failed under ${runtime}: ${result.stderr.trim().split('\n').slice(0, 3).join(' ')}`)
    const seen = JSON.parse(result.stdout.trim()) as { how: string; libc: string; target: string; digest: string }
    const libc = LIBC[where]
    expect(seen.libc === libc && seen.digest === DIGEST, `${seen.how}: buildInfo() says ${seen.libc} (${seen.target}), hash('hello') ${seen.digest}; want ${libc}`)
    results.push(`${seen.how} → ${seen.target}`)
  }
  return results.join(', ')
}

interface Exercised {
  how: string
  target: string
  libc: string
  loaded: string
  digest: string
  exports: string[]
  algorithms: string[]
  results: Record<string, unknown>
}
/** The loader's choice is left to it: the environment must not force the WebAssembly build. */
const { NAPI_RS_FORCE_WASI: _forced, NAPI_RS_WASI_FLAVOR: _flavor, ...probeEnv } = process.env

/** Runs every export in `dir` with this host's Node.js, through require and import. */
async function exercise(dir: string): Promise<Exercised[]> {
  const seen: Exercised[] = []
  for (const file of ['exercise.cjs', 'exercise.mjs']) {
    const result = await $({ cwd: dir, quiet: true, nothrow: true, env: probeEnv, timeout: '60s' })`node ${file}`
    expect(result.exitCode === 0, `${file} exited ${result.exitCode}: ${result.stderr.trim().split('\n').filter((l) => !/ExperimentalWarning|--trace-warnings/.test(l)).slice(0, 4).join(' ')}`)
    seen.push(JSON.parse(result.stdout.trim()) as Exercised)
  }
  return seen
}
/** What the native build answered in the glibc consumer: the WebAssembly build must answer the same. */
let nativeAnswers: Exercised | undefined

// A fresh home for every package manager: yarn and pnpm cache registry metadata (tarball URLs
// with this run's port) per user, and a stale copy from an earlier run would send them to a
// registry that is gone.
const HOME = join(WORK, 'home')
mkdirSync(HOME, { recursive: true })
const installEnv = {
  ...process.env,
  HOME,
  XDG_CACHE_HOME: join(HOME, '.cache'),
  XDG_DATA_HOME: join(HOME, '.local', 'share'),
  XDG_STATE_HOME: join(HOME, '.local', 'state'),
  XDG_CONFIG_HOME: join(HOME, '.config'),
  npm_config_userconfig: join(HOME, '.npmrc'),
}

/** yarn berry's install of the consumer in `dir` from the test registry, for `architectures` (its supportedArchitectures). */
async function yarnInstall(dir: string, architectures: string): Promise<void> {
  const host = new URL(registry.url).hostname
  writeFileSync(
    join(dir, '.yarnrc.yml'),
    [
      `npmRegistryServer: "${registry.url.replace(/\/$/, '')}"`,
      // The test registry is plain HTTP on loopback.
      `unsafeHttpWhitelist: ["${host}"]`,
      // yarn 4 holds back packages published less than a day ago unless they are preapproved.
      `npmPreapprovedPackages: ${JSON.stringify([name, `${name}-*`, ...seededNames])}`,
      'nodeLinker: node-modules',
      'enableGlobalCache: false',
      'enableTelemetry: false',
      `supportedArchitectures: ${architectures}`,
      '',
    ].join('\n'),
  )
  writeFileSync(join(dir, 'yarn.lock'), '')
  await install(dir, [...pms.yarn, 'install'], { ...installEnv, YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' })
}

/** `npm install` of the consumer in `dir` from the test registry, with `flags` (--libc, --cpu). */
const npmInstall = (dir: string, flags: string[]) =>
  install(dir, ['npm', 'install', ...flags, '--no-audit', '--no-fund', '--registry', registry.url, '--cache', join(WORK, 'npm-cache')], installEnv)

if (releasedOk) {
  await check('npm install on this glibc host: only linux-x64-gnu, require and import load glibc', async () => {
    const dir = consumer('npm-glibc')
    await npmInstall(dir, [])
    const installed = onlyInstalled(dir, gnu)
    const loaded = await probe(dir, 'host')
    if (wasm) {
      const [required, imported] = await exercise(dir)
      expect(required?.target === gnu.triple && required.loaded === 'native', `require ran ${required?.target} (${required?.loaded}), want ${gnu.triple} (native)`)
      expect(JSON.stringify(imported?.results) === JSON.stringify(required.results), 'import and require gave different answers')
      nativeAnswers = required
    }
    return `${installed}; ${loaded}`
  })

  await check('npm install --omit=optional: no platform package, and require names the cause and the fix', async () => {
    const dir = consumer('npm-omit-optional')
    await npmInstall(dir, ['--omit=optional'])
    const installed = installedPlatformPackages(dir)
    expect(installed.length === 0, `npm installed ${installed.join(', ')} with --omit=optional`)
    const result = await $({ cwd: dir, quiet: true, nothrow: true })`node -e ${`try { require(${JSON.stringify(name)}) } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`}`
    const seen = JSON.parse(result.stdout.trim() || '{}') as { code?: string; message?: string }
    expect(seen.code === 'ERR_NAPI_KIT_NO_BINDING', `require threw ${seen.code ?? 'nothing'}: ${seen.message ?? result.stderr}`)
    const lines = (seen.message ?? '').split('\n')
    expect(lines[0] === `Cannot load ${name}: its package for this platform, ${gnu.name}, is not installed.`, `first line: ${lines[0]}`)
    const cause = lines.find((l) => l.trimStart().startsWith('cause:')) ?? ''
    expect(/package-lock\.json lists \S+, but npm did not install it: optional dependencies were left out \(--omit=optional/.test(cause), `cause: ${cause}`)
    expect(lines.some((l) => l.trim() === 'fix:       npm install --include=optional'), `no fix line npm install --include=optional in:\n${seen.message}`)
    return `no platform package installed; ERR_NAPI_KIT_NO_BINDING: ${cause.trim()}`
  })

  await check('npm install --libc=musl: only linux-x64-musl, loads under musl Node.js in the root', async () => {
    const dir = consumer('npm-musl')
    await npmInstall(dir, ['--libc=musl'])
    return `${onlyInstalled(dir, musl)}; ${await probe(dir, 'musl')}`
  })

  const supportedArchitectures = { os: ['linux'], cpu: ['x64'], libc: ['musl'] }
  await check('pnpm with supportedArchitectures libc musl: only linux-x64-musl, loads under musl', async () => {
    const dir = consumer('pnpm-musl', { pnpm: { supportedArchitectures } })
    writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`)
    await install(dir, [...pms.pnpm, 'install', '--store-dir', join(WORK, 'pnpm-store'), '--config.confirmModulesPurge=false'], installEnv)
    return `${onlyInstalled(dir, musl)}; ${await probe(dir, 'musl')}`
  })

  await check('yarn berry with supportedArchitectures libc musl: only linux-x64-musl, loads under musl', async () => {
    const dir = consumer('yarn-musl')
    await yarnInstall(dir, '{ os: [linux], cpu: [x64], libc: [musl] }')
    return `${onlyInstalled(dir, musl)}; ${await probe(dir, 'musl')}`
  })

  await check('bun install --libc=musl: only linux-x64-musl, loads under musl', async () => {
    const dir = consumer('bun-musl')
    writeFileSync(join(dir, 'bunfig.toml'), `[install]\nregistry = "${registry.url}"\n`)
    await install(dir, [...pms.bun, 'install', '--libc=musl'], { ...installEnv, BUN_INSTALL_CACHE_DIR: join(WORK, 'bun-cache') })
    return `${onlyInstalled(dir, musl)}; ${await probe(dir, 'musl')}`
  })

  if (wasm) {
    /** Checks that both of `seen` ran the WebAssembly build and answered as the native one did. */
    const sameAsNative = (seen: Exercised[]) => {
      expect(nativeAnswers !== undefined, 'no answers from the native build to compare with (the glibc consumer failed)')
      for (const r of seen) {
        expect(r.target === wasm.triple && r.libc === 'wasi' && r.loaded === wasm.dir, `${r.how}: buildInfo() says ${r.target} (${r.libc}), the loader ${r.loaded}; want ${wasm.triple} (wasi), ${wasm.dir}`)
        expect(r.digest === DIGEST, `${r.how}: hash('hello') is ${r.digest}, want ${DIGEST}`)
        for (const key of ['exports', 'algorithms', 'results'] as const) {
          expect(JSON.stringify(r[key]) === JSON.stringify(nativeAnswers?.[key]), `${r.how}: ${key} ${JSON.stringify(r[key])}, the native build: ${JSON.stringify(nativeAnswers?.[key])}`)
        }
      }
      return `require and import → ${wasm.triple}: ${seen[0]?.exports.length} exports, ${seen[0]?.algorithms.length} algorithms (${seen[0]?.algorithms.join(', ')}) × hash, seed, hashAsync and Hasher, answered as native`
    }
    /** The one WebAssembly package and no native one in `dir`, with its runtime dependencies. */
    const onlyWasm = (dir: string) => {
      const found = onlyInstalled(dir, wasm)
      const missing = wasmDependencies.filter((d) => !existsSync(join(dir, 'node_modules', d, 'package.json')) && !existsSync(join(dir, 'node_modules', '.pnpm', 'node_modules', d, 'package.json')))
      expect(missing.length === 0, `the WebAssembly package's dependencies ${missing.join(', ')} are not installed`)
      return found
    }

    await check(`npm install --cpu=wasm32: only ${wasm.dir}; require and import run every export on the WebAssembly build`, async () => {
      const dir = consumer('npm-wasm')
      await npmInstall(dir, ['--cpu=wasm32'])
      const installed = onlyWasm(dir)
      return `${installed} and ${wasmDependencies.join(', ')}; ${sameAsNative(await exercise(dir))}`
    })

    // Both installed: the loader tries the native package first, so it wins. npm adds a package
    // for another CPU by name only with --force: it checks a named package against this machine
    // even with --cpu=wasm32 (EBADPLATFORM), and a second install with --cpu=wasm32 removes the
    // native package.
    await check(`npm install, then npm install --force ${wasm.dir}: both installed, the native package loads`, async () => {
      const dir = consumer('npm-native-and-wasm')
      await npmInstall(dir, [])
      await npmInstall(dir, ['--force', '--no-save', `${wasm.name}@${version}`])
      const installed = installedPlatformPackages(dir)
      const both = [gnu.dir, wasm.dir].toSorted()
      expect(JSON.stringify(installed) === JSON.stringify(both), `installed ${installed.join(', ') || 'no platform package'}, want ${both.join(', ')}`)
      const seen = await exercise(dir)
      for (const r of seen) expect(r.target === gnu.triple && r.loaded === 'native', `${r.how}: buildInfo() says ${r.target}, the loader ${r.loaded}; want ${gnu.triple} (native)`)
      return `${both.join(' and ')} installed; require and import → ${gnu.triple} (native)`
    })

    await check(`pnpm with supportedArchitectures cpu wasm32: only ${wasm.dir}, every export on the WebAssembly build`, async () => {
      const dir = consumer('pnpm-wasm', { pnpm: { supportedArchitectures: { cpu: ['wasm32'] } } })
      writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`)
      await install(dir, [...pms.pnpm, 'install', '--store-dir', join(WORK, 'pnpm-store'), '--config.confirmModulesPurge=false'], installEnv)
      const installed = onlyWasm(dir)
      return `${installed}; ${sameAsNative(await exercise(dir))}`
    })

    await check(`pnpm with supportedArchitectures cpu current and wasm32: ${gnu.dir} and ${wasm.dir}, the native package loads`, async () => {
      const dir = consumer('pnpm-native-and-wasm', { pnpm: { supportedArchitectures: { cpu: ['current', 'wasm32'] } } })
      writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`)
      await install(dir, [...pms.pnpm, 'install', '--store-dir', join(WORK, 'pnpm-store'), '--config.confirmModulesPurge=false'], installEnv)
      const installed = installedPlatformPackages(dir)
      const both = [gnu.dir, wasm.dir].toSorted()
      expect(JSON.stringify(installed) === JSON.stringify(both), `installed ${installed.join(', ') || 'no platform package'}, want ${both.join(', ')}`)
      const seen = await exercise(dir)
      for (const r of seen) expect(r.target === gnu.triple && r.loaded === 'native', `${r.how}: buildInfo() says ${r.target}, the loader ${r.loaded}; want ${gnu.triple} (native)`)
      return `${both.join(' and ')} installed; require and import → ${gnu.triple} (native)`
    })

    await check(`yarn berry with supportedArchitectures cpu wasm32: only ${wasm.dir}, every export on the WebAssembly build`, async () => {
      const dir = consumer('yarn-wasm')
      await yarnInstall(dir, '{ cpu: [wasm32] }')
      const installed = onlyWasm(dir)
      return `${installed}; ${sameAsNative(await exercise(dir))}`
    })
    // bun is not asked: its --cpu takes only the CPUs Node.js runs on (x64, arm64, …), not wasm32.
  }

  // arm64 consumers, when the arm64 pair was released (.ci/run builds it first): npm's --cpu
  // and --libc pick the package, and the project loads under aarch64 Node.js through qemu-user.
  for (const [libc, triple] of [['glibc', 'aarch64-unknown-linux-gnu'], ['musl', 'aarch64-unknown-linux-musl']] as const) {
    const pkg = byTriple(triple)
    if (!released.includes(pkg)) {
      console.log(`- arm64 ${libc} consumer not checked: ${pkg.binary} was not built (npm run build -- --release --target ${triple})`)
      continue
    }
    await check(`npm install --cpu=arm64 --libc=${libc}: only ${pkg.dir}, loads under arm64 ${libc} Node.js (qemu)`, async () => {
      const dir = consumer(`npm-arm64-${libc}`)
      await npmInstall(dir, ['--cpu=arm64', `--libc=${libc}`])
      return `${onlyInstalled(dir, pkg)}; ${await probe(dir, `arm64-${libc}`)}`
    })
  }

  // 7. The same release again: nothing to do, and no error.
  await check('a second npm run release of the same version is a no-op', async () => {
    const snapshot = () => Promise.all([name, ...released.map((t) => t.name)].map(async (p) => JSON.stringify(await registryDoc(p))))
    const before = await snapshot()
    const result = await release(ROOT, ['--only-present'])
    const output = result.stdout + result.stderr
    expect(result.exitCode === 0, `exit ${result.exitCode}:\n${output}`)
    const skipped = [...output.matchAll(/^✓ (\S+)@\S+: already published, skipped$/gm)].length
    expect(skipped === released.length + 1, `${skipped} "already published, skipped" lines, want ${released.length + 1}:\n${output}`)
    const after = await snapshot()
    expect(JSON.stringify(before) === JSON.stringify(after), 'the registry metadata changed')
    return `exit 0, ${skipped} packages "already published, skipped", registry unchanged`
  })

  // 8. Faults: each on a version of its own, through a proxy that injects them.
  await releaseFaults({ registry, name, released, mirror, check })
}

await registry.stop()
const passed = rows.filter((r) => r.ok).length
const failed = rows.length - passed
console.log(`\n${table(['', 'check', 'time'], rows.map((r) => [r.ok ? '✓' : '✗', r.name, seconds(r.ms)]))}\n`)
console.log(`${PREFIX}: ${seconds(performance.now() - started)} in all`)
console.log(`${PREFIX}: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

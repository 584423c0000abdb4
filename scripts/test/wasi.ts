// `npm run test:wasi`: the addon's whole ava suite against its WebAssembly build
// (wasm32-wasip1-threads), the fallback for platforms with no native binary: with
// NAPI_RS_FORCE_WASI=error, under which the generated loader loads the wasm build or throws.
// It runs under each pinned official Node.js (as test:node fetches them) and under musl Node.js
// inside the glibc-free musl root (napi-kit run --target linux-x64-musl), since the fallback must
// work on Alpine too. Then, under each glibc Node.js, every algorithm's digest of seeded random
// inputs (__test__/fixtures/digests.ts) from the native build and from the wasm build, compared
// answer by answer: the wasm build the suite loads here (the loader prefers the .debug.wasm
// `napi build` writes beside the .wasm) and the .wasm alone, as npm ships it. Ends with a table and one line "test:wasi: N passed, M failed".
//
// Negative controls: the native build preloaded under NAPI_RS_FORCE_WASI=error fails the suite's
// buildInfo test (the same test passes natively without the variable), and the digests with one
// byte of one input changed differ from the native build's exactly for that input.
//
//   npm run test:wasi [-- --node 22 --node 24]
//
// By default every Node.js major pinned for test:node, and every one the musl root provides.
// A build that is missing is built first (the wasm one with the quick profile: the suite checks
// answers, which the profile does not change, and it builds in half the time). Without the
// musl root (no root, no user namespaces) the musl rows are skipped with the reason; under
// CI=true that, like any missing prerequisite, is a failure.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { $ } from 'zx'

import { muslRootUnsupported, npmNotPinned, npmPinOf, providedMajors, provisionMuslRoot } from '@napi-kit/cli'
import { parseFlags, usageError } from '../lib/args.js'
import { Checks, stopIfUnsupported } from '../lib/checks.js'
import { unreleasedTable } from '../lib/linux-suites.js'
import { bad, info, ok, seconds, table, timed } from '../lib/log.js'
import { ensureCacheDir, NODE_PACKAGE, pinnedNodeMajors, provisionNode } from '../lib/node-runtime.js'
import { ADDON_DIR, AVA_CLI, CACHE_DIR, localBin, ROOT } from '../lib/paths.js'
import { avaCounts, run, runnerCounts } from '../lib/run.js'
import { agrees, type Answers, compareAnswers, parseAnswers } from '../lib/runtimes.js'
import { addonFiles, isWasiTarget, platformPackages, readAddonManifest } from '../lib/targets.js'

const SCRIPT = 'test:wasi'
const USAGE = 'npm run test:wasi [-- --node 22 --node 24]'
const { values: flags } = parseFlags(USAGE, { options: { node: { type: 'string', multiple: true, default: pinnedNodeMajors() } } })
for (const major of flags.node) if (!npmPinOf(NODE_PACKAGE, major)) usageError(npmNotPinned(NODE_PACKAGE, major).message, USAGE)
stopIfUnsupported(SCRIPT, process.platform === 'linux' && process.arch === 'x64' ? undefined : `needs Linux x64 (this is ${process.platform}-${process.arch}): the pinned Node.js builds are linux-x64 ones`)

const CI = process.env.CI === 'true'
const FORCE = { NAPI_RS_FORCE_WASI: 'error' }
const MUSL_TARGET = 'x86_64-unknown-linux-musl'
const started = performance.now()

const packages = platformPackages(readAddonManifest())
const wasm = packages.find((p) => isWasiTarget(p.triple))
const gnu = packages.find((p) => p.triple === 'x86_64-unknown-linux-gnu')
const musl = packages.find((p) => p.triple === MUSL_TARGET)
if (!wasm || !gnu || !musl) throw new Error(`napi.targets must contain a wasm32-wasi target, x86_64-unknown-linux-gnu and ${MUSL_TARGET} for ${SCRIPT}`)
const muslMajors = flags.node.filter((m) => providedMajors().includes(m))
const muslUnsupported = muslMajors.length === 0 ? undefined : await muslRootUnsupported()

/** Runs npm run build with `args` unless each of `files` (what it writes next to the loader) is there. */
async function buildIfMissing(what: string, files: string[], args: string[]): Promise<void> {
  const missing = files.filter((f) => !existsSync(join(ADDON_DIR, f)))
  if (missing.length === 0) return void info(`${what}: using the build in ${ADDON_DIR} (${files[0]})`)
  info(`${what}: ${missing.join(', ')} missing, building it`)
  await timed(args.length > 0 ? `npm run build -- ${args.join(' ')}` : 'npm run build', () => $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- ${args}`)
}
ensureCacheDir()
// The wasm package's own files (its .wasm, loaders and workers) are what `napi build` writes.
await buildIfMissing(`the WebAssembly build (${wasm.triple})`, wasm.files, ['--target', wasm.triple])
// The native builds: the digests are compared with this machine's, and load-error.spec.ts lays
// out the native package of the platform it runs on (glibc here, musl in the root).
await buildIfMissing(`the native build (${gnu.triple})`, [gnu.binary], [])
if (muslMajors.length > 0 && !muslUnsupported) await buildIfMissing(`the native build (${MUSL_TARGET})`, [musl.binary], ['--target', MUSL_TARGET])
// Compile the TypeScript tests once; every Node.js then runs the same JavaScript.
await $({ cwd: ADDON_DIR, stdio: 'inherit' })`${localBin('tsc')} -p __test__`

const rows: Array<Array<string | number>> = []
const checks = new Checks()
let passed = 0
let failed = 0
const warnings = new Map<string, Set<string>>()

/** A test only the wasm run has: seen passing, it shows the suite ran against the wasm build. */
const WASM_ONLY_TEST = 'WebAssembly: a Buffer is copied into linear memory once'

/** Runs the suite with `command` (a Node.js and ava); its row, and what it warned. */
async function suite(label: string, libc: string, command: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const result = await run(command, { cwd: ADDON_DIR, env })
  const counts = runnerCounts(result, avaCounts)
  passed += counts.passed
  failed += counts.failed
  rows.push([result.ok ? '✓' : '✗', label, libc, `${counts.passed} passed, ${counts.failed} failed`, seconds(result.ms)])
  for (const m of result.output.matchAll(/^\(node:\d+\) (\w*Warning: .*)$/gm)) {
    const text = m[1] ?? ''
    warnings.set(text, (warnings.get(text) ?? new Set()).add(label))
  }
  const ran = result.output.split('\n').some((line) => line.includes('✔ ') && line.includes(WASM_ONLY_TEST))
  checks.check(`${label} (${libc}): the suite ran against the wasm build`, ran, ran ? `"${WASM_ONLY_TEST}" passed` : 'that wasm-only test is not in the output as passed')
}

const DIGESTS = join(ADDON_DIR, '__test__', 'dist', 'fixtures', 'digests.js')

/**
 * The digests fixture beside a copy of the package holding only what npm ships: its files and
 * the wasm package's, with no `.debug.wasm`, which the loader prefers when it is there (as in
 * this checkout, where the suite loads it). Resolved by name from the fixture's folder; the
 * wasm runtime's packages from the repository's node_modules above.
 */
function shippedWasmDigests(): string {
  const dir = join(ADDON_DIR, '__test__', 'dist', 'shipped-wasm')
  rmSync(dir, { recursive: true, force: true })
  const manifest = readAddonManifest()
  const pkg = join(dir, 'node_modules', ...manifest.name.split('/'))
  mkdirSync(pkg, { recursive: true })
  for (const file of [...addonFiles(manifest), ...(wasm?.files ?? [])]) copyFileSync(join(ADDON_DIR, file), join(pkg, file))
  for (const file of [join('fixtures', 'digests.js'), join('helpers', 'inputs.js')]) {
    mkdirSync(join(dir, dirname(file)), { recursive: true })
    copyFileSync(join(ADDON_DIR, '__test__', 'dist', file), join(dir, file))
  }
  return join(dir, 'fixtures', 'digests.js')
}

/** The answers of the digests fixture `script` under `node`, with `env`; or why there are none. */
async function digests(node: string, env: NodeJS.ProcessEnv, extra: string[] = [], script = DIGESTS): Promise<(Answers & { target: string }) | { error: string }> {
  const result = await $({ cwd: ADDON_DIR, env, nothrow: true, quiet: true })`${node} ${script} ${extra}`
  if (result.exitCode !== 0) return { error: `exit code ${result.exitCode}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}` }
  return parseAnswers(result.stdout) as (Answers & { target: string }) | { error: string }
}

/** Each answer that differs, as "key" (at most three, then how many more). */
const listed = (keys: string[]) => (keys.length <= 3 ? keys.join('; ') : `${keys.slice(0, 3).join('; ')} and ${keys.length - 3} more`)

const { NAPI_RS_FORCE_WASI: _force, NAPI_RS_WASI_FLAVOR: _flavor, ...nativeEnv } = process.env
const wasmEnv = { ...nativeEnv, ...FORCE }
let controlNode: string | undefined

// 1. The suite, and the digests, under each official glibc Node.js.
const shipped = shippedWasmDigests()
for (const major of flags.node) {
  const start = performance.now()
  let node
  try {
    node = await provisionNode(major)
  } catch (error) {
    failed += 1
    bad(`Node.js ${major}: ${(error as Error).message}`)
    rows.push(['✗', `Node.js ${major}`, 'glibc', 'not run: see the error above', seconds(performance.now() - start)])
    continue
  }
  controlNode ??= node.bin
  await suite(`Node.js ${node.version}`, 'glibc', [node.bin, AVA_CLI], wasmEnv)
  const native = await digests(node.bin, nativeEnv)
  for (const [which, script] of [
    ['the wasm build', DIGESTS],
    ['the shipped .wasm', shipped],
  ]) {
    const wasi = await digests(node.bin, wasmEnv, [], script)
    const name = `Node.js ${node.version}: ${which}'s digests equal the native build's`
    if ('error' in native || 'error' in wasi) {
      checks.check(name, false, 'error' in native ? `native: ${native.error}` : `wasm: ${'error' in wasi ? wasi.error : ''}`)
    } else if (native.target !== gnu.triple || wasi.target !== wasm.triple) {
      // Two runs of the same build would agree whatever the wasm build computes.
      checks.check(name, false, `the runs loaded ${native.target} and ${wasi.target}, not ${gnu.triple} and ${wasm.triple}`)
    } else {
      const compared = compareAnswers(native, wasi)
      checks.check(name, agrees(compared), agrees(compared) ? `${compared.same} digests the same` : `differ: ${listed(compared.differ.map((d) => d.key))}`)
    }
  }
}

// 2. The suite under musl Node.js inside the musl root, as on Alpine.
if (muslMajors.length > 0) {
  if (muslUnsupported) {
    const why = `the musl root cannot run here: it ${muslUnsupported}`
    if (CI) {
      failed += 1
      bad(why)
    } else info(`musl rows skipped: ${why}`)
    for (const major of muslMajors) rows.push([CI ? '✗' : '-', `musl Node.js ${major}`, 'musl', CI ? 'not run: see the error above' : 'skipped: no musl root here', ''])
  } else {
    for (const node of await provisionMuslRoot(muslMajors)) {
      const command = [localBin('napi-kit'), 'run', '--target', 'linux-x64-musl', '--node', node.major, '--env', 'NAPI_RS_FORCE_WASI=error', '--', 'node', AVA_CLI]
      await suite(`musl Node.js ${node.version}`, 'musl', command, nativeEnv)
    }
  }
}

// 3. Controls, with the first Node.js.
if (controlNode) {
  // (1) A native build under NAPI_RS_FORCE_WASI=error must fail the buildInfo test: a preload
  //     requires the package before the variable is set, so the suite's import gets the cached
  //     native build while the test sees the variable. Without the variable, the test passes.
  const dir = mkdtempSync(join(CACHE_DIR, 'wasi-control-'))
  const preload = join(dir, 'native-first.cjs')
  const manifestFile = JSON.stringify(join(ADDON_DIR, 'package.json'))
  // ava's workers inherit the variable from ava's process, which runs the preload too.
  writeFileSync(
    preload,
    `delete process.env.NAPI_RS_FORCE_WASI\nconst load = require('node:module').createRequire(${manifestFile})\nload(load(${manifestFile}).name)\nprocess.env.NAPI_RS_FORCE_WASI = 'error'\n`,
  )
  const buildInfoOnly = [controlNode, AVA_CLI, join('__test__', 'runtime.spec.ts'), '--match', 'buildInfo*']
  const posing = await run(buildInfoOnly, { cwd: ADDON_DIR, env: { ...nativeEnv, NODE_OPTIONS: `--require ${preload}` }, quiet: true })
  const posingCounts = avaCounts(posing.output)
  checks.check(
    'control: the native build loaded under NAPI_RS_FORCE_WASI=error fails the buildInfo test',
    !posing.ok && posingCounts.failed === 1 && posing.output.includes("+ 'wasm32-wasip1-threads'"),
    `${posingCounts.passed} passed, ${posingCounts.failed} failed${posing.output.includes("+ 'wasm32-wasip1-threads'") ? ', expected wasm32-wasip1-threads' : ''}`,
  )
  const native = await run(buildInfoOnly, { cwd: ADDON_DIR, env: nativeEnv, quiet: true })
  const nativeCounts = avaCounts(native.output)
  checks.check('control: the same test passes for the native build without the variable', native.ok && nativeCounts.passed === 1, `${nativeCounts.passed} passed, ${nativeCounts.failed} failed`)
  rmSync(dir, { recursive: true, force: true })

  // (2) One byte of the 1 MiB Buffer changed: exactly that input's digests must differ.
  const reference = await digests(controlNode, nativeEnv)
  const flipped = await digests(controlNode, wasmEnv, ['--flip'])
  const name = "control: one byte changed in one input changes exactly that input's digests"
  if ('error' in reference || 'error' in flipped) checks.check(name, false, 'error' in reference ? reference.error : 'error' in flipped ? flipped.error : '')
  else {
    const { differ, same } = compareAnswers(reference, flipped)
    const input = differ[0]?.key.split(' ')[0] ?? ''
    const exact = differ.length > 0 && differ.every((d) => d.key.startsWith(`${input} Buffer(`))
    checks.check(name, exact, differ.length === 0 ? 'no difference seen' : `${differ.length} differ (${listed(differ.map((d) => d.key))}), ${same} the same`)
  }
}
passed += checks.passed
failed += checks.failed

console.log(`\n${table(['', 'runtime', 'libc', 'tests', 'time'], rows)}`)
console.log(`\n${checks.table()}`)
for (const block of unreleasedTable()) console.log(`\n${block}`)
if (warnings.size > 0) {
  console.log('\nwarnings Node.js printed (by the suite and its child processes and workers):')
  for (const [text, where] of warnings) console.log(`  ${text} (${[...where].join(', ')})`)
}
if (failed === 0) ok(`the addon suite passed against the WebAssembly build under ${rows.map((r) => r[1]).join(', ')}`)
console.log(`\n${SCRIPT} finished in ${seconds(performance.now() - started)}`)
console.log(`${SCRIPT}: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

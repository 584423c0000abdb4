// The workflows against napi.targets and the security rules: the build matrix is exactly the
// platform list, every Linux binary is smoke-loaded on its CPU in the image of its libc under
// each maintained Node.js line, the WebAssembly build is tested with the fallback forced on
// Linux, macOS and Windows, actions are pinned, tokens are minimal. Each check is also run
// on a mutated copy of the real file, to show it notices the mistake it is there for.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test, { type ExecutionContext } from 'ava'

import { ROOT } from '../lib/paths.js'
import { pinnedRuntime } from '../lib/runtimes.js'
import { isWasiTarget, parseTarget, platformPackages, readAddonManifest } from '../lib/targets.js'
import {
  checkBuildMatrix,
  checkConcurrency,
  checkIdToken,
  checkPermissions,
  checkPinnedActions,
  checkRuntimesJob,
  checkRunBlocks,
  checkTestMatrix,
  checkTriggers,
  expandMatrix,
  expectedTestRuns,
  loadWorkflows,
  missingNpmScripts,
  NODE_LINES,
  parseWorkflow,
  type Workflow,
  WASI_HOSTS,
} from '../lib/workflows.js'

const manifest = readAddonManifest()
const targets = manifest.napi.targets
/** The WebAssembly target of napi.targets, and its platform package. */
const wasm = targets.find(isWasiTarget)
const wasmPackage = platformPackages(manifest).find((p) => p.triple === wasm)
const runtimePins = { bun: pinnedRuntime('@oven/bun-linux-x64'), deno: pinnedRuntime('@deno/linux-x64-glibc') }
const workflows = loadWorkflows()
const byName = (file: string) => {
  const wf = workflows.find((w) => w.file === file)
  if (!wf) throw new Error(`.github/workflows/${file} is missing`)
  return wf
}
const ci = byName('ci.yml')
const release = byName('release.yml')
interface Manifest {
  name: string
  scripts?: Record<string, string>
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
/** Every workspace package (packages/*), by npm name: what `npm run <script> -w <name>` can call. */
const workspacePackages = readdirSync(join(ROOT, 'packages'))
  .map((d) => join(ROOT, 'packages', d))
  .filter((d) => existsSync(join(d, 'package.json')))
  .map(manifestOf)
const scripts = {
  root: manifestOf(ROOT).scripts ?? {},
  workspaces: Object.fromEntries(workspacePackages.map((m) => [m.name, m.scripts ?? {}])),
}

/** Every check over one workflow; ci.yml also against napi.targets. */
function problems(wf: Workflow, withTargets = targets): string[] {
  return [
    ...(wf.file === 'ci.yml'
      ? [...checkBuildMatrix(wf, { ...manifest, napi: { ...manifest.napi, targets: withTargets } }), ...checkTestMatrix(wf, withTargets), ...checkRuntimesJob(wf, runtimePins), ...checkConcurrency(wf)]
      : []),
    ...checkPinnedActions(wf),
    ...checkPermissions(wf),
    ...checkIdToken(wf),
    ...checkTriggers(wf),
    ...checkRunBlocks(wf),
  ]
}

/** A copy of `wf` with `from` replaced by `to` (which must occur). */
function mutate(t: ExecutionContext, wf: Workflow, from: string | RegExp, to: string): Workflow {
  const text = wf.text.replace(from, to)
  t.not(text, wf.text, `the mutation ${String(from)} changed nothing`)
  return parseWorkflow(wf.file, text)
}
const mentions = (t: ExecutionContext, found: string[], pattern: RegExp) =>
  t.true(found.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got:\n${found.join('\n')}`)

test('ci.yml and release.yml pass every check', (t) => {
  t.deepEqual(workflows.map((w) => w.file), ['ci.yml', 'release.yml'])
  for (const wf of workflows) t.deepEqual(problems(wf), [], wf.file)
})

test('the build matrix is napi.targets, one entry each', (t) => {
  const build = expandMatrix(ci.jobs.build?.strategy?.matrix)
  t.deepEqual(build.map((e) => e.target).toSorted(), targets.toSorted())
})

test('every Linux target is smoke-loaded in its libc image under each maintained Node.js line', (t) => {
  // Native Linux targets only: the WebAssembly one runs on Linux hosts, but is no Linux target.
  const linuxTargets = targets.filter((target) => parseTarget(target).platform === 'linux')
  t.true(linuxTargets.length > 0)
  const linux = expectedTestRuns(targets).filter((r) => linuxTargets.includes(r.target))
  t.is(linux.length, linuxTargets.length * NODE_LINES.length)
  t.deepEqual([...new Set(linux.filter((r) => r.target.endsWith('-musl')).map((r) => r.image))], ['alpine'])
  t.deepEqual([...new Set(linux.filter((r) => r.target.endsWith('-gnu')).map((r) => r.image))], ['slim'])
  t.deepEqual(checkTestMatrix(ci, targets), [])
})

test('the WebAssembly build is built on Linux, uploaded with its loaders, and tested with the fallback forced on Linux, macOS and Windows', (t) => {
  if (!wasm || !wasmPackage) return t.fail('napi.targets has no WebAssembly target')
  const builds = expandMatrix(ci.jobs.build?.strategy?.matrix).filter((e) => e.target === wasm)
  t.is(builds.length, 1)
  const runs = expectedTestRuns(targets).filter((r) => r.target === wasm)
  t.deepEqual([...new Set(runs.map((r) => r.image))], ['wasi'])
  t.deepEqual([...new Set(runs.map((r) => r.os))].toSorted(), ['darwin', 'linux', 'win32'])
  t.is(runs.length, WASI_HOSTS.length * NODE_LINES.length)
  // Its package ships the module and the loaders napi build wrote beside it.
  t.true(wasmPackage.files.length > 1)
  t.deepEqual(checkTestMatrix(ci, targets), [])
  t.deepEqual(checkBuildMatrix(ci, manifest), [])
})

test('run steps call npm scripts that exist', (t) => {
  const missing = workflows.flatMap((wf) => missingNpmScripts(wf, scripts))
  t.deepEqual(missing, [])
})

test('the release runs after CI and publishes with npm run release', (t) => {
  t.is(release.jobs.ci?.uses, './.github/workflows/ci.yml')
  t.is(release.jobs.release?.needs, 'ci')
  const changesets = release.jobs.release?.steps?.find((s) => s.uses?.startsWith('changesets/action@'))
  t.is(changesets?.with?.publish, 'npm run release')
  t.is(changesets?.with?.version, 'npm run version-packages')
  t.true(Object.keys((ci.on ?? {}) as object).includes('workflow_call'))
})

// Negative controls: each mistake below must be reported.

test('a WebAssembly test that does not force the fallback, or forces it with 1, is reported', (t) => {
  if (!wasm) return t.fail('napi.targets has no WebAssembly target')
  const one = problems(mutate(t, ci, /NAPI_RS_FORCE_WASI: error/, "NAPI_RS_FORCE_WASI: '1'"))
  mentions(t, one, /NAPI_RS_FORCE_WASI=1 does not force the WebAssembly build .*set it to error/)
  mentions(t, one, new RegExp(`no test of ${wasm} on Node.js 24 with NAPI_RS_FORCE_WASI=error on a win32-x64 runner`))
  const unset = problems(mutate(t, ci, /\n {4}env:\n(?: {6}#.*\n)* {6}NAPI_RS_FORCE_WASI: error\n/, '\n'))
  mentions(t, unset, new RegExp(`no test of ${wasm} on Node.js 22 with NAPI_RS_FORCE_WASI=error on a linux-x64 runner`))
  mentions(t, unset, new RegExp(`tests ${wasm} on Node.js 22 natively on a linux-x64 runner, which napi.targets does not call for`))
  const split = problems(mutate(t, ci, /(- name: Addon tests on the WebAssembly build\n)/, '$1        env:\n          NAPI_RS_FORCE_WASI: true\n'))
  mentions(t, split, /NAPI_RS_FORCE_WASI=true does not force/)
  mentions(t, split, /the suite and check:build-info run with different NAPI_RS_FORCE_WASI \(true and error\)/)
})

test('a WebAssembly test missing an OS, or a native target tested with the fallback forced, is reported', (t) => {
  if (!wasm) return t.fail('napi.targets has no WebAssembly target')
  const noWindows = problems(mutate(t, ci, /runner: \[ubuntu-24\.04, macos-15, windows-2025\]/, 'runner: [ubuntu-24.04, macos-15]'))
  mentions(t, noWindows, new RegExp(`no test of ${wasm} on Node.js 26 with NAPI_RS_FORCE_WASI=error on a win32-x64 runner \\(the WebAssembly build`))
  const native = problems(mutate(t, ci, new RegExp(`(\\n {8}target:\\n {10}- )${wasm}\\n`), '$1x86_64-pc-windows-msvc\n'))
  mentions(t, native, /tests x86_64-pc-windows-msvc on Node.js 22 with NAPI_RS_FORCE_WASI=error on a linux-x64 runner, which napi.targets does not call for/)
  mentions(t, native, new RegExp(`no test of ${wasm} on Node.js 22 with NAPI_RS_FORCE_WASI=error`))
})

test('a WebAssembly build on another OS, or an artifact without its loaders or with the debug module, is reported', (t) => {
  if (!wasm || !wasmPackage) return t.fail('napi.targets has no WebAssembly target')
  const mac = problems(mutate(t, ci, new RegExp(`(- target: ${wasm}\\n {12}runner: )ubuntu-24\\.04`), '$1macos-15'))
  mentions(t, mac, new RegExp(`job build \\(${wasm}\\): a wasi target built on a darwin runner \\(it is built on linux\\)`))
  const loader = wasmPackage.main
  const noLoader = problems(mutate(t, ci, /\n {12}packages\/hashkit\/\*\.wasi\.cjs\n/, '\n'))
  mentions(t, noLoader, new RegExp(`job build \\(${wasm}\\): the artifact leaves out \\S+/${loader.replaceAll('.', '\\.')}, which npm/${wasmPackage.dir} ships`))
  t.false(noLoader.some((p) => p.includes(`(${targets[0]})`)), 'a native target does not ship the loaders')
  const noWorker = problems(mutate(t, ci, /\n {12}packages\/hashkit\/wasi-worker\.mjs\n/, '\n'))
  mentions(t, noWorker, /the artifact leaves out \S+\/wasi-worker\.mjs/)
  const allWasm = problems(mutate(t, ci, /\*\.wasm32-wasi\.wasm\n/, '*.wasm\n'))
  mentions(t, allWasm, /the artifact carries \S+\.debug\.wasm, which the loader would load before the release module/)
})

test('a target missing from the build matrix is reported', (t) => {
  const found = problems(mutate(t, ci, /\n {10}- target: aarch64-pc-windows-msvc\n {12}runner: windows-2025\n/, '\n'))
  mentions(t, found, /does not build aarch64-pc-windows-msvc \(missing target\)/)
  if (!wasm) return t.fail('napi.targets has no WebAssembly target')
  const noWasm = problems(mutate(t, ci, new RegExp(`\\n {10}- target: ${wasm}\\n {12}runner: \\S+\\n(?= {4}steps)`), '\n'))
  mentions(t, noWasm, new RegExp(`does not build ${wasm} \\(missing target\\)`))
})

test('an invented target is reported, in the build and in the tests', (t) => {
  const found = problems(mutate(t, ci, /- target: x86_64-unknown-linux-gnu\n {12}runner: ubuntu-24.04\n/, '$&          - target: riscv64gc-unknown-linux-gnu\n            runner: ubuntu-24.04\n'))
  mentions(t, found, /builds riscv64gc-unknown-linux-gnu, which is not in napi.targets/)
  const tests = problems(mutate(t, ci, /\n {10}- aarch64-unknown-linux-musl\n/, '$&          - riscv64gc-unknown-linux-gnu\n'))
  mentions(t, tests, /tests riscv64gc-unknown-linux-gnu, which is not in napi.targets/)
})

test('a target added to napi.targets without a build or test is reported', (t) => {
  const found = problems(ci, [...targets, 'x86_64-unknown-freebsd'])
  mentions(t, found, /does not build x86_64-unknown-freebsd/)
  mentions(t, found, /no test of x86_64-unknown-freebsd/)
})

test('a musl target tested in a glibc image, or on the wrong CPU, is reported', (t) => {
  const slim = problems(mutate(t, ci, /(- target: x86_64-unknown-linux-musl\n {12}runner: ubuntu-24.04\n {12}image: )alpine/, '$1slim'))
  mentions(t, slim, /no test of x86_64-unknown-linux-musl on Node.js 22 in node:22-alpine/)
  mentions(t, slim, /tests x86_64-unknown-linux-musl on Node.js 22 in node:22-slim .*which napi.targets does not call for/)
  const cpu = problems(mutate(t, ci, /(- target: aarch64-unknown-linux-gnu\n {12}runner: )ubuntu-24.04-arm/, '$1ubuntu-24.04'))
  mentions(t, cpu, /no test of aarch64-unknown-linux-gnu on Node.js 24 in node:24-slim on a linux-arm64 runner/)
})

test('a maintained Node.js line missing from the tests is reported', (t) => {
  const found = problems(mutate(t, ci, /node: \[22, 24, 26\]\n {8}# Each binary runs on a runner/, 'node: [22, 24]\n        # Each binary runs on a runner'))
  mentions(t, found, /no test of aarch64-unknown-linux-musl on Node.js 26 in node:26-alpine/)
})

test('an unpinned action, a Docker action and a pin without its version are reported', (t) => {
  mentions(t, problems(mutate(t, ci, /actions\/checkout@[0-9a-f]{40} # v7\.0\.1/, 'actions/checkout@v7')), /actions\/checkout@v7 is not pinned to a full commit SHA/)
  mentions(t, problems(mutate(t, ci, /(uses: actions\/setup-go@[0-9a-f]{40}) # v7\.0\.0/, '$1')), /has no "# vX.Y.Z" comment/)
  mentions(t, problems(mutate(t, ci, /uses: actions\/setup-go@[0-9a-f]{40} # v7\.0\.0/, 'uses: docker://node:24-alpine')), /Docker action: use a plain `docker run` step/)
})

test('missing or broad permissions are reported', (t) => {
  mentions(t, problems(mutate(t, ci, /\n {4}permissions:\n {6}# To check out the repository\.\n {6}contents: read\n/, '\n')), /job lint declares no permissions/)
  mentions(t, problems(mutate(t, ci, /^permissions: \{\}$/m, 'permissions: write-all')), /top-level permissions must be \{\} or read-only/)
})

test('id-token: write outside the publishing job is reported, and its absence there too', (t) => {
  mentions(t, problems(mutate(t, release, /(name: CI\n(?:.*\n)*? {6})contents: read/, '$1contents: read\n      id-token: write')), /job ci has id-token: write but does not publish/)
  mentions(t, problems(mutate(t, release, / {6}id-token: write\n/, '')), /job release publishes without id-token: write/)
})

test('pull_request_target, secrets or event text in run blocks and persisted checkout tokens are reported', (t) => {
  mentions(t, problems(mutate(t, ci, /^ {2}pull_request:$/m, '  pull_request_target:')), /pull_request_target runs untrusted code/)
  mentions(t, problems(mutate(t, release, /run: npm ci/, 'run: echo "${{ secrets.NPM_TOKEN }}"')), /puts a secret into a run: block/)
  mentions(t, problems(mutate(t, ci, /run: npm run typecheck/, 'run: echo "${{ github.event.pull_request.title }}"')), /expands event text into a run: block/)
  mentions(t, problems(mutate(t, ci, /persist-credentials: false/, 'persist-credentials: true')), /persist-credentials left on/)
})

test('a run step calling an npm script that does not exist is reported', (t) => {
  const found = missingNpmScripts(mutate(t, ci, /run: npm run typecheck/, 'run: npm run type-check'), scripts)
  mentions(t, found, /runs npm run type-check, which package.json does not define/)
})

test('test:runtimes runs on linux-x64 with the pinned Bun and Deno from their setup actions, and its absence is reported', (t) => {
  t.deepEqual(checkRuntimesJob(ci, runtimePins), [])
  mentions(t, problems(mutate(t, ci, /run: npm run test:runtimes -- .*/, 'run: echo no runtimes')), /expected one job running `npm run test:runtimes`, found 0/)
  mentions(t, problems(mutate(t, ci, /bun-version: \S+/, 'bun-version: 1.0.0')), new RegExp(`oven-sh/setup-bun sets up bun-version 1.0.0, the pin file pins ${runtimePins.bun}`))
  mentions(t, problems(mutate(t, ci, /deno-version: \S+/, 'deno-version: 2.x')), new RegExp(`denoland/setup-deno sets up deno-version 2.x, the pin file pins ${runtimePins.deno}`))
  mentions(t, problems(mutate(t, ci, / --deno "\$\(command -v deno\)"/, '')), /npm run test:runtimes is not given --deno/)
  mentions(t, problems(mutate(t, ci, /(test-runtimes:\n.*\n {4}runs-on: )ubuntu-24.04/, '$1ubuntu-24.04-arm')), /runs on a linux-arm64 runner; the pinned runtimes are linux-x64 builds/)
  mentions(t, problems(mutate(t, ci, /\n {6}- uses: denoland\/setup-deno@.*\n(?: {8}.*\n)+/, '\n')), /denoland\/setup-deno does not set up deno/)
})

test('the matrix expansion follows GitHub: include adds keys to matching entries, or entries of its own', (t) => {
  const matrix = { target: ['a', 'b'], node: [1, 2], include: [{ target: 'a', image: 'x' }, { target: 'c', node: 3 }], exclude: [{ target: 'b', node: 2 }] }
  t.deepEqual(expandMatrix(matrix), [
    { target: 'a', node: '1', image: 'x' },
    { target: 'a', node: '2', image: 'x' },
    { target: 'b', node: '1' },
    { target: 'c', node: '3' },
  ])
  t.deepEqual(expandMatrix({ include: [{ target: 'a' }, { target: 'b' }] }), [{ target: 'a' }, { target: 'b' }])
})

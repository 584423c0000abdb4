// `npm run test:runtimes`: the addon under every runtime its users load it in besides Node.js.
// One runner-less suite (packages/<binary>/__test__/runtimes/suite.mjs) prints its answers as
// JSON; this Node.js runs it first, and its answers are the reference every other runtime's
// must equal, answer by answer:
//   - Bun for glibc (npm's @oven/bun-linux-x64, or -baseline on a CPU without AVX2);
//   - Bun for musl (@oven/bun-linux-x64-musl) inside the glibc-free musl root (napi-kit run),
//     loading the musl build through the generated loader, against the root's musl Node.js;
//   - Deno (@deno/linux-x64-glibc) through createRequire, a bare import and an npm: import,
//     with the permissions it needs, each shown to be needed.
// Negative controls: Deno without each permission, and Bun musl given the glibc build, must fail.
// The runtimes are npm packages pinned in the kit's pin file (exact version and integrity,
// packages/kit/src/pins/), unpacked on first use into .cache/ and checked on every run. Ends with a table and one line
// "test:runtimes: N passed, M failed".
//
//   npm run test:runtimes [-- --bun <path>] [--deno <path>]
//
// --bun and --deno use those binaries (e.g. set up by the workflow's setup-bun and setup-deno)
// instead of the pinned npm packages; their version must still be the pinned one. Without the
// musl root (no root, no user namespaces) the musl rows are skipped with the reason; under
// CI=true a runtime that cannot run is a failure.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { $ } from 'zx'

import { muslRootUnsupported, provisionMuslRoot } from '@napi-kit/cli'
import { parseFlags, usageError } from '../lib/args.js'
import { Checks, stopIfUnsupported } from '../lib/checks.js'
import { bad, ok, seconds, table } from '../lib/log.js'
import { ADDON_DIR, CACHE_DIR, localBin, ROOT } from '../lib/paths.js'
import {
  agrees,
  type Answers,
  compareAnswers,
  type Comparison,
  loaderEnvNames,
  parseAnswers,
  pinnedBunGlibc,
  pinnedBunMusl,
  pinnedDeno,
  pinnedRuntime,
  withoutLibc,
} from '../lib/runtimes.js'
import { platformPackages, readAddonManifest } from '../lib/targets.js'

const USAGE = 'npm run test:runtimes [-- --bun <path>] [--deno <path>]'
const { values: flags } = parseFlags(USAGE, { options: { bun: { type: 'string' }, deno: { type: 'string' } } })
for (const [name, path] of Object.entries(flags)) {
  if (path !== undefined && !existsSync(path)) usageError(`--${name} ${path} does not exist: pass the path of a ${name} binary, e.g. --${name} "$(command -v ${name})"`, USAGE)
}
stopIfUnsupported('test:runtimes', process.platform === 'linux' && process.arch === 'x64' ? undefined : `needs Linux x64 (this is ${process.platform}-${process.arch}): the pinned runtimes are linux-x64 builds`)

const SUITE = join(ADDON_DIR, '__test__', 'runtimes', 'suite.mjs')
const MUSL_TARGET = 'x86_64-unknown-linux-musl'
/**
 * What Deno needs to load the addon, as narrow as it goes: open the binaries, read the project
 * and /usr/bin/ldd (the loader's libc check), the variables the loader reads. Each is shown
 * to be needed below.
 */
const readable = [ROOT, '/usr/bin/ldd', ...(CACHE_DIR.startsWith(`${ROOT}/`) ? [] : [CACHE_DIR])]
const DENO_PERMISSIONS = [`--allow-ffi=${ROOT}`, `--allow-read=${readable.join(',')}`, `--allow-env=${loaderEnvNames(readFileSync(join(ADDON_DIR, 'index.js'), 'utf8')).join(',')}`]
/** The musl Node.js the musl rows are compared with. */
const MUSL_NODE = '24'
const started = performance.now()

const packages = platformPackages(readAddonManifest())
const gnu = packages.find((p) => p.triple === 'x86_64-unknown-linux-gnu')
if (!gnu || !packages.some((p) => p.triple === MUSL_TARGET)) throw new Error(`napi.targets must contain ${MUSL_TARGET} and x86_64-unknown-linux-gnu for test:runtimes`)
const muslUnsupported = await muslRootUnsupported()
if (!muslUnsupported) await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- --target ${MUSL_TARGET}`
await $({ cwd: ROOT, stdio: 'inherit' })`npm run build`

interface Run {
  answers?: Answers
  error?: string
  output: string
  ms: number
}

/** Runs the suite with `command`; its answers, or why it gave none. */
async function suiteRun(command: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const start = performance.now()
  const result = await $({ cwd: ROOT, nothrow: true, quiet: true, timeout: '5m', env: { ...process.env, NO_COLOR: '1', ...env } })`${command}`
  const output = `${result.stdout}\n${result.stderr}`
  const ms = performance.now() - start
  const parsed = parseAnswers(result.stdout)
  if (result.exitCode === 0 && 'answers' in parsed) return { answers: parsed, output, ms }
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean)
  const reason = lines.find((l) => /error|cannot|refused/i.test(l)) ?? lines.at(-1) ?? ('error' in parsed ? parsed.error : '')
  return { error: `exit code ${result.exitCode ?? result.signal}: ${reason}`, output, ms }
}

interface Row {
  runtime: string
  libc: 'glibc' | 'musl'
  load: string
  /** The expected version, when it is pinned ("Bun 1.4.5"). */
  pinned?: string
  run?: Run
  compared?: Comparison
  /** Why the row did not run. */
  skipped?: string
  /** Why it failed besides differing answers. */
  problem?: string
}

const rows: Row[] = []
const checks = new Checks()
const loadName = { require: 'createRequire', import: 'import (bare name)', npm: 'import npm:' } as const

/** Runs one row and compares it with `reference` (through `project`); returns its answers. */
async function row(spec: Omit<Row, 'run' | 'compared'>, command: string[], reference?: Answers, project?: (k: string, v: string) => string, env?: NodeJS.ProcessEnv): Promise<Answers | undefined> {
  const entry: Row = { ...spec }
  rows.push(entry)
  entry.run = await suiteRun(command, env)
  const { answers } = entry.run
  if (!answers) {
    bad(`${spec.runtime}, ${spec.load}: ${entry.run.error}`)
    return undefined
  }
  const loaded = answers.answers.find(([k]) => k === 'buildInfo()')?.[1] as { libc?: string; target?: string } | undefined
  if (loaded?.libc !== spec.libc) entry.problem = `loaded ${loaded?.target ?? 'no binary'} (${loaded?.libc}) under ${spec.libc}`
  if (spec.pinned && answers.runtime !== spec.pinned) entry.problem = `is ${answers.runtime}, the pin file (packages/kit/src/pins/wanted.ts) pins ${spec.pinned}: use that version or change the pin`
  if (reference) {
    entry.compared = compareAnswers(reference, answers, project)
    for (const d of entry.compared.differ.slice(0, 5)) bad(`${spec.runtime}, ${spec.load}: "${d.key}" is ${d.got.slice(0, 200)}, Node.js gave ${d.expected.slice(0, 200)}`)
    for (const key of entry.compared.extra.slice(0, 5)) bad(`${spec.runtime}, ${spec.load}: "${key}" is not among Node.js's answers`)
  }
  if (entry.problem) bad(`${spec.runtime}, ${spec.load}: ${entry.problem}`)
  return answers
}

const skip = (spec: Omit<Row, 'run' | 'compared'>, reason: string) => rows.push({ ...spec, skipped: reason })

/** A pinned binary, or the one passed on the command line; an error becomes a failed row. */
async function binary(given: string | undefined, pinned: () => Promise<{ bin: string }>, spec: Omit<Row, 'run' | 'compared'>): Promise<string | undefined> {
  if (given) return given
  try {
    return (await pinned()).bin
  } catch (error) {
    rows.push({ ...spec, problem: (error as Error).message })
    bad(`${spec.runtime}: ${(error as Error).message}`)
    return undefined
  }
}

// Node.js: the reference, and the same answers through import.
const nodeName = `Node.js ${process.version}`
const reference = await row({ runtime: 'Node.js (reference)', libc: 'glibc', load: loadName.require }, [process.execPath, SUITE, 'require'])
if (!reference) throw new Error(`${nodeName} gave no answers, so there is nothing to compare with: run node ${SUITE} and fix what it prints`)
await row({ runtime: 'Node.js', libc: 'glibc', load: loadName.import }, [process.execPath, SUITE, 'import'], reference)

// Bun for glibc.
{
  const pinned = `Bun ${pinnedRuntime('@oven/bun-linux-x64')}`
  const bun = await binary(flags.bun, pinnedBunGlibc, { runtime: 'Bun', libc: 'glibc', load: 'all', pinned })
  if (bun) for (const mode of ['require', 'import'] as const) await row({ runtime: 'Bun', libc: 'glibc', load: loadName[mode], pinned }, [bun, SUITE, mode], reference)
}

// Deno, with the permissions it needs; its cache in .cache/deno, no deno.lock in the project.
{
  const pinned = `Deno ${pinnedRuntime('@deno/linux-x64-glibc')}`
  const deno = await binary(flags.deno, pinnedDeno, { runtime: 'Deno', libc: 'glibc', load: 'all', pinned })
  const env = { DENO_DIR: join(CACHE_DIR, 'deno'), DENO_NO_UPDATE_CHECK: '1' }
  const denoRun = (permissions: string[], mode: string) => [deno ?? 'deno', 'run', '--no-lock', ...permissions, SUITE, mode]
  if (deno) {
    for (const mode of ['require', 'import', 'npm'] as const) await row({ runtime: 'Deno', libc: 'glibc', load: loadName[mode], pinned }, denoRun(DENO_PERMISSIONS, mode), reference, undefined, env)
    // Each permission is needed: without it the suite must fail, naming it.
    for (const permission of DENO_PERMISSIONS) {
      const flag = permission.split('=')[0] ?? permission
      const without = await suiteRun(denoRun(DENO_PERMISSIONS.filter((p) => p !== permission), 'require'), env)
      const named = without.output.includes(`run again with the ${flag} flag`)
      checks.check(`control: Deno without ${flag} fails`, !without.answers && named, without.answers ? 'it ran: the permission is not needed, drop it from DENO_PERMISSIONS' : named ? `it asks for ${flag}` : `failed without naming ${flag}: ${without.error}`)
    }
    // Reading the project only: the loader cannot read /usr/bin/ldd and falls back to
    // process.report, which Deno grants only with --allow-sys (README: Runtimes).
    const projectOnly = DENO_PERMISSIONS.map((p) => (p.startsWith('--allow-read=') ? `--allow-read=${readable.filter((r) => r !== '/usr/bin/ldd').join(',')}` : p))
    const noLdd = await suiteRun(denoRun(projectOnly, 'require'), env)
    const sys = noLdd.output.includes('run again with the --allow-sys flag')
    checks.check('control: Deno that may not read /usr/bin/ldd fails', !noLdd.answers && sys, noLdd.answers ? 'it ran: the loader no longer needs /usr/bin/ldd, update README' : sys ? 'the loader falls back to process.report, which asks for --allow-sys' : `failed otherwise: ${noLdd.error}`)
  }
}

// Bun for musl, in the glibc-free musl root, against the root's musl Node.js.
{
  const nodeSpec = { runtime: `Node.js ${MUSL_NODE} (musl reference)`, libc: 'musl' as const, load: loadName.require }
  const pinned = `Bun ${pinnedRuntime('@oven/bun-linux-x64-musl')}`
  const bunSpec = { runtime: 'Bun', libc: 'musl' as const, load: 'all', pinned }
  if (muslUnsupported) {
    skip(nodeSpec, muslUnsupported)
    skip(bunSpec, muslUnsupported)
  } else {
    // Assembled here, not inside napi-kit run, so its downloads and their times are shown.
    await provisionMuslRoot([MUSL_NODE])
    const bun = await binary(undefined, pinnedBunMusl, bunSpec)
    // napi-kit run binds the project; the Bun binary's folder is bound too, for a cache outside it.
    const inRoot = (command: string[], extra: string[] = []) => [localBin('napi-kit'), 'run', '--target', 'linux-x64-musl', '--node', MUSL_NODE, ...extra, '--', ...command]
    const binds = bun ? ['--bind', dirname(bun)] : []
    const muslReference = await row(nodeSpec, inRoot(['node', SUITE, 'require']), reference, withoutLibc)
    if (bun && !muslReference) {
      rows.push({ ...bunSpec, problem: `not run: Node.js ${MUSL_NODE} in the musl root gave no answers to compare with (see its row)` })
    } else if (bun && muslReference) {
      for (const mode of ['require', 'import'] as const) await row({ runtime: 'Bun', libc: 'musl', load: loadName[mode], pinned }, inRoot([bun, SUITE, mode], binds), muslReference)
      // The glibc build, forced on Bun musl, must fail to load.
      const forced = await suiteRun(inRoot([bun, SUITE, 'require'], [...binds, '--env', `NAPI_RS_NATIVE_LIBRARY_PATH=${join(ADDON_DIR, gnu.binary)}`]))
      const refused = /ld-linux-x86-64\.so\.2|libc\.so\.6/.exec(forced.output)
      checks.check('control: Bun musl refuses the glibc build', !forced.answers && refused !== null, forced.answers ? 'it loaded' : refused ? `the loader names ${refused[0]}` : `failed without naming glibc: ${forced.error}`)
    }
  }
}

// The table, then the closing count.
const ci = process.env.CI === 'true'
let passed = checks.passed
let failed = checks.failed
const lines = rows.map((r) => {
  const version = r.run?.answers?.runtime ?? r.pinned ?? '?'
  const total = r.compared ? r.compared.same + r.compared.differ.length : (r.run?.answers?.answers.length ?? 0)
  let result: string
  let compared: string
  if (r.skipped) {
    result = ci ? '✗ not run (CI)' : '- skipped'
    compared = r.skipped
  } else if (!r.run?.answers) {
    result = '✗'
    compared = r.problem ?? r.run?.error ?? 'not run'
  } else {
    const same = !r.compared || agrees(r.compared)
    result = same && !r.problem ? '✓' : '✗'
    compared = !r.compared
      ? `${total} answers (the reference)`
      : same
        ? `${r.compared.same} of ${total} the same`
        : `${r.compared.differ.length} of ${total} differ${r.compared.extra.length ? `, ${r.compared.extra.length} extra` : ''}`
    if (r.problem) compared += `; ${r.problem}`
  }
  if (result === '✓') passed += 1
  else if (!(r.skipped && !ci)) failed += 1
  return [result, r.runtime, version, r.libc, r.load, compared.length > 100 ? `${compared.slice(0, 97)}...` : compared, r.run ? seconds(r.run.ms) : '']
})
console.log(`\n${table(['', 'runtime', 'version', 'libc', 'loaded with', 'answers compared', 'time'], lines)}\n`)
console.log(`${checks.table()}\n`)
if (failed === 0) ok(`every runtime gave ${nodeName}'s answers (${seconds(performance.now() - started)})`)
console.log(`test:runtimes: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

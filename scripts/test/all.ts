// `npm test`: everything that runs on this machine, in one pass, then a table and one
// closing line "npm test: N passed, M failed". Every step runs even when one before it
// failed; the exit code is set once at the end.
//
// The checks whose results depend only on their files and toolchains are turbo tasks, cached
// (turbo.json names each one's inputs): on a hit turbo replays the run's logs, so its tests are
// counted the same, and the table says `hit` with the time it saved. --force runs them all again
// (.ci/run does). Two lanes run at once, one per core: turbo's tasks, and the Rust and audit
// steps, which always run (each says why below).
//
//   npm test [-- --force]

import { parseFlags } from '../lib/args.js'
import { zigCommand, zigInstalled } from '../lib/cross.js'
import { bad, info, ok, seconds, table } from '../lib/log.js'
import { SCRIPT_NODE_ARGS } from '../lib/paths.js'
import { avaCounts, cargoCounts, type Counts, run, runnerCounts, type RunResult } from '../lib/run.js'
import { turboEnv, toolchainKey } from '../lib/turbo.js'
import { type TaskResult, turboRun } from '../lib/turbo-run.js'

const { values: flags } = parseFlags('npm test [-- --force]', { options: { force: { type: 'boolean', default: false } } })

interface Step {
  name: string
  command: string[]
  counts?: (output: string) => Counts
}

/** Turbo's tasks, with their test runners' counts; lint and typecheck count as one failure when they fail. */
const TURBO_TASKS = ['lint', 'typecheck', 'test', 'lint:scripts', 'typecheck:scripts', 'test:scripts', 'test:scripts:repo']
const TEST_TASKS = /#test(:|$)/

/** The steps that always run, one after the other, beside turbo's tasks. */
const ALWAYS: Step[] = [
  // Under a second; cargo fmt has no cache of its own to keep.
  { name: 'rust: cargo fmt --check', command: ['cargo', 'fmt', '--all', '--check'] },
  // cargo's own fingerprints make a no-change run quick; a turbo key would also need clippy's lints config.
  {
    name: 'rust: cargo clippy',
    command: ['cargo', 'clippy', '--workspace', '--all-targets', '--locked', '--', '-D', 'warnings'],
  },
  // Runs native code built on and for this machine's CPU.
  { name: 'rust: cargo test', command: ['cargo', 'test', '--workspace', '--locked'], counts: cargoCounts },
  // The binary just built, against this machine's glibc.
  { name: 'audit: the built binaries', command: ['napi-kit', 'audit', '--local-glibc'] },
  // Compares with what napi build generated here, in this checkout.
  { name: 'generated files up to date', command: ['node', ...SCRIPT_NODE_ARGS, 'scripts/build/check-generated.ts'] },
]

interface Row {
  ok: boolean
  name: string
  counts?: Counts
  ms: number
  cache: string
}
const rows: Row[] = []
const env = { ...turboEnv(), TEST_TOOLCHAINS: await toolchainKey() }
const force = flags.force ? ['--force'] : []

// The addon first: the audit and the generated-files check read what it builds.
const build = await run(['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=new-only', ...force], { env })
rows.push({ ok: build.ok, name: 'packages: build', ms: build.ms, cache: '' })

// zig is only needed by the scripts' audit fixtures (test:scripts:repo); when it is not installed
// yet, its install (about 9 s, mostly download) starts now and overlaps the other work.
if (!zigInstalled()) {
  info(`zig is not installed yet: installing it in the background for the scripts' audit fixtures, while the other steps run`)
  // A failed install is reported by the suite that needs it (it tries again and fails with the reason).
  zigCommand().catch(() => undefined)
}

const turboLane = turboRun(
  [...TURBO_TASKS, '--filter=./packages/*', '--filter=//', '--continue', '--output-logs=full', '--log-order=grouped', ...force],
  env,
)
const alwaysLane = (async () => {
  const results: Array<{ step: Step; result: RunResult }> = []
  for (const step of ALWAYS) results.push({ step, result: await run(step.command, { env, quiet: true }) })
  return results
})()
const [turbo, always] = await Promise.all([turboLane, alwaysLane])

const label = (id: string) => (id.startsWith('//#') ? `scripts: ${id.slice(3)}` : id.replace('#', ': '))
const cacheNote = (t: TaskResult) => (t.cache === 'hit' ? `hit, saved ${seconds(t.savedMs)}` : t.cache === 'miss' ? 'miss, ran' : 'off, ran')
for (const t of turbo.tasks.filter((task) => !task.id.endsWith('#build'))) {
  const taskOk = t.exitCode === 0
  const counts = TEST_TASKS.test(t.id) ? runnerCounts({ ok: taskOk, output: t.output, ms: t.ms }, avaCounts) : undefined
  rows.push({ ok: taskOk, name: label(t.id), counts, ms: t.ms, cache: t.exitCode === undefined ? 'not run' : cacheNote(t) })
}
if (turbo.tasks.length === 0) rows.push({ ok: false, name: 'turbo run (no run summary: see its output)', ms: turbo.result.ms, cache: '' })
for (const { step, result } of always) {
  rows.push({ ok: result.ok, name: step.name, counts: step.counts && runnerCounts(result, step.counts), ms: result.ms, cache: 'always runs' })
}

let passed = 0
let failed = 0
for (const row of rows) {
  passed += row.counts?.passed ?? 0
  // A failed check that is not a test runner (a linter, the audit) counts as one failure.
  failed += row.counts ? row.counts.failed : row.ok ? 0 : 1
}
const failedSteps = rows.filter((row) => !row.ok).length

console.log(
  `\n${table(
    ['', 'step', 'tests', 'time', 'cache'],
    rows.map((r) => [r.ok ? '✓' : '✗', r.name, r.counts ? `${r.counts.passed} passed, ${r.counts.failed} failed` : '', seconds(r.ms), r.cache]),
  )}\n`,
)
const hits = turbo.tasks.filter((t) => t.cache === 'hit' && !t.id.endsWith('#build'))
if (hits.length > 0) {
  const saved = hits.reduce((ms, t) => ms + t.savedMs, 0)
  info(`${hits.length} steps were cache hits (logs replayed, tests counted, nothing run): ${seconds(saved)} saved; npm test -- --force runs them all`)
}
if (failedSteps > 0) bad(`${failedSteps} of ${rows.length} steps failed`)
else ok(`all ${rows.length} steps passed`)
console.log(`npm test: ${passed} passed, ${failed} failed`)
if (failedSteps > 0) process.exitCode = 1

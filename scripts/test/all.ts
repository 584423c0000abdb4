// `npm test`: everything that runs on this machine, in one pass, then a table and one
// closing line "npm test: N passed, M failed". Every step runs even when one before it
// failed; the exit code is set once at the end.

import { parseFlags } from '../lib/args.js'
import { bad, ok, seconds, table } from '../lib/log.js'
import { SCRIPT_NODE_ARGS } from '../lib/paths.js'
import { avaCounts, cargoCounts, type Counts, run, runnerCounts, type RunResult } from '../lib/run.js'
import { turboEnv } from '../lib/turbo.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm test', {})

interface Step {
  name: string
  command: string[]
  counts?: (output: string) => Counts
}

const steps: Step[] = [
  {
    name: 'packages: build, lint, typecheck, ava',
    command: ['turbo', 'run', 'lint', 'typecheck', 'test', '--filter=./packages/*', '--output-logs=full'],
    counts: avaCounts,
  },
  {
    name: 'audit: the built binaries',
    command: ['napi-kit', 'audit', '--local-glibc'],
  },
  { name: 'rust: cargo fmt --check', command: ['cargo', 'fmt', '--all', '--check'] },
  {
    name: 'rust: cargo clippy',
    command: ['cargo', 'clippy', '--workspace', '--all-targets', '--locked', '--', '-D', 'warnings'],
  },
  { name: 'rust: cargo test', command: ['cargo', 'test', '--workspace', '--locked'], counts: cargoCounts },
  { name: 'scripts: oxlint', command: ['oxlint', '--deny-warnings', 'scripts'] },
  { name: 'scripts: typecheck', command: ['tsc', '-p', 'scripts'] },
  { name: 'scripts: ava', command: ['ava'], counts: avaCounts },
  { name: 'generated files up to date', command: ['node', ...SCRIPT_NODE_ARGS, 'scripts/build/check-generated.ts'] },
]

const rows: Array<Array<string | number>> = []
let passed = 0
let failed = 0
let failedSteps = 0
for (const step of steps) {
  const result: RunResult = await run(step.command, { env: turboEnv() })
  const counts = step.counts ? runnerCounts(result, step.counts) : undefined
  if (counts) {
    passed += counts.passed
    failed += counts.failed
  }
  if (!result.ok) failedSteps += 1
  // A failed check that is not a test runner (a linter, the audit) counts as one failure.
  if (!result.ok && !counts) failed += 1
  rows.push([
    result.ok ? '✓' : '✗',
    step.name,
    counts ? `${counts.passed} passed, ${counts.failed} failed` : '',
    seconds(result.ms),
  ])
}

console.log(`\n${table(['', 'step', 'tests', 'time'], rows)}\n`)
if (failedSteps > 0) bad(`${failedSteps} of ${steps.length} steps failed`)
else ok(`all ${steps.length} steps passed`)
console.log(`npm test: ${passed} passed, ${failed} failed`)
if (failedSteps > 0) process.exitCode = 1

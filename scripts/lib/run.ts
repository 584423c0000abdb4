// Runs a command, streaming its output while keeping a copy, and reads test counts from it.
import { $ } from 'zx'

export interface RunResult {
  ok: boolean
  output: string
  ms: number
}

/**
 * Runs `command`. Its output is streamed a whole line at a time (so that two commands running at
 * once never mix within a line), or with `quiet` kept back and printed in one piece, after the
 * command line, once it has finished.
 */
export async function run(command: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): Promise<RunResult> {
  const start = performance.now()
  if (!options.quiet) console.log(`\n$ ${command.join(' ')}`)
  const child = $({ nothrow: true, quiet: true, cwd: options.cwd, env: options.env ?? process.env })`${command}`
  const flushes: Array<() => void> = []
  if (!options.quiet) {
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      let pending = ''
      from.on('data', (chunk: Buffer) => {
        const text = pending + chunk.toString()
        const end = text.lastIndexOf('\n') + 1
        to.write(text.slice(0, end))
        pending = text.slice(end)
      })
      flushes.push(() => pending && to.write(pending))
    }
  }
  const result = await child
  for (const flush of flushes) flush()
  if (options.quiet) process.stdout.write(`\n$ ${command.join(' ')}\n${result.stdout}${result.stderr}`)
  return { ok: result.exitCode === 0, output: result.stdout + result.stderr, ms: performance.now() - start }
}

export interface Counts {
  passed: number
  failed: number
}

/**
 * Counts ava's results. ava lists each test (✔ passed, ✘ failed) and closes with totals,
 * but leaves the passed total out when something failed, so both are read and the larger
 * number of each kind wins. Lines may carry turbo's "package:task: " prefix.
 */
export function avaCounts(output: string): Counts {
  const sum = (re: RegExp) => [...output.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0)
  const lines = (re: RegExp) => output.split('\n').filter((line) => re.test(line)).length
  return {
    passed: Math.max(sum(/^\S*?:?\s*(\d+) tests? passed/gm), lines(/^(?:\S+:)?\s*✔ (?!\[(?:skip|todo)\])/)),
    failed: Math.max(
      sum(/^\S*?:?\s*(\d+) (?:tests? failed|uncaught exceptions?|unhandled rejections?|known failures?)/gm),
      lines(/^(?:\S+:)?\s*✘ /),
    ),
  }
}

/**
 * A runner's counts, read from its output with `parse`. A runner that failed without reporting
 * a failed test (a crash, a compile error) counts as one failure.
 */
export function runnerCounts(result: RunResult, parse: (output: string) => Counts): Counts {
  const counts = parse(result.output)
  return { passed: counts.passed, failed: counts.failed + (result.ok || counts.failed > 0 ? 0 : 1) }
}

/** Sums every `test result:` line cargo test prints (unit tests, doc tests, each crate). */
export function cargoCounts(output: string): Counts {
  let passed = 0
  let failed = 0
  for (const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1])
    failed += Number(m[2])
  }
  return { passed, failed }
}

/**
 * The counts of the last closing line "<prefix>: N passed, M failed" in `output` (the line each
 * test script ends with), or undefined when it printed none.
 */
export function closingCounts(output: string, prefix: string): Counts | undefined {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const line = [...output.matchAll(new RegExp(`^${escaped}: (\\d+) passed, (\\d+) failed$`, 'gm'))].at(-1)
  return line ? { passed: Number(line[1]), failed: Number(line[2]) } : undefined
}

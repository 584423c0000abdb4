// What a failed `npm run build` ends with: the build task's output is long (turbo's and npm's
// lines after cargo's), so the cause is repeated last: the compiler's first error, with the
// file and line to fix and the command to run next.
import { stripVTControlCharacters } from 'node:util'

/** turbo's prefix on each line of a task's output, e.g. `@acme/fast-thing:build: `. */
const TASK_PREFIX = /^\S+?:build: ?/

/** The build task's own lines (turbo's prefix and colours removed); turbo's summary is left out. */
export function taskLines(output: string): string[] {
  return stripVTControlCharacters(output)
    .split('\n')
    .filter((line) => TASK_PREFIX.test(line))
    .map((line) => line.replace(TASK_PREFIX, '').trimEnd())
}

export interface CompilerError {
  /** The diagnostic as rustc printed it: `error[E0308]: …` up to the blank line after it. */
  block: string[]
  /** `crates/core/src/lib.rs:441:5`, from the block's `-->` line. */
  location?: string
  /** cargo's `error: could not compile … due to N previous errors`. */
  summary?: string
}

/** The first error rustc or cargo reported in `lines`, or undefined. */
export function firstCompilerError(lines: string[]): CompilerError | undefined {
  const start = lines.findIndex((line) => /^error(\[E\d+\])?: /.test(line))
  if (start < 0) return undefined
  const end = lines.findIndex((line, i) => i > start && line.trim() === '')
  const block = lines.slice(start, end < 0 ? undefined : end).slice(0, 40)
  const location = block.map((line) => /^\s*--> (\S+:\d+:\d+)$/.exec(line)?.[1]).find(Boolean)
  const summary = lines.find((line, i) => i > start && line.startsWith('error: could not compile '))
  return { block, ...(location ? { location } : {}), ...(summary && summary !== block[0] ? { summary } : {}) }
}

/** Lines that only repeat that a command failed: npm's lifecycle report, stack frames, turbo's. */
const NOISE = /^(npm error |\s+at |.*see its output above$|.*Internal Error.*: Build failed with exit code)/

/** The closing message of a failed build, from turbo's output. */
export function buildFailure(output: string): string {
  const lines = taskLines(output)
  const error = firstCompilerError(lines)
  if (error) {
    return [
      "npm run build failed: the Rust compiler's first error:",
      ...error.block,
      ...(error.summary ? [error.summary] : []),
      `  fix: ${error.location ? `correct ${error.location}` : 'correct what the error names'}, then run npm run build again`,
    ].join('\n')
  }
  // Without a task line, turbo itself failed: its own last lines say why.
  const source = lines.length > 0 ? lines : stripVTControlCharacters(output).split('\n')
  const last = source.filter((line) => line.trim() !== '' && !NOISE.test(line)).slice(-10)
  return [
    `npm run build failed${lines.length > 0 ? '; the build task ended with:' : '; turbo ended with:'}`,
    ...last.map((line) => `  ${line}`),
    '  fix: the cause is in these lines; after fixing it, run npm run build again',
  ].join('\n')
}

// What every command module exports: its name, usage line, help text, and `run`, which
// reads the arguments after the command's name and resolves with the exit code (0 all good,
// 1 a finding or a failure); a wrong command line throws UsageError (exit code 2).
import { UsageError } from '../lib/errors.js'

export interface Command {
  name: string
  /** The usage line, e.g. `napi-kit audit [paths…] [--json]`. */
  usage: string
  /** A command line that works, shown with every usage error. */
  example: string
  /** The full --help text. */
  help: string
  run(args: string[]): Promise<number>
}

/**
 * The one JSON document a command prints for an error under --json: what went wrong, and for a
 * usage error (exit code 2) how to call it.
 */
export function jsonError(error: Error, exitCode: number, command: Pick<Command, 'usage' | 'example'>): string {
  const usageHelp = exitCode === 2 ? { usage: command.usage, example: command.example } : {}
  return JSON.stringify({ ok: false, exitCode, error: { kind: exitCode === 2 ? 'usage' : 'failure', message: error.message, ...usageHelp } }, null, 2)
}

/**
 * Runs a command's body; with --json among `args`, an error becomes that document on standard
 * output and the exit code (2 for a usage error, else 1), so standard output always holds one
 * JSON document.
 */
export async function withJsonErrors(args: string[], command: Pick<Command, 'usage' | 'example'>, body: () => Promise<number>): Promise<number> {
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args
  if (!own.includes('--json')) return body()
  try {
    return await body()
  } catch (error) {
    if (!(error instanceof Error)) throw error
    const exitCode = error instanceof UsageError ? 2 : 1
    console.log(jsonError(error, exitCode, command))
    return exitCode
  }
}

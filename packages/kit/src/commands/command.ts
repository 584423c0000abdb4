// What every command module exports: its name, usage line, help text, and `run`, which
// reads the arguments after the command's name and resolves with the exit code (0 all good,
// 1 a finding or a failure); a wrong command line throws UsageError (exit code 2).
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

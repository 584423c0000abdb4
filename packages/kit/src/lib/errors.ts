// The two ways a command fails: a usage error (exit code 2: the command line is wrong, and the
// message says how to write it) and a failure (exit code 1: the command could not do its job).

/** A wrong command line: exit code 2, printed with the command's usage line. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The error of a command that failed, with the process's exit code and error output. */
export class CommandError extends Error {
  override name = 'CommandError'
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message)
  }
}

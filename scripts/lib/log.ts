// Output helpers shared by every script: the kit's (one ✓/✗ line per item, durations on long
// steps, plain-text tables), the closing count line, and how a script that stops reports it.
import { bad } from '@napi-kit/cli'

export { bad, bytes, info, ok, seconds, table, timed } from '@napi-kit/cli'

/** The closing line of a check script: "N ok, M failed"; sets the exit code once. */
export function summary(passed: number, failed: number): void {
  console.log(`${passed} ok, ${failed} failed`)
  if (failed > 0) process.exitCode = 1
}

// A script that stops on an error prints one ✗ line with the message (which names the fix),
// not a stack trace; a failed command also shows its own error output. Set DEBUG=1 for the trace.
process.on('uncaughtException', (error: Error & { exitCode?: number; stderr?: string }) => {
  if (process.env.DEBUG) console.error(error)
  const detail =
    error.exitCode === undefined
      ? error.message
      : `a command failed with exit code ${error.exitCode}: ${error.stderr?.trim() || 'see its output above'}`
  bad(detail)
  process.exit(1)
})

// Output helpers shared by every script: one ✓/✗ line per item, durations on long steps,
// and plain-text tables a person can read at a glance.

export function ok(message: string): void {
  console.log(`✓ ${message}`)
}

export function bad(message: string): void {
  console.error(`✗ ${message}`)
}

export function info(message: string): void {
  console.log(`  ${message}`)
}

export function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(2)} MiB`
}

/** Runs a long step: says what it does first, and how long it took at the end. */
export async function timed<T>(title: string, run: () => Promise<T>): Promise<T> {
  console.log(`→ ${title} …`)
  const start = performance.now()
  try {
    const result = await run()
    ok(`${title} (${seconds(performance.now() - start)})`)
    return result
  } catch (error) {
    bad(`${title} failed after ${seconds(performance.now() - start)}`)
    throw error
  }
}

/** A left-aligned table; numbers right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))]
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    r
      .map((c, i) => (typeof rows[0]?.[i] === 'number' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n')
}

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

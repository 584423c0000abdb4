// Output helpers: one ✓/✗ line per item, durations on long steps, and plain-text tables a
// person can read at a glance. Progress (what is downloaded or assembled) goes to standard
// output by default; `napi-kit run` sends it to standard error so a command's own output stays
// clean.

let progressStream: 'stdout' | 'stderr' = 'stdout'

/** Where `timed` and `progress` write from now on. */
export function progressTo(stream: 'stdout' | 'stderr'): void {
  progressStream = stream
}

/** A line about work in progress (downloads, assembly), on the progress stream. */
export function progress(message: string): void {
  if (progressStream === 'stderr') console.error(message)
  else console.log(message)
}

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
  progress(`→ ${title} …`)
  const start = performance.now()
  try {
    const result = await run()
    progress(`✓ ${title} (${seconds(performance.now() - start)})`)
    return result
  } catch (error) {
    progress(`✗ ${title} failed after ${seconds(performance.now() - start)}`)
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

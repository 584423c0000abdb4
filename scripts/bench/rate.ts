// The timing loop the bench's child processes share: calls per second of one function.

/** The last result of a timed call, kept where V8 cannot prove it unused and drop the call. */
export let sink: unknown

/** Calls per second of `run` over `ms`, in batches of `batch`. */
export function rate(run: () => unknown, ms: number, batch: number): number {
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < batch; i++) sink = run()
    calls += batch
  }
  return calls / ((performance.now() - start) / 1000)
}

/** Keeps `value` as the last result (for a call timed outside `rate`). */
export function keep(value: unknown): void {
  sink = value
}

// Shared test data: the same inputs on the main thread, in worker threads and under musl.

export const ALGORITHMS = ['xxh3', 'xxh3-128', 'xxh64', 'xxh32'] as const

/** A deterministic byte pattern (no randomness: results must be reproducible). */
export function pattern(length: number, salt = 0): Buffer {
  const buffer = Buffer.allocUnsafe(length)
  for (let i = 0; i < length; i++) {
    buffer[i] = (i * 31 + salt * 17 + (i >> 8)) & 0xff
  }
  return buffer
}

/** Inputs of each kind the API accepts, at sizes around the algorithms' internal block edges. */
export function inputsFor(): Array<[string, string | Uint8Array]> {
  const sizes = [0, 1, 3, 4, 16, 17, 128, 129, 240, 241, 1024, 65_537]
  const out: Array<[string, string | Uint8Array]> = []
  for (const size of sizes) {
    const bytes = pattern(size, size)
    out.push([`Buffer(${size})`, bytes])
    out.push([`Uint8Array(${size})`, new Uint8Array(bytes)])
    out.push([`string(${size})`, 'ab\u00e9\u65e5'.repeat(Math.ceil(size / 4)).slice(0, size)])
  }
  return out
}

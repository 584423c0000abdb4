// Child process of `npm run bench` (scripts/bench/wasm.ts): the figures that compare the
// WebAssembly build with the native one, taken from whichever build the package entry loads
// here (the parent forces the WebAssembly one with NAPI_RS_FORCE_WASI=error). Refuses to
// measure when the build loaded is not the one asked for. Prints one JSON object.
//
//   wasm-calls.ts <target triple the build must report>
import { createRequire } from 'node:module'

import { ADDON_DIR } from '../lib/paths.js'
import { keep, rate, sink } from './rate.js'

const [expected] = process.argv.slice(2)
if (!expected) throw new Error('usage: wasm-calls.ts <target triple>')

const addon = createRequire(`${ADDON_DIR}/`)('./main.js') as typeof import('@napi-kit/hashkit')
const loaded = addon.buildInfo().target
if (loaded !== expected) throw new Error(`the package entry loaded the ${loaded} build, not ${expected}: is its binary built?`)

/** Calls per second of `run` over `ms`, in batches of `batch`, after a warm-up batch. */
function warmRate(run: () => unknown, ms: number, batch: number): number {
  for (let i = 0; i < batch; i++) keep(run())
  return rate(run, ms, batch)
}

const MiB = 1024 * 1024
const big = Buffer.alloc(16 * MiB, 7)
const chunk = Buffer.alloc(16, 7)
const UPDATES = 1000
/** One Hasher fed UPDATES chunks of 16 bytes, then digested. */
const stream = () => {
  const hasher = new addon.Hasher()
  for (let i = 0; i < UPDATES; i++) hasher.update(chunk)
  return hasher.digest()
}

const short = warmRate(() => addon.hash('hello'), 1000, 1000)
const bigRate = warmRate(() => addon.hash(big), 1000, 1)
const streamRate = warmRate(stream, 1000, 1)

process.stdout.write(
  JSON.stringify({
    target: loaded,
    /** hash('hello'): calls per second. */
    short,
    /** hash() of a 16 MiB Buffer (XXH3, the default): GB/s. */
    bigGBps: (bigRate * big.length) / 1e9,
    /** Hasher.update() of 16 bytes: updates per second, the Hasher's creation and digest included. */
    updates: streamRate * UPDATES,
    sink: typeof sink,
  }),
)

// Child process of `npm run bench`: call and hashing throughput of the built addon under the
// Node.js running this file. Prints one JSON object.
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'

import { ADDON_DIR } from '../lib/paths.js'

type Addon = typeof import('@napi-kit/hashkit')
// The package's entry, as users load it (its hash() takes the binding's hot path).
const addon = createRequire(`${ADDON_DIR}/`)('./main.js') as Addon

/** Calls per second of `run`, counted in batches of 1000 over `ms`. */
function rate(run: () => unknown, ms = 1000): number {
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 1000; i++) run()
    calls += 1000
  }
  return calls / ((performance.now() - start) / 1000)
}

rate(() => addon.hash('a'), 200) // warm-up: let V8 optimise the loop first
const sync = Math.max(rate(() => addon.hash('a')), rate(() => addon.hash('a')))

let asyncCalls = 0
const asyncStart = performance.now()
while (performance.now() - asyncStart < 1000) {
  await Promise.all(Array.from({ length: 256 }, () => addon.hashAsync('a')))
  asyncCalls += 256
}
const asyncRate = asyncCalls / ((performance.now() - asyncStart) / 1000)

const data = Buffer.alloc(16 * 1024 * 1024, 7)
/** GB/s of `run` over `data`, after one warm-up call. */
function gbps(run: () => unknown): number {
  run()
  const start = performance.now()
  let n = 0
  while (performance.now() - start < 1000) {
    run()
    n++
  }
  return (n * data.length) / ((performance.now() - start) / 1000) / 1e9
}
const ours = gbps(() => addon.hash(data))
const crypto = ['md5', 'sha1', 'sha256'].map((name) => ({ name, gbps: gbps(() => createHash(name).update(data).digest()) }))

process.stdout.write(JSON.stringify({ sync, async: asyncRate, ours, crypto }))

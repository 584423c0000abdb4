// Child process of `npm run bench` (scripts/bench/peers.ts): calls per second of the package's
// hash() next to the same digest from the peers and the Node-API floor, all in this one
// process, each case measured in turn over several rounds so that a busy machine slows every
// column alike. Also hashAsync's cost per call. Prints one JSON object.
//
//   peer-calls.ts <peers folder> <floor.node>
import { createRequire } from 'node:module'

import { ADDON_DIR } from '../lib/paths.js'
import { keep, rate, sink } from './rate.js'

const [peersDir, floorPath] = process.argv.slice(2)
if (!peersDir || !floorPath) throw new Error('usage: peer-calls.ts <peers folder> <floor.node>')

type Fn = () => unknown
interface NodeRs {
  xxh64(input: Uint8Array | string): bigint
  xxh3: { xxh64(input: Uint8Array | string): bigint }
}
interface Wasm {
  h64(input: string): bigint
  h64Raw(input: Uint8Array): bigint
}

const ours = createRequire(`${ADDON_DIR}/`)('./main.js') as typeof import('@napi-kit/hashkit')
const peers = createRequire(`${peersDir}/`)
const nodeRs = peers('@node-rs/xxhash') as NodeRs
const wasm = await (peers('xxhash-wasm') as () => Promise<Wasm>)()
const floor = createRequire(import.meta.url)(floorPath) as { noop(x: unknown): unknown; string16(x: unknown): string; xxh64(x: Buffer): bigint }

const MiB = 1024 * 1024
const ROUNDS = 5
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/** Each function's median rate over ROUNDS rounds, the functions taking turns in every round. */
function race(fns: Fn[], bytes: number): number[] {
  const batch = bytes >= MiB ? 1 : 1000
  const ms = bytes >= MiB ? 400 : 150
  for (const fn of fns) rate(fn, 50, batch) // warm-up: let V8 optimise each loop first
  const rates: number[][] = fns.map(() => [])
  for (let round = 0; round < ROUNDS; round++) fns.forEach((fn, i) => rates[i]?.push(rate(fn, ms, batch)))
  return rates.map(median)
}

const inputs = [
  { label: '5 B string', bytes: 5, input: 'hello' },
  { label: '64 B Buffer', bytes: 64, input: Buffer.alloc(64, 7) },
  { label: '4 KiB Buffer', bytes: 4096, input: Buffer.alloc(4096, 7) },
  { label: '16 MiB Buffer', bytes: 16 * MiB, input: Buffer.alloc(16 * MiB, 7) },
]

// The digests must agree before anything is timed (ours is hex, the peers' a bigint).
const hex = (n: bigint) => n.toString(16).padStart(16, '0')
for (const { input } of inputs) {
  const bytes = typeof input === 'string' ? Buffer.from(input) : input
  const checks = [
    [ours.hash(input), hex(nodeRs.xxh3.xxh64(input)), 'xxh3'],
    [ours.hash(input, { algorithm: 'xxh64' }), hex(nodeRs.xxh64(input)), 'xxh64 (@node-rs/xxhash)'],
    [ours.hash(input, { algorithm: 'xxh64' }), hex(wasm.h64Raw(bytes)), 'xxh64 (xxhash-wasm)'],
    [ours.hash(input, { algorithm: 'xxh64' }), hex(floor.xxh64(bytes)), 'xxh64 (the C loop of floor.c)'],
  ]
  for (const [a, b, what] of checks) {
    if (a !== b) throw new Error(`${what} of ${bytes.length} bytes: hash() gives ${a}, the peer ${b}`)
  }
}

interface Row {
  algorithm: string
  call: string
  input: string
  bytes: number
  ours: number
  nodeRs: number
  wasm: number | undefined
  /** XXH64 in plain C (floor.c), for inputs large enough that its loop alone is timed. */
  c?: number
}
const rows: Row[] = []
for (const { label, bytes, input } of inputs) {
  const raw = typeof input === 'string' ? undefined : input
  const [a3, b3] = race([() => ours.hash(input), () => nodeRs.xxh3.xxh64(input)], bytes)
  rows.push({ algorithm: 'XXH3-64', call: 'hash(x)', input: label, bytes, ours: a3 ?? 0, nodeRs: b3 ?? 0, wasm: undefined })
  const [o3, p3] = race([() => ours.hash(input, { algorithm: 'xxh3' }), () => nodeRs.xxh3.xxh64(input)], bytes)
  rows.push({ algorithm: 'XXH3-64', call: "hash(x, { algorithm: 'xxh3' })", input: label, bytes, ours: o3 ?? 0, nodeRs: p3 ?? 0, wasm: undefined })
  // At 16 MiB the C loop races too: the speed of XXH64 itself on this machine.
  const withC = raw !== undefined && bytes >= MiB
  const [o64, p64, w64, c64] = race(
    [
      () => ours.hash(input, { algorithm: 'xxh64' }),
      () => nodeRs.xxh64(input),
      raw ? () => wasm.h64Raw(raw) : () => wasm.h64(input as string),
      ...(withC ? [() => floor.xxh64(raw)] : []),
    ],
    bytes,
  )
  rows.push({ algorithm: 'XXH64', call: "hash(x, { algorithm: 'xxh64' })", input: label, bytes, ours: o64 ?? 0, nodeRs: p64 ?? 0, wasm: w64, ...(c64 === undefined ? {} : { c: c64 }) })
}

// The floor: a plain Node-API callback that reads its one argument and returns it, and one
// that also returns a new 16-character string; measured against hash('hello') in the same race.
const [noop, string16, short] = race([() => floor.noop(1), () => floor.string16(1), () => ours.hash('hello')], 5)

// hashAsync: the time from the call to the settled promise, one at a time, against hash().
/** Mean milliseconds of `run` over `ms`, awaited one call after the other. */
async function latency(run: () => Promise<unknown>, ms: number): Promise<number> {
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    keep(await run())
    calls++
  }
  return (performance.now() - start) / calls
}
const asyncCost = []
for (const { label, bytes, input } of [inputs[0], inputs[3]].filter((x) => x !== undefined)) {
  await latency(() => ours.hashAsync(input), 100)
  const asyncMs = median(await Promise.all([0, 1, 2].map(async () => latency(() => ours.hashAsync(input), 300))))
  const syncMs = 1000 / (race([() => ours.hash(input)], bytes)[0] ?? 1)
  // Several at once: what hashAsync is for (libuv runs 4 threads by default).
  const parallel = 4
  const start = performance.now()
  let n = 0
  while (performance.now() - start < 600) {
    await Promise.all(Array.from({ length: parallel }, () => ours.hashAsync(input)))
    n += parallel
  }
  const parallelMs = (performance.now() - start) / n
  asyncCost.push({ input: label, bytes, asyncMs, syncMs, parallelMs, parallel })
}

process.stdout.write(
  JSON.stringify({ node: process.version, rows, floor: { noop: noop ?? 0, string16: string16 ?? 0, hashShort: short ?? 0 }, asyncCost, sink: typeof sink }),
)

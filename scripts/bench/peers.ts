// `npm run bench`, the peer comparison: hash() against @node-rs/xxhash (napi-rs's own xxHash
// binding) and xxhash-wasm on the same inputs in the same process, with the ratio, under
// Node.js 22 and 24; the Node-API floor in the same run; hashAsync's cost per call; and the
// peak RSS of a process that only loads the addon, the peer, or nothing. The peers are pinned
// in tools/bench-peers and installed on first use into the cache, never a devDependency.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { info, table } from '../lib/log.js'
import { provisionNode } from '../lib/node-runtime.js'
import { ADDON_DIR, ROOT, SCRIPT_NODE_ARGS } from '../lib/paths.js'
import { readAddonManifest } from '../lib/targets.js'
import { installTool } from '../lib/tools.js'

/** bench.ts's `add`: one row of its summary table. */
type AddRow = (metric: string, value: string, reference: string, goal: string, met?: boolean) => void

interface Runtime {
  bin: string
  version: string
}

/** What scripts/bench/peer-calls.ts prints. */
interface CallFigures {
  node: string
  rows: Array<{ algorithm: string; call: string; input: string; bytes: number; ours: number; nodeRs: number; wasm: number | undefined; c?: number }>
  floor: { noop: number; string16: number; hashShort: number }
  asyncCost: Array<{ input: string; bytes: number; asyncMs: number; syncMs: number; parallelMs: number; parallel: number }>
}

const MiB = 1024 * 1024
/** A rate as users read it: calls per second for small inputs, GB/s for 16 MiB. */
const speed = (perSecond: number, bytes: number) =>
  bytes >= MiB ? `${((perSecond * bytes) / 1e9).toFixed(1)} GB/s` : `${(perSecond / 1e6).toFixed(2)} M/s`
const ms = (x: number) => (x >= 1 ? `${x.toFixed(2)} ms` : `${(x * 1000).toFixed(2)} µs`)
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`
const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0

/** Compiles scripts/bench/floor.c against the Node-API headers that ship with `runtime`. */
function buildFloor(runtime: Runtime, dir: string): string {
  const include = join(dirname(dirname(runtime.bin)), 'include', 'node')
  if (!existsSync(join(include, 'node_api.h'))) {
    throw new Error(`${runtime.bin} ships no Node-API headers in ${include}: run the bench with a Node.js from nodejs.org (npm run bench fetches one on linux-x64)`)
  }
  const out = join(dir, `floor-${runtime.version}.node`)
  const flags = ['-O2', '-shared', '-fPIC', `-I${include}`, join(ROOT, 'scripts', 'bench', 'floor.c'), '-o', out]
  if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup')
  try {
    execFileSync('cc', flags, { stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    throw new Error(`cc could not build the Node-API floor (scripts/bench/floor.c): ${String((error as { stderr?: Buffer }).stderr ?? error)}; install a C compiler (the addon's mimalloc needs one too)`, { cause: error })
  }
  return out
}

/** Peak RSS (VmHWM) in KiB of a process that runs `code` and nothing else; the median of 7. */
function peakKiB(runtime: Runtime, code: string): number {
  const probe = `${code};console.log(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])`
  return median(Array.from({ length: 7 }, () => Number(execFileSync(runtime.bin, ['-e', probe], { cwd: ADDON_DIR, encoding: 'utf8' }).trim())))
}

/**
 * A call whose time is XXH64's own: within 5 % of the plain C loop in the same race (16 MiB,
 * where the call's cost is under 0.01 %). Both bindings run the same scalar loop there, at the
 * machine's 64-bit multiplier's pace, so their ratio is a coin flip around 1.0, not a goal.
 */
const AT_BOUND = 0.95
const atBound = (r: CallFigures['rows'][number]) => r.c !== undefined && r.ours >= AT_BOUND * r.c && r.nodeRs >= AT_BOUND * r.c

function printCalls(figures: CallFigures): { worst: { ratio: number; what: string }; bound: CallFigures['rows'] } {
  let worst = { ratio: Number.POSITIVE_INFINITY, what: '' }
  const rows = figures.rows.map((r) => {
    const ratio = r.ours / r.nodeRs
    const what = `${r.algorithm} ${r.call}, ${r.input}`
    if (ratio < worst.ratio && !atBound(r)) worst = { ratio, what }
    return [
      r.algorithm,
      r.call,
      r.input,
      speed(r.ours, r.bytes),
      speed(r.nodeRs, r.bytes),
      `${ratio.toFixed(2)}×`,
      r.wasm === undefined ? '— (no XXH3)' : speed(r.wasm, r.bytes),
      r.wasm === undefined ? '' : `${(r.ours / r.wasm).toFixed(2)}×`,
    ]
  })
  console.log(`\nhash() and its peers under Node.js ${figures.node} (medians of 5 rounds, each case's calls taking turns):\n`)
  console.log(table(['algorithm', 'hash() call', 'input', 'hash()', '@node-rs/xxhash', 'ratio', 'xxhash-wasm', 'ratio'], rows))
  for (const r of figures.rows.filter((x) => x.c !== undefined)) {
    const c = r.c ?? 1
    console.log(
      `\n${r.algorithm} in plain C (scripts/bench/floor.c, cc -O2), ${r.input}, in the same race: ${speed(c, r.bytes)}; ` +
        `hash() ${(r.ours / c).toFixed(2)}× of it, @node-rs/xxhash ${(r.nodeRs / c).toFixed(2)}×` +
        (atBound(r) ? ': both run at the speed of XXH64 itself on this machine, so their ratio is a tie, not a goal' : ''),
    )
  }
  const { noop, string16, hashShort } = figures.floor
  console.log(
    `\nNode-API floor (a plain C callback, scripts/bench/floor.c): noop(1) ${speed(noop, 1)}, string16(1) ${speed(string16, 1)} ` +
      `(returns a new 16-character string); hash('hello') ${speed(hashShort, 1)} in the same race: ` +
      `${(1e9 / hashShort).toFixed(0)} ns a call, ${(1e9 / hashShort - 1e9 / string16).toFixed(0)} ns above string16's ${(1e9 / string16).toFixed(0)} ns`,
  )
  console.log(
    `\n${table(
      ['hashAsync', 'awaited one at a time', `${figures.asyncCost[0]?.parallel ?? 4} at once, per call`, 'hash() (same input)', 'overhead per call'],
      figures.asyncCost.map((a) => [a.input, ms(a.asyncMs), ms(a.parallelMs), ms(a.syncMs), ms(a.asyncMs - a.syncMs)]),
    )}`,
  )
  return { worst, bound: figures.rows.filter(atBound) }
}

/** Runs the peer comparison under Node.js 22 and 24 and adds its summary rows through `add`. */
export async function benchPeers(add: AddRow): Promise<void> {
  const peers = await installTool('bench-peers')
  const runtimes: Runtime[] =
    process.platform === 'linux' && process.arch === 'x64'
      ? [await provisionNode('22'), await provisionNode('24')]
      : [{ bin: process.execPath, version: process.version }]
  const work = mkdtempSync(join(tmpdir(), 'hashkit-bench-peers-'))
  try {
    for (const runtime of runtimes) {
      const floor = buildFloor(runtime, work)
      const figures = JSON.parse(
        execFileSync(runtime.bin, [...SCRIPT_NODE_ARGS, join(ROOT, 'scripts', 'bench', 'peer-calls.ts'), peers, floor], { cwd: ROOT, encoding: 'utf8' }),
      ) as CallFigures
      const { worst, bound } = printCalls(figures)
      const calls = figures.rows.length - bound.length
      add(
        `hash() ÷ @node-rs/xxhash, lowest of ${calls} calls${bound.length > 0 ? ` (and ${bound.length} at XXH64's own speed, below)` : ''} (Node.js ${figures.node})`,
        `${worst.ratio.toFixed(2)}× (${worst.what})`,
        'table above',
        '≥ 1.0× each',
        worst.ratio >= 1,
      )
      for (const r of figures.rows.filter((x) => x.c !== undefined)) {
        const c = r.c ?? 1
        add(
          `${r.algorithm} ${r.input}: hash() ÷ the same loop in plain C (Node.js ${figures.node})`,
          `${(r.ours / c).toFixed(2)}× (${speed(r.ours, r.bytes)} ÷ ${speed(c, r.bytes)})`,
          `@node-rs/xxhash ${(r.nodeRs / c).toFixed(2)}× (${(r.ours / r.nodeRs).toFixed(2)}× of it)`,
          `≥ ${AT_BOUND}×: a tie with the peer`,
          atBound(r),
        )
      }
      const { string16, hashShort } = figures.floor
      add(`hash('hello') ÷ Node-API floor string16(1) (Node.js ${figures.node})`, `${((hashShort / string16) * 100).toFixed(0)} % (${speed(hashShort, 1)} ÷ ${speed(string16, 1)})`, `noop(1) ${speed(figures.floor.noop, 1)}`, 'report')
      for (const a of figures.asyncCost) {
        add(`hashAsync overhead per call, ${a.input} (Node.js ${figures.node})`, ms(a.asyncMs - a.syncMs), `hash() ${ms(a.syncMs)}`, 'report')
      }
    }
    // Memory: only Linux has /proc/self/status.
    if (process.platform === 'linux') {
      const runtime = runtimes[0] as Runtime
      const peerEntry = join(peers, 'node_modules', '@node-rs', 'xxhash')
      const empty = peakKiB(runtime, '0')
      const ours = peakKiB(runtime, "require('./main.js')")
      const peer = peakKiB(runtime, `require(${JSON.stringify(peerEntry)})`)
      const manifest = readAddonManifest()
      add(
        `peak RSS, require() only (Node.js ${runtime.version})`,
        `${manifest.name} ${mib(ours)} (+${mib(ours - empty)})`,
        `@node-rs/xxhash ${mib(peer)} (+${mib(peer - empty)}); empty ${mib(empty)}`,
        '≤ @node-rs/xxhash',
        ours <= peer,
      )
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  info(`peers: @node-rs/xxhash and xxhash-wasm as pinned in tools/bench-peers (installed in ${peers})`)
}

// `npm run bench`, the WebAssembly build against the native one, in the same run under the same
// Node.js: cold require() of the package entry, hash('hello') calls per second, hash() of a
// 16 MiB Buffer (XXH3) in GB/s, a Hasher fed many 16-byte chunks, peak RSS, and the .wasm's
// size. The WebAssembly build is forced in child processes with NAPI_RS_FORCE_WASI=error, so it
// loads through the generated loader's fallback, as users get it (and a failed load is an
// error, not a quiet native load). The release .wasm is built first when it is missing or is
// not a release build.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { bytes, info, table, timed } from '../lib/log.js'
import { ADDON_DIR, ROOT, SCRIPT_NODE_ARGS } from '../lib/paths.js'
import { rustHost } from '../lib/rust.js'
import { isWasiTarget, type PlatformPackage, platformPackages, readAddonManifest } from '../lib/targets.js'

/** bench.ts's `add`: one row of its summary table. */
type AddRow = (metric: string, value: string, reference: string, goal: string, met?: boolean) => void

interface Runtime {
  bin: string
  version: string
}

/** What scripts/bench/wasm-calls.ts prints. */
interface Figures {
  short: number
  bigGBps: number
  updates: number
}

/** The goals: the WebAssembly build's 16 MiB XXH3 against native's, and the module's size. */
const GOAL_RATIO = 0.3
const GOAL_BYTES = 300_000
const ROUNDS = 3
const LOADS = 11

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const ratio = (wasm: number, native: number) => `${(wasm / native).toFixed(2)}×`
const ms = (x: number) => `${x.toFixed(1)} ms`
const perSecond = (x: number) => `${(x / 1e6).toFixed(2)} M/s`
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`
const reference = (x: string) => `native ${x} (this run)`

/** The names of a WebAssembly module's custom sections (a stripped release build has none). */
export function customSections(module: Uint8Array): string[] {
  const names: string[] = []
  let at = 8 // magic and version
  const leb = () => {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = module[at++]
      if (byte === undefined) throw new Error('the module ends inside a section header')
      value += (byte & 0x7f) * 2 ** shift
      shift += 7
      if (byte < 0x80) return value
    }
  }
  while (at < module.length) {
    const id = module[at++]
    const size = leb()
    const end = at + size
    if (id === 0) {
      const length = leb()
      names.push(Buffer.from(module.subarray(at, at + length)).toString('utf8'))
    }
    at = end
  }
  return names
}

/** Why the .wasm at `path` is not a release build to measure, or undefined when it is one. */
function notRelease(path: string, wasm: PlatformPackage): string | undefined {
  if (!existsSync(path)) return `${wasm.binary} is missing`
  if (!existsSync(join(ADDON_DIR, wasm.main))) return `its loader ${wasm.main} is missing`
  // The release profile strips the module (Cargo.toml), which drops every custom section.
  const sections = customSections(readFileSync(path))
  if (sections.length > 0) return `${wasm.binary} is not a stripped release build (custom sections: ${sections.join(', ')})`
  return undefined
}

/** Runs the comparison under `runtime` and adds its summary rows through `add`. */
export async function benchWasm(add: AddRow, runtime: Runtime): Promise<void> {
  const wasm = platformPackages(readAddonManifest()).find((p) => isWasiTarget(p.triple))
  if (!wasm) {
    info('WebAssembly against native: skipped, napi.targets has no WebAssembly target')
    return
  }
  const module = join(ADDON_DIR, wasm.binary)
  const why = notRelease(module, wasm)
  if (why) await timed(`release build for ${wasm.triple}, because ${why}`, () => $({ cwd: ROOT, quiet: true })`npm run build -- --release --target ${wasm.triple}`)

  const { NAPI_RS_FORCE_WASI: _, ...rest } = process.env
  const builds = [
    { name: 'native', env: rest, target: await rustHost() },
    { name: 'WebAssembly', env: { ...rest, NAPI_RS_FORCE_WASI: 'error' }, target: wasm.triple },
  ]
  const ask = (env: NodeJS.ProcessEnv, code: string) =>
    execFileSync(runtime.bin, ['-e', code], { cwd: ADDON_DIR, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  // Each build must be the one that loads: without a native binary the loader falls back to the
  // .wasm, and the comparison would be WebAssembly against itself.
  for (const build of builds) {
    const loaded = ask(build.env, "console.log(require('./main.js').buildInfo().target)")
    if (loaded !== build.target) throw new Error(`the ${build.name} build did not load (the package loaded ${loaded}, not ${build.target}): run npm run build -- --release${build.name === 'native' ? '' : ` --target ${build.target}`}`)
  }

  // Cold require() of the package entry, a fresh process each, the builds taking turns.
  const loads = builds.map(() => [] as number[])
  for (let i = 0; i < LOADS; i++) {
    builds.forEach((build, b) =>
      loads[b]?.push(Number(ask(build.env, "const t=process.hrtime.bigint();require('./main.js');console.log(Number(process.hrtime.bigint()-t)/1e6)"))),
    )
  }
  // Peak RSS (Linux only): a process that loads the entry and hashes one 16 MiB Buffer.
  const peak = builds.map((build) =>
    process.platform === 'linux'
      ? median(
          Array.from({ length: 5 }, () =>
            Number(ask(build.env, "require('./main.js').hash(Buffer.alloc(16*2**20,7));console.log(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])")),
          ),
        )
      : undefined,
  )
  // Throughput: one child per build and round, the builds taking turns.
  const rounds = builds.map(() => [] as Figures[])
  for (let round = 0; round < ROUNDS; round++) {
    builds.forEach((build, b) => {
      const out = execFileSync(runtime.bin, [...SCRIPT_NODE_ARGS, join(ROOT, 'scripts', 'bench', 'wasm-calls.ts'), build.target], {
        cwd: ROOT,
        env: build.env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      rounds[b]?.push(JSON.parse(out) as Figures)
    })
  }
  const figure = (b: number, key: keyof Figures) => median((rounds[b] ?? []).map((f) => f[key]))
  const summary = (b: number) => ({
    load: median(loads[b] ?? []),
    short: figure(b, 'short'),
    bigGBps: figure(b, 'bigGBps'),
    updates: figure(b, 'updates'),
    peak: peak[b],
  })
  const native = summary(0)
  const web = summary(1)
  const size = statSync(module).size
  const rows = [
    ["cold require('./main.js')", ms(native.load), ms(web.load), ratio(web.load, native.load)],
    ["hash('hello') (5 B string)", perSecond(native.short), perSecond(web.short), ratio(web.short, native.short)],
    ['hash() of a 16 MiB Buffer (XXH3)', `${native.bigGBps.toFixed(2)} GB/s`, `${web.bigGBps.toFixed(2)} GB/s`, ratio(web.bigGBps, native.bigGBps)],
    ['Hasher.update(), 16 B chunks', perSecond(native.updates), perSecond(web.updates), ratio(web.updates, native.updates)],
  ]
  if (native.peak !== undefined && web.peak !== undefined) {
    rows.push(['peak RSS, require() and one 16 MiB hash()', mib(native.peak), mib(web.peak), ratio(web.peak, native.peak)])
  }
  console.log(`\nThe WebAssembly build (${wasm.binary}, ${bytes(size)}) against native under Node.js ${runtime.version}:\n`)
  console.log(table(['figure', `native (${builds[0]?.target})`, `WebAssembly (${wasm.triple})`, 'WebAssembly ÷ native'], rows))
  info(`medians of ${LOADS} cold loads and ${ROUNDS} rounds of calls, one process per build and round, the builds taking turns`)

  add(`WebAssembly: cold require('./main.js')`, `${ms(web.load)} (${ratio(web.load, native.load)})`, reference(ms(native.load)), 'report')
  add(`WebAssembly: hash('hello')`, `${perSecond(web.short)} (${ratio(web.short, native.short)})`, reference(perSecond(native.short)), 'report')
  add(
    'WebAssembly: hash 16 MiB Buffer (xxh3)',
    `${web.bigGBps.toFixed(2)} GB/s (${ratio(web.bigGBps, native.bigGBps)})`,
    reference(`${native.bigGBps.toFixed(2)} GB/s`),
    `≥ ${GOAL_RATIO}× native`,
    web.bigGBps >= GOAL_RATIO * native.bigGBps,
  )
  add(`WebAssembly: release ${wasm.binary}`, `${(size / 1000).toFixed(0)} KB (${bytes(size)})`, '—', `≤ ${GOAL_BYTES / 1000} KB`, size <= GOAL_BYTES)
}

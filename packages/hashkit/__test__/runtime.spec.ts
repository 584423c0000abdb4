import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

import test from 'ava'

import * as addon from '@napi-kit/hashkit'
import { buildInfo, hash, hashAsync } from '@napi-kit/hashkit'

import { forcedWasi, WASI_BUILD } from './helpers/build.js'
import { busyPool } from './helpers/pool.js'
import { runWorkload, type WorkloadResult } from './helpers/workload.js'

/** The C library this Node.js process runs on, from its own diagnostic report. */
function processLibc(): 'glibc' | 'musl' | 'msvc' | 'system' {
  if (process.platform === 'win32') return 'msvc'
  if (process.platform !== 'linux') return 'system'
  const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header
  return header.glibcVersionRuntime ? 'glibc' : 'musl'
}

test('the package exports exactly the documented API', (t) => {
  // `default` and (Node.js >= 23) `module.exports` are added by Node's CommonJS interop.
  const names = Object.keys(addon).filter((k) => k !== 'default' && k !== 'module.exports')
  t.deepEqual(names.toSorted(), [
    'Hasher',
    '__napiBindingTarget',
    'buildInfo',
    'hash',
    'hashAsync',
    'panicForTesting',
  ])
})

test('buildInfo reports the binary built for this platform, CPU and libc', (t) => {
  const info = buildInfo()
  if (forcedWasi) {
    // NAPI_RS_FORCE_WASI=error: the loader must have loaded the WebAssembly build; a native
    // build here (npm run test:wasi's control preloads one) fails this.
    t.is(info.target, WASI_BUILD.target)
    t.is(info.platform, WASI_BUILD.platform)
    t.is(info.arch, WASI_BUILD.arch)
    t.is(info.libc, WASI_BUILD.libc)
    t.is(addon.__napiBindingTarget, 'wasm32-wasi')
  } else {
    t.is(info.platform, process.platform)
    t.is(info.arch, process.arch)
    t.is(info.libc, processLibc())
    const triple = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as 'x64' | 'arm64']
    t.true(info.target.startsWith(`${triple}-`), info.target)
    if (process.platform === 'linux') {
      t.true(info.target.endsWith(info.libc === 'musl' ? '-linux-musl' : '-linux-gnu'), info.target)
    }
    t.is(addon.__napiBindingTarget, 'native')
  }
  t.deepEqual(info.algorithms, ['xxh3', 'xxh3-128', 'xxh64', 'xxh32'])
  t.regex(info.version, /^\d+\.\d+\.\d+/)
})

test('8 worker threads load the addon at once and compute identical results', async (t) => {
  // About 1.2 s natively and 7 to 10 s under qemu-user (npm run test:arm64): the budget holds
  // for both on a busy 2-core machine.
  t.timeout(60_000, 'eight workers did not finish within 60 s')
  const expected = await runWorkload()
  t.true(expected.digests.length > 100)
  const workerFile = fileURLToPath(new URL('./fixtures/hash-worker.js', import.meta.url))
  const results = await Promise.all(
    Array.from(
      { length: 8 },
      () =>
        new Promise<WorkloadResult>((resolve, reject) => {
          const worker = new Worker(workerFile)
          worker.once('message', resolve)
          worker.once('error', reject)
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`))
          })
        }),
    ),
  )
  t.is(results.length, 8)
  for (const result of results) {
    t.deepEqual(result, expected)
  }
  // The main thread still works after the workers' environments were torn down.
  t.is(hash(''), '2d06800538d394c2')
})

function peakGrowth(mode: 'bytes' | 'string' | 'async-bytes' | 'async-shared'): { digest: string; growthMiB: number } {
  const script = fileURLToPath(new URL('./fixtures/peak-rss.js', import.meta.url))
  return JSON.parse(execFileSync(process.execPath, [script, mode], { encoding: 'utf8' }))
}

/** 128 MiB, the input size peak-rss.ts hashes. */
const INPUT_MIB = 128

if (!forcedWasi) {
  test('a Buffer is hashed in place: peak memory does not grow by its size', (t) => {
    const bytes = peakGrowth('bytes')
    const copied = peakGrowth('string')
    t.is(bytes.digest, copied.digest)
    // 128 MiB of input: a copy would raise the peak by about that much.
    t.true(bytes.growthMiB < 16, `Buffer input grew the peak RSS by ${bytes.growthMiB} MiB`)
    // Control: the string path must copy, and this measurement must see it.
    t.true(copied.growthMiB > 100, `string input grew the peak RSS by only ${copied.growthMiB} MiB`)
  })

  test('hashAsync copies an ordinary Buffer and reads a SharedArrayBuffer view in place', (t) => {
    const copied = peakGrowth('async-bytes')
    const shared = peakGrowth('async-shared')
    t.is(copied.digest, shared.digest)
    t.is(copied.digest, peakGrowth('bytes').digest)
    t.true(copied.growthMiB > 100, `an ordinary Buffer grew the peak RSS by only ${copied.growthMiB} MiB`)
    t.true(shared.growthMiB < 16, `a SharedArrayBuffer view grew the peak RSS by ${shared.growthMiB} MiB`)
  })
} else {
  // The WebAssembly build cannot read a Buffer in place: Rust sees only the module's linear
  // memory, so emnapi copies every Buffer (and SharedArrayBuffer view) into it before the call.
  // What is measured instead: each copy is there, about the input's size, and no more.
  // Measured under Node.js 20 to 26 (glibc, and musl in the root) with 128 MiB: hash(Buffer)
  // 1.0x, hashAsync(Buffer) 2.4x to 2.5x (emnapi's copy, then hashAsync's own),
  // hashAsync(SharedArrayBuffer view) 1.4x to 1.5x.
  const ratio = (growthMiB: number) => growthMiB / INPUT_MIB

  test('WebAssembly: a Buffer is copied into linear memory once: peak memory grows by about its size', (t) => {
    const bytes = peakGrowth('bytes')
    const copied = peakGrowth('string')
    t.is(bytes.digest, copied.digest)
    t.log(`peak RSS growth for ${INPUT_MIB} MiB: Buffer ${bytes.growthMiB} MiB, string ${copied.growthMiB} MiB`)
    t.true(ratio(bytes.growthMiB) > 0.75 && ratio(bytes.growthMiB) < 1.5, `Buffer input grew the peak RSS by ${bytes.growthMiB} MiB, not about ${INPUT_MIB}`)
    // Control, as for the native build: the string path copies and this measurement sees it.
    t.true(copied.growthMiB > 100, `string input grew the peak RSS by only ${copied.growthMiB} MiB`)
  })

  test('WebAssembly: hashAsync copies an ordinary Buffer twice and a SharedArrayBuffer view once', (t) => {
    const copied = peakGrowth('async-bytes')
    const shared = peakGrowth('async-shared')
    t.is(copied.digest, shared.digest)
    t.is(copied.digest, peakGrowth('bytes').digest)
    t.log(`peak RSS growth for ${INPUT_MIB} MiB: hashAsync(Buffer) ${copied.growthMiB} MiB, hashAsync(SharedArrayBuffer view) ${shared.growthMiB} MiB`)
    t.true(ratio(copied.growthMiB) > 1.75 && ratio(copied.growthMiB) < 3, `an ordinary Buffer grew the peak RSS by ${copied.growthMiB} MiB, not about ${2 * INPUT_MIB}`)
    t.true(ratio(shared.growthMiB) > 0.75 && ratio(shared.growthMiB) < 1.75, `a SharedArrayBuffer view grew the peak RSS by ${shared.growthMiB} MiB, not about ${INPUT_MIB}`)
  })
}

test('hashAsync survives its ArrayBuffer being transferred and freed before the task runs', (t) => {
  // Each round: 16 MiB, the libuv pool kept busy, the buffer transferred away, memory reused.
  // Before hashAsync copied such input this crashed Node.js (SIGSEGV) or gave a wrong digest.
  t.timeout(120_000, 'the transfer rounds did not finish within 120 s')
  const script = fileURLToPath(new URL('./fixtures/transfer-async.js', import.meta.url))
  const result = spawnSync(process.execPath, ['--expose-gc', script, '8'], { encoding: 'utf8' })
  t.is(result.signal, null, `the child died of ${result.signal}: ${result.stderr}`)
  t.is(result.status, 0, result.stderr)
  t.deepEqual(JSON.parse(result.stdout), { rounds: 8, wrong: 0 })
})

test('hashAsync hashes the bytes as they were when it was called', async (t) => {
  // Every libuv pool thread is busy first, so the task cannot run before the bytes change.
  const busy = busyPool(20_000)
  const bytes = Buffer.from('the bytes at call time')
  const expected = hash(bytes)
  const pending = hashAsync(bytes)
  bytes.fill(0)
  t.is(await pending, expected)
  await busy
})

// The addon's answers, for `npm run test:runtimes`: plain JavaScript that Node.js, Bun and Deno
// each run directly, with no test runner. It calls every export on fixed inputs and on seeded
// random ones, every wrong argument's error (type, code, message), hashAsync, the Hasher class,
// worker threads and buildInfo(), and prints what it saw as one JSON line. It asserts nothing
// itself: the driver (scripts/test/runtimes.ts) compares each runtime's answers with those of
// Node.js running this same file, so no expected value is written down here.
//
//   <runtime> suite.mjs [require|import|npm]
//
// `require` loads the package with createRequire, `import` with a dynamic import of its name
// (resolved from node_modules), `npm` (Deno) with an import of `npm:<name>`, which Deno resolves
// from node_modules too; the name is read from the package's package.json.
import { Buffer } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'

/** The line the driver looks for; anything else the runtime prints is ignored. */
const MARKER = 'RUNTIME-ANSWERS '
const WORKERS = 4
const ALGORITHMS = ['xxh3', 'xxh3-128', 'xxh64', 'xxh32']

const packageJson = new URL('../../package.json', import.meta.url)
const { name } = JSON.parse(readFileSync(packageJson, 'utf8'))
const mode = isMainThread ? (process.argv[2] ?? 'require') : workerData.mode
if (!['require', 'import', 'npm'].includes(mode)) throw new Error(`unknown load mode "${mode}": pass require, import or npm`)
const addon = mode === 'require' ? createRequire(import.meta.url)(name) : await import(mode === 'npm' ? `npm:${name}` : name)
const { buildInfo, hash, hashAsync, Hasher, panicForTesting } = addon

/** mulberry32: a small deterministic PRNG, so every runtime draws the same "random" inputs. */
function prng(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A byte pattern that differs by salt. */
function pattern(length, salt = 0) {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + salt * 17 + (i >> 8)) & 0xff
  return bytes
}

/** What a call threw, as data: the class, whether it is a TypeError or RangeError, code, message. */
function thrown(call) {
  try {
    const value = call()
    return { threw: false, returned: value instanceof Promise ? 'a promise' : typeof value }
  } catch (error) {
    return {
      threw: true,
      class: error?.constructor?.name,
      typeError: error instanceof TypeError,
      rangeError: error instanceof RangeError,
      code: error?.code,
      message: error?.message,
    }
  }
}

/** JSON cannot hold bigints: written as "<digits>n". */
const plain = (value) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))

/** The work every thread does the same way: fixed inputs through every export. */
async function workload(answers) {
  const sizes = [0, 1, 3, 4, 16, 17, 128, 129, 240, 241, 1024, 65_537]
  for (const algorithm of ALGORITHMS) {
    for (const size of sizes) {
      const bytes = pattern(size, size)
      const text = 'ab\u00e9\u65e5'.repeat(Math.ceil(size / 4)).slice(0, size)
      answers.push([`hash ${algorithm} Buffer(${size}) seed 11`, hash(bytes, { algorithm, seed: 11n })])
      answers.push([`hash ${algorithm} Uint8Array(${size})`, hash(new Uint8Array(bytes), { algorithm })])
      answers.push([`hash ${algorithm} string(${size})`, hash(text, { algorithm })])
      answers.push([`hashAsync ${algorithm} Buffer(${size}) seed 7`, await hashAsync(bytes, { algorithm, seed: 7 })])
      answers.push([`hashAsync ${algorithm} string(${size})`, await hashAsync(text, { algorithm })])
      answers.push([`Hasher ${algorithm} twice Buffer(${size})`, new Hasher({ algorithm }).update(bytes).update(bytes).digest()])
    }
  }
  answers.push(['buildInfo()', plain(buildInfo())])
}

if (!isMainThread) {
  const answers = []
  await workload(answers)
  // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker_threads port has no origin
  parentPort.postMessage(answers)
} else {
  const answers = []
  const add = (key, value) => answers.push([key, plain(value)])

  // The exports, by name, as this way of loading sees them (interop adds `default` and
  // `module.exports`, which differ by runtime and are left out).
  add('exports', Object.keys(addon).filter((k) => k !== 'default' && k !== 'module.exports').toSorted())
  add('__napiBindingTarget', addon.__napiBindingTarget)
  add('buildInfo()', buildInfo())

  // Fixed inputs: empty input, defaults, seeds at the ends of their ranges, strings of every
  // UTF-8 width, views with an offset, a SharedArrayBuffer view.
  for (const algorithm of ALGORITHMS) {
    add(`hash ${algorithm} ''`, hash('', { algorithm }))
    add(`hash ${algorithm} Buffer(0)`, hash(Buffer.alloc(0), { algorithm }))
    add(`hash ${algorithm} seed 2^32-1`, hash('x', { algorithm, seed: 2 ** 32 - 1 }))
    if (algorithm !== 'xxh32') {
      add(`hash ${algorithm} seed MAX_SAFE_INTEGER`, hash('x', { algorithm, seed: Number.MAX_SAFE_INTEGER }))
      add(`hash ${algorithm} seed 2^64-1`, hash('x', { algorithm, seed: 2n ** 64n - 1n }))
    }
  }
  add("hash 'hello'", hash('hello'))
  for (const [label, options] of [['{}', {}], ['undefined', undefined], ['null', null], ['undefined fields', { algorithm: undefined, seed: undefined }]]) {
    add(`hash 'hello' options ${label}`, hash('hello', options))
  }
  for (const text of ['héllo wörld', '日本語', '👍🏽 emoji', 'a\u0000b', 'a\ud800b', '\udfff']) {
    add(`hash string ${JSON.stringify(text)}`, hash(text))
    add(`hash Buffer.from(${JSON.stringify(text)})`, hash(Buffer.from(text, 'utf8')))
  }
  for (const char of ['a', 'é', '\u0800', '😀']) {
    for (const count of [0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 140]) add(`hash ${count} × ${JSON.stringify(char)}`, hash(char.repeat(count)))
  }
  {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef')
    add('hash subarray(5, 21)', hash(bytes.subarray(5, 21)))
    add('hash Uint8Array view at offset 5', hash(new Uint8Array(bytes.buffer, bytes.byteOffset + 5, 16)))
    const shared = new Uint8Array(new SharedArrayBuffer(4096))
    shared.set(pattern(4096, 9))
    add('hash SharedArrayBuffer view', hash(shared))
    add('hashAsync SharedArrayBuffer view', await hashAsync(shared, { algorithm: 'xxh64' }))
  }

  // Seeded random inputs: lengths, kinds, algorithms and seeds drawn from one fixed seed.
  const random = prng(0x5eed)
  const int = (below) => Math.floor(random() * below)
  const u64 = () => (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32))
  const randomText = (length) => {
    let text = ''
    for (let i = 0; i < length; i++) {
      const range = int(4)
      const point = range === 0 ? 0x20 + int(0x5f) : range === 1 ? 0xa0 + int(0x700) : range === 2 ? 0x800 + int(0xd000) : 0x10000 + int(0xfffff)
      text += String.fromCodePoint(point)
    }
    return text
  }
  for (let i = 0; i < 200; i++) {
    const algorithm = ALGORITHMS[int(ALGORITHMS.length)]
    const seed = algorithm === 'xxh32' ? int(2 ** 32) : [int(2 ** 32), u64()][int(2)]
    const length = [int(16), int(300), int(5000)][int(3)]
    const kind = ['string', 'Buffer', 'Uint8Array view'][int(3)]
    const input =
      kind === 'string'
        ? randomText(length)
        : kind === 'Buffer'
          ? Buffer.from(Array.from({ length }, () => int(256)))
          : new Uint8Array(Uint8Array.from({ length: length + 8 }, () => int(256)).buffer, int(8), length)
    const options = { algorithm, seed }
    add(`random ${i}: hash ${algorithm} ${kind}(${length})`, hash(input, options))
    add(`random ${i}: hashAsync`, await hashAsync(input, options))
    const hasher = new Hasher(options)
    const bytes = typeof input === 'string' ? Buffer.from(input) : input
    for (let at = 0; at < bytes.length; ) {
      const step = 1 + int(700)
      hasher.update(bytes.subarray(at, at + step))
      at += step
    }
    add(`random ${i}: Hasher in random chunks`, [hasher.digest(), hasher.bytesHashed])
  }

  // Wrong arguments: each must throw the same class, code and message (hashAsync synchronously).
  const long = 'a'.repeat(40)
  const wrong = [
    ['number input', [42]],
    ['no input', []],
    ['null input', [null]],
    ['boolean input', [true]],
    ['bigint input', [12n]],
    ['plain object input', [{}]],
    ['array input', [[1, 2, 3]]],
    ['Int16Array input', [new Int16Array(2)]],
    ['ArrayBuffer input', [new ArrayBuffer(4)]],
    ['DataView input', [new DataView(new ArrayBuffer(4))]],
    ['function input', [() => 1]],
    ['symbol input', [Symbol('s')]],
    ['string options', ['x', 'xxh64']],
    ['number algorithm', ['x', { algorithm: 3 }]],
    ['unknown algorithm', ['x', { algorithm: 'md5' }]],
    ['string seed', ['x', { seed: '1' }]],
    ['long string seed', ['x', { seed: long }]],
    ['negative seed', ['x', { seed: -1 }]],
    ['fractional seed', ['x', { seed: 1.5 }]],
    ['unsafe integer seed', ['x', { seed: 2 ** 60 }]],
    ['NaN seed', ['x', { seed: Number.NaN }]],
    ['Infinity seed', ['x', { seed: Number.POSITIVE_INFINITY }]],
    ['misspelt option key', ['x', { algoritm: 'xxh64' }]],
    ['unknown key beside valid ones', ['x', { algorithm: 'xxh64', seed: 1, encoding: 'hex' }]],
    ['bigint seed 2^64', ['x', { seed: 2n ** 64n }]],
    ['negative bigint seed', ['x', { seed: -1n }]],
    ['xxh32 seed 2^32', ['x', { algorithm: 'xxh32', seed: 2 ** 32 }]],
  ]
  for (const [label, args] of wrong) {
    add(`hash refuses ${label}`, thrown(() => hash(...args)))
    add(`hashAsync refuses ${label}`, thrown(() => hashAsync(...args)))
    if (args.length === 2) add(`new Hasher refuses ${label}`, thrown(() => new Hasher(args[1])))
  }
  add('new Hasher(1)', thrown(() => new Hasher(1)))
  add('Hasher() without new', thrown(() => Hasher()))
  add('Hasher.call({}) without new', thrown(() => Hasher.call({})))
  add("'digest' leaked onto globalThis", 'digest' in globalThis)
  {
    const hasher = new Hasher().update('abc')
    add('Hasher.update(5)', thrown(() => hasher.update(5)))
    add('Hasher.update([1, 2, 3])', thrown(() => hasher.update([1, 2, 3])))
    add('Hasher after refused updates', [hasher.bytesHashed, hasher.digest()])
  }
  add('panicForTesting', thrown(() => panicForTesting('deliberate panic for the test')))
  add('hash after a panic', hash(''))

  // The Hasher class: chaining, digest keeps the stream, reset, bytesHashed, algorithm.
  {
    const hasher = new Hasher({ algorithm: 'xxh64', seed: 5 })
    add('update returns the same hasher', hasher.update('hello ') === hasher)
    add('digest after "hello "', hasher.digest())
    add('digest again', hasher.digest())
    hasher.update('world')
    add('digest after "world"', hasher.digest())
    hasher.reset()
    add('after reset', [hasher.bytesHashed, hasher.digest(), hasher.algorithm])
    const mixed = new Hasher({ algorithm: 'xxh3-128' }).update('héllo ').update(Buffer.from('wör')).update(new TextEncoder().encode('ld'))
    add('mixed strings and bytes', [mixed.digest(), mixed.bytesHashed, mixed.algorithm])
    add('default algorithm', new Hasher().algorithm)
    add('instanceof Hasher', new Hasher() instanceof Hasher)
  }

  // hashAsync: many calls at once, and the bytes as they were at the call.
  {
    const inputs = Array.from({ length: 64 }, (_, i) => Buffer.alloc(1024 * (i + 1), i))
    add('64 hashAsync at once', await Promise.all(inputs.map((input) => hashAsync(input))))
    const bytes = Buffer.from('the bytes at call time')
    const pending = hashAsync(bytes)
    bytes.fill(0)
    add('hashAsync of bytes changed after the call', await pending)
  }

  // The same workload on this thread and in worker threads, each loading the addon itself.
  const own = []
  await workload(own)
  for (const [key, value] of own) add(`main thread: ${key}`, value)
  const results = await Promise.all(
    Array.from(
      { length: WORKERS },
      () =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), { workerData: { mode } })
          worker.once('message', resolve)
          worker.once('error', reject)
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with code ${code}`))
          })
        }),
    ),
  )
  results.forEach((result, i) => {
    for (const [key, value] of result) add(`worker ${i + 1}: ${key}`, value)
  })
  add('main thread after the workers', hash(''))

  const runtime = globalThis.Deno ? `Deno ${globalThis.Deno.version.deno}` : process.versions.bun ? `Bun ${process.versions.bun}` : `Node.js ${process.version}`
  console.log(MARKER + JSON.stringify({ runtime, mode, answers }))
}

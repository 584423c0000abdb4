import test from 'ava'

import { hash, hashAsync, Hasher, panicForTesting } from '@napi-kit/hashkit'

import { forcedWasi } from './helpers/build.js'

const INPUT = 'The "input" argument must be of type string or an instance of Buffer or Uint8Array. Received'
const SEED_RANGE = 'The "options.seed" property is out of range. It must be an integer from 0 to 18446744073709551615'

// [what is passed, error class, code, exact message]
type Case = [string, unknown[], typeof TypeError | typeof RangeError, string, string]

const cases: Case[] = [
  ['number input', [42], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} type number (42)`],
  ['undefined input', [], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} undefined`],
  ['null input', [null], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} null`],
  ['boolean input', [true], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} type boolean (true)`],
  ['bigint input', [12n], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} type bigint (12n)`],
  ['plain object input', [{}], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} an instance of Object`],
  ['Int16Array input', [new Int16Array(2)], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} an instance of Int16Array`],
  ['ArrayBuffer input', [new ArrayBuffer(4)], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} an instance of ArrayBuffer`],
  ['DataView input', [new DataView(new ArrayBuffer(4))], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} an instance of DataView`],
  ['function input', [() => 1], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} function`],
  ['symbol input', [Symbol('s')], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} type symbol`],
  ['number input with an algorithm', [42, { algorithm: 'xxh64' }], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} type number (42)`],
  ['Int16Array input with an algorithm', [new Int16Array(2), { algorithm: 'xxh32' }], TypeError, 'ERR_INVALID_ARG_TYPE', `${INPUT} an instance of Int16Array`],
  [
    'an algorithm named like an object property',
    ['x', { algorithm: 'constructor' }],
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    'The "options.algorithm" property is invalid. Unknown algorithm "constructor": use one of "xxh3", "xxh3-128", "xxh64", "xxh32"',
  ],
  [
    'a wrong algorithm before a wrong input',
    [42, { algorithm: 'md5' }],
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    'The "options.algorithm" property is invalid. Unknown algorithm "md5": use one of "xxh3", "xxh3-128", "xxh64", "xxh32"',
  ],
  [
    'string options',
    ['x', 'xxh64'],
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "options" argument must be of type object. Received type string ('xxh64')`,
  ],
  [
    'number algorithm',
    ['x', { algorithm: 3 }],
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    'The "options.algorithm" property must be of type string. Received type number (3)',
  ],
  [
    'unknown algorithm',
    ['x', { algorithm: 'md5' }],
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    'The "options.algorithm" property is invalid. Unknown algorithm "md5": use one of "xxh3", "xxh3-128", "xxh64", "xxh32"',
  ],
  [
    'string seed',
    ['x', { seed: '1' }],
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "options.seed" property must be of type number or bigint. Received type string ('1')`,
  ],
  [
    'long string seed is cut',
    ['x', { seed: 'a'.repeat(40) }],
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `The "options.seed" property must be of type number or bigint. Received type string ('${'a'.repeat(25)}...')`,
  ],
  [
    'negative seed',
    ['x', { seed: -1 }],
    RangeError,
    'ERR_OUT_OF_RANGE',
    `${SEED_RANGE} (a bigint above Number.MAX_SAFE_INTEGER). Received -1`,
  ],
  [
    'fractional seed',
    ['x', { seed: 1.5 }],
    RangeError,
    'ERR_OUT_OF_RANGE',
    `${SEED_RANGE} (a bigint above Number.MAX_SAFE_INTEGER). Received 1.5`,
  ],
  [
    'unsafe integer seed',
    ['x', { seed: 2 ** 60 }],
    RangeError,
    'ERR_OUT_OF_RANGE',
    `${SEED_RANGE} (a bigint above Number.MAX_SAFE_INTEGER). Received ${String(2 ** 60)}`,
  ],
  ['NaN seed', ['x', { seed: Number.NaN }], RangeError, 'ERR_OUT_OF_RANGE', `${SEED_RANGE} (a bigint above Number.MAX_SAFE_INTEGER). Received NaN`],
  [
    'misspelt option key',
    ['x', { algoritm: 'xxh64' }],
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    'The "options" argument is invalid. Unknown property "algoritm": use "algorithm" or "seed"',
  ],
  [
    'unknown option key beside valid ones',
    ['x', { algorithm: 'xxh64', seed: 1, encoding: 'hex' }],
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    'The "options" argument is invalid. Unknown property "encoding": use "algorithm" or "seed"',
  ],
  ['bigint seed too large', ['x', { seed: 2n ** 64n }], RangeError, 'ERR_OUT_OF_RANGE', `${SEED_RANGE}. Received 18446744073709551616n`],
  ['negative bigint seed', ['x', { seed: -1n }], RangeError, 'ERR_OUT_OF_RANGE', `${SEED_RANGE}. Received -1n`],
  [
    'xxh32 seed above 32 bits',
    ['x', { algorithm: 'xxh32', seed: 2 ** 32 }],
    RangeError,
    'ERR_OUT_OF_RANGE',
    'The "options.seed" property is out of range. Seed 4294967296 is too large for xxh32: it takes a seed from 0 to 4294967295',
  ],
]

for (const [label, args, ErrorClass, code, message] of cases) {
  test(`hash refuses ${label}`, (t) => {
    const call = hash as (...a: unknown[]) => string
    const error = t.throws(() => call(...args), { instanceOf: ErrorClass, message })
    t.is((error as NodeJS.ErrnoException | undefined)?.code, code)
  })

  test(`hashAsync refuses ${label} synchronously, like hash`, (t) => {
    const call = hashAsync as (...a: unknown[]) => Promise<string>
    const error = t.throws(() => call(...args), { instanceOf: ErrorClass, message })
    t.is((error as NodeJS.ErrnoException | undefined)?.code, code)
  })
}

const make = (options: unknown) => new Hasher(options as never)

test('new Hasher checks its options the same way', (t) => {
  t.throws(() => make({ algorithm: 'sha1' }), {
    instanceOf: TypeError,
    message: 'The "options.algorithm" property is invalid. Unknown algorithm "sha1": use one of "xxh3", "xxh3-128", "xxh64", "xxh32"',
  })
  t.throws(() => make({ algorithm: 'xxh32', seed: 2n ** 32n }), {
    instanceOf: RangeError,
    message: 'The "options.seed" property is out of range. Seed 4294967296 is too large for xxh32: it takes a seed from 0 to 4294967295',
  })
  t.throws(() => make(1), {
    instanceOf: TypeError,
    message: 'The "options" argument must be of type object. Received type number (1)',
  })
})

test('new Hasher refuses unknown option keys', (t) => {
  const error = t.throws(() => make({ seeed: 1 }), {
    instanceOf: TypeError,
    message: 'The "options" argument is invalid. Unknown property "seeed": use "algorithm" or "seed"',
  })
  t.is((error as NodeJS.ErrnoException | undefined)?.code, 'ERR_INVALID_ARG_VALUE')
})

test('Hasher without new is a TypeError every time, and wraps nothing', (t) => {
  const call = Hasher as unknown as (options?: unknown) => Hasher
  const message = "Class constructor Hasher cannot be invoked without 'new': call new Hasher(…)"
  for (const receiver of [undefined, {}]) {
    const error = t.throws(() => call.call(receiver), { instanceOf: TypeError, message })
    t.is((error as NodeJS.ErrnoException | undefined)?.code, 'ERR_CONSTRUCT_CALL_REQUIRED')
  }
  t.throws(() => call(), { instanceOf: TypeError, message })
  t.false('digest' in globalThis)
  t.is(new Hasher().update('abc').digest(), hash('abc'))
})

test('Hasher.update names its argument and leaves the stream unchanged on error', (t) => {
  const hasher = new Hasher()
  hasher.update('abc')
  const update = hasher.update.bind(hasher) as (input: unknown) => Hasher
  t.throws(() => update(5), { instanceOf: TypeError, message: `${INPUT} type number (5)` })
  t.throws(() => update([1, 2, 3]), { instanceOf: TypeError, message: `${INPUT} an instance of Array` })
  t.is(hasher.bytesHashed, 3)
  t.is(hasher.digest(), hash('abc'))
})

if (!forcedWasi) {
  test('a Rust panic becomes a JavaScript Error and the process lives on', (t) => {
    const error = t.throws(() => panicForTesting('deliberate panic for the test'), {
      instanceOf: Error,
      message: 'deliberate panic for the test',
    })
    t.is((error as NodeJS.ErrnoException | undefined)?.code, 'GenericFailure')
    // The addon and the process still work after the panic.
    t.is(hash(''), '2d06800538d394c2')
    t.throws(() => panicForTesting('and again'), { message: 'and again' })
    t.is(hash(''), '2d06800538d394c2')
  })
} else {
  // wasm32-wasip1-threads has no unwinding (its std is built with panic=abort), so napi-rs's
  // catch_unwind never sees a panic: the panic hook prints the message to stderr and the abort
  // traps, which JavaScript sees as WebAssembly.RuntimeError "unreachable". The message and
  // code are lost; the process, and the addon's later calls, live on.
  test('WebAssembly: a Rust panic traps as a RuntimeError and the process lives on', (t) => {
    t.throws(() => panicForTesting('deliberate panic for the test'), { instanceOf: WebAssembly.RuntimeError, message: 'unreachable' })
    t.is(hash(''), '2d06800538d394c2')
    t.throws(() => panicForTesting('and again'), { instanceOf: WebAssembly.RuntimeError, message: 'unreachable' })
    t.is(hash(''), '2d06800538d394c2')
    t.is(new Hasher().update('abc').digest(), hash('abc'))
  })
}

import test from 'ava'

import { hash, hashAsync, type HashOptions } from '@napi-kit/hashkit'

import { ALGORITHMS, inputsFor } from './helpers/inputs.js'

// Digests of empty input with seed 0, as published by the xxHash project (`xxhsum -H0..-H3`).
const EMPTY: Record<(typeof ALGORITHMS)[number], string> = {
  xxh32: '02cc5d05',
  xxh64: 'ef46db3751d8e999',
  xxh3: '2d06800538d394c2',
  'xxh3-128': '99aa06d3014798d86001c324468d497f',
}

test('empty input gives the reference digest of every algorithm', (t) => {
  for (const algorithm of ALGORITHMS) {
    t.is(hash('', { algorithm }), EMPTY[algorithm], algorithm)
    t.is(hash(Buffer.alloc(0), { algorithm }), EMPTY[algorithm], algorithm)
  }
})

test('xxh3 is the default algorithm and 0 the default seed', (t) => {
  const expected = hash('hello', { algorithm: 'xxh3', seed: 0 })
  t.is(hash('hello'), expected)
  t.is(hash('hello', {}), expected)
  t.is(hash('hello', undefined), expected)
  t.is(hash('hello', null), expected)
  t.is(hash('hello', { algorithm: undefined, seed: undefined }), expected)
})

test('digests are lowercase hex of the algorithm width', (t) => {
  const widths = { xxh32: 8, xxh64: 16, xxh3: 16, 'xxh3-128': 32 }
  for (const algorithm of ALGORITHMS) {
    t.regex(hash('width', { algorithm }), new RegExp(`^[0-9a-f]{${widths[algorithm]}}$`))
  }
})

test('a string is hashed as its UTF-8 bytes', (t) => {
  for (const text of ['hello', 'héllo wörld', '日本語', '👍🏽 emoji', 'a\u0000b']) {
    t.is(hash(text), hash(Buffer.from(text, 'utf8')), text)
  }
})

test('Buffer, Uint8Array and views with an offset hash the bytes they show', (t) => {
  const bytes = Buffer.from('0123456789abcdef0123456789abcdef')
  const copy = Uint8Array.from(bytes.subarray(5, 21))
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset + 5, 16)
  t.is(hash(bytes.subarray(5, 21)), hash(copy))
  t.is(hash(view), hash(copy))
  t.is(hash(new Uint8Array(bytes)), hash(bytes))
  t.not(hash(bytes.subarray(5, 21)), hash(bytes.subarray(6, 22)))
})

test('the seed changes the digest; number and bigint seeds agree', (t) => {
  for (const algorithm of ALGORITHMS) {
    t.not(hash('seeded', { algorithm, seed: 1 }), hash('seeded', { algorithm, seed: 2 }), algorithm)
    t.is(hash('seeded', { algorithm, seed: 42 }), hash('seeded', { algorithm, seed: 42n }), algorithm)
  }
  t.is(
    hash('x', { algorithm: 'xxh64', seed: Number.MAX_SAFE_INTEGER }),
    hash('x', { algorithm: 'xxh64', seed: BigInt(Number.MAX_SAFE_INTEGER) }),
  )
})

test('the full seed range is accepted', (t) => {
  t.regex(hash('x', { algorithm: 'xxh64', seed: 2n ** 64n - 1n }), /^[0-9a-f]{16}$/)
  t.regex(hash('x', { algorithm: 'xxh3-128', seed: 2n ** 64n - 1n }), /^[0-9a-f]{32}$/)
  t.regex(hash('x', { algorithm: 'xxh32', seed: 2 ** 32 - 1 }), /^[0-9a-f]{8}$/)
  t.is(hash('x', { seed: 0n }), hash('x'))
})

test('hashAsync resolves to what hash returns, for every algorithm and input kind', async (t) => {
  for (const algorithm of ALGORITHMS) {
    for (const [label, input] of inputsFor()) {
      const options: HashOptions = { algorithm, seed: 7n }
      t.is(await hashAsync(input, options), hash(input, options), `${algorithm} ${label}`)
    }
  }
})

test('hashAsync runs many calls concurrently with the right result each', async (t) => {
  const inputs = Array.from({ length: 64 }, (_, i) => Buffer.alloc(1024 * (i + 1), i))
  const results = await Promise.all(inputs.map((input) => hashAsync(input)))
  t.deepEqual(
    results,
    inputs.map((input) => hash(input)),
  )
  t.is(new Set(results).size, inputs.length)
})

test('a string of any length hashes like its UTF-8 bytes, across the short-string buffer', (t) => {
  // Short strings are converted on the stack, longer ones on the heap: every length around the
  // boundary, with characters of 1 to 4 UTF-8 bytes (a cut character would change the digest).
  let checked = 0
  for (const char of ['a', 'é', '\u0800', '😀']) {
    for (let count = 0; count <= 140; count += 1) {
      const text = char.repeat(count)
      const bytes = Buffer.from(text, 'utf8')
      t.is(hash(text), hash(bytes), `${count} × ${JSON.stringify(char)} (${bytes.length} bytes)`)
      checked += 1
    }
  }
  t.is(checked, 4 * 141)
})

/** `hash('same')` with options the binding reads itself (main.js passes any seed on to it). */
const seeded = (algorithm: string, seed: number) => hash('same', { algorithm, seed } as HashOptions)

test('options read by the package entry give what the binding gives for the same options', (t) => {
  // `hash` with no options or a known `algorithm` only takes a shorter path (main.js); each
  // digest here is compared with the same options as the binding reads them.
  t.is(hash('same', Object.create({ algorithm: 'xxh64' }) as HashOptions), seeded('xxh64', 0))
  // A non-enumerable seed is not an unknown key, and the binding reads it: so must the entry.
  const hidden = Object.defineProperty({ algorithm: 'xxh32' }, 'seed', { value: 5, enumerable: false })
  t.is(hash('same', hidden as HashOptions), seeded('xxh32', 5))
  t.not(hash('same', hidden as HashOptions), seeded('xxh32', 0))
  const getter = { get algorithm() { return 'xxh3-128' } }
  t.is(hash('same', getter as HashOptions), seeded('xxh3-128', 0))
  t.is(hash('same', { algorithm: 'xxh64', seed: undefined }), seeded('xxh64', 0))
  t.is(hash('same', [] as HashOptions), seeded('xxh3', 0))
  for (const algorithm of ALGORITHMS) t.is(hash('same', { algorithm }), seeded(algorithm, 0), algorithm)
})

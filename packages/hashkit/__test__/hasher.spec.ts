import test from 'ava'

import { hash, Hasher } from '@napi-kit/hashkit'

import { ALGORITHMS, pattern } from './helpers/inputs.js'

test('chunks fed to a Hasher give the digest of their concatenation', (t) => {
  const data = pattern(10_000, 3)
  for (const algorithm of ALGORITHMS) {
    for (const chunkSize of [1, 7, 64, 240, 1000, 10_000]) {
      const hasher = new Hasher({ algorithm, seed: 99n })
      for (let at = 0; at < data.length; at += chunkSize) {
        hasher.update(data.subarray(at, at + chunkSize))
      }
      t.is(hasher.digest(), hash(data, { algorithm, seed: 99n }), `${algorithm} in chunks of ${chunkSize}`)
    }
  }
})

test('strings and bytes can be mixed in one stream', (t) => {
  const hasher = new Hasher({ algorithm: 'xxh3-128' })
  hasher.update('héllo ').update(Buffer.from('wör')).update(new TextEncoder().encode('ld'))
  t.is(hasher.digest(), hash('héllo wörld', { algorithm: 'xxh3-128' }))
})

test('update returns the same hasher, so calls chain', (t) => {
  const hasher = new Hasher()
  t.is(hasher.update('a'), hasher)
})

test('digest does not end the stream; reset starts it over', (t) => {
  const hasher = new Hasher({ algorithm: 'xxh64', seed: 5 })
  hasher.update('hello ')
  t.is(hasher.digest(), hash('hello ', { algorithm: 'xxh64', seed: 5 }))
  t.is(hasher.digest(), hasher.digest())
  hasher.update('world')
  t.is(hasher.digest(), hash('hello world', { algorithm: 'xxh64', seed: 5 }))
  hasher.reset()
  t.is(hasher.bytesHashed, 0)
  t.is(hasher.digest(), hash('', { algorithm: 'xxh64', seed: 5 }))
})

test('bytesHashed counts UTF-8 bytes and algorithm reports the choice', (t) => {
  const hasher = new Hasher({ algorithm: 'xxh32' })
  t.is(hasher.algorithm, 'xxh32')
  t.is(new Hasher().algorithm, 'xxh3')
  hasher.update('é').update(Buffer.alloc(10))
  t.is(hasher.bytesHashed, 12)
})

test('each hasher keeps its own state', (t) => {
  const a = new Hasher()
  const b = new Hasher()
  a.update('one')
  b.update('two')
  t.is(a.digest(), hash('one'))
  t.is(b.digest(), hash('two'))
})

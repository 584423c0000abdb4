// What .cargo/config.toml promises must also hold under `npm run build`, where napi build
// sets RUSTFLAGS (and cargo then ignores the config's rustflags).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { configRustflags, rustflagsFor } from '../lib/rust.js'
import { readAddonManifest } from '../lib/targets.js'

const targets = readAddonManifest().napi.targets

test('every musl target builds without a static C runtime (else no cdylib)', (t) => {
  const musl = targets.filter((triple) => triple.endsWith('-musl'))
  t.is(musl.length, 2)
  for (const triple of musl) {
    t.true(rustflagsFor(triple, '').includes('-C target-feature=-crt-static'), triple)
  }
})

test('every Windows target links the C runtime statically', (t) => {
  for (const triple of targets.filter((x) => x.endsWith('-windows-msvc'))) {
    t.is(rustflagsFor(triple, ''), '-C target-feature=+crt-static', triple)
  }
})

test('config flags are added to inherited RUSTFLAGS, once', (t) => {
  t.is(rustflagsFor('x86_64-unknown-linux-musl', '-C opt-level=3'), '-C opt-level=3 -C target-feature=-crt-static')
  t.is(rustflagsFor('x86_64-unknown-linux-musl', '-C target-feature=-crt-static'), '-C target-feature=-crt-static')
  t.is(rustflagsFor('x86_64-unknown-linux-gnu', ''), '')
})

test('a malformed rustflags entry is refused with the file and table named', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hashkit-config-'))
  const file = join(dir, 'config.toml')
  writeFileSync(file, '[target.x86_64-unknown-linux-musl]\nrustflags = 3\n')
  t.throws(() => configRustflags('x86_64-unknown-linux-musl', file), {
    message: `${file}: [target.x86_64-unknown-linux-musl] rustflags must be a string or an array of strings`,
  })
  writeFileSync(file, '[target.x86_64-unknown-linux-musl]\nrustflags = "-C  target-feature=-crt-static"\n')
  t.deepEqual(configRustflags('x86_64-unknown-linux-musl', file), ['-C', 'target-feature=-crt-static'])
})

// The kit's small pure pieces: target names, project folders, the Docker equivalent, tarballs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

import test from 'ava'

import { linuxTriple, tripleFor } from '../src/audit/checks.js'
import { targetFromName } from '../src/audit/files.js'
import { readTarball, TarError } from '../src/audit/tar.js'
import { dockerEquivalent, projectFolder } from '../src/commands/run.js'
import { RUN_TARGETS } from '../src/roots/targets.js'

test('a napi-rs binary name states its target; other names state none', (t) => {
  t.deepEqual(targetFromName('/x/my-addon.linux-x64-musl.node'), { os: 'linux', cpu: 'x64', libc: 'musl' })
  t.deepEqual(targetFromName('my.addon.linux-arm64-gnu.node'), { os: 'linux', cpu: 'arm64', libc: 'glibc' })
  t.deepEqual(targetFromName('a.linux-arm-gnueabihf.node'), { os: 'linux', cpu: 'arm', libc: 'glibc' })
  t.deepEqual(targetFromName('a.darwin-universal.node'), { os: 'darwin', cpu: 'universal' })
  t.deepEqual(targetFromName('a.win32-x64-msvc.node'), { os: 'win32', cpu: 'x64' })
  t.is(targetFromName('addon.node'), undefined)
  t.is(targetFromName('addon.release.node'), undefined)
  t.is(targetFromName('a.linux-sparc-gnu.node'), undefined)
})

test('the triple a fix names', (t) => {
  t.is(linuxTriple('x64', 'musl'), 'x86_64-unknown-linux-musl')
  t.is(linuxTriple('arm64', 'glibc'), 'aarch64-unknown-linux-gnu')
  t.is(tripleFor({ os: 'darwin', cpu: 'arm64' }), 'aarch64-apple-darwin')
  t.is(tripleFor({ os: 'win32', cpu: 'x64' }), 'x86_64-pc-windows-msvc')
  t.is(tripleFor({ os: 'linux', cpu: 'x64', triple: 'x86_64-unknown-linux-gnu' }), 'x86_64-unknown-linux-gnu')
})

test('the project folder: the nearest with a lockfile or .git, else with a package.json, else the folder itself', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'napi-kit-project-'))
  const inner = join(root, 'packages', 'addon', 'src')
  mkdirSync(inner, { recursive: true })
  // No marker inside the temporary folder: the folder itself, unless one lies above it.
  const none = projectFolder(inner)
  t.true(none === inner || !none.startsWith(root), none)
  writeFileSync(join(root, 'packages', 'addon', 'package.json'), '{}')
  t.is(projectFolder(inner), join(root, 'packages', 'addon'))
  writeFileSync(join(root, 'package-lock.json'), '{}')
  t.is(projectFolder(inner), root)
})

test('the Docker equivalent quotes what the shell would split', (t) => {
  const [musl, , arm64Musl, arm64Gnu] = RUN_TARGETS
  if (!musl || !arm64Musl || !arm64Gnu) return t.fail('four targets expected')
  t.is(dockerEquivalent(musl, '24', '/p', '/p/sub', ['node', '-e', "console.log('hi')"]), `docker run --rm --platform linux/amd64 -v /p:/p -w /p/sub node:24-alpine node -e 'console.log('\\''hi'\\'')'`)
  t.is(dockerEquivalent(arm64Gnu, '22', '/p', '/p', ['npm', 'test']), 'docker run --rm --platform linux/arm64 -v /p:/p -w /p node:22-slim npm test')
  t.is(arm64Musl.docker.image, 'alpine')
})

/** A ustar header for a regular file. */
function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512)
  h.write(name, 0)
  h.write('0000644\0', 100)
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
  h.write('0', 156)
  h.write('ustar\0', 257)
  h.fill(' ', 148, 156)
  const sum = h.reduce((n, b) => n + b, 0)
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
  return h
}

test('tarballs: files are read, damage is named', (t) => {
  const body = Buffer.alloc(512)
  body.write('hello')
  const tar = Buffer.concat([header('package/a.node', 5), body, Buffer.alloc(1024)])
  const [entry] = readTarball(gzipSync(tar))
  t.is(entry?.path, 'package/a.node')
  t.is(Buffer.from(entry?.data ?? []).toString(), 'hello')
  t.throws(() => readTarball(gzipSync(tar).subarray(0, 40)), { instanceOf: TarError, message: /^its gzip data is damaged/ })
  const twice = Buffer.concat([header('package/a.node', 5), body, header('package/b.node', 5), body, Buffer.alloc(1024)])
  twice[512 + 512 + 10] = 0x41
  t.throws(() => readTarball(gzipSync(twice)), { instanceOf: TarError, message: 'the tar data inside is damaged (bad header checksum at byte 1024)' })
  t.throws(() => readTarball(new Uint8Array(0)), { instanceOf: TarError, message: 'the file is empty' })
})

// The audit on binaries with known properties: each negative fixture must be caught with the
// right message, each good one must pass.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'
import { $ } from 'zx'

import { auditBinary, auditFiles, type BinaryReport, collectBinaries, type Expectation } from '@napi-kit/cli'
import { ADDON_DIR, ROOT } from '../lib/paths.js'
import { platformPackages, readAddonManifest } from '../lib/targets.js'

import { buildFixture } from './helpers/fixtures.js'

const expect = (cpu: string, libc?: string, os = 'linux'): Expectation => ({
  label: `test-${os}-${cpu}-${libc ?? ''}`,
  os,
  cpu,
  libc,
  triple: `${cpu === 'x64' ? 'x86_64' : 'aarch64'}-unknown-${os}-${libc === 'musl' ? 'musl' : 'gnu'}`,
  glibcFloor: '2.17',
})
const audit = (file: string, expected?: Expectation) => auditBinary(file, readFileSync(file), expected)
const causes = (r: BinaryReport, severity = 'error') => r.findings.filter((f) => f.severity === severity).map((f) => f.cause).join('\n')

test('a minimal glibc addon passes in a glibc package', async (t) => {
  const r = audit(await buildFixture('glibc-ok', 'plain'), expect('x64', 'glibc'))
  t.is(r.verdict, 'ok', JSON.stringify(r.findings))
  t.is(r.facts.libc, 'glibc')
  t.is(r.facts.machine, 'x64')
})

test('a minimal musl addon passes in a musl package', async (t) => {
  const r = audit(await buildFixture('musl-ok', 'plain', { zigTarget: 'x86_64-linux-musl' }), expect('x64', 'musl'))
  t.is(r.verdict, 'ok', JSON.stringify(r.findings))
  t.is(r.facts.libc, 'musl')
})

test('initial-exec TLS is an error for musl, a warning for glibc; local-dynamic passes', async (t) => {
  const musl = audit(await buildFixture('musl-ie', 'tls', { zigTarget: 'x86_64-linux-musl', flags: ['-ftls-model=initial-exec'] }), expect('x64', 'musl'))
  t.is(musl.verdict, 'error')
  t.regex(causes(musl), /initial-exec TLS \(DF_STATIC_TLS, 1 TP-relative relocations for counter\): musl refuses it/)
  const glibc = audit(await buildFixture('glibc-ie', 'tls', { flags: ['-ftls-model=initial-exec'] }), expect('x64', 'glibc'))
  t.is(glibc.verdict, 'warning')
  t.regex(causes(glibc, 'warning'), /cannot allocate memory in static TLS block/)
  const dynamic = audit(await buildFixture('musl-ld', 'tls', { zigTarget: 'x86_64-linux-musl', flags: ['-ftls-model=local-dynamic'] }), expect('x64', 'musl'))
  t.is(dynamic.verdict, 'ok', JSON.stringify(dynamic.findings))
})

test('a glibc binary in a musl package, and the reverse, are refused', async (t) => {
  const glibcInMusl = audit(await buildFixture('glibc-ok', 'plain'), expect('x64', 'musl'))
  t.is(glibcInMusl.verdict, 'error')
  t.regex(causes(glibcInMusl), /links glibc, but the package is for musl: it will not load there/)
  const muslInGlibc = audit(await buildFixture('musl-ok', 'plain', { zigTarget: 'x86_64-linux-musl' }), expect('x64', 'glibc'))
  t.regex(causes(muslInGlibc), /links musl, but the package is for glibc/)
})

test('a binary for the wrong CPU is refused', async (t) => {
  const arm = audit(await buildFixture('arm64-musl', 'plain', { zigTarget: 'aarch64-linux-musl' }), expect('x64', 'musl'))
  t.regex(causes(arm), /wrong CPU: built for arm64, the package is for x64/)
  t.is(audit(await buildFixture('arm64-musl', 'plain', { zigTarget: 'aarch64-linux-musl' }), expect('arm64', 'musl')).verdict, 'ok')
})

test('glibc symbols above the floor are an error, or a warning when all are weak', async (t) => {
  const strong = audit(await buildFixture('glibc-new', 'newGlibc'), expect('x64', 'glibc'))
  t.is(strong.verdict, 'error')
  t.regex(causes(strong), /needs GLIBC_2\.\d+, above the floor 2\.17: .*getrandom@GLIBC_2\.25/)
  const weak = audit(await buildFixture('glibc-weak', 'weakNewGlibc'), expect('x64', 'glibc'))
  t.is(weak.verdict, 'warning', JSON.stringify(weak.findings))
  t.regex(causes(weak, 'warning'), /only through weak references: getrandom@GLIBC_2\.25/)
})

test('glibc-only functions in a musl binary are named', async (t) => {
  const r = audit(await buildFixture('musl-glibc-only', 'glibcOnly', { zigTarget: 'x86_64-linux-musl' }), expect('x64', 'musl'))
  t.regex(causes(r), /calls functions musl's libc does not have: gnu_get_libc_version \(glibc-only: a glibc build labelled musl\?\)/)
})

test('a library a stock node image lacks, and a missing Node-API entry point, are errors', async (t) => {
  const zlib = audit(await buildFixture('glibc-zlib', 'plain', { flags: ['-Wl,--no-as-needed', '-lz'] }), expect('x64', 'glibc'))
  t.regex(causes(zlib), /needs libz\.so\.1, which a stock node:<version>-slim image does not have/)
  const plain = audit(await buildFixture('no-entry', 'noEntry'), expect('x64', 'glibc'))
  t.regex(causes(plain), /exports no Node-API entry point/)
})

test('text relocations are an error', async (t) => {
  const r = audit(await buildFixture('glibc-textrel', 'textrel', { flags: ['-Wl,-z,notext'] }), expect('x64', 'glibc'))
  t.regex(causes(r), /has text relocations/)
})

test('Mach-O and PE files are checked for format and CPU', (t) => {
  const macho = new Uint8Array(32)
  new DataView(macho.buffer).setUint32(0, 0xcffaedfe, false) // MH_MAGIC_64, little-endian file
  new DataView(macho.buffer).setUint32(4, 0x0100000c, true) // CPU_TYPE_ARM64
  t.is(auditBinary('x.node', macho, expect('arm64', undefined, 'darwin')).verdict, 'ok')
  t.regex(causes(auditBinary('x.node', macho, expect('x64', undefined, 'darwin'))), /wrong CPU: built for arm64, the package is for x64/)
  t.regex(causes(auditBinary('x.node', macho, expect('x64', 'glibc'))), /a Mach-O \(macOS\) binary in a package for linux/)
  const pe = new Uint8Array(0x100)
  pe.set([0x4d, 0x5a])
  new DataView(pe.buffer).setUint32(0x3c, 0x80, true)
  new DataView(pe.buffer).setUint32(0x80, 0x50450000, false)
  new DataView(pe.buffer).setUint16(0x84, 0xaa64, true)
  t.is(auditBinary('x.node', pe, expect('arm64', undefined, 'win32')).verdict, 'ok')
  t.regex(causes(auditBinary('x.node', pe, expect('x64', undefined, 'win32'))), /wrong CPU: built for arm64/)
})

test('empty, truncated and non-binary files give a per-file error, never a crash', async (t) => {
  const good = readFileSync(await buildFixture('glibc-ok', 'plain'))
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /the file is empty/],
    ['text', new TextEncoder().encode('not a binary at all'), /not a native binary/],
    ['header only', good.subarray(0, 64), /malformed ELF file: /],
    ['half', good.subarray(0, good.length >> 1), /malformed ELF file: |exports no Node-API/],
  ]
  for (const [label, bytes, message] of cases) {
    const r = auditBinary(label, bytes, expect('x64', 'glibc'))
    t.is(r.verdict, 'error', label)
    t.regex(causes(r), message, label)
  }
})

test("this repository's built binaries pass", async (t) => {
  const built = platformPackages(readAddonManifest()).filter((p) => existsSync(join(ADDON_DIR, p.binary)))
  t.true(built.length > 0, 'no built binary next to the loader: run `npm run build` first')
  const reports = await auditFiles(await collectBinaries(built.map((p) => join(ADDON_DIR, p.binary))), { glibcFloor: '2.17', localGlibc: true })
  for (const r of reports) t.not(r.verdict, 'error', `${r.file}: ${causes(r)}`)
})

test('a package is held to its own os, cpu and libc, also inside an npm tarball', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hashkit-audit-pkg-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pkg = join(dir, 'pkg')
  mkdirSync(pkg)
  const binary = await buildFixture('glibc-ok', 'plain')
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({ name: 'mislabelled-linux-x64-musl', version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['musl'], main: 'x.node', files: ['x.node'] }),
  )
  copyFileSync(binary, join(pkg, 'x.node'))
  const [fromDir] = await auditFiles(await collectBinaries([pkg]), { glibcFloor: '2.17', localGlibc: false })
  t.regex(fromDir ? causes(fromDir) : '', /links glibc, but the package is for musl/)
  const packed = (await $({ cwd: pkg, quiet: true })`npm pack --silent --pack-destination ${dir}`).stdout.trim()
  const [fromTarball] = await auditFiles(await collectBinaries([join(dir, packed)]), { glibcFloor: '2.17', localGlibc: false })
  t.is(fromTarball?.file, `${packed}:package/x.node`)
  t.regex(fromTarball ? causes(fromTarball) : '', /links glibc, but the package is for musl/)
  // A tarball whose files list leaves the binary out.
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'empty-linux-x64-gnu', version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['glibc'], files: ['README.md'] }))
  writeFileSync(join(pkg, 'README.md'), 'x')
  const empty = (await $({ cwd: pkg, quiet: true })`npm pack --silent --pack-destination ${dir}`).stdout.trim()
  const [missing] = await auditFiles(await collectBinaries([join(dir, empty)]), { glibcFloor: '2.17', localGlibc: false })
  t.regex(missing ? causes(missing) : '', /the package has no \.node file/)
})

test('bad paths are refused with the fix', async (t) => {
  t.throws(() => collectBinaries([join(ROOT, 'no-such-file.node')]), { message: /no-such-file\.node does not exist: pass \.node files, folders or npm tarballs/ })
})

test('10,000 mutations of real binaries: every one gets a report, none crashes or hangs', (t) => {
  const files = platformPackages(readAddonManifest())
    .map((p) => join(ADDON_DIR, p.binary))
    .filter((f) => existsSync(f))
  t.true(files.length > 0, 'no built binary next to the loader: run `npm run build` first')
  let seed = 0x9e3779b9
  const random = () => {
    // xorshift32: deterministic, so a failure can be replayed
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 0x100000000
  }
  const started = performance.now()
  let slowest = 0
  const verdicts = { ok: 0, warning: 0, error: 0 }
  const originals = files.map((f) => new Uint8Array(readFileSync(f)))
  for (let i = 0; i < 10_000; i++) {
    const bytes = originals[i % originals.length] ?? new Uint8Array(0)
    // Half the cases hit the headers and tables at the start, half anywhere in the file. The
    // bytes are changed in place and put back afterwards (copying 6 MB per case is slow).
    const span = random() < 0.5 ? Math.min(bytes.length, 8192) : bytes.length
    const changed: Array<[number, number]> = []
    for (let k = 1 + Math.floor(random() * 8); k > 0; k--) {
      const at = Math.floor(random() * span)
      changed.push([at, bytes[at] ?? 0])
      bytes[at] = Math.floor(random() * 256)
    }
    const length = random() < 0.1 ? Math.floor(random() * bytes.length) : bytes.length
    const t0 = performance.now()
    const report = auditBinary(`case ${i}`, bytes.subarray(0, length))
    slowest = Math.max(slowest, performance.now() - t0)
    for (const [at, value] of changed.toReversed()) bytes[at] = value
    verdicts[report.verdict]++
    if (report.findings.some((f) => /unexpected \w+Error/.test(f.cause))) {
      t.fail(`case ${i}: ${report.findings.map((f) => f.cause).join('; ')}`)
      return
    }
  }
  t.log(`10,000 cases in ${((performance.now() - started) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(1)} ms; verdicts ${JSON.stringify(verdicts)}`)
  t.true(slowest < 2000, `one case took ${slowest} ms`)
  t.true(verdicts.error > 0, 'no mutation was reported as an error: the fuzzing is not reaching the parser')
})

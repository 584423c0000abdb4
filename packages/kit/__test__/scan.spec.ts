// `napi-kit scan` on lockfiles of real published packages, written here by the real npm
// (`npm install --package-lock-only --ignore-scripts` of a one-dependency package.json, kept in
// the kit's cache by npm's version and the dependency), and on their real tarballs from the
// registry. Each case has its exact verdict. Without the registry these tests fail: they
// never skip.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { auditBinary } from '../src/audit/checks.js'
import { parseElf } from '../src/audit/elf.js'
import { runtimeGlibc } from '../src/lib/runtime.js'
import { tarballKey } from '../src/scan/fetch.js'
import { installsOn } from '../src/scan/install.js'
import { type LockEntry, parseLockfile } from '../src/scan/lockfile.js'
import { selectPrebuild } from '../src/scan/prebuilds.js'
import { scanLockfile } from '../src/scan/scan.js'
import { parseTargets } from '../src/scan/targets.js'
import { judgement } from '../src/scan/verify.js'
import { appWith } from './helpers/lockfiles.js'
import { type Doc, kit, scanJson, WORK } from './helpers/scan.js'

/** A fresh folder under WORK with the lockfile npm writes for `name@version`. */
const appWithOne = (name: string, version: string) => appWith({ [name]: version }, WORK)

const editLock = (dir: string, edit: (lock: { packages: Record<string, Record<string, unknown>> }) => void) => {
  const file = join(dir, 'package-lock.json')
  const lock = JSON.parse(readFileSync(file, 'utf8')) as { packages: Record<string, Record<string, unknown>> }
  edit(lock)
  writeFileSync(file, JSON.stringify(lock, null, 2))
}

const readLock = (dir: string, name: string) => (JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { integrity?: string }> }).packages[`node_modules/${name}`]?.integrity

const verdicts = (doc: Doc) => doc.targets.map((t) => [t.target, t.glibc, t.packages.map((p) => `${p.name}@${p.version} ${p.kind} ${p.verdict}`)])

test('@node-rs/xxhash@1.7.8: ok on linux-x64-musl and on linux-x64-gnu at glibc 2.28', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  const { code, doc } = scanJson(dir)
  t.is(code, 0)
  t.deepEqual(doc, {
    targets: [
      { target: 'linux-x64-musl', glibc: null, packages: [{ name: '@node-rs/xxhash', version: '1.7.8', kind: 'platform packages', verdict: 'ok', findings: [] }] },
      { target: 'linux-x64-gnu', glibc: '2.28', packages: [{ name: '@node-rs/xxhash', version: '1.7.8', kind: 'platform packages', verdict: 'ok', findings: [] }] },
    ],
  })
  const table = kit(['scan', dir])
  t.is(table.code, 0)
  t.regex(table.stdout, /^linux-x64-musl: musl \(Alpine\)\n/)
  t.regex(table.stdout, /✓ {2}@node-rs\/xxhash@1\.7\.8 {2}platform packages {2}@node-rs\/xxhash-linux-x64-musl@1\.7\.8 {2}ok/)
  t.regex(table.stdout, /✓ {2}@node-rs\/xxhash@1\.7\.8 {2}platform packages {2}@node-rs\/xxhash-linux-x64-gnu@1\.7\.8 {2}ok/)
  t.regex(table.stdout, /^2 ok, 0 failed$/m)
})

/** The @node-rs/xxhash app with its lockfile edited, scanned: its folder, the exit code, and each target's verdict and findings. */
async function xxhashEdited(edit: Parameters<typeof editLock>[1]) {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  editLock(dir, edit)
  const { code, doc } = scanJson(dir)
  return { dir, code, perTarget: doc.targets.map((target) => target.packages.map((p) => [p.verdict, p.findings])) }
}

test('@node-rs/xxhash with its musl entry deleted: npm ci stops on every target, and the fix records it again', async (t) => {
  const { dir, code, perTarget } = await xxhashEdited((lock) => {
    delete lock.packages['node_modules/@node-rs/xxhash-linux-x64-musl']
  })
  t.is(code, 1)
  const missing = {
    severity: 'error',
    cause: 'the lockfile has no entry for @node-rs/xxhash-linux-x64-musl@1.7.8, an optional dependency of @node-rs/xxhash@1.7.8: npm ci stops with "Missing: @node-rs/xxhash-linux-x64-musl@1.7.8 from lock file"',
    fix: 'npm install --os=linux --cpu=x64 --libc=musl (records it in package-lock.json; commit the lockfile)',
  }
  t.deepEqual(perTarget, [[['error', [missing]]], [['error', [missing]]]])
  // The real npm agrees: npm ci refuses this lockfile, with the same words.
  const ci = spawnSync('npm', ['ci', '--ignore-scripts', '--dry-run', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' })
  t.not(ci.status, 0)
  t.true(ci.stderr.includes('Missing: @node-rs/xxhash-linux-x64-musl@1.7.8 from lock file'), ci.stderr)
  // The fix the finding names, run as it says (without touching node_modules), makes the scan pass.
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--os=linux', '--cpu=x64', '--libc=musl'], { cwd: dir, stdio: 'pipe' })
  t.is(scanJson(dir).code, 0)
})

test('a lockfile without libc fields (as npm < 11.11 writes it): both Linux packages install, a warning on each Linux target', async (t) => {
  const { dir, code, perTarget } = await xxhashEdited((lock) => {
    for (const entry of Object.values(lock.packages)) delete entry.libc
  })
  t.is(code, 0)
  const warning = {
    severity: 'warning',
    cause: 'the lockfile records no libc for @node-rs/xxhash-linux-x64-gnu and @node-rs/xxhash-linux-x64-musl: npm installs all of them on every Linux (lockfiles of npm < 11.11), and the loader must pick the right one at run time',
    fix: "write the lockfile again with npm ≥ 11.11 (npm install --package-lock-only), which records each package's libc",
  }
  t.deepEqual(perTarget, [[['warning', [warning]]], [['warning', [warning]]]])
  const table = kit(['scan', dir])
  t.regex(table.stdout, /! {2}@node-rs\/xxhash@1\.7\.8 {2}platform packages {2}@node-rs\/xxhash-linux-x64-musl@1\.7\.8 {2}warning/)
  // The real npm agrees: on a Linux x64 machine of either libc, npm ci installs both packages.
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' })
  const installed = ['gnu', 'musl'].map((abi) => existsSync(join(dir, 'node_modules', '@node-rs', `xxhash-linux-x64-${abi}`, 'package.json')))
  t.deepEqual(installed, process.platform === 'linux' && process.arch === 'x64' ? [true, true] : [false, false])
})

test('bcrypt@6.0.0: prebuildify with .glibc/.musl tags; ok on musl and at glibc 2.28 with libstdc++ noted; at 2.17 libstdc++ is too old', async (t) => {
  const dir = await appWithOne('bcrypt', '6.0.0')
  const { code, doc } = scanJson(dir, ['--target', 'linux-x64-musl,linux-x64-gnu,linux-arm64-musl'])
  t.is(code, 0)
  t.deepEqual(doc.targets.map((target) => target.packages.map((p) => [p.kind, p.verdict, p.findings.map((f) => `${f.severity}: ${f.cause}`)])), [
    [['prebuilds', 'ok', ['note: prebuilds/linux-x64/bcrypt.musl.node: needs libstdc++']]],
    [['prebuilds', 'ok', ['note: prebuilds/linux-x64/bcrypt.glibc.node: needs libstdc++: GLIBCXX_3.4.21, CXXABI_1.3.9']]],
    [['prebuilds', 'ok', ['note: prebuilds/linux-arm64/bcrypt.musl.node: needs libstdc++: GLIBCXX_3.4.21, CXXABI_1.3.9']]],
  ])
  // CentOS 7's libstdc++ (GCC 4.8) lacks GLIBCXX_3.4.21: node-gyp-build's load test fails and it compiles.
  const old = scanJson(dir, ['--target', 'linux-x64-gnu', '--glibc', '2.17'])
  t.is(old.code, 1)
  t.deepEqual(old.doc.targets[0]?.packages[0]?.findings.map((f) => `${f.severity}: ${f.cause}`), [
    'note: prebuilds/linux-x64/bcrypt.glibc.node: needs a newer libstdc++ than CentOS 7 (glibc 2.17) has: GLIBCXX_3.4.21 (it has GLIBCXX_3.4.19), CXXABI_1.3.9 (it has CXXABI_1.3.7)',
    'error: prebuilds/linux-x64/bcrypt.glibc.node does not load there, so node-gyp-build compiles at install (node-gyp-build): it needs python3, make and g++, which a stock node:<v>-slim image lacks ("gyp ERR! find Python")',
  ])
})

test('lightningcss@1.30.1 on linux-arm-musleabihf: no build for it; the glibc arm package installs and cannot load', async (t) => {
  const dir = await appWithOne('lightningcss', '1.30.1')
  const { code, doc } = scanJson(dir, ['--target', 'linux-arm-musleabihf,linux-arm-gnueabihf'])
  t.is(code, 1)
  const [musl, gnu] = doc.targets
  t.is(musl?.packages[0]?.verdict, 'error')
  t.deepEqual(musl?.packages[0]?.findings.slice(0, 2).map((f) => `${f.severity}: ${f.cause}`), [
    'error: no working build for linux-arm-musleabihf: lightningcss-linux-arm-gnueabihf@1.30.1 declares no libc, so npm installs it on musl too; its binary does not load there',
    'error: lightningcss-linux-arm-gnueabihf@1.30.1:lightningcss.linux-arm-gnueabihf.node: links glibc, but the package is for musl: it will not load there',
  ])
  t.regex(musl?.packages[0]?.findings[0]?.fix ?? '', /^(no published version of lightningcss ships a linux-arm-musleabihf build|upgrade: lightningcss@\d+\.\d+\.\d+ ships a linux-arm-musleabihf build)/)
  // Negative control: the same binary on its own target (32-bit arm, glibc 2.18) passes.
  t.deepEqual(gnu?.packages.map((p) => [p.verdict, p.findings.filter((f) => f.severity !== 'note').map((f) => f.severity)]), [['warning', ['warning']]])
})

test('@tailwindcss/oxide@4.1.11 on arm musl: its arm package declares no libc, installs, and its binary is glibc (2.34)', async (t) => {
  const dir = await appWithOne('@tailwindcss/oxide', '4.1.11')
  const { code, doc } = scanJson(dir, ['--target', 'linux-arm-musleabihf,linux-arm-gnueabihf,linux-x64-musl', '--glibc', '2.31'])
  t.is(code, 1)
  t.deepEqual(verdicts(doc), [
    ['linux-arm-musleabihf', null, ['@tailwindcss/oxide@4.1.11 platform packages error']],
    ['linux-arm-gnueabihf', '2.31', ['@tailwindcss/oxide@4.1.11 platform packages error']],
    ['linux-x64-musl', null, ['@tailwindcss/oxide@4.1.11 platform packages ok']],
  ])
  t.deepEqual(doc.targets[0]?.packages[0]?.findings.map((f) => f.cause), [
    'no working build for linux-arm-musleabihf: @tailwindcss/oxide-linux-arm-gnueabihf@4.1.11 declares no libc, so npm installs it on musl too; its binary does not load there',
    '@tailwindcss/oxide-linux-arm-gnueabihf@4.1.11:tailwindcss-oxide.linux-arm-gnueabihf.node: links glibc, but the package is for musl: it will not load there',
  ])
  const gnu = doc.targets[1]?.packages[0]?.findings[0]
  t.regex(gnu?.cause ?? '', /^@tailwindcss\/oxide-linux-arm-gnueabihf@4\.1\.11:tailwindcss-oxide\.linux-arm-gnueabihf\.node: needs GLIBC_2\.34, above the floor 2\.31: /)
  t.is(gnu?.fix, 'deploy on a base image with glibc ≥ 2.34, e.g. node:<v>-bookworm-slim (glibc 2.36), or use a version of @tailwindcss/oxide built for glibc 2.31')
  t.is(scanJson(dir, ['--target', 'linux-arm-gnueabihf', '--glibc', '2.36']).code, 0)
})

test('node-pty@1.0.0 compiles at install: an error for a stock image, a warning with --toolchain', async (t) => {
  const dir = await appWithOne('node-pty', '1.0.0')
  const plain = scanJson(dir)
  t.is(plain.code, 1)
  t.deepEqual(plain.doc.targets[0]?.packages, [
    {
      name: 'node-pty',
      version: '1.0.0',
      kind: 'compiles at install',
      verdict: 'error',
      findings: [
        {
          severity: 'error',
          cause: 'compiles at install (node-gyp rebuild && node scripts/post-install.js): it needs python3, make and g++, which a stock node:<v>-alpine image lacks ("gyp ERR! find Python")',
          fix: 'apk add --no-cache python3 make g++ before npm ci (in a build stage), or pass --toolchain when the image has them',
        },
      ],
    },
  ])
  t.is(plain.doc.targets[1]?.packages[0]?.findings[0]?.fix, 'apt-get install -y python3 make g++ before npm ci (in a build stage), or pass --toolchain when the image has them')
  const tool = scanJson(dir, ['--toolchain'])
  t.is(tool.code, 0)
  t.deepEqual(tool.doc.targets.map((x) => x.packages.map((p) => p.verdict)), [['warning'], ['warning']])
  t.is(tool.doc.targets[0]?.packages[0]?.findings[0]?.cause, "compiles at install (node-gyp rebuild && node scripts/post-install.js) with the image's toolchain: it needs python3, make and g++; the binary it builds is not checked here")
})

test('a tarball that does not match the lockfile integrity is an error, never audited', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  // The gnu package's integrity given to the musl entry: the download is the real musl tarball.
  editLock(dir, (lock) => {
    const gnu = lock.packages['node_modules/@node-rs/xxhash-linux-x64-gnu']
    const musl = lock.packages['node_modules/@node-rs/xxhash-linux-x64-musl']
    if (gnu && musl) musl.integrity = `sha512-${createHash('sha512').update('not the tarball').digest('base64')}`
  })
  const { code, doc } = scanJson(dir, ['--target', 'linux-x64-musl'])
  t.is(code, 1)
  const finding = doc.targets[0]?.packages[0]?.findings[0]
  t.regex(finding?.cause ?? '', /^@node-rs\/xxhash-linux-x64-musl@1\.7\.8: not checked: https:\/\/\S+\/xxhash-linux-x64-musl-1\.7\.8\.tgz does not match the lockfile's integrity \(sha512 /)
})

test('usage errors: unknown target, bad --glibc, no lockfile, broken JSON with its place, lockfileVersion 1', async (t) => {
  const usage = 'usage: napi-kit scan [dir] [--target <t>[,<t>…]] [--glibc 2.28] [--toolchain] [--offline] [--verify] [--json]\ne.g.:  napi-kit scan . --target linux-x64-musl,linux-arm64-gnu --glibc 2.31\n'
  const target = kit(['scan', '--target', 'linux-x64-musl,linux-sparc'])
  t.is(target.code, 2)
  t.is(target.stderr, `✗ napi-kit scan: --target linux-sparc is not a target scan knows: pass one or more of linux-x64-gnu, linux-x64-musl, linux-arm64-gnu, linux-arm64-musl, linux-arm-gnueabihf, linux-arm-musleabihf, darwin-x64, darwin-arm64, win32-x64-msvc, win32-arm64-msvc, separated by commas\n${usage}`)
  const glibc = kit(['scan', '--glibc', '2.x'])
  t.is(glibc.code, 2)
  t.is(glibc.stderr, `✗ napi-kit scan: --glibc 2.x is not a glibc version: pass it as 2.N, e.g. --glibc 2.31 (Debian 11)\n${usage}`)
  const empty = mkdtempSync(join(WORK, 'empty-'))
  const none = kit(['scan'], empty)
  t.is(none.code, 2)
  t.is(none.stderr, `✗ napi-kit scan: no lockfile in ${empty} (npm-shrinkwrap.json, package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock): run scan in the app's folder, or write the lockfile first with npm install --package-lock-only\n${usage}`)
  const broken = mkdtempSync(join(WORK, 'broken-'))
  writeFileSync(join(broken, 'package-lock.json'), '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {}\n    "node_modules/x": {}\n  }\n}\n')
  const bad = kit(['scan', broken])
  t.is(bad.code, 2)
  t.regex(bad.stderr, new RegExp(`^✗ napi-kit scan: ${join(broken, 'package-lock.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON at line 5, column 5: .+\\. Repair it, or write it again with npm install --package-lock-only\\nusage: `))
  const v1 = mkdtempSync(join(WORK, 'v1-'))
  writeFileSync(join(v1, 'package-lock.json'), JSON.stringify({ lockfileVersion: 1, dependencies: {} }))
  const old = kit(['scan', v1])
  t.is(old.code, 2)
  t.regex(old.stderr, /has lockfileVersion 1 \(npm 6\), which records no os, cpu or libc: write it again with npm ≥ 7/)
  t.is(kit(['scan', '--frob']).stderr, `✗ napi-kit scan: unknown option --frob\n${usage}`)
  // With --json, standard output holds one document for a usage error too, and stderr nothing of it.
  const json = kit(['scan', empty, '--json'])
  t.is(json.code, 2)
  t.is(json.stderr, '')
  t.deepEqual(JSON.parse(json.stdout), {
    ok: false,
    exitCode: 2,
    error: {
      kind: 'usage',
      message: `no lockfile in ${empty} (npm-shrinkwrap.json, package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock): run scan in the app's folder, or write the lockfile first with npm install --package-lock-only`,
      usage: usage.split('\n')[0]?.replace(/^usage: /, ''),
      example: usage.split('\n')[1]?.replace(/^e\.g\.: {2}/, ''),
    },
  })
})

test("node-gyp-build's choice: the most specific prebuild that fits, an untagged one for musl when there is no .musl", (t) => {
  const [musl, gnu, armMusl] = parseTargets('linux-x64-musl,linux-x64-gnu,linux-arm-musleabihf', '2.28')
  if (!musl || !gnu || !armMusl) return t.fail('three targets expected')
  const tagged = ['prebuilds/linux-x64/a.glibc.node', 'prebuilds/linux-x64/a.musl.node', 'prebuilds/linux-x64/a.node', 'prebuilds/darwin-x64+arm64/a.node']
  t.is(selectPrebuild(tagged, musl)?.file, 'prebuilds/linux-x64/a.musl.node')
  t.is(selectPrebuild(tagged, gnu)?.file, 'prebuilds/linux-x64/a.glibc.node')
  const untagged = ['prebuilds/linux-x64/a.napi.node', 'prebuilds/linux-x64/a.glibc.napi.node']
  t.is(selectPrebuild(untagged, musl)?.file, 'prebuilds/linux-x64/a.napi.node')
  t.is(selectPrebuild(untagged, gnu)?.file, 'prebuilds/linux-x64/a.glibc.napi.node')
  t.is(selectPrebuild(['prebuilds/linux-arm/a.armv6.node', 'prebuilds/linux-arm/a.armv7.node'], armMusl)?.file, 'prebuilds/linux-arm/a.armv7.node')
  t.is(selectPrebuild(['prebuilds/linux-arm64/a.node', 'prebuilds/linux-x64/a.abi115.node'], musl), undefined)
  t.is(selectPrebuild(['prebuilds/linux-x64/a.electron.napi.node'], musl), undefined)
})

test("npm's platform rules: no libc installs on both Linux libcs, a libc list only on Linux, ! excludes", (t) => {
  const [musl, gnu, mac] = parseTargets('linux-x64-musl,linux-x64-gnu,darwin-x64', '2.28')
  if (!musl || !gnu || !mac) return t.fail('three targets expected')
  t.deepEqual([musl, gnu, mac].map((x) => installsOn({ os: ['linux'], cpu: ['x64'] }, x)), [true, true, false])
  t.deepEqual([musl, gnu, mac].map((x) => installsOn({ os: ['linux'], cpu: ['x64'], libc: ['musl'] }, x)), [true, false, false])
  t.deepEqual([musl, gnu, mac].map((x) => installsOn({ libc: ['glibc'] }, x)), [false, true, false])
  t.deepEqual([musl, gnu, mac].map((x) => installsOn({ os: ['!win32'], cpu: ['!arm64'] }, x)), [true, true, true])
  t.deepEqual([musl, gnu, mac].map((x) => installsOn({ os: ['!linux'] }, x)), [false, false, true])
})

/** A minimal ELF header (no segments) for `machine`. */
function elfHeader(bits: 32 | 64, le: boolean, machine: number): Uint8Array {
  const bytes = new Uint8Array(bits === 64 ? 64 : 52)
  bytes.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, le ? 1 : 2, 1])
  new DataView(bytes.buffer).setUint16(16, 3, le)
  new DataView(bytes.buffer).setUint16(18, machine, le)
  return bytes
}

test('the ELF reader and the audit name arm, ia32, riscv64, ppc64le and s390x', (t) => {
  const cases: Array<[32 | 64, boolean, number, string, string]> = [
    [32, true, 40, 'arm', 'arm'],
    [32, true, 3, 'i386', 'ia32'],
    [64, true, 243, 'riscv64', 'riscv64'],
    [64, true, 21, 'ppc64le', 'ppc64'],
    [64, false, 22, 's390x', 's390x'],
    [64, true, 62, 'x86_64', 'x64'],
  ]
  for (const [bits, le, machine, uname, node] of cases) {
    t.is(parseElf(elfHeader(bits, le, machine)).machineName, uname)
    const report = auditBinary('x.node', elfHeader(bits, le, machine), { label: 'x', os: 'linux', cpu: node, glibcFloor: '2.28' })
    t.is(report.facts.machine, node)
    t.false(report.findings.some((f) => f.cause.startsWith('wrong CPU') || f.cause.includes('-bit ELF')), `${node}: ${report.findings.map((f) => f.cause).join('; ')}`)
  }
  // A 32-bit file for a 64-bit CPU (x32), and a CPU the package is not for, are errors.
  const x32 = auditBinary('x.node', elfHeader(32, true, 62), { label: 'x', os: 'linux', cpu: 'x64', glibcFloor: '2.28' })
  t.true(x32.findings.some((f) => f.cause === 'a 32-bit ELF file for x64, whose Node.js is 64-bit'))
  const wrong = auditBinary('x.node', elfHeader(64, true, 243), { label: 'x', os: 'linux', cpu: 'arm64', glibcFloor: '2.28' })
  t.true(wrong.findings.some((f) => f.cause === 'wrong CPU: built for riscv64, the package is for arm64'))
})

test('a lockfile is read without node_modules: entries, libc, and the registry URL npm would fetch', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  t.false(existsSync(join(dir, 'node_modules')))
  const lock = parseLockfile(join(dir, 'package-lock.json'))
  t.true(lock.recordsLibc)
  const musl = lock.entries.find((e) => e.name === '@node-rs/xxhash-linux-x64-musl')
  t.like(musl, { version: '1.7.8', os: ['linux'], cpu: ['x64'], libc: ['musl'], optional: true })
})

test('--offline reads the cache, else node_modules, and names what it could not check', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  const env = { ...process.env, NAPI_KIT_CACHE_DIR: mkdtempSync(join(WORK, 'empty-cache-')) }
  const empty = scanJson(dir, ['--offline'], env)
  t.is(empty.code, 1)
  t.deepEqual(empty.doc.targets.map((x) => x.packages[0]?.findings.map((f) => f.cause.replace(env.NAPI_KIT_CACHE_DIR, '$CACHE'))), [
    ['@node-rs/xxhash-linux-x64-musl@1.7.8: not checked: @node-rs/xxhash-linux-x64-musl@1.7.8 is not in the cache ($CACHE/scan/tarballs/' + tarballKey({ integrity: readLock(dir, '@node-rs/xxhash-linux-x64-musl') }) + '.tgz) and --offline fetches nothing, nor installed in node_modules'],
    ['@node-rs/xxhash-linux-x64-gnu@1.7.8: not checked: @node-rs/xxhash-linux-x64-gnu@1.7.8 is not in the cache ($CACHE/scan/tarballs/' + tarballKey({ integrity: readLock(dir, '@node-rs/xxhash-linux-x64-gnu') }) + '.tgz) and --offline fetches nothing, nor installed in node_modules'],
  ])
  // npm ci installs this machine's package only: offline, that one is checked from node_modules.
  execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' })
  const installed = scanJson(dir, ['--offline'], env)
  const here = process.platform === 'linux' && process.arch === 'x64' ? (runtimeGlibc() ? 'linux-x64-gnu' : 'linux-x64-musl') : ''
  t.deepEqual(installed.doc.targets.map((x) => [x.target, x.packages[0]?.verdict]), [['linux-x64-musl', here === 'linux-x64-musl' ? 'ok' : 'error'], ['linux-x64-gnu', here === 'linux-x64-gnu' ? 'ok' : 'error']])
  // Online once (each download shown on standard error), then offline from the cache.
  const online = scanJson(dir, [], env)
  t.is(online.code, 0)
  t.regex(online.stderr, /^ {2}↓ @node-rs\/xxhash-linux-x64-musl@1\.7\.8 \d+\.\d KiB \(\d+ ms\)$/m)
  t.regex(online.stderr, /^→ scanned in \S+ \S+ \(2 tarballs downloaded, 0 from the cache\)$/m)
  t.is(scanJson(dir, ['--offline'], env).code, 0)
})

test('sharp@0.34.2: the libvips its family ships counts as present; ok on musl and at glibc 2.28', async (t) => {
  const dir = await appWithOne('sharp', '0.34.2')
  const { code, doc } = scanJson(dir)
  t.is(code, 0)
  t.deepEqual(doc.targets.map((x) => x.packages.map((p) => [p.name, p.verdict, p.findings.map((f) => f.severity)])), [
    [['sharp', 'ok', ['note']]],
    [['sharp', 'ok', ['note']]],
  ])
})

const lmdb = (d: Doc, i: number) => d.targets[i]?.packages.find((p) => p.name === 'lmdb')

test('lmdb@3.4.1: its platform package holds tagged files for both libcs; musl gets .musl, glibc 2.28 is too old for .glibc', async (t) => {
  const dir = await appWithOne('lmdb', '3.4.1')
  const old = scanJson(dir)
  t.is(old.code, 1)
  t.is(lmdb(old.doc, 0)?.verdict, 'ok')
  t.deepEqual(lmdb(old.doc, 1)?.findings.map((f) => f.cause.replace(/: [^:]*$/, '')), [
    '@lmdb/lmdb-linux-x64@3.4.1:node.napi.glibc.node: needs GLIBC_2.34, above the floor 2.28',
    '@lmdb/lmdb-linux-x64@3.4.1:node.napi.glibc.node: needs a newer libstdc++ than Debian 10, RHEL 8 (glibc 2.28) has',
  ])
  const bookworm = scanJson(dir, ['--glibc', '2.36'])
  t.is(lmdb(bookworm.doc, 1)?.verdict, 'ok')
})

test('--verify: the real musl and glibc loaders agree with the audit, both ways', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  const ok = scanJson(dir, ['--verify'])
  t.is(ok.code, 0, ok.stderr)
  t.deepEqual(ok.doc.targets.map((x) => x.packages[0]?.findings.map((f) => f.cause.replace(/Node\.js v\d+\.\d+\.\d+/, 'Node.js'))), [
    ['--verify: linux-x64-musl Node.js loads @node-rs/xxhash-linux-x64-musl@1.7.8:xxhash.linux-x64-musl.node (RTLD_NOW), as the audit says'],
    ['--verify: linux-x64-gnu Node.js loads @node-rs/xxhash-linux-x64-gnu@1.7.8:xxhash.linux-x64-gnu.node (RTLD_NOW), as the audit says'],
  ])
  // The wrong libc recorded: the glibc package labelled musl installs on musl, and musl's loader refuses it.
  editLock(dir, (lock) => {
    const gnu = lock.packages['node_modules/@node-rs/xxhash-linux-x64-gnu']
    const musl = lock.packages['node_modules/@node-rs/xxhash-linux-x64-musl']
    if (gnu && musl) [gnu.libc, musl.libc] = [['musl'], ['glibc']]
  })
  const swapped = scanJson(dir, ['--verify', '--target', 'linux-x64-musl'])
  t.is(swapped.code, 1)
  const findings = swapped.doc.targets[0]?.packages[0]?.findings ?? []
  t.true(findings.some((f) => f.severity === 'error' && f.cause === '@node-rs/xxhash-linux-x64-gnu@1.7.8:xxhash.linux-x64-gnu.node: links glibc, but the package is for musl: it will not load there'), JSON.stringify(findings))
  t.regex(findings.at(-1)?.cause ?? '', /^--verify: linux-x64-musl Node\.js v\d+\.\d+\.\d+ cannot load @node-rs\/xxhash-linux-x64-gnu@1\.7\.8:xxhash\.linux-x64-gnu\.node, as the audit says: /)
  for (const [name, version] of [['bcrypt', '6.0.0'], ['@tailwindcss/oxide', '4.1.11'], ['bufferutil', '4.0.9']] as const) {
    const r = scanJson(await appWithOne(name, version), ['--verify', '--target', 'linux-x64-musl'])
    const p = r.doc.targets[0]?.packages.find((x) => x.name === name)
    t.regex(p?.findings.at(-1)?.cause ?? '', /^--verify: linux-x64-musl Node\.js v\S+ loads .* \(RTLD_NOW\), as the audit says$/, `${name}: ${JSON.stringify(p?.findings)}`)
  }
})

test('--verify reports where the loader and the audit disagree, both ways', (t) => {
  const entry = { name: 'x', version: '1.0.0' } as LockEntry
  t.like(judgement({ entry, file: 'x.node', loads: true }, { ok: false, error: 'Error relocating x.node: foo: symbol not found' }, 'linux-x64-musl Node.js v24'), {
    severity: 'error',
    cause: '--verify: the audit says x@1.0.0:x.node loads, but linux-x64-musl Node.js v24 cannot: Error relocating x.node: foo: symbol not found',
  })
  t.like(judgement({ entry, file: 'x.node', loads: false }, { ok: true }, 'linux-x64-musl Node.js v24'), { severity: 'error', cause: '--verify: the audit says x@1.0.0:x.node does not load, but linux-x64-musl Node.js v24 loads it' })
  t.like(judgement({ entry, file: 'x.node', loads: false }, { ok: false, error: 'e' }, 'n'), { severity: 'note' })
})

test('vite@7.0.0: esbuild and rollup are families; its lone optional fsevents (macOS only) is no family, and no error on Linux', async (t) => {
  const dir = await appWithOne('vite', '7.0.0')
  const { code, doc } = scanJson(dir, ['--target', 'linux-x64-musl'])
  t.is(code, 0)
  t.deepEqual(doc.targets[0]?.packages.map((p) => [p.name, p.kind, p.verdict]), [
    ['esbuild', 'platform packages', 'ok'],
    ['rollup', 'platform packages', 'ok'],
  ])
  t.regex(doc.targets[0]?.packages[0]?.findings[0]?.cause ?? '', /^@esbuild\/linux-x64@\S+ ship no \.node file \(executables or libraries, not checked here\)$/)
})

test('scanLockfile from code: the same verdicts as the command, run from the sources', async (t) => {
  const dir = await appWithOne('@node-rs/xxhash', '1.7.8')
  const result = await scanLockfile(join(dir, 'package-lock.json'), { targets: parseTargets('linux-x64-musl,linux-arm-musleabihf', '2.28'), toolchain: false, offline: false })
  t.deepEqual(result.targets.map((x) => [x.target, x.packages.map((p) => `${p.name} ${p.installs} ${p.verdict}`)]), [
    ['linux-x64-musl', ['@node-rs/xxhash @node-rs/xxhash-linux-x64-musl@1.7.8 ok']],
    ['linux-arm-musleabihf', ['@node-rs/xxhash @node-rs/xxhash-linux-arm-gnueabihf@1.7.8 error']],
  ])
})

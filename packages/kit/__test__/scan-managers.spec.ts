// `napi-kit scan` on lockfiles written here by the real pnpm, yarn and bun (pinned in
// tools/package-managers; helpers/lockfiles.ts keeps each in the kit's cache), with the
// verdict each manager's own rules give, and the real manager run where it can show the
// same: the install that stops, the build it leaves unrun. Without the registry these tests
// fail: they never skip.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import test, { type ExecutionContext } from 'ava'
import { parse as parseJsonc } from 'jsonc-parser'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'

import { BUN_DEFAULT_TRUSTED } from '../src/scan/lockfiles/bun-trusted.generated.js'
import { parseConditions } from '../src/scan/lockfiles/yarn.js'
import { type AppOptions, appWith } from './helpers/lockfiles.js'
import { runManager } from './helpers/managers.js'
import { kit, scanJson, WORK } from './helpers/scan.js'

type Manager = 'pnpm' | 'yarn' | 'bun'
const MANAGERS: Manager[] = ['pnpm', 'yarn', 'bun']
const LOCKFILE = { pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' } as const

const app = (manager: Manager, dependencies: Record<string, string>, options: Omit<AppOptions, 'manager'> = {}) => appWith(dependencies, WORK, { manager, ...options })

/** The manager's command run as a deploy runs it, failing or not: its exit code and its output. */
function tryManager(manager: Manager, args: string[], cwd: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: runManager(manager, args, cwd) }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

/** Deletes the entry of `name@version` from the lockfile in `dir`, as each format keeps it. */
function deleteEntry(manager: Manager, dir: string, name: string, version: string): void {
  const file = join(dir, LOCKFILE[manager])
  const text = readFileSync(file, 'utf8')
  let edited = text
  if (manager === 'pnpm') {
    const doc = parseYaml(text) as { packages: Record<string, unknown>; snapshots: Record<string, unknown> }
    delete doc.packages[`${name}@${version}`]
    delete doc.snapshots[`${name}@${version}`]
    edited = stringifyYaml(doc)
  } else if (manager === 'yarn') {
    edited = text.replace(new RegExp(`\\n"${name.replace('/', '\\/')}@npm:${version.replaceAll('.', '\\.')}":\\n(  .*\\n)+`), '')
  } else {
    const doc = parseJsonc(text, [], { allowTrailingComma: true }) as { packages: Record<string, unknown> }
    delete doc.packages[name]
    edited = JSON.stringify(doc, null, 2)
  }
  if (edited === text) throw new Error(`${file} has no entry for ${name}@${version} to delete`)
  writeFileSync(file, edited)
}

const XXHASH_OK = {
  targets: [
    { target: 'linux-x64-musl', glibc: null, packages: [{ name: '@node-rs/xxhash', version: '1.7.8', kind: 'platform packages', verdict: 'ok', findings: [] }] },
    { target: 'linux-x64-gnu', glibc: '2.28', packages: [{ name: '@node-rs/xxhash', version: '1.7.8', kind: 'platform packages', verdict: 'ok', findings: [] }] },
  ],
}

for (const manager of MANAGERS) {
  test(`${manager}: @node-rs/xxhash@1.7.8 ok on linux-x64-musl and on linux-x64-gnu at glibc 2.28`, async (t) => {
    // Each manager records every platform package with its os/cpu/libc, whatever its supportedArchitectures.
    const dir = await app(manager, { '@node-rs/xxhash': '1.7.8' })
    const { code, doc } = scanJson(dir)
    t.is(code, 0)
    t.deepEqual(doc, XXHASH_OK)
    const table = kit(['scan', dir])
    t.regex(table.stdout, /✓ {2}@node-rs\/xxhash@1\.7\.8 {2}platform packages {2}@node-rs\/xxhash-linux-x64-musl@1\.7\.8 {2}ok/)
    // supportedArchitectures limited to this machine's glibc x64 still records the musl package (it chooses what is installed, not what is locked).
    if (manager === 'bun') return
    const rc = 'supportedArchitectures:\n  os: [linux]\n  cpu: [x64]\n  libc: [glibc]\n'
    const limited = await app(manager, { '@node-rs/xxhash': '1.7.8' }, { files: { [manager === 'pnpm' ? 'pnpm-workspace.yaml' : '.yarnrc.yml']: rc } })
    t.deepEqual(scanJson(limited).doc, XXHASH_OK)
  })
}

const missingCause = (stops: string) => `the lockfile has no entry for @node-rs/xxhash-linux-x64-musl@1.7.8, an optional dependency of @node-rs/xxhash@1.7.8: ${stops}`

/** The @node-rs/xxhash app of `manager` with its musl entry deleted: the same error on both targets, with `stops` and `fix`. */
async function missingEverywhere(t: ExecutionContext, manager: Manager, stops: string, fix: string): Promise<string> {
  const dir = await app(manager, { '@node-rs/xxhash': '1.7.8' })
  deleteEntry(manager, dir, '@node-rs/xxhash-linux-x64-musl', '1.7.8')
  const { code, doc } = scanJson(dir)
  t.is(code, 1)
  const missing = { severity: 'error', cause: missingCause(stops), fix }
  t.deepEqual(doc.targets.map((x) => x.packages.map((p) => [p.verdict, p.findings])), [[['error', [missing]]], [['error', [missing]]]])
  return dir
}

test('pnpm: the musl entry deleted: pnpm install --frozen-lockfile stops on every target, and pnpm install --fix-lockfile records it again', async (t) => {
  const dir = await missingEverywhere(
    t,
    'pnpm',
    `pnpm install --frozen-lockfile stops with ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY "Broken lockfile: no entry for '@node-rs/xxhash-linux-x64-musl@1.7.8' in pnpm-lock.yaml"`,
    'pnpm install --fix-lockfile (records it in pnpm-lock.yaml; commit the lockfile)',
  )
  // The real pnpm agrees, on this machine too (not musl), with the same words.
  const frozen = tryManager('pnpm', ['install', '--frozen-lockfile', '--ignore-scripts'], dir)
  t.false(frozen.ok)
  // (pnpm puts a thin space, U+2009, after its error code.)
  t.regex(frozen.output, /ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY\s+Broken lockfile: no entry for '@node-rs\/xxhash-linux-x64-musl@1\.7\.8' in pnpm-lock\.yaml/)
  runManager('pnpm', ['install', '--fix-lockfile', '--lockfile-only'], dir)
  t.deepEqual(scanJson(dir).doc, XXHASH_OK)
})

test('yarn: the musl entry deleted: yarn install --immutable stops on every target, and yarn install records it again', async (t) => {
  const dir = await missingEverywhere(
    t,
    'yarn',
    'yarn install --immutable stops with "YN0028: The lockfile would have been modified by this install, which is explicitly forbidden."',
    'yarn install (records it in yarn.lock; commit the lockfile)',
  )
  const immutable = tryManager('yarn', ['install', '--immutable'], dir)
  t.false(immutable.ok)
  t.regex(immutable.output, /YN0028: .*The lockfile would have been modified by this install, which is explicitly forbidden\./)
  runManager('yarn', ['install', '--no-immutable', '--mode=update-lockfile'], dir)
  t.deepEqual(scanJson(dir).doc, XXHASH_OK)
})

test('bun: the musl entry deleted: bun installs without it, so musl has no binding and glibc is fine; only a new bun.lock records it again', async (t) => {
  const dir = await app('bun', { '@node-rs/xxhash': '1.7.8' })
  deleteEntry('bun', dir, '@node-rs/xxhash-linux-x64-musl', '1.7.8')
  const { code, doc } = scanJson(dir)
  t.is(code, 1)
  t.deepEqual(doc.targets.map((x) => x.packages.map((p) => [p.verdict, p.findings])), [
    [['error', [{
      severity: 'error',
      cause: missingCause('bun install --frozen-lockfile installs without it and says nothing, and the addon finds no binding at run time ("Cannot find native binding")'),
      fix: 'rm bun.lock && bun install --lockfile-only (bun adds no entry to an existing bun.lock; review the versions that change, and commit the lockfile)',
    }]]],
    [['ok', []]],
  ])
  // The real bun agrees: a musl install succeeds, without the musl package.
  runManager('bun', ['install', '--frozen-lockfile', '--ignore-scripts', '--os=linux', '--cpu=x64', '--libc=musl'], dir)
  t.true(existsSync(join(dir, 'node_modules', '@node-rs', 'xxhash', 'package.json')))
  t.false(existsSync(join(dir, 'node_modules', '@node-rs', 'xxhash-linux-x64-musl')))
  runManager('bun', ['install', '--lockfile-only'], dir)
  t.is(scanJson(dir).code, 1, 'bun install on the existing bun.lock does not record it')
  const fresh = join(dir, 'bun.lock')
  writeFileSync(fresh, '') // rm bun.lock: an empty one is no lockfile to bun
  runManager('bun', ['install', '--lockfile-only'], dir)
  t.deepEqual(scanJson(dir).doc, XXHASH_OK)
})

const PTY_COMMAND = 'node-gyp rebuild && node scripts/post-install.js'
const APK = 'which needs python3, make and g++, which a stock node:<v>-alpine image lacks ("gyp ERR! find Python")'

test('pnpm: node-pty@1.0.0 not approved gets no binary (pnpm 10 leaves its build unrun); approved, it compiles at install', async (t) => {
  const plain = await app('pnpm', { 'node-pty': '1.0.0' })
  const blocked = scanJson(plain)
  t.is(blocked.code, 1)
  const [pty] = blocked.doc.targets[0]?.packages ?? []
  t.deepEqual([pty?.name, pty?.version, pty?.kind, pty?.verdict], ['node-pty', '1.0.0', 'compiles at install', 'error'])
  t.deepEqual(pty?.findings, [
    {
      severity: 'error',
      cause: `compiles (${PTY_COMMAND}) at install, but pnpm ≥ 10 does not run node-pty's build script: it is not approved in pnpm-workspace.yaml (allowBuilds, onlyBuiltDependencies) or package.json (pnpm.onlyBuiltDependencies), so pnpm install says "Ignored build scripts: node-pty@1.0.0": it gets no binary, and loading it fails at run time`,
      fix: `pnpm approve-builds (writes allowBuilds: { node-pty: true } to pnpm-workspace.yaml; commit it); then it compiles at install, ${APK}`,
    },
  ])
  // A toolchain does not help a build that does not run.
  const tool = scanJson(plain, ['--toolchain', '--target', 'linux-x64-musl'])
  t.is(tool.code, 1)
  t.is(tool.doc.targets[0]?.packages[0]?.findings[0]?.fix, "pnpm approve-builds (writes allowBuilds: { node-pty: true } to pnpm-workspace.yaml; commit it); then it compiles with the image's toolchain")
  // The real pnpm agrees: it installs node-pty and leaves its build unrun.
  const install = runManager('pnpm', ['install', '--frozen-lockfile'], plain)
  t.true(install.includes('Ignored build scripts: node-pty@1.0.0'), install)
  t.false(existsSync(join(plain, 'node_modules', 'node-pty', 'build')))

  const approvedFinding = {
    severity: 'error',
    cause: `compiles at install (${PTY_COMMAND}): it needs python3, make and g++, which a stock node:<v>-alpine image lacks ("gyp ERR! find Python")`,
    fix: 'apk add --no-cache python3 make g++ before pnpm install --frozen-lockfile (in a build stage), or pass --toolchain when the image has them',
  }
  // What pnpm approve-builds writes, and package.json's older field.
  for (const options of [{ files: { 'pnpm-workspace.yaml': 'allowBuilds:\n  node-pty: true\n' } }, { manifest: { pnpm: { onlyBuiltDependencies: ['node-pty'] } } }]) {
    const approved = await app('pnpm', { 'node-pty': '1.0.0' }, options)
    const r = scanJson(approved, ['--target', 'linux-x64-musl'])
    t.is(r.code, 1)
    t.deepEqual(r.doc.targets[0]?.packages[0]?.findings, [approvedFinding], JSON.stringify(options))
    t.is(scanJson(approved, ['--target', 'linux-x64-musl', '--toolchain']).code, 0)
  }
})

test('yarn: node-pty@1.0.0 gets no binary by default (enableScripts false); dependenciesMeta built: true compiles it', async (t) => {
  const plain = await app('yarn', { 'node-pty': '1.0.0' })
  const blocked = scanJson(plain, ['--target', 'linux-x64-musl'])
  t.is(blocked.code, 1)
  t.deepEqual(blocked.doc.targets[0]?.packages[0]?.findings, [
    {
      severity: 'error',
      cause: `compiles (${PTY_COMMAND}) at install, but yarn does not run node-pty's build script (enableScripts is false, yarn 4's default): "YN0004: node-pty@npm:1.0.0 lists build scripts, but all build scripts have been disabled": it gets no binary, and loading it fails at run time`,
      fix: `add "dependenciesMeta": { "node-pty": { "built": true } } to package.json and run yarn install (yarn.lock records it), or set enableScripts: true in .yarnrc.yml; then it compiles at install, ${APK}`,
    },
  ])
  const install = runManager('yarn', ['install', '--no-immutable'], plain)
  t.true(install.includes('node-pty@npm:1.0.0 lists build scripts, but all build scripts have been disabled.'), install)
  const built = await app('yarn', { 'node-pty': '1.0.0' }, { manifest: { dependenciesMeta: { 'node-pty': { built: true } } } })
  t.true(readFileSync(join(built, 'yarn.lock'), 'utf8').includes('dependenciesMeta:\n    node-pty:\n      built: true'), 'yarn.lock records the approval')
  t.deepEqual(scanJson(built, ['--target', 'linux-x64-musl']).doc.targets[0]?.packages[0]?.findings.map((f) => f.fix), ['apk add --no-cache python3 make g++ before yarn install --immutable (in a build stage), or pass --toolchain when the image has them'])
})

test("bun: node-pty@1.0.0 is on bun's default trusted list and compiles; once trustedDependencies lists others, it gets no binary", async (t) => {
  const plain = await app('bun', { 'node-pty': '1.0.0' })
  t.deepEqual(scanJson(plain, ['--target', 'linux-x64-musl']).doc.targets[0]?.packages[0]?.findings.map((f) => f.fix), ['apk add --no-cache python3 make g++ before bun install --frozen-lockfile (in a build stage), or pass --toolchain when the image has them'])
  const others = await app('bun', { 'node-pty': '1.0.0' }, { manifest: { trustedDependencies: ['nan'] } })
  t.deepEqual(scanJson(others, ['--target', 'linux-x64-musl']).doc.targets[0]?.packages[0]?.findings, [
    {
      severity: 'error',
      cause: `compiles (${PTY_COMMAND}) at install, but bun does not run node-pty's install script: it is not in the lockfile's trustedDependencies ("Blocked postinstalls. Run \`bun pm untrusted\` for details."): it gets no binary, and loading it fails at run time`,
      fix: `add "node-pty" to "trustedDependencies" in package.json and run bun install (bun.lock records it; after an install, bun pm trust node-pty does both); then it compiles at install, ${APK}`,
    },
  ])
})

test("bun's default trusted list is the pinned bun's (npm run generate:bun-trusted writes it)", (t) => {
  const listed = runManager('bun', ['pm', 'default-trusted'], WORK).split('\n').flatMap((line) => (line.startsWith(' - ') ? [line.slice(3)] : []))
  t.true(listed.length > 100)
  t.deepEqual([...BUN_DEFAULT_TRUSTED], listed)
})

test('a malformed lockfile of each format: a usage error naming the file, the line and column, and the fix', (t) => {
  const cases: Array<[string, string, string]> = [
    ['pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  a: {b: 1\n  c: 2\n", 'is not valid YAML at line 4, column 3: Flow map in block collection must be sufficiently indented and end with a }. Repair it, or write it again with pnpm install --lockfile-only'],
    ['yarn.lock', '__metadata:\n  version: 8\n\n"a@npm:1":\n  version: 1\n   resolution: "x"\n', 'is not valid yarn.lock syntax at line 6, column 14: bad indentation of a mapping entry. Repair it, or write it again with yarn install --mode=update-lockfile'],
    ['bun.lock', '{\n  "lockfileVersion": 1,\n  "packages": {\n    "a": ["a@1.0.0", "", {}, "sha512-x"],,\n  },\n}\n', 'is not valid JSONC at line 4, column 42: PropertyNameExpected. Repair it, or write it again with bun install --lockfile-only'],
  ]
  for (const [name, text, message] of cases) {
    const dir = mkdtempSync(join(WORK, 'malformed-'))
    writeFileSync(join(dir, name), text)
    const r = kit(['scan', dir])
    t.is(r.code, 2, name)
    t.is(r.stderr.split('\n')[0], `✗ napi-kit scan: ${join(dir, name)} ${message}`)
    t.regex(r.stderr.split('\n')[1] ?? '', /^usage: napi-kit scan /)
  }
  // Lockfiles scan cannot read say what to do instead.
  const classic = mkdtempSync(join(WORK, 'yarn1-'))
  writeFileSync(join(classic, 'yarn.lock'), '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\na@^1.0.0:\n  version "1.0.0"\n')
  t.regex(kit(['scan', classic]).stderr, /yarn\.lock is a yarn 1 lockfile, which records no os, cpu or libc: scan reads yarn ≥ 2's yarn\.lock/)
  const old = mkdtempSync(join(WORK, 'pnpm6-'))
  writeFileSync(join(old, 'pnpm-lock.yaml'), "lockfileVersion: '6.0'\n")
  t.regex(kit(['scan', old]).stderr, /is not a pnpm-lock\.yaml of lockfileVersion 9\.0 \(lockfileVersion "6\.0"\): write it again with pnpm ≥ 9/)
})

test("yarn's conditions line: lists, exclusions, and every field", (t) => {
  t.deepEqual(parseConditions('os=linux & cpu=x64 & libc=musl'), { os: ['linux'], cpu: ['x64'], libc: ['musl'] })
  t.deepEqual(parseConditions('(os=darwin | os=linux) & !cpu=ia32'), { os: ['darwin', 'linux'], cpu: ['!ia32'] })
})

test('--verify and --offline on pnpm, yarn and bun lockfiles: the real musl loader agrees; offline, yarn says what it lacks', async (t) => {
  for (const manager of MANAGERS) {
    const dir = await app(manager, { '@node-rs/xxhash': '1.7.8' })
    const r = scanJson(dir, ['--verify', '--target', 'linux-x64-musl'])
    t.is(r.code, 0, `${manager}: ${r.stderr}`)
    t.regex(r.doc.targets[0]?.packages[0]?.findings.at(-1)?.cause ?? '', /^--verify: linux-x64-musl Node\.js v\S+ loads @node-rs\/xxhash-linux-x64-musl@1\.7\.8:xxhash\.linux-x64-musl\.node \(RTLD_NOW\), as the audit says$/, manager)
    // Warm now: offline reads the same from the cache.
    t.deepEqual(scanJson(dir, ['--offline']).doc, XXHASH_OK, manager)
  }
  // yarn.lock pins no tarball hash: with nothing cached, offline names the registry metadata it lacks.
  const dir = await app('yarn', { '@node-rs/xxhash': '1.7.8' })
  const cache = mkdtempSync(join(WORK, 'empty-cache-'))
  const empty = scanJson(dir, ['--offline', '--target', 'linux-x64-musl'], { ...process.env, NAPI_KIT_CACHE_DIR: cache })
  t.is(empty.code, 1)
  t.deepEqual(empty.doc.targets[0]?.packages[0]?.findings, [
    {
      severity: 'error',
      cause: "@node-rs/xxhash-linux-x64-musl@1.7.8: not checked: yarn.lock records no tarball integrity for @node-rs/xxhash-linux-x64-musl@1.7.8, and the registry's metadata of @node-rs/xxhash-linux-x64-musl is not in the cache (--offline fetches nothing), nor installed in node_modules",
      fix: 'run scan once without --offline',
    },
  ])
})

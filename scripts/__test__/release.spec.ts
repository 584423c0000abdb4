// The release checks on temporary copies of the addon and npm/ packages, with tiny binaries that
// pass or fail the audit: each broken release is refused with the package and the fix named,
// using the real `npm pack` output. Nothing here talks to a registry.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'
import { type Check, optionalDependenciesCheck, planRelease, platformPackages, type ReleasePlan } from '@napi-kit/cli'
import { $ } from 'zx'

import { ADDON_DIR, NPM_DIR, ROOT } from '../lib/paths.js'
import { readAddonManifest } from '../lib/targets.js'

import { buildFixture } from './helpers/fixtures.js'

const manifest = readAddonManifest()
const targets = platformPackages(manifest)
const target = (dir: string) => {
  const found = targets.find((t) => t.dir === dir)
  if (!found) throw new Error(`no ${dir} in napi.targets`)
  return found
}
const gnu = target('linux-x64-gnu')
const musl = target('linux-x64-musl')
const V = manifest.version

interface Fixture {
  addonDir: string
  npmDir: string
  stageDir: string
}

const roots: string[] = []
test.after.always(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

// Built once per file: tests run concurrently and must not rebuild a binary another is copying.
const binaries = Promise.all([buildFixture('release-glibc', 'plain'), buildFixture('release-musl', 'plain', { zigTarget: 'x86_64-linux-musl' })])

/** A copy of the addon package and npm/, with good glibc and musl binaries in their packages. */
async function fixture(): Promise<Fixture> {
  const root = mkdtempSync(join(tmpdir(), 'hashkit-release-spec-'))
  roots.push(root)
  const addonDir = join(root, 'packages', 'hashkit')
  mkdirSync(addonDir, { recursive: true })
  for (const file of ['package.json', 'index.js', 'index.d.ts', 'README.md']) copyFileSync(join(ADDON_DIR, file), join(addonDir, file))
  const npmDir = join(root, 'npm')
  cpSync(NPM_DIR, npmDir, { recursive: true, filter: (p) => !p.endsWith('.node') })
  const [glibcBinary, muslBinary] = await binaries
  copyFileSync(glibcBinary, join(npmDir, gnu.dir, gnu.binary))
  copyFileSync(muslBinary, join(npmDir, musl.dir, musl.binary))
  const stageDir = join(root, 'stage')
  mkdirSync(stageDir)
  return { addonDir, npmDir, stageDir }
}

const plan = (f: Fixture, onlyPresent = true) => planRelease({ ...f, onlyPresent })
const failures = (p: ReleasePlan): Check[] => p.checks.filter((c) => !c.ok)
const editJson = (file: string, edit: (json: Record<string, unknown>) => void) => {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  edit(json)
  writeFileSync(file, JSON.stringify(json, null, 2))
}

test('a partial release of good binaries passes, with optionalDependencies pinned to the released targets', async (t) => {
  const f = await fixture()
  const p = await plan(f)
  t.deepEqual(failures(p), [])
  t.true(p.ok)
  t.deepEqual(p.platforms.map((s) => s.name), [gnu.name, musl.name])
  t.is(p.skipped.length, targets.length - 2)
  const packed = JSON.parse(readFileSync(join(p.main.dir, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }
  t.deepEqual(packed.optionalDependencies, { [gnu.name]: V, [musl.name]: V })
  // npm pack lists files in its own order, which depends on how the binary's name sorts.
  t.deepEqual(p.platforms[0]?.files.toSorted(), ['README.md', gnu.binary, 'package.json'].toSorted())
  t.deepEqual(p.main.files.filter((file) => file.endsWith('.node')), [])
})

test('a normal release needs every target: each missing binary is named with the fix', async (t) => {
  const f = await fixture()
  const p = await plan(f, false)
  t.false(p.ok)
  const missing = failures(p).filter((c) => c.check === 'binary')
  t.deepEqual(missing.map((c) => c.pkg), targets.filter((x) => x !== gnu && x !== musl).map((x) => x.name))
  const darwin = target('darwin-arm64')
  t.deepEqual(missing.find((c) => c.pkg === darwin.name), {
    pkg: darwin.name,
    check: 'binary',
    ok: false,
    detail: `no ${darwin.binary} in ${join(f.npmDir, darwin.dir)}/ or ${f.addonDir}/`,
    fix: `download the build artifacts into artifacts/ (the release moves them into ${join(f.npmDir, darwin.dir)}/ with napi artifacts), or build it: napi build --release --target aarch64-apple-darwin; or release only the targets present with --only-present`,
  })
})

test('no binary at all is refused, even with --only-present', async (t) => {
  const f = await fixture()
  for (const x of [gnu, musl]) rmSync(join(f.npmDir, x.dir, x.binary))
  const p = await plan(f)
  t.deepEqual(
    failures(p).map((c) => `${c.pkg}: ${c.check}: ${c.detail}`),
    [`${manifest.name}: binaries: no binary for any of the ${targets.length} targets in ${f.npmDir}/<target>/ or ${f.addonDir}/`],
  )
})

test('a glibc binary in the musl package fails the audit, with the fix', async (t) => {
  const f = await fixture()
  copyFileSync(join(f.npmDir, gnu.dir, gnu.binary), join(f.npmDir, musl.dir, musl.binary))
  const p = await plan(f)
  const [failure, ...rest] = failures(p)
  t.deepEqual(rest, [])
  t.is(failure?.pkg, musl.name)
  t.is(failure?.check, 'audit')
  t.regex(failure?.detail ?? '', /^links glibc, but the package is for musl: it will not load there/)
  t.regex(failure?.fix ?? '', new RegExp(`then rebuild it for x86_64-unknown-linux-musl \\(napi-kit audit .*${musl.binary.replace(/\./g, '\\.')} shows the details\\)$`))
})

test('a truncated or garbage .node fails the audit', async (t) => {
  const f = await fixture()
  const good = readFileSync(join(f.npmDir, gnu.dir, gnu.binary))
  writeFileSync(join(f.npmDir, gnu.dir, gnu.binary), good.subarray(0, 200))
  writeFileSync(join(f.npmDir, musl.dir, musl.binary), 'not a binary\n')
  const p = await plan(f)
  t.deepEqual(failures(p).map((c) => `${c.pkg}: ${c.check}`), [`${gnu.name}: audit`, `${musl.name}: audit`])
  for (const c of failures(p)) t.truthy(c.fix)
})

test('a version mismatch between packages is refused with the fix', async (t) => {
  const f = await fixture()
  editJson(join(f.npmDir, musl.dir, 'package.json'), (json) => {
    json.version = '9.9.9'
  })
  const p = await plan(f)
  t.deepEqual(failures(p), [
    {
      pkg: musl.name,
      check: 'version',
      ok: false,
      detail: `version is 9.9.9, the release is ${V}`,
      fix: `set the release's version in ${join(f.addonDir, 'package.json')} (changeset version, or npm version), then write it into every platform package: napi version --package-json-path ${join(f.addonDir, 'package.json')} --npm-dir ${f.npmDir}`,
    },
  ])
})

test('a files list that leaves the binary out is caught from the real npm pack output', async (t) => {
  const f = await fixture()
  // npm packs the file "main" names whatever "files" says: a stale name in both drops the binary.
  editJson(join(f.npmDir, gnu.dir, 'package.json'), (json) => {
    json.main = `old-${gnu.binary}`
    json.files = [`old-${gnu.binary}`]
  })
  const p = await plan(f)
  t.deepEqual(failures(p), [
    {
      pkg: gnu.name,
      check: 'npm pack',
      ok: false,
      detail: `the tarball would leave out ${gnu.binary} (it holds README.md, package.json)`,
      fix: `add "${gnu.binary}" to "files" in ${join(f.npmDir, gnu.dir, 'package.json')}, or regenerate it: napi create-npm-dirs --package-json-path ${join(f.addonDir, 'package.json')} --npm-dir ${f.npmDir}`,
    },
  ])
})

test('mislabelled platform packages are refused', async (t) => {
  const f = await fixture()
  editJson(join(f.npmDir, musl.dir, 'package.json'), (json) => {
    json.libc = ['glibc']
  })
  const p = await plan(f)
  const checks = failures(p).map((c) => `${c.pkg}: ${c.check}: ${c.fix}`)
  t.true(
    checks.includes(`${musl.name}: name, os, cpu, libc: regenerate the platform packages from napi.targets: napi create-npm-dirs --package-json-path ${join(f.addonDir, 'package.json')} --npm-dir ${f.npmDir}`),
    checks.join('\n'),
  )
})

test('optionalDependencies must be exactly the released packages at exactly the version', (t) => {
  t.true(optionalDependenciesCheck('a', { [gnu.name]: V }, [gnu], V).ok)
  const c = optionalDependenciesCheck('a', { [gnu.name]: `^${V}`, [musl.name]: V }, [gnu], V)
  t.false(c.ok)
  t.is(c.detail, `${gnu.name} is ^${V}, not ${V}; ${musl.name} is listed but not released`)
})

const versionOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version

test('one changeset versions the addon and every platform package together (npm run version-packages)', async (t) => {
  // A copy of what changesets and napi version read: the workspace root, .changeset/config.json, the addon
  // package and npm/, with the repository's node_modules.
  const root = mkdtempSync(join(tmpdir(), 'hashkit-version-spec-'))
  roots.push(root)
  copyFileSync(join(ROOT, 'package.json'), join(root, 'package.json'))
  // Only the configuration: pending changesets for other packages (the kit) have no package here.
  mkdirSync(join(root, '.changeset'))
  copyFileSync(join(ROOT, '.changeset', 'config.json'), join(root, '.changeset', 'config.json'))
  cpSync(NPM_DIR, join(root, 'npm'), { recursive: true, filter: (p) => !p.endsWith('.node') })
  mkdirSync(join(root, 'packages', 'hashkit'), { recursive: true })
  for (const file of ['package.json', 'README.md']) copyFileSync(join(ADDON_DIR, file), join(root, 'packages', 'hashkit', file))
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
  writeFileSync(join(root, '.changeset', 'new-hash.md'), `---\n"${manifest.name}": minor\n---\n\nAdd a new hash.\n`)

  const result = await $({ cwd: root, nothrow: true, quiet: true })`npm run version-packages`
  t.is(result.exitCode, 0, result.stderr)
  const next = `${Number(V.split('.')[0])}.${Number(V.split('.')[1]) + 1}.0`
  t.is(versionOf(join(root, 'packages', 'hashkit')), next)
  t.deepEqual(
    targets.map((p) => [p.dir, versionOf(join(root, 'npm', p.dir))]),
    targets.map((p) => [p.dir, next]),
  )
  t.regex(readFileSync(join(root, 'packages', 'hashkit', 'CHANGELOG.md'), 'utf8'), new RegExp(`## ${next.replace(/\./g, '\\.')}[\\s\\S]*Add a new hash\\.`))
  t.false(readdirSync(join(root, '.changeset')).includes('new-hash.md'), 'the changeset was consumed')
})

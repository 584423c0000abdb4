// README is the contract: its folder map must match the tree, and its Quick start must be the
// two commands this repository promises.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { ROOT } from '../lib/paths.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}\n`)
  const end = readme.indexOf('\n## ', start + 1)
  return start < 0 ? '' : readme.slice(start, end < 0 ? undefined : end)
}
// First-column paths of the folder map table: "| `crates/core/` | …".
const mapped = [...section('Folder map').matchAll(/^\| ([^|]+) \|/gm)]
  .flatMap((m) => [...(m[1] ?? '').matchAll(/`([^`]+)`/g)].map((p) => (p[1] ?? '').replace(/\/$/, '')))
// Not part of the repository: created by installing, building and testing.
const untracked = new Set(['node_modules', 'target', '.git', '.turbo', '.cache', '.gitignore'])

test('every path in the folder map exists', (t) => {
  t.true(mapped.length > 10, 'the folder map table was not found')
  for (const path of mapped) t.true(existsSync(join(ROOT, path)), `README lists ${path}, which does not exist`)
})

test('every top-level entry, crate and package is in the folder map', (t) => {
  const present = [
    ...readdirSync(ROOT).filter((name) => !untracked.has(name) && name !== 'README.md'),
    ...readdirSync(join(ROOT, 'crates')).map((name) => `crates/${name}`),
    ...readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}`),
  ]
  for (const name of present) {
    const listed = mapped.some((path) => path === name || path.startsWith(`${name}/`))
    t.true(listed, `${name} exists but the README folder map does not mention it`)
  }
})

test('Quick start is exactly the two promised commands', (t) => {
  const block = /```sh\n([\s\S]*?)```/.exec(section('Quick start'))?.[1]
  t.is(block, 'npm install && npm run build\nnpm test\n')
})

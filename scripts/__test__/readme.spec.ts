// README is the contract: its folder map must match the tree, and its Quick start must be the
// two commands this repository promises.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

// >>> template only
import { CURRENT } from '../lib/identity.js'
// <<< template only
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

// >>> template only: npm run init removes this test with the section it checks
test('README starts with "Use this template": degit, init, then Quick start', (t) => {
  t.true(readme.split('\n')[2] === '## Use this template', 'README must open with the "Use this template" section')
  const block = /```sh\n([\s\S]*?)```/.exec(section('Use this template'))?.[1] ?? ''
  const lines = block.split('\n')
  t.regex(lines[0] ?? '', new RegExp(`^npx degit ${CURRENT.repo} my-addon && cd my-addon$`))
  t.regex(lines[1] ?? '', /^npm install && npm run init -- --name @[a-z-]+\/[a-z-]+$/)
  t.is(lines.slice(2).join('\n'), 'npm install && npm run build\nnpm test\n')
})
// <<< template only

test('docs/MIGRATING.md has a troubleshooting row for each error users report', (t) => {
  const guide = readFileSync(join(ROOT, 'docs', 'MIGRATING.md'), 'utf8')
  const table = guide.slice(guide.indexOf('## Troubleshooting'))
  const rows = table.split('\n').filter((line) => line.startsWith('| '))
  for (const message of [
    'initial-exec TLS resolves to dynamic definition',
    'Error loading shared library ld-linux-x86-64.so.2',
    'GLIBC_2.xx not found',
    'Cannot find native binding',
    'cannot allocate memory in static TLS block',
    'does not support these crate types',
  ]) {
    const row = rows.find((line) => line.split(' | ')[0]?.includes(message))
    t.truthy(row, `no troubleshooting row starts with "${message}"`)
    t.is(row?.split(' | ').length, 4, `the row for "${message}" needs error, cause, fix and what finds it`)
  }
})

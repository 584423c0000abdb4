// README promises a Node.js version for working on this repository (Prerequisites), and
// package.json's engines says the same. Every package in package-lock.json must accept that
// version, or `npm install` warns EBADENGINE on it and the package may not run there; the
// overrides in package.json pin the versions that do (docs/DEVELOPING.md says why).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'
import semver from 'semver'

import { ROOT } from '../lib/paths.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const promised = /^- Node\.js ≥ (\d+\.\d+) with npm/m.exec(readme)?.[1]
const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>
}

test("README's Node.js promise and package.json's engines agree", (t) => {
  t.truthy(promised, 'README\'s Prerequisites has no line "- Node.js ≥ <major.minor> with npm …"')
  t.is(rootManifest.engines?.node, `>=${promised}`)
})

test("every package in package-lock.json accepts README's minimum Node.js", (t) => {
  const minimum = `${promised}.0`
  const excluding = Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
      if (range === undefined || semver.satisfies(minimum, range)) return []
      return [`${path.replace(/^.*node_modules\//, '')}@${entry.version} needs Node.js ${range}`]
    })
  t.true(Object.keys(lock.packages).length > 100, 'package-lock.json lists too few packages to be the real one')
  t.deepEqual(excluding, [], `these exclude Node.js ${minimum}: pin a version that supports it (overrides in package.json) or raise README's promise`)
})

// Every list of platforms in the repository must agree with `napi.targets`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parseTriple } from '@napi-rs/cli'
import test from 'ava'

import { ADDON_DIR, NPM_DIR } from '../lib/paths.js'
import {
  parseTarget,
  platformPackageDir,
  platformPackages,
  readAddonManifest,
  releaseOptionalDependencies,
} from '../lib/targets.js'

const manifest = readAddonManifest()
const expected = platformPackages(manifest)

test('napi.targets lists the eight supported targets, each once', (t) => {
  t.deepEqual([...manifest.napi.targets].toSorted(), [
    'aarch64-apple-darwin',
    'aarch64-pc-windows-msvc',
    'aarch64-unknown-linux-gnu',
    'aarch64-unknown-linux-musl',
    'x86_64-apple-darwin',
    'x86_64-pc-windows-msvc',
    'x86_64-unknown-linux-gnu',
    'x86_64-unknown-linux-musl',
  ])
})

test('npm/ holds exactly one package per target', (t) => {
  const dirs = readdirSync(NPM_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .toSorted()
  t.deepEqual(dirs, expected.map((p) => p.dir).toSorted())
})

for (const pkg of expected) {
  test(`npm/${pkg.dir} is labelled for ${pkg.triple}`, (t) => {
    const file = join(platformPackageDir(pkg), 'package.json')
    t.true(existsSync(file), `${file} is missing: run npm run generate:npm`)
    const json = JSON.parse(readFileSync(file, 'utf8'))
    t.is(json.name, pkg.name)
    t.is(json.version, manifest.version, 'platform packages are versioned with the addon')
    t.deepEqual(json.os, pkg.os)
    t.deepEqual(json.cpu, pkg.cpu)
    t.deepEqual(json.libc, pkg.libc, 'Linux packages need libc so npm installs only the matching one')
    t.is(json.main, pkg.binary)
    t.deepEqual(json.files, [pkg.binary], 'a platform package ships its .node file and nothing else')
    t.is(json.license, manifest.license)
    t.is(json.scripts, undefined, 'platform packages run no install scripts')
  })
}

test('the generated loader knows every platform package and binary', (t) => {
  const loader = readFileSync(join(ADDON_DIR, 'index.js'), 'utf8')
  for (const pkg of expected) {
    t.true(loader.includes(`require('${pkg.name}')`), `index.js does not load ${pkg.name}`)
    t.true(loader.includes(`require('./${pkg.binary}')`), `index.js does not look for ./${pkg.binary}`)
  }
})

test('the optionalDependencies a release writes name every platform package at the same version', (t) => {
  const deps = releaseOptionalDependencies(expected, '1.2.3')
  t.deepEqual(Object.keys(deps).toSorted(), expected.map((p) => p.name).toSorted())
  t.true(Object.values(deps).every((v) => v === '1.2.3'))
  // Between releases the addon carries none, or exactly the set for its own version.
  if (manifest.optionalDependencies) {
    t.deepEqual(manifest.optionalDependencies, releaseOptionalDependencies(expected, manifest.version))
  }
})

test("parseTarget names every target as @napi-rs/cli's parseTriple does", (t) => {
  for (const triple of [...manifest.napi.targets, 'aarch64-apple-darwin', 'i686-pc-windows-msvc', 'aarch64-linux-android', 'x86_64-unknown-freebsd']) {
    const napi = parseTriple(triple)
    t.deepEqual(parseTarget(triple), { platform: napi.platform, arch: napi.arch, abi: napi.abi, platformArchABI: napi.platformArchABI }, triple)
  }
  t.throws(() => parseTarget('mips-unknown-plan9'), { message: /^target mips-unknown-plan9 is not one napi-kit knows: its CPU must be one of x86_64, aarch64, i686, armv7, riscv64gc and its OS one of linux, darwin, windows, freebsd, android/ })
})

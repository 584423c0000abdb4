// Every list of platforms in the repository must agree with `napi.targets`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'

import { parseTriple } from '@napi-rs/cli'
import test from 'ava'

import { ADDON_DIR, NPM_DIR, ROOT } from '../lib/paths.js'
import { ignoredBy } from './helpers/gitignore.js'
import {
  addonFiles,
  builtFiles,
  isWasiTarget,
  parseTarget,
  platformPackageDir,
  platformPackages,
  readAddonManifest,
  releaseOptionalDependencies,
} from '../lib/targets.js'

const manifest = readAddonManifest()
const expected = platformPackages(manifest)

test('napi.targets lists the nine supported targets, each once', (t) => {
  t.deepEqual([...manifest.napi.targets].toSorted(), [
    'aarch64-apple-darwin',
    'aarch64-pc-windows-msvc',
    'aarch64-unknown-linux-gnu',
    'aarch64-unknown-linux-musl',
    'wasm32-wasip1-threads',
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
    t.is(json.main, pkg.main)
    t.deepEqual(json.files, pkg.files, 'a platform package ships its binary (and, for WebAssembly, its loaders) and nothing else')
    t.is(json.license, manifest.license)
    t.is(json.scripts, undefined, 'platform packages run no install scripts')
  })
}

test('the WebAssembly package depends on the emnapi runtime the build linked, at the same version', (t) => {
  const wasi = expected.filter((p) => p.os === undefined)
  t.true(wasi.length > 0, 'napi.targets has no WebAssembly target')
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  // napi build refuses ("emnapi version mismatch") unless emnapi and its runtime are one version.
  const emnapi = root.devDependencies.emnapi
  t.regex(emnapi ?? '', /^\d+\.\d+\.\d+$/, 'emnapi must be pinned to an exact version in the root package.json')
  t.is(root.devDependencies['@emnapi/core'], emnapi)
  t.is(root.devDependencies['@emnapi/runtime'], emnapi)
  for (const pkg of wasi) {
    const json = JSON.parse(readFileSync(join(platformPackageDir(pkg), 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
    t.deepEqual(Object.keys(json.dependencies ?? {}).toSorted(), ['@emnapi/core', '@emnapi/runtime', '@napi-rs/wasm-runtime'], pkg.dir)
    t.is(json.dependencies?.['@emnapi/core'], emnapi, `${pkg.dir}: run npm run generate:npm after changing emnapi`)
    t.is(json.dependencies?.['@emnapi/runtime'], emnapi, `${pkg.dir}: run npm run generate:npm after changing emnapi`)
  }
})

test("every target's build output next to the loader is gitignored; the package's own files are not", (t) => {
  const gitignore = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  const addon = relative(ROOT, ADDON_DIR).split('\\').join('/')
  const built = builtFiles(manifest).map((file) => `${addon}/${file}`)
  // Every platform package's files, the WebAssembly loaders among them.
  t.true(built.length > manifest.napi.targets.length, 'the WebAssembly target adds its loaders')
  t.deepEqual(ignoredBy(gitignore, built), built, 'commit none of the build output: add a pattern to .gitignore')
  const own = addonFiles(manifest).map((file) => `${addon}/${file}`)
  t.deepEqual(ignoredBy(gitignore, own), [], '.gitignore hides a file the package ships')
  // Negative control: without its WebAssembly lines, the loaders would be committed.
  const withoutWasm = gitignore.replace(/^packages\/\*\/\*\.wasi\.cjs\n/m, '')
  t.not(withoutWasm, gitignore)
  t.false(ignoredBy(withoutWasm, built).includes(`${addon}/${platformPackages(manifest).find((p) => p.os === undefined)?.main}`))
})

test('the generated loader knows every platform package and binary', (t) => {
  const loader = readFileSync(join(ADDON_DIR, 'index.js'), 'utf8')
  for (const pkg of expected) {
    t.true(loader.includes(`require('${pkg.name}')`), `index.js does not load ${pkg.name}`)
    t.true(loader.includes(`require('./${pkg.main}')`), `index.js does not look for ./${pkg.main}`)
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
  for (const triple of ['wasm32-wasip1', 'wasm32-wasi', 'wasm32-wasi-preview1-threads']) {
    const napi = parseTriple(triple)
    t.deepEqual(parseTarget(triple), { platform: napi.platform, arch: napi.arch, abi: napi.abi, platformArchABI: napi.platformArchABI }, triple)
  }
  t.throws(() => parseTarget('mips-unknown-plan9'), { message: /^target mips-unknown-plan9 is not one napi-kit knows: its CPU must be one of x86_64, aarch64, i686, armv7, riscv64gc and its OS one of linux, darwin, windows, freebsd, android/ })
})

test("the package's load error names every target as @napi-rs/cli's parseTriple does", (t) => {
  // load-error.js runs where the package is installed, without @napi-rs/cli: its own copy of
  // the naming must agree.
  const { parseTarget: runtimeParse } = createRequire(join(ADDON_DIR, 'package.json'))('./load-error.js') as {
    parseTarget: (triple: string) => { platform: string; arch: string; abi: string | null; name: string } | undefined
  }
  // A WebAssembly target is no platform: the loader falls back to it wherever no binary loads.
  const triples = [...manifest.napi.targets.filter((triple) => !isWasiTarget(triple)), 'i686-pc-windows-msvc', 'aarch64-linux-android', 'armv7-linux-androideabi', 'armv7-unknown-linux-gnueabihf', 'x86_64-unknown-freebsd', 'riscv64gc-unknown-linux-gnu', 'powerpc64le-unknown-linux-gnu']
  for (const triple of triples) {
    const napi = parseTriple(triple)
    const ours = runtimeParse(triple)
    t.deepEqual(ours && { platform: ours.platform, arch: ours.arch, abi: ours.abi, name: ours.name }, { platform: napi.platform, arch: napi.arch, abi: napi.abi, name: napi.platformArchABI }, triple)
  }
  for (const triple of ['wasm32-wasip1-threads', 'wasm32-wasip1', 'wasm32-wasi']) t.is(runtimeParse(triple), undefined, triple)
})

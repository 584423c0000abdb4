// `npm run build` and the `napi build` it runs refuse, before turbo or cargo start, what cannot be
// built here, and a dry run refuses it the same way; check:build-info names a wrong --target; a
// failed compile ends with the compiler's first error and the command to run next.
import { createHash } from 'node:crypto'
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'

import test from 'ava'
import { parse } from 'smol-toml'

import { ADDON_DIR, ROOT } from '../lib/paths.js'
import { rustHost } from '../lib/rust.js'
import { addonFiles, parseTarget, readAddonManifest } from '../lib/targets.js'

import { runScript } from './helpers/script.js'

const manifest = readAddonManifest()
const BUILD_USAGE = 'npm run build -- [--release] [--target <triple>] [--dry-run]'
const unknown = (triple: string) =>
  `✗ --target ${triple} is not in napi.targets of ${relative(ROOT, join(ADDON_DIR, 'package.json'))}: use one of ${manifest.napi.targets.join(', ')}` +
  ' (or add it there first, then run npm run generate:npm)\n'

for (const name of ['build/build', 'build/napi-build']) {
  test(`${name}: a --target outside napi.targets is a usage error naming it and the valid ones`, async (t) => {
    for (const args of [['--target', 'bogus'], ['--dry-run', '--target', 'bogus']]) {
      const result = await runScript(name, args)
      t.is(result.stderr, `${unknown('bogus')}  usage: ${BUILD_USAGE}\n`)
      t.is(result.code, 2)
    }
  })
}

/** The refusal for a target only its own OS builds, by OS. */
const FOREIGN: Record<string, string> = {
  darwin: "macOS's own toolchain (Xcode's clang): build it on a macOS machine (the CI workflow's macOS runners do)",
  win32: "Windows's own toolchain (MSVC): build it on a Windows machine (the CI workflow's Windows runners do)",
}

test('a target only its own OS builds is refused the same way with and without --dry-run, by build and napi-build', async (t) => {
  const hostOs = parseTarget(await rustHost()).platform
  const foreign = manifest.napi.targets.filter((triple) => !['linux', 'wasi', hostOs].includes(parseTarget(triple).platform))
  t.true(foreign.length > 0, `napi.targets has no target of another OS than ${hostOs}, Linux and WebAssembly`)
  for (const triple of foreign) {
    const expected = `✗ ${triple} is built with ${FOREIGN[parseTarget(triple).platform]}; only Linux targets (with zig) and WebAssembly cross-build here\n`
    for (const name of ['build/build', 'build/napi-build']) {
      for (const args of [['--dry-run', '--release', '--target', triple], ['--release', '--target', triple]]) {
        const result = await runScript(name, args)
        t.is(result.stderr, expected, `${name} ${args.join(' ')}`)
        t.is(result.stdout, '', `${name} ${args.join(' ')} printed more than the refusal`)
        t.is(result.code, 1)
      }
    }
  }
})

test('check:build-info: a wrong or missing --target is a usage error naming the problem', async (t) => {
  const usage = '  usage: npm run check:build-info -- --target <triple>\n'
  const bogus = await runScript('build/check-build-info', ['--target', 'bogus'])
  t.is(bogus.stderr, `${unknown('bogus')}${usage}`)
  t.is(bogus.code, 2)
  const missing = await runScript('build/check-build-info', [])
  t.is(missing.stderr, `✗ --target is required: the triple the binary was built for, one of ${manifest.napi.targets.join(', ')}\n${usage}`)
  t.is(missing.code, 2)
})

test('a compile error ends npm run build with the compiler error, its place and the next command', async (t) => {
  // A copy of what the build reads, with a type error added to the core crate. It shares this
  // checkout's target folder, so only the workspace's own crates compile; its path is the same on
  // every run, so cargo reuses its entries there instead of adding new ones.
  const copy = join(tmpdir(), `build-error-spec-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`)
  rmSync(copy, { recursive: true, force: true })
  t.teardown(() => rmSync(copy, { recursive: true, force: true }))
  for (const entry of ['package.json', 'package-lock.json', 'turbo.json', 'Cargo.toml', 'Cargo.lock', '.cargo', 'crates', 'scripts']) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true })
  }
  const addon = join(copy, 'packages', basename(ADDON_DIR))
  mkdirSync(addon, { recursive: true })
  for (const file of addonFiles(manifest)) copyFileSync(join(ADDON_DIR, file), join(addon, file))
  // The scripts import @napi-kit/cli through node_modules (the repository's, linked below); the
  // copy has no packages/kit, so its build has no kit package to build.
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'))
  const source = join(copy, 'crates', 'core', 'src', 'lib.rs')
  writeFileSync(source, `${readFileSync(source, 'utf8')}\npub fn broken_on_purpose() -> u32 {\n    "not a number"\n}\n`)
  const line = readFileSync(source, 'utf8').split('\n').indexOf('    "not a number"') + 1
  const crate = (parse(readFileSync(join(copy, 'crates', 'core', 'Cargo.toml'), 'utf8')) as { package: { name: string } }).package.name

  const result = await runScript('build/build', [], {
    root: copy,
    env: { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target') },
  })
  t.is(result.code, 1)
  const tail = result.stderr.slice(result.stderr.lastIndexOf('✗ ')).split('\n')
  t.is(tail[0], "✗ npm run build failed: the Rust compiler's first error:")
  t.is(tail[1], 'error[E0308]: mismatched types')
  t.regex(tail[2] ?? '', new RegExp(`^ +--> crates/core/src/lib\\.rs:${line}:5$`))
  t.true(tail.some((l) => l.endsWith('|     "not a number"')), tail.join('\n'))
  t.deepEqual(tail.slice(-3), [
    `error: could not compile \`${crate}\` (lib) due to 1 previous error`,
    `  fix: correct crates/core/src/lib.rs:${line}:5, then run npm run build again`,
    '',
  ])
})

// The exact `napi build` command line per kind of target. Linux targets are read from
// `--dry-run` (which installs and builds nothing): only they cross-link with zig, here. macOS and
// Windows targets are refused on other machines, dry run or not (build.spec.ts), so their
// command lines are read from scripts/lib/build-target.ts for a host of their own OS, the way the
// workflow's macOS and Windows runners build them: with --target and that OS's own toolchain.
import { execFileSync } from 'node:child_process'
import { basename, join } from 'node:path'

import test from 'ava'

import { napiBuild } from '../lib/build-target.js'
import { ROOT, SCRIPT_NODE_ARGS } from '../lib/paths.js'
import { isWasiTarget, platformPackages, readAddonManifest } from '../lib/targets.js'

const manifest = readAddonManifest()
const dryRun = (...args: string[]) =>
  execFileSync(process.execPath, [...SCRIPT_NODE_ARGS, join(ROOT, 'scripts', 'build', 'napi-build.ts'), '--dry-run', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  })
const command = (output: string) => /^would run: napi (.*)$/m.exec(output)?.[1]?.split(' ') ?? []

/** A runner of the target's OS with the other CPU, as when one macOS runner builds both. */
const OTHER_CPU_HOST: Record<string, string> = {
  'x86_64-apple-darwin': 'aarch64-apple-darwin',
  'aarch64-apple-darwin': 'x86_64-apple-darwin',
  'x86_64-pc-windows-msvc': 'aarch64-pc-windows-msvc',
  'aarch64-pc-windows-msvc': 'x86_64-pc-windows-msvc',
}

for (const [triple, host] of Object.entries(OTHER_CPU_HOST)) {
  test(`a release build of ${triple} on ${host} uses --target, that OS's toolchain and no zig`, (t) => {
    const build = napiBuild(manifest, triple, host, true)
    t.is(build.args[build.args.indexOf('--target') + 1], triple)
    t.true(build.args.includes('--release'))
    t.false(build.args.includes('--cross-compile'), build.args.join(' '))
    t.false(build.cross)
    t.true(build.needsRustTarget, 'the Rust target must be added with rustup')
  })
}

test('a release build of a Linux glibc target links with zig against glibc 2.17', (t) => {
  const args = command(dryRun('--release', '--target', 'aarch64-unknown-linux-gnu'))
  t.is(args[args.indexOf('--target') + 1], 'aarch64-unknown-linux-gnu.2.17')
  t.true(args.includes('--cross-compile'))
})

test('a release build of a Linux musl target links with zig', (t) => {
  const output = dryRun('--release', '--target', 'aarch64-unknown-linux-musl')
  const args = command(output)
  t.is(args[args.indexOf('--target') + 1], 'aarch64-unknown-linux-musl')
  t.true(args.includes('--cross-compile'))
  t.regex(output, /RUSTFLAGS="-C target-feature=-crt-static"/)
})

test('Windows builds carry the static C runtime flag from .cargo/config.toml', (t) => {
  t.regex(napiBuild(manifest, 'aarch64-pc-windows-msvc', 'x86_64-pc-windows-msvc', true).rustflags, /-C target-feature=\+crt-static/)
})

test('a build of the WebAssembly target needs its Rust target and emnapi, not zig, and writes the .wasm', (t) => {
  for (const triple of manifest.napi.targets.filter(isWasiTarget)) {
    const output = dryRun('--release', '--target', triple)
    const args = command(output)
    t.is(args[args.indexOf('--target') + 1], triple)
    t.false(args.includes('--cross-compile'), args.join(' '))
    t.regex(output, new RegExp(`linked with emnapi \\(a devDependency\\), after rustup target add ${triple}$`, 'm'))
    const build = napiBuild(manifest, triple, 'x86_64-unknown-linux-gnu', true)
    t.true(build.needsRustTarget)
    t.is(basename(build.binary), platformPackages(manifest).find((p) => p.triple === triple)?.binary ?? '(no package)')
    t.regex(build.binary, /\.wasm32-wasi\.wasm$/)
  }
})

// The exact `napi build` command line per kind of target, read from `--dry-run` (which installs
// and builds nothing): only Linux targets cross-link with zig; macOS and Windows targets are
// built by their own OS's toolchain with --target, as the workflow's macOS and Windows runners do.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

import test from 'ava'

import { ROOT } from '../lib/paths.js'

const dryRun = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'napi-build.ts'), '--dry-run', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  })
const command = (output: string) => /^would run: napi (.*)$/m.exec(output)?.[1]?.split(' ') ?? []

for (const triple of ['x86_64-apple-darwin', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc', 'aarch64-pc-windows-msvc']) {
  test(`a release build of ${triple} uses --target and no zig`, (t) => {
    const output = dryRun('--release', '--target', triple)
    const args = command(output)
    t.is(args[args.indexOf('--target') + 1], triple)
    t.true(args.includes('--release'))
    t.false(args.includes('--cross-compile'), output)
    t.notRegex(output, /zig/)
    t.regex(output, new RegExp(`rustup target add ${triple}$`, 'm'))
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
  t.regex(dryRun('--release', '--target', 'aarch64-pc-windows-msvc'), /RUSTFLAGS="-C target-feature=\+crt-static"/)
})

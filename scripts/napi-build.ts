// The addon package's `build` task (run by turbo): one `napi build` of the binding crate for
// one target. Release builds, the workflows and the release path all go through this file.
// Release builds of Linux glibc targets are linked against glibc 2.17 (GLIBC_FLOOR).
//
//   tsx scripts/napi-build.ts [--release] [--target <triple>] [--dry-run]
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { $ } from 'zx'

import { crossEnv, ensureRustTarget } from './lib/cross.js'
import { bytes, ok, seconds } from './lib/log.js'
import { ADDON_DIR, BINDING_MANIFEST, localBin } from './lib/paths.js'
import { rustflagsFor, rustHost } from './lib/rust.js'
import { GLIBC_FLOOR, parseTarget, readAddonManifest } from './lib/targets.js'

const { values: flags } = parseArgs({
  options: {
    release: { type: 'boolean', default: false },
    target: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
})

const manifest = readAddonManifest()
const host = await rustHost()
const triple = flags.target ?? host
if (!manifest.napi.targets.includes(triple)) {
  throw new Error(
    `--target ${triple} is not in napi.targets of packages/hashkit/package.json.\n` +
      `Add it there first (then run npm run generate:npm), or use one of: ${manifest.napi.targets.join(', ')}`,
  )
}
// Release builds for glibc link against the glibc floor, through zig (cargo-zigbuild's
// `<triple>.<glibc version>` targets), even for this machine's own target.
const floor = flags.release && triple.endsWith('-linux-gnu') ? GLIBC_FLOOR : undefined
// Only Linux targets link with zig. A macOS or Windows target is built by that OS's own
// toolchain (Xcode's clang, MSVC), which links both CPUs: it needs the Rust target, no zig.
const targetOs = parseTarget(triple).platform
const linux = targetOs === 'linux'
const cross = linux && (triple !== host || floor !== undefined)
const needsRustTarget = !cross && triple !== host
if (!linux && targetOs !== parseTarget(host).platform && !flags['dry-run']) {
  throw new Error(
    `${triple} is built with ${targetOs}'s own toolchain: build it on a ${targetOs} machine (the CI workflow's ${targetOs} runner does). ` +
      'Only Linux targets cross-build here, with zig.',
  )
}

const rustflags = rustflagsFor(triple)
const profile = flags.release ? ['--release'] : ['--profile', 'quick']
const args = [
  'build',
  '--platform',
  '--manifest-path',
  BINDING_MANIFEST,
  '--package-json-path',
  join(ADDON_DIR, 'package.json'),
  '--output-dir',
  ADDON_DIR,
  '--target',
  floor ? `${triple}.${floor}` : triple,
  ...profile,
  ...(cross ? ['--cross-compile'] : []),
]

const env = {
  ...process.env,
  ...(rustflags ? { RUSTFLAGS: rustflags } : {}),
  // Other Linux targets link with zig: their Rust std and zig are installed on first use.
  ...(cross && !flags['dry-run'] ? await crossEnv(triple) : {}),
}
if (needsRustTarget && !flags['dry-run']) await ensureRustTarget(triple)
const binary = join(ADDON_DIR, `${manifest.napi.binaryName}.${parseTarget(triple).platformArchABI}.node`)
const label = `${triple} (${flags.release ? 'release' : 'quick'} profile${floor ? `, glibc ${floor}` : ''}${rustflags ? `, RUSTFLAGS="${rustflags}"` : ''})`

if (flags['dry-run']) {
  console.log(`would run: napi ${args.join(' ')}${rustflags ? `\n  with RUSTFLAGS="${rustflags}"` : ''}`)
  if (cross) console.log(`  linked with zig (cargo-zigbuild), after rustup target add ${triple}`)
  else if (needsRustTarget) console.log(`  with ${targetOs}'s own toolchain, after rustup target add ${triple}`)
} else {
  console.log(`→ napi build for ${label} …`)
  const start = performance.now()
  await $({ cwd: ADDON_DIR, env, stdio: 'inherit' })`${localBin('napi')} ${args}`
  if (!existsSync(binary)) {
    throw new Error(`napi build finished but ${binary} is missing: check the output above.`)
  }
  ok(`built ${binary.slice(ADDON_DIR.length + 1)} (${bytes(statSync(binary).size)}) in ${seconds(performance.now() - start)}`)
}

// The addon package's `build` task (run by turbo): one `napi build` of the binding crate for
// one target. Release builds, the workflows and the release path all go through this file.
// Release builds of Linux glibc targets are linked against glibc 2.17 (GLIBC_FLOOR). The
// command line and the refusals are scripts/lib/build-target.ts; --dry-run prints the command
// and refuses what a real run refuses.
//
//   tsx scripts/build/napi-build.ts [--release] [--target <triple>] [--dry-run]
import { existsSync, statSync } from 'node:fs'

import { $ } from 'zx'

import { parseFlags } from '../lib/args.js'
import { BUILD_OPTIONS, BUILD_USAGE, buildTarget, napiBuild } from '../lib/build-target.js'
import { writeBuildStamp } from '../lib/build-stamp.js'
import { crossEnv, ensureRustTarget } from '../lib/cross.js'
import { bytes, ok, seconds } from '../lib/log.js'
import { ADDON_DIR, localBin } from '../lib/paths.js'
import { parseTarget } from '../lib/targets.js'

const { values: flags } = parseFlags(BUILD_USAGE, { options: BUILD_OPTIONS })
const { manifest, host, triple } = await buildTarget(flags.target)

const build = napiBuild(manifest, triple, host, flags.release)
const env = {
  ...process.env,
  ...(build.rustflags ? { RUSTFLAGS: build.rustflags } : {}),
  // Other Linux targets link with zig: their Rust std and zig are installed on first use.
  ...(build.cross && !flags['dry-run'] ? await crossEnv(triple) : {}),
}
if (build.needsRustTarget && !flags['dry-run']) await ensureRustTarget(triple)

if (flags['dry-run']) {
  console.log(`would run: napi ${build.args.join(' ')}${build.rustflags ? `\n  with RUSTFLAGS="${build.rustflags}"` : ''}`)
  if (build.cross) console.log(`  linked with zig (cargo-zigbuild), after rustup target add ${triple}`)
  else if (parseTarget(triple).platform === 'wasi') console.log(`  linked with emnapi (a devDependency), after rustup target add ${triple}`)
  else if (build.needsRustTarget) console.log(`  with ${parseTarget(triple).platform}'s own toolchain, after rustup target add ${triple}`)
} else {
  console.log(`→ napi build for ${build.label} …`)
  const start = performance.now()
  await $({ cwd: ADDON_DIR, env, stdio: 'inherit' })`${localBin('napi')} ${build.args}`
  if (!existsSync(build.binary)) {
    throw new Error(`napi build finished but ${build.binary} is missing: check the output above.`)
  }
  writeBuildStamp(build.binary)
  ok(`built ${build.binary.slice(ADDON_DIR.length + 1)} (${bytes(statSync(build.binary).size)}) in ${seconds(performance.now() - start)}`)
}

// What one `napi build` of the binding crate is, for a target and this machine: the refusals
// (a target outside napi.targets, a target only its own OS's toolchain builds) and the exact
// command line. `npm run build` checks the refusals before turbo starts; scripts/build/napi-build.ts,
// which turbo runs, checks them again and runs the command. A dry run refuses what a real run
// refuses.
import { join, relative } from 'node:path'

import { usageError } from './args.js'
import { bad } from './log.js'
import { ADDON_DIR, BINDING_MANIFEST, ROOT } from './paths.js'
import { rustflagsFor, rustHost } from './rust.js'
import { type AddonManifest, GLIBC_FLOOR, parseTarget, platformPackages, readAddonManifest } from './targets.js'

export const BUILD_USAGE = 'npm run build -- [--release] [--target <triple>] [--dry-run]'
/** The flags of `npm run build`, passed on unchanged to scripts/build/napi-build.ts. */
export const BUILD_OPTIONS = {
  release: { type: 'boolean', default: false },
  target: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
} as const

/** The addon manifest's path as a person finds it, from the repository root. */
const manifestPath = () => relative(ROOT, join(ADDON_DIR, 'package.json'))

/** Why `triple` is not a target of this addon (a usage error), or undefined when it is one. */
export function unknownTarget(triple: string, manifest: AddonManifest): string | undefined {
  if (manifest.napi.targets.includes(triple)) return undefined
  return (
    `--target ${triple} is not in napi.targets of ${manifestPath()}: use one of ${manifest.napi.targets.join(', ')}` +
    ' (or add it there first, then run npm run generate:npm)'
  )
}

const OS_NAME: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }
const TOOLCHAIN: Record<string, string> = { darwin: "Xcode's clang", win32: 'MSVC' }

/**
 * Why this machine (`host`) cannot build `triple`, or undefined when it can. Only Linux targets
 * cross-build here, with zig; a macOS or Windows target needs that OS's own toolchain.
 */
export function foreignTarget(triple: string, host: string): string | undefined {
  const os = parseTarget(triple).platform
  // The WebAssembly target needs only its Rust target and the emnapi package (a devDependency).
  if (os === 'linux' || os === 'wasi' || os === parseTarget(host).platform) return undefined
  const name = OS_NAME[os] ?? os
  return (
    `${triple} is built with ${name}'s own toolchain${TOOLCHAIN[os] ? ` (${TOOLCHAIN[os]})` : ''}: ` +
    `build it on a ${name} machine (the CI workflow's ${name} runners do); only Linux targets (with zig) and WebAssembly cross-build here`
  )
}

/**
 * The target of a build (`--target`, else this machine's), with the manifest and the host; stops
 * the script when it is refused: exit 2 for a target outside napi.targets, 1 for another OS's.
 */
export async function buildTarget(target: string | undefined): Promise<{ manifest: AddonManifest; host: string; triple: string }> {
  const manifest = readAddonManifest()
  const host = await rustHost()
  const triple = target ?? host
  const unknown = unknownTarget(triple, manifest)
  if (unknown) usageError(unknown, BUILD_USAGE)
  const foreign = foreignTarget(triple, host)
  if (foreign) {
    bad(foreign)
    process.exit(1)
  }
  return { manifest, host, triple }
}

export interface NapiBuild {
  /** The arguments after `napi`. */
  args: string[]
  /** RUSTFLAGS for the build ('' for none). */
  rustflags: string
  /** The glibc version a release build of a glibc target links against. */
  floor?: string
  /** Linked with zig (cargo-zigbuild): another Linux target, or any glibc release build. */
  cross: boolean
  /** Built by this OS's own toolchain for another target: needs `rustup target add`. */
  needsRustTarget: boolean
  /** The binary the build writes next to the loader. */
  binary: string
  /** e.g. `x86_64-unknown-linux-gnu (release profile, glibc 2.17)`. */
  label: string
}

/** The `napi build` of `triple` on `host`; the caller checks the refusals first. */
export function napiBuild(manifest: AddonManifest, triple: string, host: string, release: boolean): NapiBuild {
  // Release builds for glibc link against the glibc floor, through zig (cargo-zigbuild's
  // `<triple>.<glibc version>` targets), even for this machine's own target.
  const floor = release && triple.endsWith('-linux-gnu') ? GLIBC_FLOOR : undefined
  // Only Linux targets link with zig. A macOS or Windows target is built by that OS's own
  // toolchain (Xcode's clang, MSVC), which links both CPUs: it needs the Rust target, no zig.
  const linux = parseTarget(triple).platform === 'linux'
  const cross = linux && (triple !== host || floor !== undefined)
  const rustflags = rustflagsFor(triple)
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
    ...(release ? ['--release'] : ['--profile', 'quick']),
    ...(cross ? ['--cross-compile'] : []),
  ]
  return {
    args,
    rustflags,
    floor,
    cross,
    needsRustTarget: !cross && triple !== host,
    // The `.node`, or the `.wasm`: the file its platform package ships.
    binary: join(ADDON_DIR, platformPackages(manifest).find((p) => p.triple === triple)?.binary ?? `${manifest.napi.binaryName}.${parseTarget(triple).platformArchABI}.node`),
    label: `${triple} (${release ? 'release' : 'quick'} profile${floor ? `, glibc ${floor}` : ''}${rustflags ? `, RUSTFLAGS="${rustflags}"` : ''})`,
  }
}

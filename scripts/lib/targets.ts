// `napi.targets` in the addon's package.json is the one platform list. Everything else that
// names platforms (npm/*, the optionalDependencies a release writes, the loader) is derived
// from it here or checked against what this module derives.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { ADDON_DIR, NPM_DIR } from './paths.js'

/**
 * The oldest glibc a release binary must load on (2.17: CentOS 7, Amazon Linux 2, Debian 8 and
 * newer). Release builds link against it with zig; the audit holds published binaries to it.
 */
export const GLIBC_FLOOR = '2.17'

/** The glibc this Node.js runs on (check:build-info compares it with the binary's). */
export { runtimeGlibc } from '../../packages/kit/src/lib/runtime.js'

export interface AddonManifest {
  name: string
  version: string
  license?: string
  optionalDependencies?: Record<string, string>
  /** What npm packs: the entry (main.js), its error module, the generated loader and types. */
  files?: string[]
  napi: { binaryName: string; packageName?: string; targets: string[] }
}

/**
 * The addon package's own files, as npm installs them: package.json and its `files`. Copies of
 * the package (a consumer's node_modules, a test's stand-in) take exactly these.
 */
export function addonFiles(manifest: AddonManifest): string[] {
  return ['package.json', ...(manifest.files ?? [])]
}

/** What one platform package must look like. */
export interface PlatformPackage {
  triple: string
  /** Folder under npm/, e.g. `linux-x64-musl`. */
  dir: string
  name: string
  os: string[]
  cpu: string[]
  /** Only for Linux: npm picks the package by libc (`glibc` or `musl`). */
  libc?: string[]
  /** The `.node` file inside, e.g. `hashkit.linux-x64-musl.node`. */
  binary: string
}

export function readAddonManifest(dir = ADDON_DIR): AddonManifest {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as AddonManifest
  if (!manifest.napi?.binaryName || !Array.isArray(manifest.napi.targets) || manifest.napi.targets.length === 0) {
    throw new Error(
      `${join(dir, 'package.json')} has no usable "napi" field: it needs "binaryName" and a non-empty "targets" list.`,
    )
  }
  return manifest
}

const ARCH: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64' }
const SYS: Record<string, string> = { linux: 'linux', darwin: 'darwin', windows: 'win32', freebsd: 'freebsd', android: 'android' }

/**
 * A Rust target triple in napi-rs's naming: `x86_64-unknown-linux-musl` → platform `linux`,
 * arch `x64`, abi `musl`, platformArchABI `linux-x64-musl`. The same result as @napi-rs/cli's
 * parseTriple (a test compares them) without loading that 2.5 MB module on every build.
 */
export function parseTarget(triple: string): { platform: string; arch: string; abi: string | null; platformArchABI: string } {
  const [archPart = '', , sysPart = '', abiPart] = triple.split('-')
  const arch = ARCH[archPart]
  const platform = SYS[sysPart]
  if (!arch || !platform) {
    throw new Error(`target ${triple} is not one this template knows: add its CPU and OS to scripts/lib/targets.ts`)
  }
  const abi = abiPart ?? null
  return { platform, arch, abi, platformArchABI: [platform, arch, abi].filter(Boolean).join('-') }
}

export function platformPackages(manifest: AddonManifest): PlatformPackage[] {
  const scope = manifest.napi.packageName ?? manifest.name
  return manifest.napi.targets.map((triple) => {
    const target = parseTarget(triple)
    const libc = target.platform === 'linux' ? [target.abi === 'musl' ? 'musl' : 'glibc'] : undefined
    return {
      triple,
      dir: target.platformArchABI,
      name: `${scope}-${target.platformArchABI}`,
      os: [target.platform],
      cpu: [target.arch],
      ...(libc ? { libc } : {}),
      binary: `${manifest.napi.binaryName}.${target.platformArchABI}.node`,
    }
  })
}

/**
 * The `optionalDependencies` a release of `version` writes into the addon package: each released
 * platform package (all of them, but for a partial release) at exactly that version.
 */
export function releaseOptionalDependencies(released: PlatformPackage[], version: string): Record<string, string> {
  return Object.fromEntries(released.map((p) => [p.name, version]))
}

export function platformPackageDir(pkg: PlatformPackage): string {
  return join(NPM_DIR, pkg.dir)
}

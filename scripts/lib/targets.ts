// `napi.targets` in the addon's package.json is the one platform list. Everything else that
// names platforms (npm/*, the optionalDependencies a release writes, the loader) is derived
// from it here or checked against what this module derives.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parseTriple } from '@napi-rs/cli'

import { ADDON_DIR, NPM_DIR } from './paths.js'

export interface AddonManifest {
  name: string
  version: string
  license?: string
  optionalDependencies?: Record<string, string>
  napi: { binaryName: string; packageName?: string; targets: string[] }
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

export function platformPackages(manifest: AddonManifest): PlatformPackage[] {
  const scope = manifest.napi.packageName ?? manifest.name
  return manifest.napi.targets.map((triple) => {
    const target = parseTriple(triple)
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

/** The `optionalDependencies` a release of `version` writes into the addon package. */
export function releaseOptionalDependencies(manifest: AddonManifest, version: string): Record<string, string> {
  return Object.fromEntries(platformPackages(manifest).map((p) => [p.name, version]))
}

export function platformPackageDir(pkg: PlatformPackage): string {
  return join(NPM_DIR, pkg.dir)
}

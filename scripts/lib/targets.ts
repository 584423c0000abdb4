// `napi.targets` in the addon's package.json is the one platform list. Everything else that
// names platforms (npm/*, the optionalDependencies a release writes, the loader) is derived
// from it by the kit (@napi-kit/cli: parseTarget, platformPackages) or checked against what it
// derives. This module adds what is about this repository: where the addon is, and its floor.
import { join } from 'node:path'

import { type AddonManifest, type PlatformPackage, platformPackages, readAddonManifest as readManifest } from '@napi-kit/cli'

import { ADDON_DIR, NPM_DIR } from './paths.js'

export { type AddonManifest, isWasiTarget, parseTarget, type PlatformPackage, platformPackages, releaseOptionalDependencies, runtimeGlibc } from '@napi-kit/cli'

/**
 * The oldest glibc a release binary must load on (2.17: CentOS 7, Amazon Linux 2, Debian 8 and
 * newer). Release builds link against it with zig; the audit holds published binaries to it.
 */
export const GLIBC_FLOOR = '2.17'

/** The addon's package.json (packages/<binary>/ unless told otherwise). */
export const readAddonManifest = (dir = ADDON_DIR): AddonManifest => readManifest(dir)

/**
 * The addon package's own files, as npm installs them: package.json and its `files`. Copies of
 * the package (a consumer's node_modules, a test's stand-in) take exactly these.
 */
export function addonFiles(manifest: AddonManifest): string[] {
  return ['package.json', ...(manifest.files ?? [])]
}

export function platformPackageDir(pkg: PlatformPackage): string {
  return join(NPM_DIR, pkg.dir)
}

/**
 * What `napi build` leaves next to the loader (packages/<binary>/) for every target: the files its
 * platform package ships, and for WebAssembly also the unoptimised `.debug.wasm` and the
 * `browser.js` entry. All build output: none of it is committed.
 */
export function builtFiles(manifest: AddonManifest): string[] {
  return platformPackages(manifest).flatMap((pkg) =>
    pkg.os === undefined ? [...pkg.files, pkg.binary.replace(/\.wasm$/, '.debug.wasm'), 'browser.js'] : pkg.files,
  )
}

// Which entries of a lockfile may hold native code, before any tarball is read:
// - families of platform packages (napi-rs, esbuild, swc, sharp): a package whose
//   optionalDependencies carry `os`/`cpu`/`libc`; a dependency with no entry at all is missing;
// - a package that itself declares `os`/`cpu` outside any family (fsevents);
// - a package with an install script, or one that depends on a native-addon helper
//   (node-gyp-build, prebuild-install, node-pre-gyp, bindings, node-addon-api, nan, …): its
//   tarball tells whether it compiles, chooses a prebuild, downloads, or ships .node files.
import type { LockEntry, Lockfile } from './lockfile.js'

export interface Family {
  /** The entries of its optional dependencies that carry `os` or `cpu`. */
  members: LockEntry[]
  /** Optional dependencies with no entry in the lockfile: npm ci and pnpm stop on them, bun leaves them out. */
  missing: Array<{ name: string; range: string }>
}

export interface Candidate {
  entry: LockEntry
  family?: Family
  /** The entry declares `os`/`cpu` itself and belongs to no family. */
  platformOnly?: boolean
}

/** Packages that only native addons depend on. */
const NATIVE_HELPERS = new Set([
  'node-gyp-build', 'node-gyp-build-optional-packages', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp',
  '@discordjs/node-pre-gyp', 'bindings', 'node-addon-api', 'nan', 'node-gyp', 'cmake-js', 'napi-build-utils', 'pkg-prebuilds',
])

const declaresPlatform = (e: LockEntry) => e.os !== undefined || e.cpu !== undefined || e.libc !== undefined

/** The lockfile's entries that may hold native code, in lockfile order. */
export function detectNative(lock: Lockfile): Candidate[] {
  const members = new Set<string>()
  const families = new Map<string, Family>()
  for (const entry of lock.entries) {
    const optional = Object.entries(entry.optionalDependencies)
    if (optional.length === 0) continue
    const located = optional.map(([name, range]) => ({ name, range, entry: lock.resolve(entry, name) }))
    const platform = located.flatMap((l) => (l.entry && declaresPlatform(l.entry) ? [l.entry] : []))
    // One package for one system (fsevents for jest or vite) is an extra, not a family of builds.
    if (new Set(platform.map((p) => `${p.os?.join()} ${p.cpu?.join()} ${p.libc?.join()}`)).size < 2) continue
    for (const m of platform) members.add(m.path)
    families.set(entry.path, { members: platform, missing: located.filter((l) => !l.entry).map(({ name, range }) => ({ name, range })) })
  }
  const candidates: Candidate[] = []
  for (const entry of lock.entries) {
    if (members.has(entry.path)) continue
    const family = families.get(entry.path)
    if (family) candidates.push({ entry, family })
    else if (declaresPlatform(entry)) candidates.push({ entry, platformOnly: true })
    else if (entry.hasInstallScript || Object.keys(entry.dependencies).some((d) => NATIVE_HELPERS.has(d))) candidates.push({ entry })
  }
  return candidates
}

// `napi-kit scan`'s work: the lockfile's native packages (detect.ts), the tarballs each target
// needs (fetch.ts, in parallel, cached), and one verdict per package and target (verdict.ts).
import type { Finding } from '../audit/checks.js'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { TarError } from '../audit/tar.js'
import { readFiles, readInstalled } from './contents.js'
import { buildsBlocked } from './builds.js'
import { type Candidate, detectNative } from './detect.js'
import { cachedFacts, factsFrom, type TarballFacts } from './facts.js'
import { cachedTarball, fetchAll, readCached, tarballKey } from './fetch.js'
import { installsOn, libcFit } from './install.js'
import { type LockEntry, type Lockfile, parseLockfile } from './lockfile.js'
import { newestWithBuild, packument } from './registry.js'
import type { ScanTarget } from './targets.js'
import { judge, type PackageVerdict } from './verdict.js'
import { verifyTarget } from './verify.js'

export interface ScanOptions {
  targets: ScanTarget[]
  /** The images have python3, make and g++. */
  toolchain: boolean
  /** Use only the kit's cache: download nothing. */
  offline: boolean
  /** Also load every binary in its target's real runtime (the kit's roots). */
  verify?: boolean
  /** The app's folder: with --offline, packages installed in its node_modules are read from there. */
  appDir?: string
  /** Progress lines (standard error). */
  progress?: (line: string) => void
}

export interface TargetResult {
  target: string
  glibc: string | null
  packages: PackageVerdict[]
}

export interface ScanResult {
  lockfile: Lockfile
  targets: TargetResult[]
  tarballs: { downloaded: number; cached: number; failed: number }
}

/** The entries whose tarballs some target needs: installed family members, and every other candidate. */
function tarballsNeeded(candidates: Candidate[], targets: ScanTarget[]): LockEntry[] {
  const needed = new Map<string, LockEntry>()
  for (const c of candidates) {
    if (c.family) {
      for (const m of c.family.members) if (targets.some((t) => installsOn(m, t))) needed.set(m.path, m)
      if (c.entry.hasInstallScript) needed.set(c.entry.path, c.entry)
    } else if (!c.platformOnly || targets.some((t) => installsOn(c.entry, t))) {
      needed.set(c.entry.path, c.entry)
    }
  }
  return [...needed.values()]
}

/** The families that may have no working build on a target: ask the registry for a version that has one. */
async function newestVersions(candidates: Candidate[], targets: ScanTarget[], offline: boolean): Promise<Map<string, string | undefined>> {
  const asks: Array<{ name: string; target: ScanTarget }> = []
  for (const c of candidates) {
    if (!c.family || c.family.missing.length > 0) continue
    for (const target of targets) {
      const installed = c.family.members.filter((m) => installsOn(m, target))
      if (installed.length === 0 || (target.os === 'linux' && installed.every((m) => libcFit(m.name, target) < 0))) asks.push({ name: c.entry.name, target })
    }
  }
  const found = new Map<string, string | undefined>()
  await Promise.all(
    asks.map(async ({ name, target }) => {
      const meta = await packument(name, offline)
      found.set(`${name} ${target.name}`, meta ? (newestWithBuild(meta, target) ?? 'none') : undefined)
    }),
  )
  return found
}

/**
 * yarn.lock pins no tarball hash (its `checksum` is of yarn's own cache archive): each entry
 * scan reads gets the registry's recorded integrity and URL instead, from the metadata
 * registry.ts keeps for a day (any age with --offline).
 */
async function registryIntegrity(entries: LockEntry[], offline: boolean): Promise<void> {
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.integrity) return
      const dist = (await packument(entry.name, offline))?.versions?.[entry.version]?.dist
      if (dist?.integrity) entry.integrity = dist.integrity
      if (dist?.tarball) entry.resolved = dist.tarball
    }),
  )
}

/** Why a yarn.lock entry has no integrity after registryIntegrity: the registry's metadata was not to be had. */
const yarnNoIntegrity = (offline: boolean) => (entry: LockEntry) => {
  const label = `${entry.name}@${entry.version}`
  return offline
    ? { reason: `yarn.lock records no tarball integrity for ${label}, and the registry's metadata of ${entry.name} is not in the cache (--offline fetches nothing)`, fix: 'run scan once without --offline' }
    : { reason: `yarn.lock records no tarball integrity for ${label}, and the registry's metadata of ${entry.name} has none for that version`, fix: `check that ${label} is still published (npm view ${label} dist.integrity)` }
}

/** The folder where `entry` is installed under `appDir`, when that holds the same version. */
function installedPackage(appDir: string, entry: LockEntry): string | undefined {
  if (!entry.installedAt) return undefined
  const dir = join(appDir, entry.installedAt)
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }
    return manifest.version === entry.version ? dir : undefined
  } catch {
    return undefined
  }
}

export async function scanLockfile(file: string, options: ScanOptions): Promise<ScanResult> {
  const lockfile = parseLockfile(file)
  const candidates = detectNative(lockfile)
  const entries = tarballsNeeded(candidates, options.targets)
  if (lockfile.manager === 'yarn') await registryIntegrity(entries, options.offline)
  // What earlier scans learnt from a tarball still in the cache: no download, no unpacking.
  const read = new Map<string, { contents?: TarballFacts; problem?: Finding }>()
  for (const entry of entries) {
    const key = tarballKey(entry)
    if (!key || !existsSync(cachedTarball(key))) continue
    const facts = cachedFacts(key, () => {
      const data = readCached(entry)
      if (!data) throw new Error(`${cachedTarball(key)} changed while scan read it: scan again`)
      return readFiles(data)
    })
    if (facts) read.set(entry.path, { contents: facts })
  }
  const toFetch = entries.filter((e) => !read.has(e.path))
  options.progress?.(`→ ${lockfile.entries.length} packages in ${file}, ${candidates.length} may hold native code; ${entries.length} tarballs to read, ${toFetch.length} not read before`)
  const [fetched, newest] = await Promise.all([fetchAll(toFetch, { offline: options.offline, progress: options.progress, ...(lockfile.manager === 'yarn' ? { noIntegrity: yarnNoIntegrity(options.offline) } : {}) }), newestVersions(candidates, options.targets, options.offline)])
  toFetch.forEach((entry, i) => {
    const got = fetched[i]
    if (!got) return
    if (!got.ok) {
      const installed = options.offline && options.appDir ? installedPackage(options.appDir, entry) : undefined
      if (installed) read.set(entry.path, { contents: factsFrom(readInstalled(installed)) })
      else read.set(entry.path, { problem: { severity: 'error', cause: `not checked: ${got.reason}${options.offline ? ', nor installed in node_modules' : ''}`, fix: got.fix } })
      return
    }
    try {
      read.set(entry.path, { contents: factsFrom(readFiles(got.data), tarballKey(entry)) })
    } catch (error) {
      if (!(error instanceof TarError)) throw error
      read.set(entry.path, { problem: { severity: 'error', cause: `its tarball is not readable: ${error.message}`, fix: 'write the lockfile again (npm install) and scan again' } })
    }
  })
  const contentsOf = (entry: LockEntry) => read.get(entry.path) ?? {}
  const blocked = buildsBlocked(lockfile)
  const targets = options.targets.map((target) => ({
    target: target.name,
    glibc: target.glibc ?? null,
    packages: candidates.flatMap((c) => {
      const verdict = judge(c, target, contentsOf, { toolchain: options.toolchain, newestWith: (name, t) => newest.get(`${name} ${t.name}`), manager: lockfile.manager, buildsBlocked: blocked })
      return verdict ? [verdict] : []
    }),
  }))
  if (options.verify) for (const result of targets) await verifyTarget(result, options.progress ?? (() => {}))
  for (const { contents } of read.values()) contents?.save()
  const ok = fetched.filter((f) => f.ok)
  const downloaded = ok.filter((f) => f.ok && !f.cached).length
  return { lockfile, targets, tarballs: { downloaded, cached: entries.length - downloaded - (fetched.length - ok.length), failed: fetched.length - ok.length } }
}

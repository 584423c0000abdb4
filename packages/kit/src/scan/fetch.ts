// Fetches the tarballs a lockfile pins: from its `resolved` URL (or, where npm left it out,
// the registry's standard URL), checked against its `integrity`, kept in the kit's cache by
// that integrity, a few at a time, with progress on standard error.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { bytes, seconds } from '../lib/log.js'
import type { LockEntry } from './lockfile.js'

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/'
const CONCURRENCY = 6

export interface FetchOptions {
  /** Only what is cached: nothing is downloaded. */
  offline: boolean
  /** The registry for entries without `resolved` ($npm_config_registry, else npm's). */
  registry?: string
  /** Where progress goes (standard error). */
  progress?: (line: string) => void
  /** Why an entry has no integrity, and the fix, when its lockfile format says more than npm's. */
  noIntegrity?: (entry: LockEntry) => { reason: string; fix: string }
}

export type Fetched = { ok: true; data: Uint8Array; cached: boolean } | { ok: false; reason: string; fix: string }

/** The tarball URL npm would fetch for `entry`. */
export function tarballUrl(entry: Pick<LockEntry, 'name' | 'version' | 'resolved'>, registry = DEFAULT_REGISTRY): string {
  if (entry.resolved && /^https?:\/\//.test(entry.resolved)) return entry.resolved
  const base = registry.endsWith('/') ? registry : `${registry}/`
  return `${base}${entry.name}/-/${entry.name.split('/').at(-1)}-${entry.version}.tgz`
}

/** The strongest hash of an SRI string (`sha512-…`), as algorithm and base64 digest. */
function strongest(integrity: string): { algorithm: string; digest: string } | undefined {
  const order = ['sha512', 'sha384', 'sha256', 'sha1']
  const hashes = integrity.split(/\s+/).flatMap((h) => {
    const m = /^(sha\d+)-(.+)$/.exec(h)
    return m?.[1] && m[2] && order.includes(m[1]) ? [{ algorithm: m[1], digest: m[2] }] : []
  })
  return hashes.toSorted((a, b) => order.indexOf(a.algorithm) - order.indexOf(b.algorithm))[0]
}

/** The cache key of an entry's tarball: its integrity's algorithm and hex digest, e.g. `sha512-8046…`. */
export function tarballKey(entry: Pick<LockEntry, 'integrity'>): string | undefined {
  const hash = entry.integrity ? strongest(entry.integrity) : undefined
  return hash ? `${hash.algorithm}-${Buffer.from(hash.digest, 'base64').toString('hex')}` : undefined
}

/** Where the tarball with `key` is kept. */
export const cachedTarball = (key: string) => join(cacheDir(), 'scan', 'tarballs', `${key}.tgz`)

const digestOf = (algorithm: string, data: Uint8Array) => createHash(algorithm).update(data).digest('base64')

/** An entry's tarball from the cache, checked again against its integrity (a damaged file is deleted); undefined when absent. */
export function readCached(entry: LockEntry): Uint8Array | undefined {
  const hash = entry.integrity ? strongest(entry.integrity) : undefined
  const key = tarballKey(entry)
  if (!hash || !key || !existsSync(cachedTarball(key))) return undefined
  const data = readFileSync(cachedTarball(key))
  if (digestOf(hash.algorithm, data) === hash.digest) return data
  rmSync(cachedTarball(key), { force: true })
  return undefined
}

/** One entry's tarball: from the cache, else downloaded and checked against its integrity. */
export async function fetchTarball(entry: LockEntry, options: FetchOptions): Promise<Fetched> {
  const label = `${entry.name}@${entry.version}`
  const hash = entry.integrity ? strongest(entry.integrity) : undefined
  if (!hash) return { ok: false, ...(options.noIntegrity?.(entry) ?? { reason: `the lockfile records no integrity for ${label}, so its tarball cannot be checked`, fix: `write the lockfile again with npm install --package-lock-only` }) }
  const file = cachedTarball(tarballKey(entry) ?? '')
  const cached = readCached(entry)
  if (cached) return { ok: true, data: cached, cached: true }
  if (options.offline) return { ok: false, reason: `${label} is not in the cache (${file}) and --offline fetches nothing`, fix: 'run scan once without --offline' }
  const url = tarballUrl(entry, options.registry ?? process.env.npm_config_registry ?? DEFAULT_REGISTRY)
  const start = performance.now()
  let data: Uint8Array
  try {
    const response = await fetch(url)
    if (!response.ok) return { ok: false, reason: `GET ${url} answered ${response.status} ${response.statusText}`, fix: `check that ${label} is still published (npm view ${label})` }
    data = new Uint8Array(await response.arrayBuffer())
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message
    return { ok: false, reason: `could not download ${url}: ${cause}`, fix: 'check the network (or npm_config_registry), or scan with --offline' }
  }
  const digest = digestOf(hash.algorithm, data)
  if (digest !== hash.digest) {
    return { ok: false, reason: `${url} does not match the lockfile's integrity (${hash.algorithm} ${digest}, the lockfile says ${hash.digest})`, fix: 'the tarball changed since the lockfile was written: write the lockfile again (npm install) and review the change' }
  }
  mkdirSync(join(cacheDir(), 'scan', 'tarballs'), { recursive: true })
  const partial = `${file}.${process.pid}.partial`
  writeFileSync(partial, data)
  renameSync(partial, file) // atomic: a concurrent scan reads the whole file or none
  options.progress?.(`  ↓ ${label} ${bytes(data.length)} (${seconds(performance.now() - start)})`)
  return { ok: true, data, cached: false }
}

/** Fetches every entry, at most a few at a time; the results in the same order. */
export async function fetchAll(entries: LockEntry[], options: FetchOptions): Promise<Fetched[]> {
  const results: Fetched[] = []
  let next = 0
  const worker = async () => {
    while (next < entries.length) {
      const i = next++
      const entry = entries[i]
      if (entry) results[i] = await fetchTarball(entry, options)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker))
  return results
}

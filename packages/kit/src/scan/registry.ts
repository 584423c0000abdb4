// The newest published version of a family that has a platform package for a target, from the
// registry's abbreviated metadata (one request per family, kept in the kit's cache for a day).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { compareVersions } from '../audit/checks.js'
import { cacheDir } from '../lib/cache.js'
import { DEFAULT_REGISTRY } from './fetch.js'
import type { ScanTarget } from './targets.js'

const DAY_MS = 24 * 60 * 60 * 1000

export interface Packument {
  versions?: Record<string, { optionalDependencies?: Record<string, string>; deprecated?: string; dist?: { integrity?: string; tarball?: string } }>
}

/** The registry's abbreviated metadata of `name`: from the cache when younger than a day; undefined when it cannot be had. */
export async function packument(name: string, offline: boolean, registry = process.env.npm_config_registry ?? DEFAULT_REGISTRY): Promise<Packument | undefined> {
  const dir = join(cacheDir(), 'scan', 'registry')
  const file = join(dir, `${name.replace('/', '+')}.json`)
  const fresh = existsSync(file) && (offline || Date.now() - statSync(file).mtimeMs < DAY_MS)
  if (fresh) return JSON.parse(readFileSync(file, 'utf8')) as Packument
  if (offline) return undefined
  try {
    const base = registry.endsWith('/') ? registry : `${registry}/`
    const response = await fetch(`${base}${name.replace('/', '%2f')}`, { headers: { accept: 'application/vnd.npm.install-v1+json' } })
    if (!response.ok) return undefined
    const text = await response.text()
    mkdirSync(dir, { recursive: true })
    writeFileSync(`${file}.${process.pid}`, text)
    renameSync(`${file}.${process.pid}`, file)
    return JSON.parse(text) as Packument
  } catch {
    return undefined
  }
}

/** Whether a platform package's name is for `target`: `-linux-arm-musleabihf`, sharp's `-linuxmusl-x64`. */
export function namesTarget(name: string, target: ScanTarget): boolean {
  if (name.endsWith(`-${target.name}`)) return true
  if (target.os === 'win32' && name.endsWith(`-${target.os}-${target.cpu}`)) return true
  if (target.os === 'linux') return name.endsWith(target.libc === 'musl' ? `-linuxmusl-${target.cpu}` : `-linux-${target.cpu}`)
  return name.endsWith(`-${target.os}-${target.cpu}`)
}

/** The newest release (no prerelease, not deprecated) of `meta` with a platform package for `target`. */
export function newestWithBuild(meta: Packument | undefined, target: ScanTarget): string | undefined {
  const versions = Object.entries(meta?.versions ?? {}).filter(([v, m]) => /^\d+\.\d+\.\d+$/.test(v) && !m.deprecated)
  return versions
    .filter(([, m]) => Object.keys(m.optionalDependencies ?? {}).some((d) => namesTarget(d, target)))
    .map(([v]) => v)
    .toSorted(compareVersions)
    .at(-1)
}

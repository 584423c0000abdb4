// Reads an app's package-lock.json (lockfileVersion 2 or 3): every installed package's entry as
// npm records it, so a repository can be scanned before anything is installed. Finds a
// dependency's entry the way Node.js resolves it (nested node_modules first, then upwards).
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

import { UsageError } from '../lib/errors.js'

export interface LockEntry {
  /** The entry's key, e.g. `node_modules/@node-rs/xxhash`. */
  path: string
  name: string
  version: string
  os?: string[]
  cpu?: string[]
  libc?: string[]
  optional: boolean
  hasInstallScript: boolean
  resolved?: string
  integrity?: string
  dependencies: Record<string, string>
  optionalDependencies: Record<string, string>
}

export interface Lockfile {
  file: string
  lockfileVersion: number
  entries: LockEntry[]
  /** Whether any entry records `libc` (npm ≥ 11.11 writes it for packages that declare one). */
  recordsLibc: boolean
}

const EXAMPLE_FIX = 'npm install --package-lock-only'

/** `line 3, column 5` for a character offset in `text`. */
function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`
}

/** The lockfile to scan in `dir`: its package-lock.json (npm-shrinkwrap.json when that is there). */
export function findLockfile(dir: string): string {
  const folder = resolve(dir)
  if (!existsSync(folder)) throw new UsageError(`${dir} does not exist: pass the app's folder (the one with package-lock.json)`)
  if (!statSync(folder).isDirectory()) return folder
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) if (existsSync(join(folder, name))) return join(folder, name)
  const others = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock'].filter((n) => existsSync(join(folder, n)))
  if (others.length > 0) throw new UsageError(`${folder} has ${others.join(', ')} but no package-lock.json: scan reads npm's lockfile so far; write one with npm install --package-lock-only`)
  throw new UsageError(`no package-lock.json in ${folder}: run scan in the app's folder, or write the lockfile first with ${EXAMPLE_FIX}`)
}

const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined)
const record = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : {})

/** The package name an entry's key installs: the part after its last `node_modules/`. */
export function nameOfPath(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
}

/** Parses a package-lock.json; a broken or unsupported one is a UsageError naming the file and the place. */
export function parseLockfile(file: string, text = readFileSync(file, 'utf8')): Lockfile {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, '')
    const at = /at position (\d+)/.exec(message)
    const where = at ? ` at ${lineColumn(text, Number(at[1]))}` : ''
    throw new UsageError(`${file} is not valid JSON${where}: ${message}. Repair it, or write it again with ${EXAMPLE_FIX}`)
  }
  const lock = doc as { lockfileVersion?: unknown; packages?: unknown }
  if (!lock || typeof lock !== 'object' || Array.isArray(lock)) throw new UsageError(`${file} is not a package-lock.json (not a JSON object): write it again with ${EXAMPLE_FIX}`)
  const version = lock.lockfileVersion
  if (version === 1) throw new UsageError(`${file} has lockfileVersion 1 (npm 6), which records no os, cpu or libc: write it again with npm ≥ 7 (${EXAMPLE_FIX})`)
  if ((version !== 2 && version !== 3) || !lock.packages || typeof lock.packages !== 'object') {
    throw new UsageError(`${file} is not a package-lock.json of lockfileVersion 2 or 3 (lockfileVersion ${JSON.stringify(version)}, ${lock.packages ? 'with' : 'no'} "packages"): write it again with ${EXAMPLE_FIX}`)
  }
  const entries: LockEntry[] = []
  for (const [path, raw] of Object.entries(lock.packages as Record<string, Record<string, unknown>>)) {
    // The root project, and workspace links (their target folder has its own entry).
    if (path === '' || !path.includes('node_modules/') || raw.link === true) continue
    entries.push({
      path,
      name: typeof raw.name === 'string' ? raw.name : nameOfPath(path),
      version: typeof raw.version === 'string' ? raw.version : '',
      os: strings(raw.os),
      cpu: strings(raw.cpu),
      libc: strings(raw.libc),
      optional: raw.optional === true,
      hasInstallScript: raw.hasInstallScript === true,
      resolved: typeof raw.resolved === 'string' ? raw.resolved : undefined,
      integrity: typeof raw.integrity === 'string' ? raw.integrity : undefined,
      dependencies: record(raw.dependencies),
      optionalDependencies: record(raw.optionalDependencies),
    })
  }
  return { file, lockfileVersion: version, entries, recordsLibc: entries.some((e) => e.libc !== undefined) }
}

/** The entry `name` resolves to from the package at `from`: nested node_modules first, then upwards. */
export function locate(byPath: Map<string, LockEntry>, from: string, name: string): LockEntry | undefined {
  for (let dir = from; ; ) {
    const hit = byPath.get(`${dir ? `${dir}/` : ''}node_modules/${name}`)
    if (hit) return hit
    if (!dir) return undefined
    const cut = dir.lastIndexOf('/node_modules/')
    dir = cut === -1 ? '' : dir.slice(0, cut)
  }
}

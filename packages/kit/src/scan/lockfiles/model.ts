// What scan reads from any lockfile: one entry per installed package, with the fields each
// package manager records (name, version, os/cpu/libc, optional dependencies, install script,
// resolved URL, integrity), and how a dependency of an entry resolves. The readers
// (npm.ts, pnpm.ts, yarn.ts, bun.ts) fill it; detect.ts and verdict.ts read nothing else.
import { createRequire } from 'node:module'

import { UsageError } from '../../lib/errors.js'

const load = createRequire(import.meta.url)

/**
 * A parser package, required on first use: every napi-kit command and every importer of the
 * kit's API would otherwise load all three (about 80 ms), though only scan reads a lockfile.
 */
export function lazy<T>(name: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= load(name) as T)
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun'

export interface LockEntry {
  /** The entry's key in its lockfile, unique there: `node_modules/@node-rs/xxhash` (npm), `@node-rs/xxhash@1.7.8` (pnpm). */
  path: string
  name: string
  version: string
  os?: string[]
  cpu?: string[]
  libc?: string[]
  optional: boolean
  /** The package runs an install script (npm and bun record it; pnpm 9+ and yarn record nothing). */
  hasInstallScript: boolean
  resolved?: string
  integrity?: string
  dependencies: Record<string, string>
  optionalDependencies: Record<string, string>
  /** Where the manager installs it, relative to the app's folder (for --offline); undefined where it keeps no node_modules. */
  installedAt?: string
}

export interface Lockfile {
  file: string
  manager: PackageManager
  lockfileVersion: number | string
  entries: LockEntry[]
  /** Whether any entry records `libc` (npm ≥ 11.11 writes it for packages that declare one). */
  recordsLibc: boolean
  /** The entry a dependency `name` of `from` installs, as the manager resolves it; undefined when the lockfile has none. */
  resolve: (from: LockEntry, name: string) => LockEntry | undefined
  /** Builds the lockfile itself allows (true) or refuses (false), by package name: yarn's `dependenciesMeta.<name>.built`, bun's `trustedDependencies`. */
  approvedBuilds?: Map<string, boolean>
}

/** `line 3, column 5` for a character offset in `text`. */
export function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`
}

/** A lockfile that does not parse: the file, the place when known, the parser's words, and the fix. */
export function unreadable(file: string, format: string, where: string | undefined, message: string, fix: string): UsageError {
  return new UsageError(`${file} is not valid ${format}${where ? ` at ${where}` : ''}: ${message.replace(/\.$/, '')}. Repair it, or write it again with ${fix}`)
}

/** A field that lists strings, from a list or (as bun writes one value) a single string. */
export function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v]
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined
}

/** An entry's `os`, `cpu` and `libc`, as npm, pnpm and bun record them (a list, or bun's single string). */
export const platformFields = (raw: Record<string, unknown>): Pick<LockEntry, 'os' | 'cpu' | 'libc'> => ({ os: stringList(raw.os), cpu: stringList(raw.cpu), libc: stringList(raw.libc) })

export const stringRecord = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Whether `entries` record libc anywhere. */
export const anyLibc = (entries: LockEntry[]) => entries.some((e) => e.libc !== undefined)

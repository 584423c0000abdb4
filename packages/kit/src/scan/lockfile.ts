// The app's lockfile, found in its folder and read by its package manager's reader
// (lockfiles/npm.ts, pnpm.ts, yarn.ts, bun.ts) into one model (lockfiles/model.ts), so a
// repository can be scanned before anything is installed.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'

import { UsageError } from '../lib/errors.js'
import { parseBunLockfile } from './lockfiles/bun.js'
import type { Lockfile, PackageManager } from './lockfiles/model.js'
import { NPM_FIX, parseNpmLockfile } from './lockfiles/npm.js'
import { parsePnpmLockfile } from './lockfiles/pnpm.js'
import { parseYarnLockfile } from './lockfiles/yarn.js'

export type { LockEntry, Lockfile, PackageManager } from './lockfiles/model.js'
export { locate, nameOfPath } from './lockfiles/npm.js'

/** The lockfiles scan reads, in the order it looks for them, and their readers. */
const READERS: Array<{ name: string; manager: PackageManager; parse: (file: string, text: string) => Lockfile }> = [
  { name: 'npm-shrinkwrap.json', manager: 'npm', parse: parseNpmLockfile },
  { name: 'package-lock.json', manager: 'npm', parse: parseNpmLockfile },
  { name: 'pnpm-lock.yaml', manager: 'pnpm', parse: parsePnpmLockfile },
  { name: 'yarn.lock', manager: 'yarn', parse: parseYarnLockfile },
  { name: 'bun.lock', manager: 'bun', parse: parseBunLockfile },
]

export const LOCKFILE_NAMES = READERS.map((r) => r.name)

/** The lockfile to scan in `dir` (or `dir` itself when it is a file): the first of LOCKFILE_NAMES there. */
export function findLockfile(dir: string): string {
  const folder = resolve(dir)
  if (!existsSync(folder)) throw new UsageError(`${dir} does not exist: pass the app's folder (the one with its lockfile: ${LOCKFILE_NAMES.join(', ')})`)
  if (!statSync(folder).isDirectory()) return folder
  const found = LOCKFILE_NAMES.find((name) => existsSync(join(folder, name)))
  if (found) return join(folder, found)
  if (existsSync(join(folder, 'bun.lockb'))) throw new UsageError(`${folder} has only bun.lockb, bun's binary lockfile, which scan cannot read: write the text lockfile with bun install --save-text-lockfile --lockfile-only (bun ≥ 1.2)`)
  throw new UsageError(`no lockfile in ${folder} (${LOCKFILE_NAMES.join(', ')}): run scan in the app's folder, or write the lockfile first with ${NPM_FIX}`)
}

/** Reads a lockfile by its name; a broken or unsupported one is a UsageError naming the file, the place and the fix. */
export function parseLockfile(file: string, text = readFileSync(file, 'utf8')): Lockfile {
  const reader = READERS.find((r) => r.name === basename(file))
  if (!reader) throw new UsageError(`${file} is not a lockfile scan reads: pass one of ${LOCKFILE_NAMES.join(', ')}, or the folder that holds it`)
  return reader.parse(file, text)
}

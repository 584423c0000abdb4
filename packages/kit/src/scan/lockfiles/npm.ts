// npm's package-lock.json (lockfileVersion 2 or 3; npm-shrinkwrap.json is the same format):
// every installed package's entry as npm records it, keyed by its node_modules path. A
// dependency resolves the way Node.js finds it: nested node_modules first, then upwards.
import { UsageError } from '../../lib/errors.js'
import { anyLibc, isObject, lineColumn, type LockEntry, type Lockfile, platformFields, stringRecord, unreadable } from './model.js'

export const NPM_FIX = 'npm install --package-lock-only'

/** The package name an entry's key installs: the part after its last `node_modules/`. */
export function nameOfPath(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
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

export function parseNpmLockfile(file: string, text: string): Lockfile {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, '')
    const at = /at position (\d+)/.exec(message)
    throw unreadable(file, 'JSON', at ? lineColumn(text, Number(at[1])) : undefined, message, NPM_FIX)
  }
  if (!isObject(doc)) throw new UsageError(`${file} is not a package-lock.json (not a JSON object): write it again with ${NPM_FIX}`)
  const version = doc.lockfileVersion
  if (version === 1) throw new UsageError(`${file} has lockfileVersion 1 (npm 6), which records no os, cpu or libc: write it again with npm ≥ 7 (${NPM_FIX})`)
  if ((version !== 2 && version !== 3) || !isObject(doc.packages)) {
    throw new UsageError(`${file} is not a package-lock.json of lockfileVersion 2 or 3 (lockfileVersion ${JSON.stringify(version)}, ${doc.packages ? 'with' : 'no'} "packages"): write it again with ${NPM_FIX}`)
  }
  const entries: LockEntry[] = []
  for (const [path, value] of Object.entries(doc.packages)) {
    const raw = isObject(value) ? value : {}
    // The root project, and workspace links (their target folder has its own entry).
    if (path === '' || !path.includes('node_modules/') || raw.link === true) continue
    entries.push({
      path,
      name: typeof raw.name === 'string' ? raw.name : nameOfPath(path),
      version: typeof raw.version === 'string' ? raw.version : '',
      ...platformFields(raw),
      optional: raw.optional === true,
      hasInstallScript: raw.hasInstallScript === true,
      resolved: typeof raw.resolved === 'string' ? raw.resolved : undefined,
      integrity: typeof raw.integrity === 'string' ? raw.integrity : undefined,
      dependencies: stringRecord(raw.dependencies),
      optionalDependencies: stringRecord(raw.optionalDependencies),
      installedAt: path,
    })
  }
  const byPath = new Map(entries.map((e) => [e.path, e]))
  return { file, manager: 'npm', lockfileVersion: version, entries, recordsLibc: anyLibc(entries), resolve: (from, name) => locate(byPath, from.path, name) }
}

// bun's text lockfile bun.lock (bun 1.2+): JSONC with trailing commas, read with jsonc-parser.
// `packages` maps an install path (`name`, or `parent/name` when nested, the way node_modules
// nests) to `[ "<name>@<version>", "<registry or ''>", { dependencies, optionalDependencies,
// os, cpu, libc, hasInstallScript, … }, "<integrity>" ]`; os/cpu/libc are a string or a list.
// Measured with bun 1.4.5:
// - bun.lock records every platform package of a family with its os/cpu/libc; an install
//   takes those that fit the machine (or --os/--cpu/--libc).
// - it records `hasInstallScript` and the package.json's `trustedDependencies` (builds.ts).
// - `bun install --frozen-lockfile` with a platform package's entry deleted installs without
//   it and says nothing (the binding is missing at run time); neither `bun install
//   --lockfile-only`, `--force` nor `bun update --lockfile-only` records it again: only a new
//   bun.lock (delete it, `bun install --lockfile-only`) does.
import type { ParseError } from 'jsonc-parser'

import { UsageError } from '../../lib/errors.js'
import { anyLibc, isObject, lazy, lineColumn, type LockEntry, type Lockfile, platformFields, stringList, stringRecord, unreadable } from './model.js'

const jsoncParser = lazy<typeof import('jsonc-parser')>('jsonc-parser')

export const BUN_FIX = 'bun install --lockfile-only'

/** `@a/b/c/@d/e` → [`@a/b`, `c`, `@d/e`]: the package names along a bun.lock install path. */
export function bunPathNames(path: string): string[] {
  const names: string[] = []
  const parts = path.split('/')
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? ''
    if (part.startsWith('@') && i + 1 < parts.length) names.push(`${part}/${parts[++i]}`)
    else names.push(part)
  }
  return names
}

export function parseBunLockfile(file: string, text: string): Lockfile {
  const errors: ParseError[] = []
  const jsonc = jsoncParser()
  const doc: unknown = jsonc.parse(text, errors, { allowTrailingComma: true, disallowComments: false })
  const first = errors[0]
  if (first) throw unreadable(file, 'JSONC', lineColumn(text, first.offset), jsonc.printParseErrorCode(first.error), BUN_FIX)
  if (!isObject(doc) || !isObject(doc.packages)) throw new UsageError(`${file} is not a bun.lock (no "packages" object): write it again with ${BUN_FIX}`)
  const lockfileVersion = doc.lockfileVersion
  if (typeof lockfileVersion !== 'number' || lockfileVersion > 2) throw new UsageError(`${file} has lockfileVersion ${JSON.stringify(lockfileVersion)}, which scan does not know (it reads 0 to 2, bun 1.2 to 1.4): write it again with ${BUN_FIX} of a bun it knows`)
  const entries: LockEntry[] = []
  const referenced = new Map<string, boolean>()
  const note = (path: string, optional: boolean) => referenced.set(path, (referenced.get(path) ?? true) && optional)
  for (const [path, value] of Object.entries(doc.packages)) {
    if (!Array.isArray(value) || typeof value[0] !== 'string') continue
    const ident = value[0]
    const at = ident.indexOf('@', ident.startsWith('@') ? 1 : 0)
    const name = at > 0 ? ident.slice(0, at) : ident
    const version = at > 0 ? ident.slice(at + 1) : ''
    if (/^(workspace|link|file):/.test(version)) continue // the app's own packages
    const info = value.find((v, i) => i > 0 && isObject(v)) as Record<string, unknown> | undefined ?? {}
    const registry = typeof value[1] === 'string' ? value[1] : ''
    const integrity = typeof value[3] === 'string' ? value[3] : undefined
    entries.push({
      path,
      name,
      version,
      ...platformFields(info),
      optional: true, // until a dependent needs it (below)
      hasInstallScript: info.hasInstallScript === true,
      resolved: /^https?:\/\/.+\.tgz$/.test(registry) ? registry : /^https?:\/\//.test(registry) ? `${registry.replace(/\/?$/, '/')}${name}/-/${name.split('/').at(-1)}-${version}.tgz` : undefined,
      integrity,
      dependencies: stringRecord(info.dependencies),
      optionalDependencies: stringRecord(info.optionalDependencies),
      installedAt: `node_modules/${bunPathNames(path).join('/node_modules/')}`,
    })
  }
  const byPath = new Map(entries.map((e) => [e.path, e]))
  /** The entry `name` resolves to from install path `from`: nested first, then upwards, as node_modules. */
  const lookup = (from: string, name: string) => {
    const names = from ? bunPathNames(from) : []
    for (let i = names.length; i >= 0; i--) {
      const hit = byPath.get([...names.slice(0, i), name].join('/'))
      if (hit) return hit
    }
    return undefined
  }
  for (const entry of entries) {
    for (const dep of Object.keys(entry.dependencies)) { const e = lookup(entry.path, dep); if (e) note(e.path, false) }
    for (const dep of Object.keys(entry.optionalDependencies)) { const e = lookup(entry.path, dep); if (e) note(e.path, true) }
  }
  for (const workspace of Object.values(isObject(doc.workspaces) ? doc.workspaces : {})) {
    if (!isObject(workspace)) continue
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) for (const dep of Object.keys(stringRecord(workspace[field]))) note(dep, false)
    for (const dep of Object.keys(stringRecord(workspace.optionalDependencies))) note(dep, true)
  }
  for (const [path, optional] of referenced) {
    const entry = byPath.get(path)
    if (entry && !optional) entry.optional = false
  }
  const trusted = stringList(doc.trustedDependencies)
  return {
    file,
    manager: 'bun',
    lockfileVersion,
    entries,
    recordsLibc: anyLibc(entries),
    resolve: (from, name) => lookup(from.path, name),
    ...(trusted ? { approvedBuilds: new Map(trusted.map((n) => [n, true])) } : {}),
  }
}

// pnpm's pnpm-lock.yaml, lockfileVersion 9.0 (pnpm 9 and 10), read with the `yaml` library.
// `packages:` holds each package's metadata (resolution with integrity or tarball, os, cpu,
// libc); `snapshots:` holds each installed instance (a package with its peers) and its
// dependencies, which name versions, not ranges. Measured with pnpm 10.34.8:
// - pnpm-lock.yaml records every platform package of a family with its os/cpu/libc, whatever
//   `supportedArchitectures` says (a lockfile written with `supportedArchitectures: { libc:
//   [glibc] }` still holds the musl packages); an install then takes those that fit the machine.
// - it records no install script (no `requiresBuild`, no `hasInstallScript`), and not which
//   builds are approved: that is in pnpm-workspace.yaml or package.json beside it (builds.ts).
// - `pnpm install --frozen-lockfile` with an entry deleted stops with
//   ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY "Broken lockfile: no entry for '<name>@<version>' in
//   pnpm-lock.yaml"; `pnpm install --fix-lockfile` records it again (`--no-frozen-lockfile
//   --lockfile-only` does not).

import { UsageError } from '../../lib/errors.js'
import { anyLibc, isObject, lazy, type LockEntry, type Lockfile, platformFields, stringRecord, unreadable } from './model.js'

const yaml = lazy<typeof import('yaml')>('yaml')

export const PNPM_FIX = 'pnpm install --lockfile-only'

/** `@scope/name@1.2.3(peer@4)` → its name and its version (without the peers). */
export function splitPnpmKey(key: string): { name: string; version: string } {
  const at = key.indexOf('@', key.startsWith('@') ? 1 : 0)
  if (at <= 0) return { name: key, version: '' }
  const rest = key.slice(at + 1)
  const peers = rest.indexOf('(')
  return { name: key.slice(0, at), version: peers === -1 ? rest : rest.slice(0, peers) }
}

/** The YAML document, or a usage error with pnpm-lock.yaml's line and column. */
export function parseYamlFile(file: string, text: string, fix: string): unknown {
  try {
    // No duplicate-key check: it compares every key of a mapping with every other, which is most
    // of the time on an app's pnpm-lock.yaml (1 s of 1.3 s for 1,245 entries), and pnpm writes none.
    return yaml().parse(text, { uniqueKeys: false })
  } catch (error) {
    if (!(error instanceof yaml().YAMLParseError)) throw error
    const pos = error.linePos?.[0]
    throw unreadable(file, 'YAML', pos ? `line ${pos.line}, column ${pos.col}` : undefined, error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.message, fix)
  }
}

export function parsePnpmLockfile(file: string, text: string): Lockfile {
  const doc = parseYamlFile(file, text, PNPM_FIX)
  if (!isObject(doc)) throw new UsageError(`${file} is not a pnpm-lock.yaml (not a YAML mapping): write it again with ${PNPM_FIX}`)
  const version = doc.lockfileVersion
  if (version !== '9.0' || !isObject(doc.packages ?? {}) || !isObject(doc.snapshots ?? {})) {
    throw new UsageError(`${file} is not a pnpm-lock.yaml of lockfileVersion 9.0 (lockfileVersion ${JSON.stringify(version)}): write it again with pnpm ≥ 9 (${PNPM_FIX})`)
  }
  const packages = (doc.packages ?? {}) as Record<string, unknown>
  const snapshots = (doc.snapshots ?? {}) as Record<string, unknown>
  const entries: LockEntry[] = []
  for (const [key, value] of Object.entries(snapshots)) {
    const snapshot = isObject(value) ? value : {}
    const { name, version: v } = splitPnpmKey(key)
    const pkg = packages[`${name}@${v}`]
    // A snapshot without its package's metadata is a broken lockfile: its dependents see it missing.
    if (!isObject(pkg)) continue
    const resolution = isObject(pkg.resolution) ? pkg.resolution : {}
    entries.push({
      path: key,
      name,
      version: typeof pkg.version === 'string' ? pkg.version : v,
      ...platformFields(pkg),
      optional: snapshot.optional === true,
      hasInstallScript: pkg.requiresBuild === true,
      resolved: typeof resolution.tarball === 'string' ? resolution.tarball : undefined,
      integrity: typeof resolution.integrity === 'string' ? resolution.integrity : undefined,
      dependencies: stringRecord(snapshot.dependencies),
      optionalDependencies: stringRecord(snapshot.optionalDependencies),
      // pnpm's virtual store; a key with peers is stored under a name scan does not derive.
      installedAt: key.includes('(') ? undefined : `node_modules/.pnpm/${key.replaceAll('/', '+')}/node_modules/${name}`,
    })
  }
  const byKey = new Map(entries.map((e) => [e.path, e]))
  const resolve = (from: LockEntry, name: string) => {
    const ref = from.dependencies[name] ?? from.optionalDependencies[name]
    if (ref === undefined || ref.startsWith('link:')) return undefined
    // A version (`1.7.8`, `1.0.0(peer@2)`), or an alias's own key (`string-width@4.2.3`).
    return byKey.get(/^\d/.test(ref) ? `${name}@${ref}` : ref)
  }
  return { file, manager: 'pnpm', lockfileVersion: version, entries, recordsLibc: anyLibc(entries), resolve }
}

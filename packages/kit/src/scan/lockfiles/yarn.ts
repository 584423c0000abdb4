// Yarn's (2+, "berry") yarn.lock: the `__metadata` format, read with @yarnpkg/parsers'
// parseSyml. Each entry is keyed by the descriptors that resolve to it
// (`"minipass@npm:^7.0.4, minipass@npm:^7.1.2"`); a package's os/cpu/libc are one
// `conditions:` line (`os=linux & cpu=x64 & libc=musl`, a list as `(os=a | os=b)`, an
// exclusion as `!os=win32`); optional dependencies are dependencies marked
// `dependenciesMeta: { <name>: { optional: true } }`. Measured with yarn 4.18.1:
// - yarn.lock records every platform package of a family with its conditions, whatever
//   `supportedArchitectures` says (that only chooses what is fetched and installed); an
//   install on the target takes those that fit it ("current", the default).
// - `checksum: 10c0/…` is the hash of yarn's own cache archive, not of the registry's tarball:
//   scan checks a tarball against the registry's recorded integrity instead (scan.ts).
// - it records no install script; it does record a workspace's `dependenciesMeta` (`built:
//   true` written into package.json is copied to the workspace's entry), which builds.ts reads.
// - `yarn install --immutable` with an entry deleted stops with "YN0028: The lockfile would
//   have been modified by this install, which is explicitly forbidden."; `yarn install`
//   records it again.

import { UsageError } from '../../lib/errors.js'
import { anyLibc, isObject, lazy, type LockEntry, type Lockfile, stringRecord, unreadable } from './model.js'

const parsers = lazy<typeof import('@yarnpkg/parsers')>('@yarnpkg/parsers')

/** parseSyml gives every scalar as a string: `optional: true` is "true". */
const flag = (v: unknown): boolean | undefined => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined)

export const YARN_FIX = 'yarn install --mode=update-lockfile'

/** `os=linux & (cpu=x64 | cpu=arm64) & !libc=musl` → { os: [linux], cpu: [x64, arm64], libc: [!musl] }. */
export function parseConditions(line: string): Pick<LockEntry, 'os' | 'cpu' | 'libc'> {
  const fields: Pick<LockEntry, 'os' | 'cpu' | 'libc'> = {}
  for (const part of line.split(' & ')) {
    for (const token of part.replace(/^\(|\)$/g, '').split(' | ')) {
      const m = /^(!?)(os|cpu|libc)=(.+)$/.exec(token.trim())
      if (!m?.[2] || !m[3]) continue
      const field = m[2] as 'os' | 'cpu' | 'libc'
      ;(fields[field] ??= []).push(`${m[1]}${m[3]}`)
    }
  }
  return fields
}

/** `@scope/name@npm:1.2.3` → `@scope/name` and `npm:1.2.3`. */
export function splitDescriptor(descriptor: string): { name: string; range: string } {
  const at = descriptor.indexOf('@', descriptor.startsWith('@') ? 1 : 0)
  return at <= 0 ? { name: descriptor, range: '' } : { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) }
}

function parseYarnDocument(file: string, text: string): Record<string, unknown> {
  if (/^# yarn lockfile v1$/m.test(text)) {
    throw new UsageError(`${file} is a yarn 1 lockfile, which records no os, cpu or libc: scan reads yarn ≥ 2's yarn.lock (yarn set version stable && yarn install), or write a package-lock.json with npm install --package-lock-only`)
  }
  try {
    const doc = parsers().parseSyml(text)
    if (isObject(doc)) return doc
  } catch (error) {
    const { reason, mark, message } = error as { reason?: string; mark?: { line: number; column: number }; message: string }
    throw unreadable(file, 'yarn.lock syntax', mark ? `line ${mark.line + 1}, column ${mark.column + 1}` : undefined, reason ?? message.split('\n')[0] ?? message, YARN_FIX)
  }
  throw new UsageError(`${file} is not a yarn.lock (not a mapping of entries): write it again with ${YARN_FIX}`)
}

export function parseYarnLockfile(file: string, text: string): Lockfile {
  const doc = parseYarnDocument(file, text)
  const metadata = doc['__metadata']
  if (!isObject(metadata)) throw new UsageError(`${file} has no __metadata, so it is not a yarn ≥ 2 lockfile: write it again with ${YARN_FIX}`)
  const entries: LockEntry[] = []
  const byDescriptor = new Map<string, LockEntry>()
  /** The workspaces' `dependenciesMeta.<name>.built`: yarn runs a dependency's build scripts when true. */
  const builds = new Map<string, boolean>()
  const referenced = new Map<string, boolean>()
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isObject(value)) continue
    const resolution = typeof value.resolution === 'string' ? value.resolution : ''
    const { name, range } = splitDescriptor(resolution)
    const meta = isObject(value.dependenciesMeta) ? value.dependenciesMeta : {}
    const dependencies = stringRecord(value.dependencies)
    const optionalNames = Object.keys(dependencies).filter((d) => isObject(meta[d]) && flag(meta[d].optional) === true)
    for (const [dep, depRange] of Object.entries(dependencies)) {
      const descriptor = `${dep}@${depRange}`
      referenced.set(descriptor, (referenced.get(descriptor) ?? true) && optionalNames.includes(dep))
    }
    if (range.startsWith('workspace:')) {
      for (const [dep, m] of Object.entries(meta)) {
        const built = isObject(m) ? flag(m.built) : undefined
        if (built !== undefined) builds.set(splitDescriptor(dep).name, built)
      }
      continue
    }
    const entry: LockEntry = {
      path: key,
      name,
      version: typeof value.version === 'string' ? value.version : '',
      ...(typeof value.conditions === 'string' ? parseConditions(value.conditions) : {}),
      optional: true, // until a dependent needs it (below)
      hasInstallScript: false,
      // Registry packages (npm:, and patch: of one) come from the registry's standard URL.
      resolved: undefined,
      integrity: undefined,
      dependencies: Object.fromEntries(Object.entries(dependencies).filter(([d]) => !optionalNames.includes(d))),
      optionalDependencies: Object.fromEntries(optionalNames.map((d) => [d, dependencies[d] ?? ''])),
      installedAt: `node_modules/${name}`,
    }
    entries.push(entry)
    for (const descriptor of key.split(', ')) byDescriptor.set(descriptor.trim(), entry)
  }
  for (const [descriptor, optional] of referenced) {
    const entry = byDescriptor.get(descriptor)
    if (entry && !optional) entry.optional = false
  }
  const resolve = (from: LockEntry, name: string) => {
    const range = from.dependencies[name] ?? from.optionalDependencies[name]
    return range === undefined ? undefined : byDescriptor.get(`${name}@${range}`)
  }
  const version = typeof metadata.version === 'string' || typeof metadata.version === 'number' ? metadata.version : ''
  return { file, manager: 'yarn', lockfileVersion: version, entries, recordsLibc: anyLibc(entries), resolve, approvedBuilds: builds }
}

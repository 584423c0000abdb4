// What `npm ci` installs on a target, by npm's own rules (npm-install-checks): an entry's `os`
// and `cpu` lists (with `!name` exclusions) must allow the target's; a `libc` list is checked
// on Linux only and fails everywhere else; an entry without `libc` installs on both Linux
// libcs. npm ≥ 11.11 records `libc` in the lockfile; what older npm wrote has none, so every
// Linux variant of a family installs, and the loader chooses among them at run time.
// pnpm 10.34.8, yarn 4.18.1 and bun 1.4.5 choose the same way (measured on @node-rs/xxhash@1.7.8
// with each one's supportedArchitectures or --os/--cpu/--libc: linux-x64-musl gets only the
// -musl package, linux-x64-glibc only -gnu, and linux-arm on musl the -arm-gnueabihf package,
// which declares no libc), so this one rule serves every lockfile.
import type { LockEntry } from './lockfile.js'
import type { ScanTarget } from './targets.js'

/** npm's check of one field: `!x` excludes x, any plain value must then include it. */
function allows(list: string[] | undefined, value: string): boolean {
  if (!list || list.length === 0) return true
  if (list.includes(`!${value}`)) return false
  const plain = list.filter((v) => !v.startsWith('!'))
  return plain.length === 0 || plain.includes(value) || plain.includes('any')
}

/** Whether npm installs `entry` on `target`. */
export function installsOn(entry: Pick<LockEntry, 'os' | 'cpu' | 'libc'>, target: ScanTarget): boolean {
  if (!allows(entry.os, target.os) || !allows(entry.cpu, target.cpu)) return false
  if (entry.libc && entry.libc.length > 0) return target.os === 'linux' && target.libc !== undefined && allows(entry.libc, target.libc)
  return true
}

/** Why `entry` does not install on `target`, e.g. `os: darwin`. */
export function whyNot(entry: Pick<LockEntry, 'os' | 'cpu' | 'libc'>, target: ScanTarget): string {
  if (!allows(entry.os, target.os)) return `os: ${entry.os?.join(', ')}`
  if (!allows(entry.cpu, target.cpu)) return `cpu: ${entry.cpu?.join(', ')}`
  return `libc: ${entry.libc?.join(', ')}`
}

const PLATFORM_SUFFIX = /-(linux|linuxmusl|darwin|win32|freebsd|android|openharmony|wasm32)-([a-z0-9]+)(?:-([a-z0-9]+))?$/

/** The target a platform package's name states: `…-linux-x64-musl` → `--os=linux --cpu=x64 --libc=musl`. */
export function flagsFromName(name: string): string | undefined {
  const m = PLATFORM_SUFFIX.exec(name)
  if (!m?.[1] || !m[2]) return undefined
  const os = m[1] === 'linuxmusl' ? 'linux' : m[1]
  const libc = m[1] === 'linuxmusl' || m[3]?.startsWith('musl') ? 'musl' : os === 'linux' && m[3]?.startsWith('gnu') ? 'glibc' : undefined
  return [`--os=${os}`, `--cpu=${m[2]}`, ...(libc ? [`--libc=${libc}`] : [])].join(' ')
}

/** How well a platform package's name fits the target's libc: 1 names it, 0 names none, -1 names the other. */
export function libcFit(name: string, target: ScanTarget): number {
  if (target.os !== 'linux') return 0
  const musl = /musl/.test(name)
  const gnu = /-gnu/.test(name) || /-linux-[a-z0-9]+$/.test(name)
  if (target.libc === 'musl') return musl ? 1 : gnu ? -1 : 0
  return musl ? -1 : gnu ? 1 : 0
}

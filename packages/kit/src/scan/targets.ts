// The systems `napi-kit scan` checks an app's lockfile for: each as npm sees it (`os`, `cpu`,
// `libc`, the flags `npm install --os --cpu --libc` takes) and as a napi-rs loader names it
// (`linux-arm-musleabihf`), with the glibc the gnu targets are held to.
import { UsageError } from '../lib/errors.js'

export interface ScanTarget {
  /** e.g. `linux-x64-musl`: the napi-rs platform name, as in `<binary>.linux-x64-musl.node`. */
  name: string
  os: 'linux' | 'darwin' | 'win32'
  cpu: 'x64' | 'arm64' | 'arm'
  /** Linux only. */
  libc?: 'glibc' | 'musl'
  /** The glibc of a gnu target, e.g. `2.28`. */
  glibc?: string
}

const TARGETS: Array<Omit<ScanTarget, 'glibc'>> = [
  { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { name: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' },
  { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { name: 'linux-arm64-musl', os: 'linux', cpu: 'arm64', libc: 'musl' },
  { name: 'linux-arm-gnueabihf', os: 'linux', cpu: 'arm', libc: 'glibc' },
  { name: 'linux-arm-musleabihf', os: 'linux', cpu: 'arm', libc: 'musl' },
  { name: 'darwin-x64', os: 'darwin', cpu: 'x64' },
  { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64' },
  { name: 'win32-x64-msvc', os: 'win32', cpu: 'x64' },
  { name: 'win32-arm64-msvc', os: 'win32', cpu: 'arm64' },
]

export const SCAN_TARGET_NAMES = TARGETS.map((t) => t.name)
export const DEFAULT_SCAN_TARGETS = 'linux-x64-musl,linux-x64-gnu'
/** Debian 10 and RHEL 8: the oldest glibc most deployments still run. */
export const DEFAULT_TARGET_GLIBC = '2.28'

/** `--target a,b` and `--glibc 2.N` as targets; throws UsageError naming what is wrong. */
export function parseTargets(list: string, glibc: string): ScanTarget[] {
  if (!/^2\.\d+$/.test(glibc)) throw new UsageError(`--glibc ${glibc} is not a glibc version: pass it as 2.N, e.g. --glibc 2.31 (Debian 11)`)
  const names = list.split(',').map((n) => n.trim())
  const found: ScanTarget[] = []
  for (const name of names) {
    const target = TARGETS.find((t) => t.name === name || (t.os === 'win32' && t.name === `${name}-msvc`))
    if (!target) throw new UsageError(`--target ${name || '(empty)'} is not a target scan knows: pass one or more of ${SCAN_TARGET_NAMES.join(', ')}, separated by commas`)
    if (!found.some((t) => t.name === target.name)) found.push({ ...target, ...(target.libc === 'glibc' ? { glibc } : {}) })
  }
  return found
}

/** The flags that make npm record (or install) a target's packages: `--os=linux --cpu=x64 --libc=musl`. */
export function npmFlags(target: ScanTarget): string {
  return [`--os=${target.os}`, `--cpu=${target.cpu}`, ...(target.libc ? [`--libc=${target.libc}`] : [])].join(' ')
}

/** A target as people call its images: `linux-x64-musl (Alpine)`. */
export function imageKind(target: ScanTarget): string {
  if (target.os !== 'linux') return target.os === 'darwin' ? 'macOS' : 'Windows'
  return target.libc === 'musl' ? 'musl (Alpine)' : `glibc ${target.glibc ?? DEFAULT_TARGET_GLIBC}`
}

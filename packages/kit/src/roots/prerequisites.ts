// What the roots need from the host, checked before anything is downloaded: each missing piece
// is named with the command that provides it.
import { existsSync, readdirSync } from 'node:fs'

import { exec, which } from '../lib/process.js'
import { DEBIAN_KEYRING } from './debian.js'

export interface Missing {
  /** What is missing, e.g. `needs unzip on PATH`. */
  what: string
  /** How to get it. */
  fix: string
}

const TOOLS: Array<[tool: string, debianPackage: string]> = [
  ['unshare', 'util-linux'],
  ['chroot', 'coreutils'],
  ['apt-get', 'apt'],
  ['dpkg-deb', 'dpkg'],
  ['python3', 'python3-pip'],
  ['unzip', 'unzip'],
]

/** apt trusts Debian's archive: its keyring package, or Debian's own trusted keys. */
function hasDebianKeyring(): boolean {
  if (existsSync(DEBIAN_KEYRING)) return true
  const trusted = '/etc/apt/trusted.gpg.d'
  return existsSync(trusted) && readdirSync(trusted).some((f) => f.startsWith('debian-archive-'))
}

/** Why the x64 musl root cannot run here, or undefined when it can. */
export async function rootsUnsupported(): Promise<Missing | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { what: `needs a Linux x64 host (this is ${process.platform}-${process.arch})`, fix: 'run it on Linux x64, or use Docker' }
  }
  for (const [tool, pkg] of TOOLS) {
    if (!(await which(tool))) return { what: `needs ${tool} on PATH`, fix: `install it (Debian/Ubuntu: apt-get install ${pkg})` }
  }
  const pip = await exec(['python3', '-m', 'pip', '--version'], { nothrow: true })
  if (pip.exitCode !== 0) return { what: 'needs pip for python3 (python3 -m pip)', fix: 'install it (Debian/Ubuntu: apt-get install python3-pip)' }
  if (!hasDebianKeyring()) {
    return { what: `needs Debian's archive keyring (${DEBIAN_KEYRING})`, fix: 'install it (Ubuntu and Debian: apt-get install debian-archive-keyring)' }
  }
  const root = process.getuid?.() === 0
  const probe = await exec(['unshare', ...(root ? [] : ['--user', '--map-root-user']), '--mount', '--propagation', 'private', 'true'], { nothrow: true })
  if (probe.exitCode !== 0) {
    return root
      ? { what: `cannot create a mount namespace here (unshare: ${probe.stderr.trim()})`, fix: 'run it where mount namespaces are allowed (not inside an unprivileged container)' }
      : {
          what: `needs root or unprivileged user namespaces, which this system refuses (unshare: ${probe.stderr.trim()})`,
          fix: 'run it as root (sudo), or allow user namespaces (sudo sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0)',
        }
  }
  return undefined
}

/** Why the arm64 roots cannot run here (beyond what the musl root needs), or undefined. */
export async function arm64Unsupported(): Promise<Missing | undefined> {
  const probe = await exec(['unshare', '--user', '--map-root-user', '--mount', 'sh', '-c', 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc'], { nothrow: true })
  if (probe.exitCode === 0) return undefined
  const kernel = (await exec(['uname', '-r'], { nothrow: true })).stdout.trim()
  return {
    what: `cannot mount a private binfmt_misc for qemu-user (needs Linux 6.7 or newer; this is ${kernel}): ${probe.stderr.trim()}`,
    fix: 'run it on Linux 6.7 or newer, or on an arm64 machine',
  }
}

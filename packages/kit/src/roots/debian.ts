// Debian packages for the roots, fetched with apt-get under a private state folder per suite
// and architecture (its own sources.list, lists, cache and empty dpkg status), so the system's
// apt sources, lists, dpkg database and dpkg architectures stay as they are, and the host need
// not be Debian: Ubuntu's apt-get works too, given Debian's archive keyring. The .deb files are
// kept in the cache: a second call downloads nothing.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { ensureOnce } from '../lib/lock.js'
import { bytes, progress, timed } from '../lib/log.js'
import { exec } from '../lib/process.js'

/** The variable that picks another Debian mirror. */
export const MIRROR_ENV = 'NAPI_KIT_DEBIAN_MIRROR'
/** Debian's archive, the same host Debian's own apt uses. */
const mirror = () => process.env[MIRROR_ENV] || 'http://deb.debian.org/debian'
/** Where Debian (package debian-archive-keyring) and Ubuntu (the same package) keep the key. */
export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'
const base = () => join(cacheDir(), 'debian')

/** Debian's names for the CPUs the roots are built for. */
export type DebianArch = 'amd64' | 'arm64'

function aptOptions(state: string, arch: DebianArch): string[] {
  return [
    '-o', `Dir::Etc::SourceList=${join(state, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(state, 'lists')}`,
    '-o', `Dir::Cache=${join(state, 'cache')}`,
    '-o', `Dir::State::status=${join(state, 'status')}`,
    '-o', `APT::Architecture=${arch}`,
    '-o', `APT::Architectures=${arch}`,
    '-o', 'Acquire::Languages=none',
    // The download runs as the calling user: apt's sandbox user would need root to switch to.
    '-o', `APT::Sandbox::User=${process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root')}`,
  ]
}

/**
 * The .deb files of `names` from Debian `suite` for `arch`, downloaded on first use. Returns
 * one path per name, in the order given.
 */
export async function debianPackages(suite: string, arch: DebianArch, names: string[]): Promise<string[]> {
  const state = join(base(), `${suite}-${arch}`)
  const debs = join(state, 'debs')
  const find = (name: string) => readdirSync(debs).find((f) => f.startsWith(`${name}_`) && f.endsWith(`_${arch}.deb`))
  mkdirSync(debs, { recursive: true })
  await ensureOnce(`debian-${suite}-${arch}`, () => names.every((n) => find(n)), async () => {
    const missing = names.filter((n) => !find(n))
    await timed(`download ${missing.join(', ')} (Debian ${suite}, ${arch}, from ${mirror()})`, async () => {
      mkdirSync(join(state, 'lists', 'partial'), { recursive: true })
      mkdirSync(join(state, 'cache', 'archives', 'partial'), { recursive: true })
      if (!existsSync(join(state, 'status'))) writeFileSync(join(state, 'status'), '')
      const signedBy = existsSync(DEBIAN_KEYRING) ? ` [signed-by=${DEBIAN_KEYRING}]` : ''
      writeFileSync(join(state, 'sources.list'), `deb${signedBy} ${mirror()} ${suite} main\n`)
      await exec(['apt-get', '-q', ...aptOptions(state, arch), 'update'])
      await exec(['apt-get', '-q', ...aptOptions(state, arch), 'download', ...missing], { cwd: debs })
    })
    const got = missing.map((n) => find(n)).filter((f) => f !== undefined)
    const size = got.reduce((sum, f) => sum + statSync(join(debs, f)).size, 0)
    progress(`  ${got.join(', ')}: ${bytes(size)} in ${debs}`)
  })
  return names.map((name) => {
    const file = find(name)
    if (!file) throw new Error(`apt-get download left no ${name} package (${suite}, ${arch}) in ${debs}: delete ${state} and run again`)
    return join(debs, file)
  })
}

/** Unpacks a .deb's files into `dir` (dpkg-deb -x: no maintainer scripts run). */
export async function unpackDeb(deb: string, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  await exec(['dpkg-deb', '-x', deb, dir])
}

// Debian packages for the test roots, fetched with apt-get under a private state folder per
// suite and architecture (its own sources.list, lists, cache and empty dpkg status), so the
// system's apt sources, lists, dpkg database and dpkg architectures stay as they are. The .deb
// files are kept in the cache: a second call downloads nothing.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { ensureOnce } from './lock.js'
import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

/** Debian's archive, the same host the system's apt uses. */
const DEBIAN_MIRROR = process.env.HASHKIT_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian'
const BASE = join(CACHE_DIR, 'debian')

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
    '-o', 'APT::Sandbox::User=root',
  ]
}

/**
 * The .deb files of `names` from Debian `suite` for `arch`, downloaded on first use. Returns
 * one path per name, in the order given.
 */
export async function debianPackages(suite: string, arch: DebianArch, names: string[]): Promise<string[]> {
  const state = join(BASE, `${suite}-${arch}`)
  const debs = join(state, 'debs')
  const find = (name: string) => readdirSync(debs).find((f) => f.startsWith(`${name}_`) && f.endsWith(`_${arch}.deb`))
  mkdirSync(debs, { recursive: true })
  await ensureOnce(`debian-${suite}-${arch}`, () => names.every((n) => find(n)), async () => {
    const missing = names.filter((n) => !find(n))
    await timed(`download ${missing.join(', ')} (Debian ${suite}, ${arch}; private apt state in ${state})`, async () => {
      mkdirSync(join(state, 'lists', 'partial'), { recursive: true })
      mkdirSync(join(state, 'cache', 'archives', 'partial'), { recursive: true })
      if (!existsSync(join(state, 'status'))) writeFileSync(join(state, 'status'), '')
      writeFileSync(join(state, 'sources.list'), `deb ${DEBIAN_MIRROR} ${suite} main\n`)
      await $({ quiet: true })`apt-get -q ${aptOptions(state, arch)} update`
      await $({ quiet: true, cwd: debs })`apt-get -q ${aptOptions(state, arch)} download ${missing}`
    })
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
  await $({ quiet: true })`dpkg-deb -x ${deb} ${dir}`
}

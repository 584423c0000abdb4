// arm64 Linux on this x64 machine, without Docker: two roots laid out like small arm64 systems,
// one with glibc and one with musl (glibc-free, as on Alpine), each with real aarch64 Node.js
// builds, run through qemu-user. scripts/lib/chroot.ts enters them with a private binfmt_misc
// registration, so child processes (ava's workers, worker threads' helpers) are emulated too.
//
// Everything comes from registries and is cached under CACHE_DIR:
//   - qemu-user: Debian trixie's `qemu-user` (static binaries; only qemu-aarch64 is kept)
//   - glibc root: Debian trixie's arm64 `libc6`, `libgcc-s1`, `libstdc++6` and Node.js from
//     PyPI's manylinux aarch64 wheels (the official Node.js builds)
//   - musl root: Debian trixie's arm64 `musl` (1.2.5) and Node.js from musllinux_1_2_aarch64 wheels
//   - both: Debian trixie's arm64 `busybox-static` for /bin/sh and the usual commands
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { type Emulator, inRoot } from './chroot.js'
import { debianPackages, unpackDeb } from './debian.js'
import { ensureOnce } from './lock.js'
import { timed } from './log.js'
import { assembleMuslRoot, buildRoot, layoutBase, type MuslRootSpec, provisionRoot, type RootNode } from './musl-root.js'
import { nodeWheel, unpackNodeWheel } from './node-wheels.js'
import { CACHE_DIR } from './paths.js'

export type Libc = 'glibc' | 'musl'

const BASE = join(CACHE_DIR, 'arm64')
const QEMU = join(BASE, 'qemu', 'qemu-aarch64')

/** The root for one libc; `.complete` inside it marks a finished assembly. */
export const arm64Root = (libc: Libc) => join(BASE, `root-${libc}`)

/** aarch64 ELF executables and shared objects: class 64, little-endian, e_machine 183. */
const AARCH64_MAGIC = '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00'
const AARCH64_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'

export const aarch64Emulator: Emulator = { name: 'qemu-aarch64', qemu: QEMU, magic: AARCH64_MAGIC, mask: AARCH64_MASK }

/** Why the arm64 roots cannot run here (beyond what the musl root needs), or undefined. */
export async function arm64Unsupported(): Promise<string | undefined> {
  const probe = await $({ quiet: true, nothrow: true })`unshare --user --map-root-user --mount sh -c ${'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc'}`
  if (probe.exitCode !== 0) {
    return `cannot mount a private binfmt_misc (needs Linux 6.7 or newer; this is ${(await $({ quiet: true })`uname -r`).stdout.trim()}): ${probe.stderr.trim()}`
  }
  return undefined
}

/** qemu-aarch64 from Debian's qemu-user package, unpacked once; returns its path. */
export async function ensureQemu(): Promise<string> {
  await ensureOnce('qemu-aarch64', () => existsSync(QEMU), async () => {
    const [deb = ''] = await debianPackages('trixie', 'amd64', ['qemu-user'])
    await timed('unpack qemu-aarch64 from qemu-user', async () => {
      const dir = join(BASE, 'qemu')
      mkdirSync(dir, { recursive: true })
      await $({ quiet: true })`dpkg-deb --fsys-tarfile ${deb} | tar -x -C ${dir} --strip-components=3 ./usr/bin/qemu-aarch64`
      // The package holds every CPU's emulator (70 MB): only this one is kept.
      rmSync(deb)
    })
  })
  if (!existsSync(QEMU)) throw new Error(`qemu-user unpacked no usr/bin/qemu-aarch64 into ${join(BASE, 'qemu')}`)
  return QEMU
}

async function assembleGlibc(majors: string[]): Promise<void> {
  const qemu = await ensureQemu()
  const debs = await debianPackages('trixie', 'arm64', ['libc6', 'libgcc-s1', 'libstdc++6', 'busybox-static'])
  const wheels = await Promise.all(majors.map(async (m) => [m, await nodeWheel(m, 'manylinux_aarch64')] as const))
  await buildRoot(arm64Root('glibc'), majors, 'the arm64 glibc root', async (building) => {
    mkdirSync(join(building, 'usr'), { recursive: true })
    // Debian's merged /usr: the loader is /usr/lib/ld-linux-aarch64.so.1, binaries ask for
    // /lib/ld-linux-aarch64.so.1.
    symlinkSync('usr/lib', join(building, 'lib'))
    for (const deb of debs.slice(0, 3)) await unpackDeb(deb, building)
    await layoutBase(building, debs[3] ?? '', [qemu])
    for (const [major, wheel] of wheels) await unpackNodeWheel(wheel, building, major)
  })
}

async function assembleMusl(majors: string[]): Promise<void> {
  const qemu = await ensureQemu()
  const spec: MuslRootSpec = { root: arm64Root('musl'), title: 'the arm64 musl root', debianArch: 'arm64', arch: 'aarch64', wheel: 'musllinux_1_2_aarch64', emulate: [qemu] }
  await assembleMuslRoot(spec, majors)
}

/** The command line that runs `command` inside the arm64 root for `libc`, emulated. */
export function inArm64Root(libc: Libc, command: string[], options: { binds: string[]; cwd?: string }): string[] {
  return inRoot(arm64Root(libc), command, { ...options, emulator: aarch64Emulator })
}

/** The arm64 root for `libc` with the given Node.js majors in it, assembled or reused. */
export async function provisionArm64Root(libc: Libc, majors: string[]): Promise<RootNode[]> {
  await ensureQemu()
  return provisionRoot(arm64Root(libc), majors, libc === 'glibc' ? assembleGlibc : assembleMusl, (command) =>
    inArm64Root(libc, command, { binds: [] }),
  )
}

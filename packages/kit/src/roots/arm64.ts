// arm64 Linux on this x64 machine, without Docker: two roots laid out like small arm64 systems,
// one with glibc and one with musl (glibc-free, as on Alpine), each with real aarch64 Node.js
// builds, run through qemu-user. chroot.ts enters them with a private binfmt_misc
// registration, so child processes (ava's workers, worker threads' helpers) are emulated too.
//
// Everything comes from registries and is cached in the kit's cache:
//   - qemu-user: Debian trixie's `qemu-user` (static binaries; only qemu-aarch64 is kept)
//   - glibc root: Debian trixie's arm64 `libc6`, `libgcc-s1`, `libstdc++6` and Node.js from
//     PyPI's manylinux aarch64 wheels (the official Node.js builds)
//   - musl root: Debian trixie's arm64 `musl` (1.2.5) and Node.js from musllinux_1_2_aarch64 wheels
//   - both: Debian trixie's arm64 `busybox-static` for /bin/sh and the usual commands
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { ensureOnce } from '../lib/lock.js'
import { timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { type Emulator, inRoot } from './chroot.js'
import { debianPackages } from './debian.js'
import { assembleGlibcRoot, assembleMuslRoot, type MuslRootSpec, provisionRoot, type RootNode } from './musl.js'
import { arm64Unsupported as binfmtUnsupported } from './prerequisites.js'

export type Libc = 'glibc' | 'musl'

const base = () => join(cacheDir(), 'arm64')
const qemuPath = () => join(base(), 'qemu', 'qemu-aarch64')

/** The root for one libc; `.complete` inside it marks a finished assembly. */
export const arm64Root = (libc: Libc) => join(base(), `root-${libc}`)

/** aarch64 ELF executables and shared objects: class 64, little-endian, e_machine 183. */
const AARCH64_MAGIC = '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00'
const AARCH64_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'

export const aarch64Emulator = (): Emulator => ({ name: 'qemu-aarch64', qemu: qemuPath(), magic: AARCH64_MAGIC, mask: AARCH64_MASK })

/** Why the arm64 roots cannot run here (beyond what the musl root needs), or undefined. */
export async function arm64Unsupported(): Promise<string | undefined> {
  const missing = await binfmtUnsupported()
  return missing && `${missing.what}: ${missing.fix}`
}

/** qemu-aarch64 from Debian's qemu-user package, unpacked once; returns its path. */
export async function ensureQemu(): Promise<string> {
  const qemu = qemuPath()
  await ensureOnce('qemu-aarch64', () => existsSync(qemu), async () => {
    const [deb = ''] = await debianPackages('trixie', 'amd64', ['qemu-user'])
    await timed('unpack qemu-aarch64 from qemu-user', async () => {
      const dir = join(base(), 'qemu')
      mkdirSync(dir, { recursive: true })
      const script = 'dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --strip-components=3 ./usr/bin/qemu-aarch64'
      await exec(['sh', '-c', script, 'sh', deb, dir])
      // The package holds every CPU's emulator (70 MB): only this one is kept.
      rmSync(deb)
    })
  })
  if (!existsSync(qemu)) throw new Error(`qemu-user unpacked no usr/bin/qemu-aarch64 into ${join(base(), 'qemu')}: delete it and run again`)
  return qemu
}

async function assembleGlibc(majors: string[]): Promise<void> {
  const qemu = await ensureQemu()
  await assembleGlibcRoot({ root: arm64Root('glibc'), title: 'the arm64 glibc root', debianArch: 'arm64', wheel: 'manylinux_aarch64', emulate: [qemu] }, majors)
}

async function assembleMusl(majors: string[]): Promise<void> {
  const qemu = await ensureQemu()
  const spec: MuslRootSpec = { root: arm64Root('musl'), title: 'the arm64 musl root', debianArch: 'arm64', arch: 'aarch64', wheel: 'musllinux_1_2_aarch64', emulate: [qemu] }
  await assembleMuslRoot(spec, majors)
}

/** The command line that runs `command` inside the arm64 root for `libc`, emulated. */
export function inArm64Root(libc: Libc, command: string[], options: { binds: string[]; cwd?: string }): string[] {
  return inRoot(arm64Root(libc), command, { ...options, emulator: aarch64Emulator() })
}

/** The arm64 root for `libc` with the given Node.js majors in it, assembled or reused. */
export async function provisionArm64Root(libc: Libc, majors: string[]): Promise<RootNode[]> {
  await ensureQemu()
  return provisionRoot(arm64Root(libc), majors, libc === 'glibc' ? assembleGlibc : assembleMusl, (command) =>
    inArm64Root(libc, command, { binds: [] }),
  )
}

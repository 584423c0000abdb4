// The targets `napi-kit run` runs commands for, as data: which root, how to provision and enter
// it, what it needs from the host, and the Docker command that does the same elsewhere.
import { arm64Root, inArm64Root, provisionArm64Root } from './arm64.js'
import { inRoot } from './chroot.js'
import { glibcRoot, muslRoot, provisionGlibcRoot, provisionMuslRoot, type RootNode } from './musl.js'
import { arm64Unsupported as binfmtUnsupported, type Missing, rootsUnsupported } from './prerequisites.js'

export interface RunTarget {
  name: string
  cpu: 'x64' | 'arm64'
  libc: 'glibc' | 'musl'
  /** What the root holds, for messages. */
  description: string
  root: () => string
  provision: (majors: string[]) => Promise<RootNode[]>
  enter: (command: string[], options: { binds: string[]; cwd?: string }) => string[]
  unsupported: () => Promise<Missing | undefined>
  /** Docker's platform and image suffix for the same target. */
  docker: { platform: string; image: 'alpine' | 'slim' }
}

const withArm64 = async () => (await rootsUnsupported()) ?? (await binfmtUnsupported())

/** An x64 target: its root, entered directly. */
function x64Target(libc: 'glibc' | 'musl', description: string, root: () => string, provision: RunTarget['provision']): RunTarget {
  return {
    name: `linux-x64-${libc === 'glibc' ? 'gnu' : 'musl'}`,
    cpu: 'x64',
    libc,
    description,
    root,
    provision,
    enter: (command, options) => inRoot(root(), command, options),
    unsupported: rootsUnsupported,
    docker: { platform: 'linux/amd64', image: libc === 'glibc' ? 'slim' : 'alpine' },
  }
}

/** An arm64 target: its root under qemu-user, needing the binfmt_misc of Linux 6.7 too. */
function arm64Target(libc: 'glibc' | 'musl', description: string): RunTarget {
  return {
    name: `linux-arm64-${libc === 'glibc' ? 'gnu' : 'musl'}`,
    cpu: 'arm64',
    libc,
    description,
    root: () => arm64Root(libc),
    provision: (majors) => provisionArm64Root(libc, majors),
    enter: (command, options) => inArm64Root(libc, command, options),
    unsupported: withArm64,
    docker: { platform: 'linux/arm64', image: libc === 'glibc' ? 'slim' : 'alpine' },
  }
}

export const RUN_TARGETS: readonly RunTarget[] = [
  x64Target('musl', 'a glibc-free root with musl 1.2.5 and musl builds of Node.js, as on Alpine', muslRoot, provisionMuslRoot),
  x64Target('glibc', "a root with Debian trixie's glibc and the official Node.js builds", glibcRoot, provisionGlibcRoot),
  arm64Target('musl', 'a glibc-free arm64 root with musl 1.2.5 and aarch64 musl builds of Node.js, under qemu-user'),
  arm64Target('glibc', "an arm64 root with Debian trixie's glibc and the official aarch64 Node.js builds, under qemu-user"),
]

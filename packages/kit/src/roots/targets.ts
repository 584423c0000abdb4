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

export const RUN_TARGETS: readonly RunTarget[] = [
  {
    name: 'linux-x64-musl',
    cpu: 'x64',
    libc: 'musl',
    description: 'a glibc-free root with musl 1.2.5 and musl builds of Node.js, as on Alpine',
    root: muslRoot,
    provision: provisionMuslRoot,
    enter: (command, options) => inRoot(muslRoot(), command, options),
    unsupported: rootsUnsupported,
    docker: { platform: 'linux/amd64', image: 'alpine' },
  },
  {
    name: 'linux-x64-gnu',
    cpu: 'x64',
    libc: 'glibc',
    description: "a root with Debian trixie's glibc and the official Node.js builds",
    root: glibcRoot,
    provision: provisionGlibcRoot,
    enter: (command, options) => inRoot(glibcRoot(), command, options),
    unsupported: rootsUnsupported,
    docker: { platform: 'linux/amd64', image: 'slim' },
  },
  {
    name: 'linux-arm64-musl',
    cpu: 'arm64',
    libc: 'musl',
    description: 'a glibc-free arm64 root with musl 1.2.5 and aarch64 musl builds of Node.js, under qemu-user',
    root: () => arm64Root('musl'),
    provision: (majors) => provisionArm64Root('musl', majors),
    enter: (command, options) => inArm64Root('musl', command, options),
    unsupported: withArm64,
    docker: { platform: 'linux/arm64', image: 'alpine' },
  },
  {
    name: 'linux-arm64-gnu',
    cpu: 'arm64',
    libc: 'glibc',
    description: "an arm64 root with Debian trixie's glibc and the official aarch64 Node.js builds, under qemu-user",
    root: () => arm64Root('glibc'),
    provision: (majors) => provisionArm64Root('glibc', majors),
    enter: (command, options) => inArm64Root('glibc', command, options),
    unsupported: withArm64,
    docker: { platform: 'linux/arm64', image: 'slim' },
  },
]

// Runs a command inside one of the test roots (a folder laid out as a small Linux system: the
// x64 musl root, the arm64 glibc and musl roots). Each run gets a private mount namespace with
// /proc, /dev and a fresh /tmp mounted in the root, chosen host folders bound at the same
// absolute paths (so paths work inside and out), and a private PID namespace, so everything the
// command starts ends with it. Nothing is left mounted on the host.
//
// Roots for another CPU also get a private user namespace, whose own binfmt_misc instance
// (Linux ≥ 6.7) sends that CPU's ELF files to qemu-user: the system's binfmt registrations stay
// as they are, and no Docker or privileged helper is involved. Without root every root is
// entered through a user namespace (root inside it, the caller outside), where the kernel
// allows unprivileged ones.

/** What binfmt_misc needs to hand one CPU's executables to qemu. */
export interface Emulator {
  /** e.g. `qemu-aarch64`. */
  name: string
  /** Host path of a static qemu-user binary (opened when registered: flag F). */
  qemu: string
  /** ELF header bytes and mask, in binfmt_misc's `\xHH` notation. */
  magic: string
  mask: string
}

const ENTER = [
  'set -e',
  'R="$1"; shift',
  // An emulator, when there is one: a binfmt_misc instance private to this user namespace.
  'if [ "$1" != "-" ]; then',
  '  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc',
  '  printf "%s" "$1" > /proc/sys/fs/binfmt_misc/register',
  'fi',
  'shift',
  'mount -t proc -o nosuid,nodev,noexec proc "$R/proc"',
  'mount --rbind /dev "$R/dev"',
  'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"',
  'while [ "$1" != "--" ]; do mkdir -p "$R$1"; mount --bind "$1" "$R$1"; shift; done; shift',
  'CWD="$1"; shift',
  // Not exec'd: the shell stays PID 1 of the namespace, so node never runs as PID 1 (which
  // would ignore SIGTERM and SIGINT).
  'chroot "$R" /bin/sh -c \'cd "$0" && exec "$@"\' "$CWD" "$@"',
].join('\n')

/** The environment inside a root: Alpine's and Debian's PATH, nothing of the host's. */
export function rootEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    ...(process.env.CI ? { CI: process.env.CI } : {}),
    ...extra,
  }
}

/**
 * The command line that runs `command` inside `root` (cwd `cwd`, default `/`), with each folder
 * in `binds` at the same path inside. Run it with `rootEnv()` as its environment. Stopping it
 * takes SIGKILL (unshare blocks SIGTERM and SIGINT while it waits).
 */
export function inRoot(root: string, command: string[], options: { binds: string[]; cwd?: string; emulator?: Emulator }): string[] {
  const { emulator } = options
  const user = emulator || process.getuid?.() !== 0 ? ['--user', '--map-root-user'] : []
  const registration = emulator ? `:${emulator.name}:M::${emulator.magic}:${emulator.mask}:${emulator.qemu}:F` : '-'
  return [
    'unshare', ...user, '--mount', '--propagation', 'private', '--pid', '--kill-child', '--',
    '/bin/sh', '-c', ENTER, 'sh', root, registration, ...options.binds, '--', options.cwd ?? '/', ...command,
  ]
}

// Common glibc systems a Node.js app is deployed on: their glibc, and the libstdc++ their GCC
// ships (the newest GLIBCXX_ and CXXABI_ versions), oldest first. A gnu target at `--glibc G`
// is held to the newest system whose glibc is at most G.
import { compareVersions } from '../audit/checks.js'

export interface GlibcSystem {
  glibc: string
  system: string
  /** A Docker image of it with Node.js, where there is one. */
  image?: string
  glibcxx: string
  cxxabi: string
}

export const GLIBC_SYSTEMS: GlibcSystem[] = [
  { glibc: '2.17', system: 'CentOS 7', glibcxx: '3.4.19', cxxabi: '1.3.7' },
  { glibc: '2.24', system: 'Debian 9', image: 'node:<v>-stretch-slim', glibcxx: '3.4.22', cxxabi: '1.3.10' },
  { glibc: '2.26', system: 'Amazon Linux 2', glibcxx: '3.4.24', cxxabi: '1.3.11' },
  { glibc: '2.28', system: 'Debian 10, RHEL 8', image: 'node:<v>-buster-slim', glibcxx: '3.4.25', cxxabi: '1.3.11' },
  { glibc: '2.31', system: 'Debian 11, Ubuntu 20.04', image: 'node:<v>-bullseye-slim', glibcxx: '3.4.28', cxxabi: '1.3.12' },
  { glibc: '2.34', system: 'RHEL 9, Amazon Linux 2023 (AWS Lambda nodejs20.x and later)', glibcxx: '3.4.29', cxxabi: '1.3.13' },
  { glibc: '2.35', system: 'Ubuntu 22.04', glibcxx: '3.4.30', cxxabi: '1.3.13' },
  { glibc: '2.36', system: 'Debian 12', image: 'node:<v>-bookworm-slim', glibcxx: '3.4.30', cxxabi: '1.3.13' },
  { glibc: '2.39', system: 'Ubuntu 24.04', glibcxx: '3.4.33', cxxabi: '1.3.15' },
  { glibc: '2.41', system: 'Debian 13', image: 'node:<v>-trixie-slim', glibcxx: '3.4.33', cxxabi: '1.3.15' },
]

/** The system a gnu target at `glibc` stands for: the newest one whose glibc is at most `glibc`. */
export function systemAt(glibc: string): GlibcSystem | undefined {
  return GLIBC_SYSTEMS.filter((s) => compareVersions(s.glibc, glibc) <= 0).at(-1)
}

/** The oldest common system (with an image, when one has) whose glibc is at least `glibc`. */
export function imageFor(glibc: string): string {
  const fits = GLIBC_SYSTEMS.filter((s) => compareVersions(s.glibc, glibc) >= 0)
  const system = fits.find((s) => s.image) ?? fits[0]
  if (!system) return `a base image with glibc ${glibc} or newer`
  return `a base image with glibc ≥ ${glibc}, e.g. ${system.image ?? system.system} (glibc ${system.glibc})`
}

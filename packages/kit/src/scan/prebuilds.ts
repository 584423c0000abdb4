// prebuildify's `prebuilds/<platform>-<arch>[+<arch>…]/<tags>.node` and the file node-gyp-build
// loads from them on a target: the folder for the platform with that arch (single-arch folders
// first), then among its files the ones whose tags all fit (runtime `node`, `napi`, `abi<N>`,
// `uv<N>`, `armv<N>`, `glibc`/`musl`), the most specific first. A file without a libc tag fits
// both libcs: on musl it is what loads when no `.musl` file exists. node-gyp-build takes musl
// to mean Alpine (/etc/alpine-release), as the musl targets here stand for Alpine.
import type { ScanTarget } from './targets.js'

export interface Prebuild {
  /** The path inside the package, e.g. `prebuilds/linux-x64/bcrypt.musl.node`. */
  file: string
  tags: { runtime?: string; napi: boolean; abi?: string; uv?: string; armv?: string; libc?: string; specificity: number }
}

/** The `prebuilds/…/*.node` files among a package's files (paths relative to the package). */
export function prebuildFiles(files: string[]): string[] {
  return files.filter((f) => /^prebuilds\/[^/]+\/[^/]+\.node$/.test(f))
}

function parseTags(name: string): Prebuild['tags'] | undefined {
  const parts = name.split('.')
  if (parts.pop() !== 'node') return undefined
  const tags: Prebuild['tags'] = { napi: false, specificity: 0 }
  for (const tag of parts) {
    if (tag === 'node' || tag === 'electron' || tag === 'node-webkit') tags.runtime = tag
    else if (tag === 'napi') tags.napi = true
    else if (tag.startsWith('abi')) tags.abi = tag.slice(3)
    else if (tag.startsWith('uv')) tags.uv = tag.slice(2)
    else if (tag.startsWith('armv')) tags.armv = tag.slice(4)
    else if (tag === 'glibc' || tag === 'musl') tags.libc = tag
    else continue
    tags.specificity++
  }
  return tags
}

/** The ARM architecture version node-gyp-build assumes: 8 on arm64, 7 on the armhf targets. */
const armVersion = (cpu: string) => (cpu === 'arm64' ? '8' : cpu === 'arm' ? '7' : '')

/**
 * The prebuild node-gyp-build loads on `target` under Node.js (any ABI: only `napi` and
 * untagged files count as fitting every Node.js), or undefined when none fits.
 */
export function selectPrebuild(files: string[], target: ScanTarget): Prebuild | undefined {
  const folders = new Map<string, { platform: string; archs: string[] }>()
  for (const file of prebuildFiles(files)) {
    const folder = file.split('/')[1] ?? ''
    const [platform, archs, extra] = folder.split('-')
    if (!platform || !archs || extra !== undefined || archs.split('+').some((a) => !a)) continue
    folders.set(folder, { platform, archs: archs.split('+') })
  }
  const folder = [...folders.entries()]
    .filter(([, f]) => f.platform === target.os && f.archs.includes(target.cpu))
    .toSorted((a, b) => a[1].archs.length - b[1].archs.length)[0]?.[0]
  if (!folder) return undefined
  return selectTagged(prebuildFiles(files).filter((f) => f.split('/')[1] === folder), target)
}

/** Whether `.node` file names carry node-gyp-build tags (`node.napi.musl.node`), as in a platform package that node-gyp-build-optional-packages loads from. */
export function hasTags(files: string[]): boolean {
  return files.some((f) => (parseTags(f.split('/').at(-1) ?? '')?.specificity ?? 0) > 0)
}

/** Among `.node` files of one folder, the one node-gyp-build loads on `target`. */
export function selectTagged(files: string[], target: ScanTarget): Prebuild | undefined {
  const libc = target.libc === 'musl' ? 'musl' : 'glibc'
  const armv = armVersion(target.cpu)
  const candidates = files
    .toSorted() // node-gyp-build lists a folder in name order
    .flatMap((file) => {
      const tags = parseTags(file.split('/').at(-1) ?? '')
      return tags ? [{ file, tags }] : []
    })
    .filter(({ tags }) => {
      if (tags.runtime && tags.runtime !== 'node') return false
      if (tags.abi && !tags.napi) return false // a file for one Node.js ABI: not for every Node.js
      if (tags.armv && tags.armv !== armv) return false
      if (tags.libc && tags.libc !== libc) return false
      return true
    })
  // node-gyp-build's order: its own runtime first, ABI-tagged before napi, then the most specific.
  return candidates.toSorted((a, b) => {
    if (a.tags.runtime !== b.tags.runtime) return a.tags.runtime === 'node' ? -1 : 1
    if (a.tags.abi !== b.tags.abi) return a.tags.abi ? -1 : 1
    return b.tags.specificity - a.tags.specificity
  })[0]
}

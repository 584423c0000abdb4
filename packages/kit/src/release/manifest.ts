// A napi-rs project's platform list: `napi.targets` in the addon's package.json, and the
// platform packages it implies (npm/<platform>/, with their names, os, cpu and libc), named
// as napi-rs names them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface AddonManifest {
  name: string
  version: string
  license?: string
  main?: string
  types?: string
  /** What npm packs besides package.json. */
  files?: string[]
  optionalDependencies?: Record<string, string>
  napi: { binaryName: string; packageName?: string; targets: string[] }
}

/** What one platform package must look like. */
export interface PlatformPackage {
  triple: string
  /** Folder under npm/, e.g. `linux-x64-musl`. */
  dir: string
  name: string
  /** None for the WebAssembly package, which loads on every OS (it says only `cpu: ["wasm32"]`). */
  os?: string[]
  cpu: string[]
  /** Only for Linux: npm picks the package by libc (`glibc` or `musl`). */
  libc?: string[]
  /** The binary inside: `my-addon.linux-x64-musl.node`, or `my-addon.wasm32-wasi.wasm`. */
  binary: string
  /** What `require(name)` loads: the binary, or for WebAssembly the loader napi build writes. */
  main: string
  /** Every file it ships: the binary, and for WebAssembly also the loaders and their workers. */
  files: string[]
}

/** The addon's package.json in `dir`; throws when it has no usable `napi` field. */
export function readAddonManifest(dir: string): AddonManifest {
  const file = join(dir, 'package.json')
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as AddonManifest
  if (!manifest.napi?.binaryName || !Array.isArray(manifest.napi.targets) || manifest.napi.targets.length === 0) {
    throw new Error(`${file} has no usable "napi" field: it needs "binaryName" and a non-empty "targets" list.`)
  }
  return manifest
}

const ARCH: Record<string, string> = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64' }
const SYS: Record<string, string> = { linux: 'linux', darwin: 'darwin', windows: 'win32', freebsd: 'freebsd', android: 'android' }

/**
 * The WebAssembly targets napi-rs builds, by every spelling it accepts: the thread-enabled one
 * (`wasm32-wasi` is its old name) is the `<name>-wasm32-wasi` package its loaders fall back to.
 */
const WASI: Record<string, string> = {
  'wasm32-wasip1-threads': 'wasm32-wasi',
  'wasm32-wasi-preview1-threads': 'wasm32-wasi',
  'wasm32-wasi': 'wasm32-wasi',
  'wasm32-wasip1': 'wasm32-wasip1',
}

/** Whether `triple` is a WebAssembly (WASI) target. */
export const isWasiTarget = (triple: string): boolean => WASI[triple] !== undefined

/**
 * A Rust target triple in napi-rs's naming: `x86_64-unknown-linux-musl` → platform `linux`,
 * arch `x64`, abi `musl`, platformArchABI `linux-x64-musl`; `wasm32-wasip1-threads` → platform
 * `wasi`, arch `wasm32`, abi `wasi`, platformArchABI `wasm32-wasi`. The same result as
 * @napi-rs/cli's parseTriple, without loading that 2.5 MB module.
 */
export function parseTarget(triple: string): { platform: string; arch: string; abi: string | null; platformArchABI: string } {
  const wasi = WASI[triple]
  if (wasi) return { platform: 'wasi', arch: 'wasm32', abi: 'wasi', platformArchABI: wasi }
  const [archPart = '', , sysPart = '', abiPart] = triple.split('-')
  const arch = ARCH[archPart]
  const platform = SYS[sysPart]
  if (!arch || !platform) {
    throw new Error(
      `target ${triple} is not one napi-kit knows: its CPU must be one of ${Object.keys(ARCH).join(', ')} and its OS one of ${Object.keys(SYS).join(', ')} (check the spelling against rustup target list)`,
    )
  }
  const abi = abiPart ?? null
  return { platform, arch, abi, platformArchABI: [platform, arch, abi].filter(Boolean).join('-') }
}

/** Every platform package `napi.targets` implies, in its order. */
export function platformPackages(manifest: AddonManifest): PlatformPackage[] {
  const scope = manifest.napi.packageName ?? manifest.name
  return manifest.napi.targets.map((triple) => {
    const target = parseTarget(triple)
    const libc = target.platform === 'linux' ? [target.abi === 'musl' ? 'musl' : 'glibc'] : undefined
    const bin = manifest.napi.binaryName
    if (target.platform === 'wasi') {
      // The files napi build writes for the thread-enabled WebAssembly target, named as
      // `napi create-npm-dirs` lists them: Node.js's loader and its thread worker, the browser's.
      const binary = `${bin}.${target.platformArchABI}.wasm`
      const main = `${bin}.wasi.cjs`
      const files = [binary, main, `${bin}.wasi.d.cts`, `${bin}.wasi-browser.js`, 'wasi-worker.mjs', 'wasi-worker-browser.mjs']
      return { triple, dir: target.platformArchABI, name: `${scope}-${target.platformArchABI}`, cpu: [target.arch], binary, main, files }
    }
    const binary = `${bin}.${target.platformArchABI}.node`
    return {
      triple,
      dir: target.platformArchABI,
      name: `${scope}-${target.platformArchABI}`,
      os: [target.platform],
      cpu: [target.arch],
      ...(libc ? { libc } : {}),
      binary,
      main: binary,
      files: [binary],
    }
  })
}

/**
 * The `optionalDependencies` a release of `version` writes into the addon package: each released
 * platform package (all of them, but for a partial release) at exactly that version.
 */
export function releaseOptionalDependencies(released: PlatformPackage[], version: string): Record<string, string> {
  return Object.fromEntries(released.map((p) => [p.name, version]))
}

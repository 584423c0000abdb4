// Tools that only some scripts need (Verdaccio, pnpm, yarn, bun) live in folders of their own
// under tools/, each with a committed package-lock.json, never in the root's devDependencies.
// On first use a folder is installed with `npm ci` into the cache, keyed by its lockfile, so a
// second call installs nothing and a lockfile change installs afresh.
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { ensureOnce } from '@napi-kit/cli'
import { timed } from './log.js'
import { CACHE_DIR, ROOT } from './paths.js'

export const TOOLS_DIR = join(ROOT, 'tools')

/**
 * Installs tools/<name> (exactly its lockfile) into the cache once; returns the installed folder.
 * Says what it installs and how long it took.
 */
export async function installTool(name: string): Promise<string> {
  const source = join(TOOLS_DIR, name)
  const manifest = readFileSync(join(source, 'package.json'))
  const lock = readFileSync(join(source, 'package-lock.json'))
  const key = createHash('sha256').update(manifest).update(lock).digest('hex').slice(0, 12)
  const dir = join(CACHE_DIR, 'tools', `${name}-${key}`)
  const done = join(dir, '.complete')
  const { dependencies = {}, optionalDependencies = {} } = JSON.parse(manifest.toString()) as Record<string, Record<string, string> | undefined>
  const pins = Object.entries({ ...dependencies, ...optionalDependencies }).map(([pkg, version]) => `${pkg}@${version}`)
  await ensureOnce(`tool-${name}`, () => existsSync(done), () =>
    timed(`install tools/${name} (pins ${pins.join(', ')}) with npm ci into ${dir}`, async () => {
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(source, file), join(dir, file))
      // No install scripts: each tool's executable is called directly (see the callers).
      await $({ quiet: true, cwd: dir })`npm ci --ignore-scripts --no-audit --no-fund --loglevel=error`
      writeFileSync(done, `${new Date().toISOString()}\n`)
    }),
    CACHE_DIR,
  )
  return dir
}

/** The pinned package managers test:release installs the published addon with. */
export interface PackageManagers {
  pnpm: string[]
  yarn: string[]
  bun: string[]
}

export async function packageManagers(): Promise<PackageManagers> {
  const dir = await installTool('package-managers')
  const modules = join(dir, 'node_modules')
  // bun's own package links its binary in a postinstall script; the platform package npm picked
  // for this machine holds the same binary, so it is run from there.
  const bunDir = ['bun-linux-x64', 'bun-linux-x64-baseline', 'bun-linux-aarch64', 'bun-darwin-aarch64', 'bun-darwin-x64']
    .map((p) => join(modules, '@oven', p, 'bin', 'bun'))
    .find((p) => existsSync(p))
  if (!bunDir) throw new Error(`no bun binary for ${process.platform}-${process.arch} in ${modules}/@oven: delete ${dir} and run again`)
  return {
    pnpm: [process.execPath, join(modules, 'pnpm', 'bin', 'pnpm.cjs')],
    yarn: [process.execPath, join(modules, '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')],
    bun: [bunDir],
  }
}

// Lockfiles of real published packages, written by the real package manager for a
// package.json with the given dependencies (npm: `npm install --package-lock-only
// --ignore-scripts`; pnpm, yarn and bun, pinned in tools/package-managers: their own
// lockfile-only installs), once per manager version and input into the kit's cache, then
// copied into a fresh folder for each caller to change freely.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { cacheDir } from '../../src/lib/cache.js'
import { ensureOnce } from '../../src/lib/lock.js'
import type { PackageManager } from '../../src/scan/lockfile.js'
import { runManager } from './managers.js'

export interface AppOptions {
  /** The manager that writes the lockfile (npm by default). */
  manager?: PackageManager
  /** More fields of package.json (pnpm.onlyBuiltDependencies, dependenciesMeta, trustedDependencies). */
  manifest?: Record<string, unknown>
  /** Files beside package.json before the lockfile is written (pnpm-workspace.yaml, .yarnrc.yml). */
  files?: Record<string, string>
}

const LOCKFILE: Record<PackageManager, string> = { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' }

const managerVersion = (manager: PackageManager) =>
  manager === 'npm' ? execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim() : runManager(manager, ['--version'], tmpdir()).trim()

/** Writes the lockfile of the package.json in `dir` with `manager`, resolving only. */
function writeLockfile(manager: PackageManager, dir: string): void {
  if (manager === 'npm') execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' })
  else if (manager === 'pnpm') runManager('pnpm', ['install', '--lockfile-only', '--ignore-scripts', '--no-frozen-lockfile'], dir)
  else if (manager === 'yarn') {
    writeFileSync(join(dir, 'yarn.lock'), '') // the folder is its own project, not part of one above it
    runManager('yarn', ['install', '--mode=update-lockfile', '--no-immutable'], dir)
  } else runManager('bun', ['install', '--lockfile-only', '--ignore-scripts'], dir)
}

/** A new folder under `parent` holding package.json, `options.files` and the lockfile `options.manager` writes for `dependencies`. */
export async function appWith(dependencies: Record<string, string>, parent = tmpdir(), options: AppOptions = {}): Promise<string> {
  const manager = options.manager ?? 'npm'
  const pkg = `${JSON.stringify({ name: 'scan-fixture', version: '1.0.0', private: true, dependencies, ...options.manifest }, null, 2)}\n`
  const files = options.files ?? {}
  const key = createHash('sha256').update(JSON.stringify([manager, managerVersion(manager), pkg, files])).digest('hex').slice(0, 16)
  const cached = join(cacheDir(), 'scan', 'test-lockfiles', key)
  await ensureOnce(
    `scan-lockfile-${key}`,
    () => existsSync(join(cached, LOCKFILE[manager])),
    async () => {
      const staging = mkdtempSync(join(tmpdir(), 'napi-kit-lock-'))
      writeFileSync(join(staging, 'package.json'), pkg)
      for (const [name, text] of Object.entries(files)) writeFileSync(join(staging, name), text)
      writeLockfile(manager, staging)
      mkdirSync(cached, { recursive: true })
      for (const name of ['package.json', ...Object.keys(files), LOCKFILE[manager]]) cpSync(join(staging, name), join(cached, name))
    },
  )
  const dir = mkdtempSync(join(parent, 'app-'))
  cpSync(cached, dir, { recursive: true })
  return dir
}

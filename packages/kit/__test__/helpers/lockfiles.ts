// Lockfiles of real published packages, written by the real npm (`npm install
// --package-lock-only --ignore-scripts`) for a package.json with the given dependencies, once
// per npm version and input into the kit's cache, then copied into a fresh folder for each
// caller to change freely.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { cacheDir } from '../../src/lib/cache.js'
import { ensureOnce } from '../../src/lib/lock.js'

const npmVersion = () => execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()

/** A new folder under `parent` holding the package.json and package-lock.json npm writes for `dependencies`. */
export async function appWith(dependencies: Record<string, string>, parent = tmpdir()): Promise<string> {
  const pkg = `${JSON.stringify({ name: 'scan-fixture', version: '1.0.0', private: true, dependencies }, null, 2)}\n`
  const key = createHash('sha256').update(JSON.stringify([npmVersion(), pkg])).digest('hex').slice(0, 16)
  const cached = join(cacheDir(), 'scan', 'test-lockfiles', key)
  await ensureOnce(
    `scan-lockfile-${key}`,
    () => existsSync(join(cached, 'package-lock.json')),
    async () => {
      const staging = mkdtempSync(join(tmpdir(), 'napi-kit-lock-'))
      writeFileSync(join(staging, 'package.json'), pkg)
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: staging, stdio: 'pipe' })
      mkdirSync(join(cacheDir(), 'scan', 'test-lockfiles'), { recursive: true })
      cpSync(staging, cached, { recursive: true })
    },
  )
  const dir = mkdtempSync(join(parent, 'app-'))
  cpSync(cached, dir, { recursive: true })
  return dir
}

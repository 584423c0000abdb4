// Lockfiles of real published packages, written by the real npm (`npm install
// --package-lock-only --ignore-scripts`) for a package.json with the given dependencies, once
// per npm version and input into the kit's cache, then copied into a fresh folder for each
// caller to change freely. Used by scan.spec.ts and by `npm run bench`.
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

/** An app-sized set: over 1,000 lockfile entries, over 15 native packages (napi-rs, prebuildify, node-gyp, prebuild-install). */
export const APP_DEPENDENCIES: Record<string, string> = {
  next: '15.3.4', sharp: '0.34.2', bcrypt: '6.0.0', 'better-sqlite3': '11.10.0', argon2: '0.43.0', bufferutil: '4.0.9',
  'utf-8-validate': '6.0.5', '@node-rs/xxhash': '1.7.8', '@node-rs/argon2': '2.0.2', lightningcss: '1.30.1',
  '@tailwindcss/oxide': '4.1.11', '@parcel/watcher': '2.5.1', msgpackr: '1.11.4', lmdb: '3.4.1', esbuild: '0.25.5',
  '@swc/core': '1.12.7', rollup: '4.44.1', '@biomejs/biome': '2.0.6', jest: '30.0.3', webpack: '5.99.9', eslint: '9.30.0',
  typescript: '5.8.3', vite: '7.0.0', '@angular/cli': '20.0.4', '@nestjs/cli': '11.0.7', 'aws-sdk': '2.1692.0',
  '@aws-sdk/client-s3': '3.840.0', 'puppeteer-core': '24.11.1', storybook: '9.0.14', '@babel/preset-env': '7.27.2',
  sqlite3: '5.1.7', canvas: '3.1.2', re2: '1.22.1', 'node-pty': '1.0.0', '@napi-rs/canvas': '0.1.73',
}

// The app-sized lockfile `npm run bench` scans: a package.json of real packages with native
// code (over 1,000 lockfile entries, over 15 native packages: napi-rs families, prebuildify,
// node-gyp, prebuild-install), and the package-lock.json npm writes for it, once per npm
// version into the kit's cache.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir, ensureOnce } from '@napi-kit/cli'

const APP_DEPENDENCIES: Record<string, string> = {
  next: '15.3.4', sharp: '0.34.2', bcrypt: '6.0.0', 'better-sqlite3': '11.10.0', argon2: '0.43.0', bufferutil: '4.0.9',
  'utf-8-validate': '6.0.5', '@node-rs/xxhash': '1.7.8', '@node-rs/argon2': '2.0.2', lightningcss: '1.30.1',
  '@tailwindcss/oxide': '4.1.11', '@parcel/watcher': '2.5.1', msgpackr: '1.11.4', lmdb: '3.4.1', esbuild: '0.25.5',
  '@swc/core': '1.12.7', rollup: '4.44.1', '@biomejs/biome': '2.0.6', jest: '30.0.3', webpack: '5.99.9', eslint: '9.30.0',
  typescript: '5.8.3', vite: '7.0.0', '@angular/cli': '20.0.4', '@nestjs/cli': '11.0.7', 'aws-sdk': '2.1692.0',
  '@aws-sdk/client-s3': '3.840.0', 'puppeteer-core': '24.11.1', storybook: '9.0.14', '@babel/preset-env': '7.27.2',
  sqlite3: '5.1.7', canvas: '3.1.2', re2: '1.22.1', 'node-pty': '1.0.0', '@napi-rs/canvas': '0.1.73',
}

/** The folder holding the app's package.json and the package-lock.json this machine's npm writes for it. */
export async function appLockfile(): Promise<string> {
  const manifest = `${JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, dependencies: APP_DEPENDENCIES }, null, 2)}\n`
  const npm = execFileSync('npm', ['--version'], { encoding: 'utf8' }).trim()
  const dir = join(cacheDir(), 'scan', 'bench-app', createHash('sha256').update(`${npm}\n${manifest}`).digest('hex').slice(0, 16))
  await ensureOnce(`bench-app-${dir.slice(-16)}`, () => existsSync(join(dir, 'package-lock.json')), async () => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), manifest)
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' })
  })
  return dir
}

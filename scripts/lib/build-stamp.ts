// turbo caches the loader and types of a build, not the .node file (see turbo.json). So a cache
// hit says "these sources were built once", not "the binary on disk is theirs": after an edit and
// its revert, or a release build followed by a quick one, the binary is another build's. Each
// build therefore leaves a stamp, the SHA-256 of the binary it produced, among turbo's outputs;
// a cache hit puts back the stamp of the build it stands for, and a binary that does not match
// it is built again.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

import { ADDON_DIR } from './paths.js'

/** Where the stamp of `binary` is kept (listed in turbo.json's build outputs). */
export const stampPath = (binary: string) => join(ADDON_DIR, '.stamps', `${basename(binary)}.sha256`)

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** Records that `binary`, as it is now, is the output of the build that just ran. */
export function writeBuildStamp(binary: string): void {
  mkdirSync(join(ADDON_DIR, '.stamps'), { recursive: true })
  writeFileSync(stampPath(binary), `${sha256(binary)}\n`)
}

/**
 * Why `binary` is not the output of the build turbo last ran or restored for these sources, or
 * undefined when it is.
 */
export function staleBinary(binary: string): string | undefined {
  if (!existsSync(binary)) return 'it is missing'
  const stamp = stampPath(binary)
  if (!existsSync(stamp)) return 'no build stamp says which build it is'
  if (readFileSync(stamp, 'utf8').trim() !== sha256(binary)) return 'it is the output of another build (other sources or another profile)'
  return undefined
}

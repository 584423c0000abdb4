// The digests pins are checked with, SHA-256 in hex (PyPI's) and npm's `integrity` (a Subresource
// Integrity string, `sha512-<base64>`), and the two checks every pinned download gets: a cached
// file is used only while it still has its pinned digest, a fresh one only when it has it.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'

import { progress } from '../lib/log.js'

/** The SHA-256 of a file, hex. */
export const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** The SHA-256 of some bytes, hex. */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A file's integrity in the algorithm `integrity` names (npm's is sha512), e.g. `sha512-…`. */
export function integrityOfFile(file: string, integrity: string): string {
  const algorithm = integrity.split('-', 1)[0] ?? 'sha512'
  return `${algorithm}-${createHash(algorithm).update(readFileSync(file)).digest('base64')}`
}

/** How a pin's digest is named and computed. */
export interface Digest {
  /** 'SHA-256', 'integrity'. */
  name: string
  of: (file: string) => string
}
export const SHA256: Digest = { name: 'SHA-256', of: sha256File }
/** npm's integrity, in the algorithm of the pinned one. */
export const integrity = (pinned: string): Digest => ({ name: 'integrity', of: (file) => integrityOfFile(file, pinned) })

/**
 * Whether the cached `file` is there with the digest `pinned`: one whose bytes changed is deleted
 * (so it is downloaded again), and says so.
 */
export function cachedIntact(file: string, pinned: string, digest: Digest): boolean {
  if (!existsSync(file)) return false
  const found = digest.of(file)
  if (found === pinned) return true
  progress(`✗ ${file}: its ${digest.name} is ${found}, not the pinned ${pinned}: deleted, downloading it again`)
  rmSync(file, { force: true })
  return false
}

/**
 * Checks the fresh download `file` of `artifact` from `source` against its pin: one that differs
 * is deleted and stops the run with both digests and the fix.
 */
export function checkDownload(file: string, artifact: string, source: string, pinned: string, digest: Digest): void {
  const found = digest.of(file)
  if (found === pinned) return
  rmSync(file, { force: true })
  throw new Error(`${artifact} from ${source} has ${digest.name} ${found}, not the pinned ${pinned}: refused. If ${source} really changed it, review and re-pin with npm run pins:update`)
}

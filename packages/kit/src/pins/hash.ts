// The digests pins are checked with: SHA-256 in hex (PyPI's), and npm's `integrity` (a Subresource
// Integrity string, `sha512-<base64>`).
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** The SHA-256 of a file, hex. */
export const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** The SHA-256 of some bytes, hex. */
export const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/** A file's integrity in the algorithm `integrity` names (npm's is sha512), e.g. `sha512-…`. */
export function integrityOfFile(file: string, integrity: string): string {
  const algorithm = integrity.split('-', 1)[0] ?? 'sha512'
  return `${algorithm}-${createHash(algorithm).update(readFileSync(file)).digest('base64')}`
}

// Reads the files of an npm tarball (a gzip-compressed ustar archive, as `npm pack` writes it)
// in memory: no tar program, no temporary folder, any OS. Long names in pax ('x') and GNU ('L')
// headers are honoured. Damaged input throws TarError with the reason.
import { gunzipSync } from 'node:zlib'

export class TarError extends Error {
  override name = 'TarError'
}

export interface TarEntry {
  /** Path inside the archive, e.g. `package/index.node`. */
  path: string
  data: Uint8Array
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\0.*$/s, '')
const octal = (bytes: Uint8Array) => Number.parseInt(text(bytes).trim() || '0', 8)

/** The regular files in `tgz`, in archive order. */
export function readTarball(tgz: Uint8Array): TarEntry[] {
  if (tgz.length < 2 || tgz[0] !== 0x1f || tgz[1] !== 0x8b) {
    throw new TarError(tgz.length === 0 ? 'the file is empty' : 'it is not gzip-compressed (an npm tarball starts with the gzip bytes 1f 8b)')
  }
  let tar: Uint8Array
  try {
    tar = gunzipSync(tgz)
  } catch (error) {
    throw new TarError(`its gzip data is damaged (${(error as Error).message})`)
  }
  if (tar.length < 512) throw new TarError(`the data inside is not a tar archive (${tar.length} bytes)`)
  const entries: TarEntry[] = []
  let longName: string | undefined
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every((b) => b === 0)) break
    const sum = header.reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0)
    if (sum !== octal(header.subarray(148, 156))) {
      throw new TarError(at === 0 ? 'the data inside is not a tar archive' : `the tar data inside is damaged (bad header checksum at byte ${at})`)
    }
    const size = octal(header.subarray(124, 136))
    const type = String.fromCharCode(header[156] ?? 0)
    const body = tar.subarray(at + 512, at + 512 + size)
    if (body.length < size) throw new TarError(`the tar data inside is truncated (an entry at byte ${at} needs ${size} bytes)`)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(body))?.[1] ?? longName
      continue
    }
    if (type === 'L') {
      longName = text(body)
      continue
    }
    const prefix = text(header.subarray(345, 500))
    const name = longName ?? (prefix ? `${prefix}/${text(header.subarray(0, 100))}` : text(header.subarray(0, 100)))
    longName = undefined
    if (type === '0' || type === '\0') entries.push({ path: name, data: body })
  }
  return entries
}

// PyPI packages pinned to an exact version and the SHA-256 of each of its wheels
// (pins.generated.ts, written by `npm run pins:update` from wanted.ts): pip installs them only
// with --require-hashes, from wheels kept in a cache folder and checked every time they are used.
import { PYPI_PINS } from './pins.generated.js'

export interface PypiPin {
  name: string
  version: string
  /** The wheel's file name on PyPI (one per platform PyPI has a wheel for). */
  file: string
  sha256: string
}

/** One pin as one line of the generated file. */
export const pypiPinLine = (p: PypiPin) => `{ name: '${p.name}', version: '${p.version}', file: '${p.file}', sha256: '${p.sha256}' }`

/** The pinned wheels of `name` (every platform's), in the pin file's order. */
export const pypiPinsOf = (name: string): PypiPin[] => PYPI_PINS.filter((p) => p.name === name)

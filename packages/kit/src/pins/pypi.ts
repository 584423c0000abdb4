// PyPI packages pinned to an exact version and the SHA-256 of each of its wheels
// (pins.generated.ts, written by `npm run pins:update` from wanted.ts): pip downloads them only
// with --require-hashes, into a cache folder where they are checked on every use.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { UsageError } from '../lib/errors.js'
import { ensureOnce } from '../lib/lock.js'
import { timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { cachedIntact, checkDownload, SHA256 } from './hash.js'
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

/** The pinned version of `name`; a usage error naming the fix when it is not pinned. */
export function pypiPinnedVersion(name: string): string {
  const version = pypiPinsOf(name)[0]?.version
  if (version === undefined) throw new UsageError(`${name} is not pinned: add { name: '${name}', version: '…' } to PYPI_WANTED in packages/kit/src/pins/wanted.ts and run npm run pins:update`)
  return version
}

/** The requirements line pip checks `name` with: its pinned version and every pinned wheel's hash. */
export const pypiRequirement = (name: string) => `${name}==${pypiPinnedVersion(name)} ${pypiPinsOf(name).map((p) => `--hash=sha256:${p.sha256}`).join(' ')}`

/**
 * `pip download` (`pip` is the command, e.g. `['python3', '-m', 'pip']`) of the wheels that
 * `requirements` (pip requirement lines with hashes) name, into `dir`, with --require-hashes:
 * for the wheel tag `platform`, or for this host without one.
 */
export async function pipDownload(pip: string[], requirements: string[], dir: string, platform?: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'requirements.txt')
  writeFileSync(file, `${requirements.join('\n')}\n`)
  const target = platform ? ['--platform', platform, '--python-version', '3.12'] : []
  await exec([...pip, 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', ...target, '--require-hashes', '-r', file, '-d', dir])
}

/**
 * The pinned wheels of `names` for this host, in `dir`: downloaded once with `pip` and checked
 * against their SHA-256 every time. A cached wheel whose bytes changed is deleted and fetched
 * again (and says so); a download with the wrong hash stops with both hashes.
 */
export async function pypiWheels(names: readonly string[], dir: string, pip: string[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true })
  const here = () => names.map((name) => pypiPinsOf(name).find((p) => existsSync(join(dir, p.file))))
  const intact = () => here().every((p) => p !== undefined && cachedIntact(join(dir, p.file), p.sha256, SHA256))
  await ensureOnce(`pypi-${names.join('-')}`, intact, () =>
    timed(`download ${names.map((n) => `${n} ${pypiPinnedVersion(n)}`).join(', ')} (PyPI wheels, pinned)`, async () => {
      await pipDownload(pip, names.map(pypiRequirement), dir)
      for (const name of names) {
        const pin = pypiPinsOf(name).find((p) => existsSync(join(dir, p.file)))
        if (!pin) throw new Error(`pip downloaded no pinned wheel of ${name} into ${dir} (it holds ${readdirSync(dir).join(', ')}): PyPI has none for this host among the pinned ${pypiPinsOf(name).map((p) => p.file).join(', ')}`)
        checkDownload(join(dir, pin.file), pin.file, 'PyPI', pin.sha256, SHA256)
      }
    }),
    dir,
  )
  return here().map((p) => join(dir, p?.file ?? ''))
}

// npm packages pinned to an exact version and the registry's `integrity` (pins.generated.ts,
// written by `npm run pins:update` from wanted.ts). A tarball is used only when its bytes have
// that integrity: a cached one that does not is deleted and fetched again (and says so), a
// download that does not stops with both digests. `npm pack` downloads it (npm's own client,
// through the user's registry settings); the pin is checked on top of what npm checks.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { readTarball } from '../audit/tar.js'
import { cacheDir } from '../lib/cache.js'
import { UsageError } from '../lib/errors.js'
import { ensureOnce } from '../lib/lock.js'
import { bytes, progress, timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { cachedIntact, checkDownload, integrity, sha256File, sha256Of } from './hash.js'
import { NPM_PINS } from './pins.generated.js'

export interface NpmPin {
  name: string
  /** The release line wanted.ts follows ('24', or one exact version). */
  line: string
  version: string
  /** The registry's `dist.integrity`, e.g. `sha512-…`. */
  integrity: string
}

/** One pin as one line of the generated file. */
export const npmPinLine = (p: NpmPin) => `{ name: '${p.name}', line: '${p.line}', version: '${p.version}', integrity: '${p.integrity}' }`

/** The pin of `name` for release line `line`, or undefined when there is none. */
export const npmPinOf = (name: string, line: string): NpmPin | undefined => NPM_PINS.find((p) => p.name === name && p.line === line)

/** The release lines of `name` that are pinned, in the pin file's order. */
export const npmPinnedLines = (name: string): string[] => NPM_PINS.filter((p) => p.name === name).map((p) => p.line)

/** The refusal for a package or line that is not pinned: what is pinned, and how to add it. */
export function npmNotPinned(name: string, line: string): UsageError {
  const lines = npmPinnedLines(name)
  const pinned = lines.length > 0 ? `the pinned ones are ${lines.join(', ')}` : 'none of it is pinned'
  return new UsageError(
    `${name} ${line} is not pinned (${pinned}): add { name: '${name}', line: '${line}' } to packages/kit/src/pins/wanted.ts and run npm run pins:update`,
  )
}

/** The pin of `name` for release line `line`; a usage error naming the pinned lines when none. */
export function npmPin(name: string, line: string): NpmPin {
  const pin = npmPinOf(name, line)
  if (!pin) throw npmNotPinned(name, line)
  return pin
}

/** `@scope/name` → `scope-name`: a file name for a package name. */
const fileName = (name: string) => name.replace(/^@/, '').replace(/\//g, '-')

/**
 * Path of `pin`'s tarball in `dir` (by default the kit's cache), downloaded once with `npm pack`
 * and checked against the pinned integrity every time: a cached tarball whose bytes changed is
 * deleted and fetched again (and says so); a download with the wrong integrity is deleted and
 * stops the run with both digests.
 */
export async function npmTarball(pin: NpmPin, dir = join(cacheDir(), 'npm')): Promise<string> {
  const tarball = join(dir, `${fileName(pin.name)}-${pin.version}.tgz`)
  const verified = () => cachedIntact(tarball, pin.integrity, integrity(pin.integrity))
  mkdirSync(dir, { recursive: true })
  await ensureOnce(`npm-${fileName(pin.name)}-${pin.version}`, verified, () =>
    timed(`download ${pin.name}@${pin.version} (npm registry, pinned)`, async () => {
      const work = mkdtempSync(join(dir, '.download-'))
      try {
        await packWithRetries(pin, work)
        const [packed] = readdirSync(work).filter((f) => f.endsWith('.tgz'))
        if (!packed) throw new Error(`npm pack ${pin.name}@${pin.version} wrote no tarball into ${work}`)
        checkDownload(join(work, packed), `${pin.name}@${pin.version}`, 'the npm registry', pin.integrity, integrity(pin.integrity))
        renameSync(join(work, packed), tarball)
        progress(`  ${pin.name}@${pin.version}: ${bytes(statSync(tarball).size)}, ${pin.integrity.slice(0, 23)}… as pinned`)
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    }),
    dir,
  )
  return tarball
}

/** How many times `npm pack` is tried before a download fails: the registry drops a connection now and then. */
const PACK_ATTEMPTS = 3

/**
 * `npm pack` of `pin` into `work` (npm prints only its errors, which the failure carries), tried again (after 2 s, then 4 s) when it fails for any reason
 * but a package or version the registry does not have (E404, ETARGET: trying again cannot help).
 * Says so each time; the last failure is thrown as it is.
 */
async function packWithRetries(pin: NpmPin, work: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await exec(['npm', 'pack', '--loglevel=error', '--pack-destination', work, `${pin.name}@${pin.version}`], { cwd: work })
      return
    } catch (error) {
      const message = (error as Error).message
      if (attempt >= PACK_ATTEMPTS || /\b(E404|ETARGET)\b/.test(message)) throw error
      progress(`  ✗ npm pack ${pin.name}@${pin.version} failed (attempt ${attempt} of ${PACK_ATTEMPTS}): ${message.split('\n')[0]}; trying again`)
      await new Promise((resolve) => setTimeout(resolve, 2000 * attempt))
    }
  }
}

/**
 * `pin`'s verified tarball unpacked into `dir` (the contents of its `package/` folder), checked
 * every time: each of `checked` (paths inside the package, e.g. `bin/node`) must have the bytes
 * the verified tarball holds for it, else `dir` is deleted and unpacked again (and says so).
 * `tarballs` is where the tarball is kept (see `npmTarball`).
 */
export async function unpackNpmTarball(pin: NpmPin, dir: string, checked: readonly string[], tarballs?: string): Promise<void> {
  const tarball = await npmTarball(pin, tarballs)
  let wanted: Map<string, string> | undefined
  const expected = () => {
    if (wanted) return wanted
    const entries = readTarball(readFileSync(tarball)).map((e) => [e.path.replace(/^package\//, ''), e] as const)
    wanted = new Map(entries.filter(([path]) => checked.includes(path)).map(([path, e]) => [path, sha256Of(e.data)]))
    const missing = checked.filter((f) => !wanted?.has(f))
    if (missing.length > 0) {
      const some = entries.slice(0, 5).map(([path]) => path).join(', ')
      throw new Error(`${pin.name}@${pin.version} holds no ${missing.join(', ')}: pass paths inside its package/ folder (it holds ${some}, …)`)
    }
    return wanted
  }
  const intact = () => {
    if (!existsSync(dir)) return false
    const changed = checked.filter((f) => !existsSync(join(dir, f)) || sha256File(join(dir, f)) !== expected().get(f))
    if (changed.length === 0) return true
    progress(`✗ ${dir}: ${changed.join(', ')} ${changed.length === 1 ? 'differs' : 'differ'} from the verified ${pin.name}@${pin.version}: deleted, unpacking it again`)
    rmSync(dir, { recursive: true, force: true })
    return false
  }
  await ensureOnce(`unpack-${fileName(pin.name)}-${pin.version}`, intact, async () => {
    expected()
    const work = `${dir}.unpacking`
    rmSync(work, { recursive: true, force: true })
    mkdirSync(work, { recursive: true })
    try {
      await exec(['tar', '-xzf', tarball, '-C', work])
      rmSync(dir, { recursive: true, force: true })
      renameSync(join(work, 'package'), dir)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, join(dir, '..'))
}

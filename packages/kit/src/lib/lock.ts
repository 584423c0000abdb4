// A lock across processes for installs into a cache: two runs started at once (or ava's test
// files in parallel processes) must not download or assemble the same thing at the same time.
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from './cache.js'

const STALE_MS = 15 * 60 * 1000

/**
 * Runs `work` while holding the lock `name` in `dir` (by default the kit's cache); waits for
 * another holder to finish first.
 */
export async function withLock<T>(name: string, work: () => Promise<T>, dir = cacheDir()): Promise<T> {
  mkdirSync(dir, { recursive: true })
  const lock = join(dir, `${name}.lock`)
  const deadline = Date.now() + STALE_MS
  for (;;) {
    try {
      mkdirSync(lock) // atomic: exactly one process succeeds
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      // A holder that died long ago left its lock behind.
      const held = statSync(lock, { throwIfNoEntry: false })
      if (held && Date.now() - held.mtimeMs > STALE_MS) rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) {
        throw new Error(`waited 15 minutes for ${lock}: if no other install is running, delete it`, { cause: error })
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  try {
    return await work()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/**
 * Runs `install` once across processes: not at all when `done()` already holds, else under the
 * lock `name`, skipped when another process finished it while this one waited.
 */
export async function ensureOnce(name: string, done: () => boolean, install: () => Promise<void>, dir = cacheDir()): Promise<void> {
  if (done()) return
  await withLock(
    name,
    async () => {
      if (!done()) await install()
    },
    dir,
  )
}

// One release at a time per addon: two `napi-kit release` runs in the same checkout would both
// decide what is missing and both upload. The lock is a folder holding the holder's process id;
// a lock whose process is gone (a release killed with kill -9) is taken over, so a re-run after
// a crash is never refused.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { cacheDir } from '../lib/cache.js'

/** Whether process `pid` is alive (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface ReleaseLock {
  release: () => void
}

/**
 * Takes the release lock of `addonDir`, or throws naming the release that holds it. Held until
 * `release()` or the end of the process.
 */
export function lockRelease(addonDir: string, dir = join(cacheDir(), 'release-locks')): ReleaseLock {
  mkdirSync(dir, { recursive: true })
  const lock = join(dir, `${createHash('sha256').update(addonDir).digest('hex').slice(0, 16)}.lock`)
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'pid'), `${process.pid}\n`)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number.parseInt(readFileSafe(join(lock, 'pid')), 10)
      // A lock without a live holder is left over from a killed release (or is being written: wait once).
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        rmSync(lock, { recursive: true, force: true })
        continue
      }
      if (!Number.isInteger(pid) && attempt < 20) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
        continue
      }
      throw new Error(
        `another napi-kit release${Number.isInteger(pid) ? ` (process ${pid})` : ''} is running for ${addonDir}: two releases at once would both upload. ` +
          `Wait for it to finish, then run the release again (it publishes only what is still missing); if no release is running, delete ${lock}`,
      )
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true })
  process.once('exit', release)
  return { release }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

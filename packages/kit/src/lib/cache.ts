// Where the kit keeps what it downloads and assembles (Debian packages, Node.js builds, the
// roots): per user, so every project on a machine shares one copy.
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The variable that moves the cache, e.g. to a CI cache folder. */
export const CACHE_ENV = 'NAPI_KIT_CACHE_DIR'

/** $NAPI_KIT_CACHE_DIR, else $XDG_CACHE_HOME/napi-kit, else ~/.cache/napi-kit. */
export function cacheDir(): string {
  const own = process.env[CACHE_ENV]
  if (own) return own
  const xdg = process.env.XDG_CACHE_HOME
  return join(xdg || join(homedir(), '.cache'), 'napi-kit')
}

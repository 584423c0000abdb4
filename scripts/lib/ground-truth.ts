// Real published napi-rs platform packages, glibc and musl, that the audit is checked against
// (test:musl): what it says must agree with readelf and with the real loaders. Each is pinned to
// one version and its npm integrity (the kit's pin file, `npm run pins:update`), fetched with
// npm pack into the cache (never committed) and checked against its pin on every run.
import { join } from 'node:path'

import { npmPin, npmPinnedLines, npmTarball } from '@napi-kit/cli'
import { CACHE_DIR } from './paths.js'

export const GROUND_TRUTH = [
  '@node-rs/argon2-linux-x64-gnu',
  '@node-rs/argon2-linux-x64-musl',
  '@node-rs/xxhash-linux-x64-gnu',
  '@node-rs/xxhash-linux-x64-musl',
  '@tailwindcss/oxide-linux-x64-gnu',
  '@tailwindcss/oxide-linux-x64-musl',
  '@rollup/rollup-linux-x64-gnu',
  '@rollup/rollup-linux-x64-musl',
  'lightningcss-linux-x64-gnu',
  'lightningcss-linux-x64-musl',
  '@napi-rs/tar-linux-x64-gnu',
  '@napi-rs/tar-linux-x64-musl',
]

/** The tarball of each package at its pinned version, downloaded once and verified every time. */
export async function fetchGroundTruth(): Promise<Array<{ spec: string; tarball: string }>> {
  const pins = GROUND_TRUTH.map((name) => npmPin(name, npmPinnedLines(name)[0] ?? 'none'))
  const found: Array<{ spec: string; tarball: string }> = []
  for (const pin of pins) found.push({ spec: `${pin.name}@${pin.version}`, tarball: await npmTarball(pin, join(CACHE_DIR, 'npm')) })
  return found
}

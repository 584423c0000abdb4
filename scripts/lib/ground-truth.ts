// Real published napi-rs platform packages, glibc and musl, that the audit is checked against
// (test:musl): what it says must agree with readelf and with the real loaders. Fetched with
// npm pack into the cache (never committed); pinned, so every run sees the same files.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { timed } from './log.js'
import { CACHE_DIR } from './paths.js'

export const GROUND_TRUTH = [
  '@node-rs/argon2-linux-x64-gnu@2.2.1',
  '@node-rs/argon2-linux-x64-musl@2.2.1',
  '@node-rs/xxhash-linux-x64-gnu@1.7.8',
  '@node-rs/xxhash-linux-x64-musl@1.7.8',
  '@tailwindcss/oxide-linux-x64-gnu@4.3.5',
  '@tailwindcss/oxide-linux-x64-musl@4.3.5',
  '@rollup/rollup-linux-x64-gnu@4.68.8',
  '@rollup/rollup-linux-x64-musl@4.68.8',
  'lightningcss-linux-x64-gnu@1.33.0',
  'lightningcss-linux-x64-musl@1.33.0',
  '@napi-rs/tar-linux-x64-gnu@1.1.3',
  '@napi-rs/tar-linux-x64-musl@1.1.3',
]

/** `@scope/name@1.2.3` → `scope-name-1.2.3.tgz` */
const file = (spec: string) => `${spec.replace(/^@/, '').replace(/[/@]/g, '-')}.tgz`

/** The tarball of each package, downloaded once. */
export async function fetchGroundTruth(): Promise<Array<{ spec: string; tarball: string }>> {
  const dir = join(CACHE_DIR, 'ground-truth')
  mkdirSync(dir, { recursive: true })
  const missing = GROUND_TRUTH.filter((spec) => !existsSync(join(dir, file(spec))))
  if (missing.length > 0) {
    await timed(`download ${missing.length} published napi-rs packages (npm pack)`, async () => {
      const work = join(dir, 'download')
      rmSync(work, { recursive: true, force: true })
      mkdirSync(work)
      for (const spec of missing) {
        await $({ cwd: work, quiet: true })`npm pack --silent ${spec}`
        const [packed] = readdirSync(work)
        if (!packed) throw new Error(`npm pack ${spec} produced no tarball`)
        await $({ quiet: true })`mv ${join(work, packed)} ${join(dir, file(spec))}`
      }
      rmSync(work, { recursive: true, force: true })
    })
  }
  return GROUND_TRUTH.map((spec) => ({ spec, tarball: join(dir, file(spec)) }))
}

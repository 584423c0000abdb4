// `npm run build`: builds the addon through turbo (a full cache hit when nothing changed),
// then, when the binary is for this machine, loads it and shows it working. A target outside
// napi.targets, or one only its own OS builds, is refused before turbo starts (with --dry-run
// too); a failed build ends with the compiler's first error and the command to run next.
//
//   npm run build [-- --release] [-- --target <triple>] [-- --dry-run]
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

import { parseFlags } from '../lib/args.js'
import { buildFailure } from '../lib/build-output.js'
import { staleBinary } from '../lib/build-stamp.js'
import { BUILD_OPTIONS, BUILD_USAGE, buildTarget } from '../lib/build-target.js'
import { bad, info, ok, seconds } from '../lib/log.js'
import { ADDON_DIR, localBin } from '../lib/paths.js'
import { run } from '../lib/run.js'
import { platformPackages } from '../lib/targets.js'
import { kitFilters, turboEnv } from '../lib/turbo.js'

const { values: flags } = parseFlags(BUILD_USAGE, { options: BUILD_OPTIONS })
const start = performance.now()
const { manifest, host, triple } = await buildTarget(flags.target)

const passthrough = [
  ...(flags.release ? ['--release'] : []),
  ...(flags.target ? ['--target', flags.target] : []),
  ...(flags['dry-run'] ? ['--dry-run'] : []),
]
// The kit (packages/kit, compiled by tsc) takes no build flags: with flags it builds on its own.
const { withoutKit, kitOnly } = kitFilters()
const kitApart = passthrough.length > 0 ? withoutKit : []
/** One turbo build; a failure ends the script with its cause repeated last. */
async function turbo(args: string[]): Promise<void> {
  const result = await run([localBin('turbo'), 'run', 'build', '--output-logs=new-only', ...args], { env: turboEnv() })
  if (!result.ok) {
    console.error('')
    bad(buildFailure(result.output))
    process.exit(1)
  }
}
const buildPackages = (force: string[] = []) => turbo(['--filter=./packages/*', ...kitApart, ...force, '--', ...passthrough])
if (kitApart.length > 0) await turbo(kitOnly)
await buildPackages()

// turbo does not cache .node files (see turbo.json and lib/build-stamp.ts): when a cache hit
// left a binary that is missing or another build's, build it for real.
const target = platformPackages(manifest).find((p) => p.triple === triple)
// The WebAssembly build writes its loaders too (target.files), which turbo does not cache either.
const missing = target?.files.find((file) => file !== target.binary && !existsSync(join(ADDON_DIR, file)))
const stale = !flags['dry-run'] && target ? (staleBinary(join(ADDON_DIR, target.binary)) ?? (missing && `${missing}, written by the same build, is missing`)) : undefined
if (target && stale) {
  console.log(`${target.binary} after turbo's cache hit: ${stale}; building it`)
  await buildPackages(['--force'])
}

if (!flags['dry-run'] && triple === host) {
  type Addon = typeof import('@napi-kit/hashkit')
  const addon = createRequire(`${ADDON_DIR}/`)('./index.js') as Addon
  const build = addon.buildInfo()
  console.log('')
  ok(`loaded ${build.target} (${build.libc}) build of @napi-kit/hashkit ${build.version}`)
  for (const algorithm of build.algorithms as Array<'xxh3'>) {
    info(`hash('hello', { algorithm: '${algorithm}' })`.padEnd(50) + `→ '${addon.hash('hello', { algorithm })}'`)
  }
  info(`await hashAsync(Buffer.from('hello'))`.padEnd(50) + `→ '${await addon.hashAsync(Buffer.from('hello'))}'`)
  info(`new Hasher().update('hel').update('lo').digest()`.padEnd(50) + `→ '${new addon.Hasher().update('hel').update('lo').digest()}'`)
}
ok(`npm run build finished in ${seconds(performance.now() - start)}`)

// `npm run build`: builds the addon through turbo (a full cache hit when nothing changed),
// then, when the binary is for this machine, loads it and shows it working.
//
//   npm run build [-- --release] [-- --target <triple>] [-- --dry-run]
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

import { $ } from 'zx'

import { info, ok, seconds } from './lib/log.js'
import { ADDON_DIR } from './lib/paths.js'
import { rustHost } from './lib/rust.js'
import { platformPackages, readAddonManifest } from './lib/targets.js'
import { turboEnv } from './lib/turbo.js'

const { values: flags } = parseArgs({
  options: {
    release: { type: 'boolean', default: false },
    target: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
})

const start = performance.now()
const passthrough = [
  ...(flags.release ? ['--release'] : []),
  ...(flags.target ? ['--target', flags.target] : []),
  ...(flags['dry-run'] ? ['--dry-run'] : []),
]
// The kit (packages/kit, compiled by tsc) takes no build flags: with flags it builds on its own.
const kitApart = passthrough.length > 0 ? ['--filter=!@napi-kit/cli'] : []
if (kitApart.length > 0) await $({ stdio: 'inherit', env: turboEnv() })`turbo run build --filter=@napi-kit/cli --output-logs=new-only`
const turbo = (force: string[] = []) =>
  $({ stdio: 'inherit', env: turboEnv() })`turbo run build --filter=./packages/* ${kitApart} --output-logs=new-only ${force} -- ${passthrough}`
await turbo()

// turbo does not cache .node files (see turbo.json): when a cache hit left the binary missing
// (deleted, or never built in this checkout), build it for real.
const triple = flags.target ?? (await rustHost())
const target = platformPackages(readAddonManifest()).find((p) => p.triple === triple)
if (!flags['dry-run'] && target && !existsSync(join(ADDON_DIR, target.binary))) {
  console.log(`${target.binary} is missing after a cache hit: building it`)
  await turbo(['--force'])
}

if (!flags['dry-run'] && triple === (await rustHost())) {
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

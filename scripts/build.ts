// `npm run build`: builds the addon through turbo (a full cache hit when nothing changed),
// then, when the binary is for this machine, loads it and shows it working.
//
//   npm run build [-- --release] [-- --target <triple>] [-- --dry-run]
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

import { $ } from 'zx'

import { info, ok, seconds } from './lib/log.js'
import { ADDON_DIR } from './lib/paths.js'
import { rustHost } from './lib/rust.js'
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
await $({ stdio: 'inherit', env: turboEnv() })`turbo run build --filter=./packages/* --output-logs=new-only -- ${passthrough}`

if (!flags['dry-run'] && (!flags.target || flags.target === (await rustHost()))) {
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

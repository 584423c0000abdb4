// `npm run check:build-info -- --target <triple>`: loads the addon through its loader
// (packages/hashkit/index.js) in this Node.js and fails unless buildInfo() names that target
// and the libc the target is published for: glibc for `-linux-gnu` (node:<v>-slim images),
// musl for `-linux-musl` (node:<v>-alpine), msvc on Windows, system on macOS, wasi for the
// WebAssembly build (which links wasi-libc, whatever the host's libc; the loader prefers a native
// binary, so it is checked with NAPI_RS_FORCE_WASI=error, docs/WASI.md). The workflow's test
// jobs run it after the addon's suite, in every image and on every runner.
//
//   npm run check:build-info -- --target <triple>
import { createRequire } from 'node:module'

import { parseFlags, usageError } from '../lib/args.js'
import { unknownTarget } from '../lib/build-target.js'
import { bad, ok } from '../lib/log.js'
import { ADDON_DIR } from '../lib/paths.js'
import { parseTarget, readAddonManifest, runtimeGlibc } from '../lib/targets.js'

const USAGE = 'npm run check:build-info -- --target <triple>'
const { values: flags } = parseFlags(USAGE, { options: { target: { type: 'string' } } })
const manifest = readAddonManifest()
const triple = flags.target
if (triple === undefined) usageError(`--target is required: the triple the binary was built for, one of ${manifest.napi.targets.join(', ')}`, USAGE)
const unknown = unknownTarget(triple, manifest)
if (unknown) usageError(unknown, USAGE)

const target = parseTarget(triple)
const wasi = target.platform === 'wasi'
/** The libc a binary for the target links, in buildInfo()'s naming. */
const expectedLibc = wasi ? 'wasi' : target.platform === 'linux' ? (target.abi === 'musl' ? 'musl' : 'glibc') : target.platform === 'win32' ? 'msvc' : 'system'
/** The libc this Node.js process runs on. */
const processLibc = process.platform === 'linux' ? (runtimeGlibc() ? 'glibc' : 'musl') : process.platform === 'win32' ? 'msvc' : 'system'

const info = (createRequire(`${ADDON_DIR}/`)('./index.js') as typeof import('@napi-kit/hashkit')).buildInfo()
const want = { target: triple, libc: expectedLibc, platform: target.platform, arch: target.arch }
const got = { target: info.target, libc: info.libc, platform: info.platform, arch: info.arch }
const runtime = `Node.js ${process.version} ${process.platform}-${process.arch}, ${processLibc} runtime`
const wrong = (Object.keys(want) as Array<keyof typeof want>).filter((k) => want[k] !== got[k])
// The WebAssembly module runs on any host libc.
if (!wasi && processLibc !== want.libc) wrong.push('libc of this Node.js' as keyof typeof want)
if (wrong.length > 0) {
  const hint = wasi && process.env.NAPI_RS_FORCE_WASI !== 'error' ? `; the loader prefers a native binary: run it with NAPI_RS_FORCE_WASI=error (it is ${JSON.stringify(process.env.NAPI_RS_FORCE_WASI ?? '(unset)')})` : ''
  bad(`buildInfo() is ${JSON.stringify(got)} under ${runtime}; expected ${JSON.stringify(want)} (${wrong.join(', ')} differ)${hint}`)
  process.exitCode = 1
} else {
  ok(`buildInfo(): ${info.target} (${info.libc}) loaded under ${runtime}`)
}

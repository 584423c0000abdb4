// Where things are, resolved once from this file's location (scripts run from any cwd).
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The npm package users install. */
export const ADDON_DIR = join(ROOT, 'packages', 'hashkit')
/** The kit (`@napi-kit/cli`) as a workspace package; absent once the published one replaces it. */
export const KIT_DIR = join(ROOT, 'packages', 'kit')
/** One npm package per target, generated from `napi.targets`. */
export const NPM_DIR = join(ROOT, 'npm')
/** The Rust crate `napi build` compiles. */
export const BINDING_MANIFEST = join(ROOT, 'crates', 'node', 'Cargo.toml')
export const CARGO_CONFIG = join(ROOT, '.cargo', 'config.toml')
/** Downloads and toolchains the scripts install, kept between runs. */
export const CACHE_DIR = process.env.HASHKIT_CACHE_DIR ?? join(ROOT, '.cache')
/** Where the verified npm tarballs of pinned runtimes (Node.js, Bun, Deno) are kept. */
export const NPM_CACHE = join(CACHE_DIR, 'npm')

/** ava's command-line entry, run with a chosen Node.js binary. */
export const AVA_CLI = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs')

/** A dev tool's executable, so scripts work when run directly as well as from npm scripts. */
export const localBin = (name: string) => join(ROOT, 'node_modules', '.bin', name)

/**
 * How Node.js runs a script: TypeScript through tsx, and `@napi-kit/cli` resolved to the kit's
 * sources while packages/kit is here (lib/kit-source.ts). Every npm script that runs TypeScript
 * starts with the same arguments (a test compares them).
 */
export const SCRIPT_NODE_ARGS = ['--import', 'tsx', '--import', pathToFileURL(join(ROOT, 'scripts', 'lib', 'kit-source.ts')).href]

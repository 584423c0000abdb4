// Where things are, resolved once from this file's location (scripts run from any cwd).
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The npm package users install. */
export const ADDON_DIR = join(ROOT, 'packages', 'hashkit')
/** One npm package per target, generated from `napi.targets`. */
export const NPM_DIR = join(ROOT, 'npm')
/** The Rust crate `napi build` compiles. */
export const BINDING_MANIFEST = join(ROOT, 'crates', 'node', 'Cargo.toml')
export const CARGO_CONFIG = join(ROOT, '.cargo', 'config.toml')
/** Downloads and toolchains the scripts install, kept between runs. */
export const CACHE_DIR = process.env.HASHKIT_CACHE_DIR ?? join(ROOT, '.cache')

/** ava's command-line entry, run with a chosen Node.js binary. */
export const AVA_CLI = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs')

/** A dev tool's executable, so scripts work when run directly as well as from npm scripts. */
export const localBin = (name: string) => join(ROOT, 'node_modules', '.bin', name)

/**
 * How Node.js runs a script: TypeScript through tsx, and `@napi-kit/cli` resolved to the kit's
 * sources in packages/kit/src (its package.json maps the condition there), so a script never runs
 * against a stale dist/. Without the condition the same import resolves to the compiled package,
 * as for anyone who installs it from npm. Every npm script of the repository uses these too.
 */
export const SCRIPT_NODE_ARGS = ['--conditions=napi-kit-source', '--import', 'tsx']

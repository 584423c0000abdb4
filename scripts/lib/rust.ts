// Facts about the Rust toolchain and the Cargo configuration, read the way cargo reads them.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

import { parse } from 'smol-toml'
import { $ } from 'zx'

import { CARGO_CONFIG } from './paths.js'

let hostTriple: string | undefined

/** The triple rustc builds for when no --target is given, e.g. `x86_64-unknown-linux-gnu`. */
export async function rustHost(): Promise<string> {
  if (!hostTriple) {
    const out = await $({ quiet: true })`rustc -vV`.catch(() => {
      throw new Error('rustc was not found. Install Rust with https://rustup.rs, then run this again.')
    })
    const match = /^host: (\S+)$/m.exec(out.stdout)
    if (!match?.[1]) throw new Error(`could not read the host triple from \`rustc -vV\`:\n${out.stdout}`)
    hostTriple = match[1]
  }
  return hostTriple
}

/**
 * The `rustflags` that `.cargo/config.toml` sets for `triple`. Cargo ignores them whenever
 * RUSTFLAGS is set, and `napi build` sets RUSTFLAGS for musl targets, so the build script
 * passes them in RUSTFLAGS itself.
 */
export function configRustflags(triple: string, file = CARGO_CONFIG): string[] {
  const config = parse(readFileSync(file, 'utf8')) as { target?: Record<string, { rustflags?: unknown }> }
  const flags = config.target?.[triple]?.rustflags
  if (flags === undefined) return []
  if (typeof flags === 'string') return flags.split(/\s+/).filter(Boolean)
  if (Array.isArray(flags) && flags.every((f) => typeof f === 'string')) return flags
  throw new Error(`${file}: [target.${triple}] rustflags must be a string or an array of strings`)
}

/** RUSTFLAGS for a build of `triple`: what the caller set, plus the config's flags for it. */
export function rustflagsFor(triple: string, inherited = process.env.RUSTFLAGS ?? ''): string {
  const flags = inherited.split(/\s+/).filter(Boolean)
  const configured = configRustflags(triple)
  // Add each config flag pair unless the caller already gave it.
  for (let i = 0; i < configured.length; i++) {
    const flag = configured[i] ?? ''
    const value = flag === '-C' || flag === '--cfg' ? configured[++i] : undefined
    const joined = value === undefined ? [flag] : [flag, value]
    const already = flags.some((f, j) => f === joined[0] && (value === undefined || flags[j + 1] === value))
    if (!already) flags.push(...joined)
  }
  return flags.join(' ')
}

/**
 * The edition of the crate `file` (relative to the workspace) belongs to, as cargo reads it: the
 * nearest Cargo.toml with a [package], `edition.workspace = true` from the root's
 * [workspace.package]; 2015 when none is set. `read` gives a manifest's text (or undefined).
 */
export function crateEdition(file: string, read: (manifest: string) => string | undefined): string {
  type Manifest = { package?: { edition?: string | { workspace?: boolean } }; workspace?: { package?: { edition?: string } } }
  const parts = file.split('/').slice(0, -1)
  for (let depth = parts.length; depth >= 0; depth--) {
    const manifest = [...parts.slice(0, depth), 'Cargo.toml'].join('/')
    const text = read(manifest)
    if (text === undefined) continue
    const toml = parse(text) as Manifest
    const edition = toml.package?.edition
    if (typeof edition === 'string') return edition
    if (edition?.workspace) return (parse(read('Cargo.toml') ?? '') as Manifest).workspace?.package?.edition ?? '2015'
    if (toml.package) return '2015'
  }
  return '2015'
}

/** `source` as rustfmt formats it for `edition` (rustfmt reads stdin; config files from `cwd`). */
export function rustfmtSource(source: string, edition: string, cwd: string): string {
  const result = spawnSync('rustfmt', ['--edition', edition, '--emit', 'stdout'], { input: source, cwd, encoding: 'utf8' })
  if (result.error) throw new Error(`rustfmt was not found (${result.error.message}): install it with \`rustup component add rustfmt\`, then run this again`)
  if (result.status !== 0) throw new Error(`rustfmt could not format the file: ${result.stderr.trim()}`)
  return result.stdout
}

// Facts about the Rust toolchain and the Cargo configuration, read the way cargo reads them.
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

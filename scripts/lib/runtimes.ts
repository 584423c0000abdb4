// What `npm run test:runtimes` needs besides its steps: the pinned Bun and Deno binaries
// (npm packages pinned in the kit's pin file, unpacked into the cache), and reading and comparing the answers
// the runner-less suite (packages/<binary>/__test__/runtimes/suite.mjs) prints.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { type NpmPin, npmPin, npmPinnedLines, unpackNpmTarball } from '@napi-kit/cli'
import { CACHE_DIR, NPM_CACHE } from './paths.js'

/** The line the suite prints its answers on. */
export const ANSWERS_MARKER = 'RUNTIME-ANSWERS '

export interface Answers {
  /** The runtime and version the suite saw itself running under, e.g. `Bun 1.4.5`. */
  runtime: string
  /** How it loaded the package: createRequire, a bare import, or (Deno) an `npm:` import. */
  mode: string
  answers: Array<[string, unknown]>
}

/** The suite's answers in a runtime's output, or the reason there are none. */
export function parseAnswers(output: string): Answers | { error: string } {
  const line = output.split('\n').findLast((l) => l.startsWith(ANSWERS_MARKER))
  if (!line) return { error: 'printed no answers' }
  try {
    const parsed = JSON.parse(line.slice(ANSWERS_MARKER.length)) as Answers
    if (!Array.isArray(parsed.answers) || parsed.answers.length === 0) return { error: 'printed an empty list of answers' }
    return parsed
  } catch (error) {
    return { error: `printed answers that are not JSON (${(error as Error).message})` }
  }
}

export interface Comparison {
  /** How many of the reference's answers this runtime gave the same. */
  same: number
  /** Each answer that differs or is missing: key, the reference's value, this runtime's. */
  differ: Array<{ key: string; expected: string; got: string }>
  /** Answers the reference did not give. */
  extra: string[]
}

/** The answers, keyed, each value as its JSON text; a key given twice is an error in the suite. */
function keyed(answers: Answers): Map<string, string> {
  const map = new Map<string, string>()
  for (const [key, value] of answers.answers) {
    if (map.has(key)) throw new Error(`the suite gave the answer "${key}" twice: make its keys unique`)
    map.set(key, JSON.stringify(value))
  }
  return map
}

/**
 * Compares `got` with the reference answer by answer. `project` maps each value before the
 * comparison (e.g. to leave out what differs by libc on purpose).
 */
export function compareAnswers(reference: Answers, got: Answers, project: (key: string, value: string) => string = (_, v) => v): Comparison {
  const want = keyed(reference)
  const have = keyed(got)
  const result: Comparison = { same: 0, differ: [], extra: [...have.keys()].filter((k) => !want.has(k)) }
  for (const [key, expected] of want) {
    const value = have.get(key)
    if (value !== undefined && project(key, value) === project(key, expected)) result.same += 1
    else result.differ.push({ key, expected, got: value ?? '(no answer)' })
  }
  return result
}

/** A comparison passes when every answer is the same and none is extra. */
export const agrees = (c: Comparison) => c.differ.length === 0 && c.extra.length === 0

/** buildInfo() without `target` and `libc`: what a musl build shares with the glibc build. */
export function withoutLibc(key: string, value: string): string {
  if (!key.endsWith('buildInfo()')) return value
  const { target: _target, libc: _libc, ...rest } = JSON.parse(value) as Record<string, unknown>
  return JSON.stringify(rest)
}

/**
 * The pin of a runtime's npm package. Each is pinned to one exact version (a `line` in the kit's
 * pins/wanted.ts), so test:runtimes and the workflow's setup actions test the same release.
 */
export function runtimePin(pkg: string): NpmPin {
  const lines = npmPinnedLines(pkg)
  if (lines.length !== 1) {
    throw new Error(`${pkg} is pinned ${lines.length} times (${lines.join(', ') || 'none'}): keep exactly one line of it in packages/kit/src/pins/wanted.ts and run npm run pins:update`)
  }
  return npmPin(pkg, lines[0] ?? '')
}

/** The pinned version of a runtime's npm package. */
export const pinnedRuntime = (pkg: string): string => runtimePin(pkg).version

/** The environment variables a loader (the generated index.js) reads: what Deno's --allow-env must grant. */
export function loaderEnvNames(source: string): string[] {
  return [...new Set([...source.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? ''))].toSorted()
}

/** Whether this CPU has AVX2, which Bun's default x64 build needs (else its -baseline build). */
export function hasAvx2(cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')): boolean {
  return /^flags\s*:.*\bavx2\b/m.test(cpuinfo)
}

export interface PinnedBinary {
  /** The npm package it came from. */
  pkg: string
  version: string
  bin: string
}

/**
 * A runtime's binary from its pinned npm package, unpacked into the cache: the tarball is checked
 * against its integrity and the binary against the verified tarball's bytes on every call (see
 * unpackNpmTarball). npm pack ignores os, cpu and libc, so the musl Bun unpacks on any host.
 */
async function unpacked(pkg: string, file: string): Promise<PinnedBinary> {
  const pin = runtimePin(pkg)
  const dir = join(CACHE_DIR, 'runtimes', `${pkg.replace(/^@/, '').replace(/\//g, '-')}-${pin.version}`)
  await unpackNpmTarball(pin, dir, [file], NPM_CACHE)
  return { pkg, version: pin.version, bin: join(dir, file) }
}

/** Bun for glibc: the default build, or the baseline build on a CPU without AVX2. */
export const pinnedBunGlibc = (): Promise<PinnedBinary> => unpacked(hasAvx2() ? '@oven/bun-linux-x64' : '@oven/bun-linux-x64-baseline', 'bin/bun')

/** Bun for musl, run inside the musl root. */
export const pinnedBunMusl = (): Promise<PinnedBinary> => unpacked('@oven/bun-linux-x64-musl', 'bin/bun')

/** Deno for glibc. */
export const pinnedDeno = (): Promise<PinnedBinary> => unpacked('@deno/linux-x64-glibc', 'deno')

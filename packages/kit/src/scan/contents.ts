// What a package's tarball says about its native code: its package.json (scripts, `gypfile`,
// node-pre-gyp's `binary`), a binding.gyp, prebuildify's prebuilds/ and any other .node file,
// and what its install does: compile (node-gyp), choose a prebuild or compile (node-gyp-build),
// download (prebuild-install, node-pre-gyp, falling back to a compile), or run some other script.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import type { Expectation, Finding } from '../audit/checks.js'
import { readTarball } from '../audit/tar.js'

export interface Contents {
  manifest: { name?: string; version?: string; scripts?: Record<string, string>; gypfile?: boolean; binary?: { host?: string } }
  /** Every file, relative to the package folder. */
  names: string[]
  /** `.node` files outside prebuilds/. */
  nodeFiles: string[]
  prebuilds: string[]
  install?: InstallStep
  has(file: string): boolean
  /** The audit's findings for one of its binaries held to `expected`. */
  audit(file: string, expected: Expectation): Finding[]
  /** The functions one of its shared libraries defines. */
  exports(file: string): string[]
  /** Every file with its bytes (unpacks the tarball). */
  files(): Map<string, Uint8Array>
}

export interface InstallStep {
  how: 'compile' | 'node-gyp-build' | 'download' | 'script'
  /** The command npm runs, e.g. `node-gyp rebuild` (npm's default for a binding.gyp). */
  command: string
  /** For a download: where from. */
  host?: string
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const

/** What npm's install runs for a package with `manifest` and (or without) a binding.gyp. */
export function installStep(manifest: Contents['manifest'], hasBindingGyp: boolean): InstallStep | undefined {
  const scripts = manifest.scripts ?? {}
  const ran = INSTALL_SCRIPTS.flatMap((s) => (scripts[s] ? [scripts[s]] : []))
  // npm's default: a binding.gyp with no install or preinstall script is built with node-gyp rebuild.
  if (hasBindingGyp && manifest.gypfile !== false && !scripts.install && !scripts.preinstall) ran.unshift('node-gyp rebuild')
  const all = ran.join(' && ')
  if (!all) return undefined
  if (/\bprebuild-install\b|\bnode-pre-gyp\b|\binstall-from-cache\b/.test(all)) {
    const host = manifest.binary?.host ?? (/\bprebuild-install\b/.test(all) ? 'the GitHub releases of its repository' : undefined)
    return { how: 'download', command: all, ...(host ? { host } : {}) }
  }
  if (/\bnode-gyp-build\b/.test(all)) return { how: 'node-gyp-build', command: all }
  if (/\bnode-gyp\b|\bcmake-js\b/.test(all)) return { how: 'compile', command: all }
  return { how: 'script', command: all }
}

/** An installed package's files (its node_modules folder, without the packages nested in it). */
export function readInstalled(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>()
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = sub ? `${sub}/${e.name}` : e.name
      if (e.isDirectory() && !(sub === '' && e.name === 'node_modules')) walk(path)
      else if (e.isFile()) files.set(path, readFileSync(join(dir, path)))
    }
  }
  walk('')
  return files
}

/** A tarball's files by their path in the package (under `package/`, or whatever its single top folder is). */
export function readFiles(tgz: Uint8Array): Map<string, Uint8Array> {
  const entries = readTarball(tgz)
  const top = entries[0]?.path.split('/')[0] ?? 'package'
  return new Map(entries.filter((e) => e.path.startsWith(`${top}/`)).map((e) => [e.path.slice(top.length + 1), e.data]))
}

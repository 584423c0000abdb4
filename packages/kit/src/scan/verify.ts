// `scan --verify`: every binary a target would load is loaded by that target's real Node.js,
// in the kit's root for it (roots/targets.ts: musl and glibc x64, both arm64 under
// qemu-user, all with a current glibc or musl, so a GLIBC_ or libstdc++ ceiling is not what
// this checks), with RTLD_NOW, from a node_modules laid out as npm lays it out (so a binary's
// $ORIGIN run paths find the libraries its family ships). Where the loader and the audit
// disagree, the package gets an error; where they agree, a note with the loader's word.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { cacheDir } from '../lib/cache.js'
import { exec } from '../lib/process.js'
import { rootEnv } from '../roots/chroot.js'
import { RUN_TARGETS } from '../roots/targets.js'
import type { TargetResult } from './scan.js'
import type { LoadedBinary } from './verdict.js'

/** The Node.js release line the binaries are loaded by. */
export const VERIFY_NODE = '24'

// Loads each file named on the command line, one JSON line per file.
const LOADER = `const { constants } = require('node:os')
for (const file of process.argv.slice(2)) {
  try {
    process.dlopen({ exports: {} }, file, constants.dlopen.RTLD_NOW)
    console.log(JSON.stringify({ file, ok: true }))
  } catch (error) {
    console.log(JSON.stringify({ file, ok: false, error: String(error.message).split('\\n')[0] }))
  }
}
`

/** Writes a package's files under `dir`/node_modules/<name>. */
function lay(dir: string, name: string, files: Map<string, Uint8Array>): void {
  for (const [file, bytes] of files) {
    const path = join(dir, 'node_modules', name, file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, bytes)
  }
}

/**
 * Loads the binaries of `result` in its target's root and adds the outcome to each package's
 * findings. Throws when the root cannot be had here (the message names what is missing).
 */
export async function verifyTarget(result: TargetResult, progress: (line: string) => void): Promise<boolean> {
  const target = RUN_TARGETS.find((t) => t.name === result.target)
  if (!target) {
    progress(`- ${result.target}: not verified (napi-kit has no root for it; it has ${RUN_TARGETS.map((t) => t.name).join(', ')})`)
    return false
  }
  const missing = await target.unsupported()
  if (missing) throw new Error(`--verify cannot load binaries for ${target.name} here: it ${missing.what}\n  fix: ${missing.fix}`)
  const [node] = await target.provision([VERIFY_NODE])
  if (!node) throw new Error(`no Node.js ${VERIFY_NODE} in ${target.root()}`)
  const binaries = result.packages.flatMap((p) => p.binaries.map((b) => ({ p, b })))
  if (binaries.length === 0) return true
  mkdirSync(join(cacheDir(), 'scan'), { recursive: true })
  // Outside /tmp: the root has a /tmp of its own.
  const dir = mkdtempSync(join(cacheDir(), 'scan', 'verify-'))
  try {
    const paths = binaries.map(({ b }, i) => {
      const at = join(dir, String(i))
      lay(at, b.entry.name, b.contents.files())
      for (const other of b.beside) lay(at, other.entry.name, other.contents.files())
      return join(at, 'node_modules', b.entry.name, b.file)
    })
    writeFileSync(join(dir, 'load.cjs'), LOADER)
    const argv = target.enter([node.bin, join(dir, 'load.cjs'), ...paths], { binds: [dir], cwd: dir })
    const run = await exec(argv, { env: rootEnv({ PATH: `${dirname(node.bin)}:${rootEnv().PATH}`, HOME: '/tmp' }), nothrow: true })
    const outcomes = new Map(
      run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { file: string; ok: boolean; error?: string })
        .map((o) => [o.file, o]),
    )
    binaries.forEach(({ p, b }, i) => {
      const outcome = outcomes.get(paths[i] ?? '')
      if (!outcome) throw new Error(`the loader in ${target.root()} reported nothing for ${b.file} (exit code ${run.exitCode}): ${run.stderr.trim()}`)
      p.findings.push(judgement(b, outcome, `${target.name} Node.js ${node.version}`))
      p.verdict = p.findings.some((f) => f.severity === 'error') ? 'error' : p.findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok'
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  progress(`✓ ${result.target}: ${binaries.length} binaries loaded by ${node.version} in ${target.root()}`)
  return true
}

/** The finding for one binary: the loader's word, an error where it differs from the audit's. */
export function judgement(b: Pick<LoadedBinary, 'entry' | 'file' | 'loads'>, outcome: { ok: boolean; error?: string }, by: string) {
  const what = `${b.entry.name}@${b.entry.version}:${b.file}`
  if (outcome.ok === b.loads) {
    const cause = outcome.ok ? `--verify: ${by} loads ${what} (RTLD_NOW), as the audit says` : `--verify: ${by} cannot load ${what}, as the audit says: ${outcome.error}`
    return { severity: 'note' as const, cause, fix: outcome.ok ? 'nothing to do' : 'see the findings above' }
  }
  return {
    severity: 'error' as const,
    cause: `--verify: the audit says ${what} ${b.loads ? 'loads' : 'does not load'}, but ${by} ${outcome.ok ? 'loads it' : `cannot: ${outcome.error}`}`,
    fix: "the real loader's word stands: report this audit mistake to napi-kit with the package's name and version",
  }
}

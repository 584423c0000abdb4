// The kit's command as a user runs it (bin/napi-kit.js, the compiled CLI) for the scan tests:
// its exit code and output, and `scan --json`'s document.
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/napi-kit.js', import.meta.url))

/** A folder of this test process's own, for apps and their lockfiles. */
export const WORK = mkdtempSync(join(tmpdir(), 'napi-kit-scan-'))

export interface Result { code: number | null; stdout: string; stderr: string }

export function kit(args: string[], cwd = WORK, env: NodeJS.ProcessEnv = process.env): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

export interface Doc {
  targets: Array<{ target: string; glibc: string | null; packages: Array<{ name: string; version: string; kind: string; verdict: string; findings: Array<{ severity: string; cause: string; fix: string }> }> }>
}

/** `napi-kit scan <dir> --json …`: its exit code, its document, and its standard error. */
export function scanJson(dir: string, args: string[] = [], env?: NodeJS.ProcessEnv): { code: number | null; doc: Doc; stderr: string } {
  const r = kit(['scan', dir, '--json', ...args], WORK, env)
  let doc: Doc = { targets: [] }
  try {
    doc = JSON.parse(r.stdout) as Doc
  } catch {
    throw new Error(`scan printed no JSON (exit code ${r.code}):\n${r.stdout}\n${r.stderr}`)
  }
  return { code: r.code, doc, stderr: r.stderr }
}

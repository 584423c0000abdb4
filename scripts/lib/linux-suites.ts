// What test:musl, test:arm64 and test:linux report per Linux target: one row per test-suite
// run (target, libc, Node.js, binary size, audit verdict, tests, wall time). Each script prints
// its own table and saves its rows, so `npm run test:linux` can print all four targets at once.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { auditFiles, collectBinaries } from './audit-files.js'
import type { Checks } from './checks.js'
import { bytes, seconds, table } from './log.js'
import { CACHE_DIR } from './paths.js'
import { GLIBC_FLOOR } from './targets.js'

export interface SuiteRow {
  target: string
  libc: string
  node: string
  /** Size of the .node file, in bytes. */
  size: number
  audit: string
  passed: number
  failed: number
  ms: number
}

const RESULTS = join(CACHE_DIR, 'results')
/** Where the rows of a script (e.g. `test:arm64`) are saved. */
const resultsFile = (script: string) => join(RESULTS, `${script.replace(':', '-')}.json`)

function saveRows(name: string, rows: SuiteRow[]): void {
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(resultsFile(name), JSON.stringify(rows, null, 2))
}

/** The rows `name` saved, or undefined when it saved none since `clearRows(name)`. */
export function loadRows(name: string): SuiteRow[] | undefined {
  const file = resultsFile(name)
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SuiteRow[]) : undefined
}

export function clearRows(name: string): void {
  rmSync(resultsFile(name), { force: true })
}

export function suiteTable(rows: SuiteRow[]): string {
  return table(
    ['', 'target', 'libc', 'Node.js', 'binary', 'audit', 'tests', 'time'],
    rows.map((r) => [
      r.failed === 0 && r.audit === 'ok' ? '✓' : '✗',
      r.target,
      r.libc,
      r.node,
      bytes(r.size),
      r.audit,
      `${r.passed} passed, ${r.failed} failed`,
      seconds(r.ms),
    ]),
  )
}

/**
 * The audit's verdict on one binary at the release floor, with the problems it found (empty
 * when the verdict is ok) and its size.
 */
export async function auditBinaryFile(file: string): Promise<{ verdict: string; problems: string[]; needed: string[]; size: number }> {
  const [report] = await auditFiles(await collectBinaries([file]), { glibcFloor: GLIBC_FLOOR, localGlibc: false })
  if (!report) return { verdict: 'not audited', problems: [`${file} was not audited`], needed: [], size: 0 }
  return {
    verdict: report.verdict,
    problems: report.findings.filter((f) => f.severity !== 'note').map((f) => f.cause),
    needed: report.facts.needed ?? [],
    size: statSync(file).size,
  }
}

/**
 * The end of test:musl and test:arm64: saves the rows for test:linux, prints the suite table,
 * the checks and any `extra` tables, and the closing line "<script>: N passed, M failed" (tests
 * plus checks); sets a failing exit code when anything failed.
 */
export function finish(script: string, rows: SuiteRow[], checks: Checks, started: number, extra: string[] = []): void {
  const passed = rows.reduce((n, r) => n + r.passed, 0) + checks.passed
  const failed = rows.reduce((n, r) => n + r.failed, 0) + checks.failed
  saveRows(script, rows)
  for (const block of [suiteTable(rows), checks.table(), ...extra]) console.log(`\n${block}`)
  console.log(`\n${script} finished in ${seconds(performance.now() - started)}`)
  console.log(`${script}: ${passed} passed, ${failed} failed`)
  if (failed > 0) process.exitCode = 1
}

// What test:musl, test:arm64 and test:linux report per Linux target: one row per test-suite
// run (target, libc, Node.js, binary size, audit verdict, tests, wall time). Each script prints
// its own table and saves its rows, so `npm run test:linux` can print all four targets at once.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { auditFiles, collectBinaries, unreleasedMajors } from '@napi-kit/cli'
import type { Checks } from './checks.js'
import { bytes, seconds, table } from './log.js'
import { ADDON_DIR, CACHE_DIR, NPM_DIR } from './paths.js'
import { addonFiles, GLIBC_FLOOR, type PlatformPackage, readAddonManifest } from './targets.js'

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
/**
 * The Node.js majors the roots cannot run yet (wanted, but with no release to pin), as a table
 * for a suite's output: so a reader sees that they were not tested, and why. Empty when none.
 */
export function unreleasedTable(): string[] {
  const waiting = unreleasedMajors()
  if (waiting.length === 0) return []
  return [table(['Node.js', 'not run', 'why'], waiting.map((u) => [u.major, 'no pinned build', `${u.why}; npm run pins:update pins it once it is released`]))]
}

export function finish(script: string, rows: SuiteRow[], checks: Checks, started: number, extra: string[] = []): void {
  const passed = rows.reduce((n, r) => n + r.passed, 0) + checks.passed
  const failed = rows.reduce((n, r) => n + r.failed, 0) + checks.failed
  saveRows(script, rows)
  for (const block of [suiteTable(rows), checks.table(), ...extra]) console.log(`\n${block}`)
  console.log(`\n${script} finished in ${seconds(performance.now() - started)}`)
  console.log(`${script}: ${passed} passed, ${failed} failed`)
  if (failed > 0) process.exitCode = 1
}

/** What the consumer's probe.cjs prints: the loaded build and hash('hello'). */
export interface ProbeResult {
  libc: string
  target: string
  digest: string
}

/** hash('hello'), XXH3-64 with seed 0: the probe's answer from any correct build. */
export const HELLO_DIGEST = '9555e8555c62dcfd'

/**
 * A project in `dir` as a package manager lays it out: the addon package with `packages` side by
 * side in node_modules (each with its binary, when built), and probe.cjs, which requires the
 * addon by name and prints a ProbeResult.
 */
export function layOutConsumer(dir: string, packages: PlatformPackage[]): void {
  const manifest = readAddonManifest()
  const scope = join(dir, 'node_modules', ...manifest.name.split('/'))
  mkdirSync(scope, { recursive: true })
  for (const file of addonFiles(manifest)) copyFileSync(join(ADDON_DIR, file), join(scope, file))
  for (const pkg of packages) {
    const pkgDir = join(dir, 'node_modules', ...pkg.name.split('/'))
    cpSync(join(NPM_DIR, pkg.dir), pkgDir, { recursive: true })
    // A binary not built here is left out: the loader must not pick its package anyway.
    if (existsSync(join(ADDON_DIR, pkg.binary))) copyFileSync(join(ADDON_DIR, pkg.binary), join(pkgDir, pkg.binary))
  }
  const probe = `const a = require(${JSON.stringify(manifest.name)}); const i = a.buildInfo(); console.log(JSON.stringify({ libc: i.libc, target: i.target, digest: a.hash('hello') }))`
  writeFileSync(join(dir, 'probe.cjs'), probe)
}

/** Runs a consumer's probe with `argv` (a Node.js and probe.cjs); its result, or the first line of its error. */
export async function runProbe(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ seen?: ProbeResult; error: string }> {
  const result = await $({ quiet: true, nothrow: true, ...options })`${argv}`
  if (result.exitCode !== 0) return { error: result.stderr.trim().split('\n')[0] ?? '' }
  return { seen: JSON.parse(result.stdout) as ProbeResult, error: '' }
}

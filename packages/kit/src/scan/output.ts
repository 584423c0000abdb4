// How a scan is shown: one table per target (package@version, kind, what the target installs,
// verdict, cause, fix), every further finding below it; or the JSON document
// `{ "targets": [ { "target", "glibc", "packages": [ { "name", "version", "kind", "verdict", "findings": [ { "severity", "cause", "fix" } ] } ] } ] }`.
import { table } from '../lib/log.js'
import type { TargetResult } from './scan.js'
import { imageKind, type ScanTarget } from './targets.js'

const MARK = { ok: '✓', warning: '!', error: '✗' } as const

/** The scan as JSON, in exactly the documented shape. */
export function scanJson(targets: TargetResult[]): string {
  return JSON.stringify(
    {
      targets: targets.map((t) => ({
        target: t.target,
        glibc: t.glibc,
        packages: t.packages.map((p) => ({ name: p.name, version: p.version, kind: p.kind, verdict: p.verdict, findings: p.findings.map((f) => ({ severity: f.severity, cause: f.cause, fix: f.fix })) })),
      })),
    },
    null,
    2,
  )
}

/** The tables, one per target, as text. */
export function scanTables(results: TargetResult[], targets: ScanTarget[]): string {
  return results
    .map((r, i) => {
      const target = targets[i]
      const title = `${r.target}: ${target ? imageKind(target) : ''}`
      if (r.packages.length === 0) return `${title}: no native packages`
      const rows = r.packages.map((p) => {
        const first = p.findings.find((f) => f.severity === p.verdict) ?? p.findings.find((f) => f.severity !== 'note')
        return [MARK[p.verdict], `${p.name}@${p.version}`, p.kind, p.installs, p.verdict, first?.cause ?? '', first?.fix ?? '']
      })
      const rest = r.packages.flatMap((p) => {
        const first = p.findings.find((f) => f.severity === p.verdict) ?? p.findings.find((f) => f.severity !== 'note')
        return p.findings.filter((f) => f !== first).map((f) => `  ${f.severity === 'error' ? '✗' : f.severity === 'warning' ? '!' : '-'} ${p.name}@${p.version}: ${f.cause}\n      fix: ${f.fix}`)
      })
      return [title, table(['', 'package', 'kind', 'installs', 'verdict', 'cause', 'fix'], rows), ...rest].join('\n')
    })
    .join('\n\n')
}

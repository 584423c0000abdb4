// `npm run audit -- [paths…] [--json] [--glibc-floor 2.17] [--local-glibc]`
//
// Audits native binaries statically (scripts/lib/audit.ts): `.node` files, folders (searched
// for .node files) and npm tarballs (.tgz). Without paths: the built binaries next to the
// addon's loader and everything under npm/. A file inside a package is held to that package's
// os, cpu and libc; a file named `<binary>.<platform>.node` to that entry of napi.targets.
// Checks every file, prints a table with each problem's cause and fix, exits 1 on any error.
//
// --local-glibc: binaries next to the loader are development builds made with this machine's
// toolchain; hold them to this machine's glibc and show the gap to the release floor as a note.
import { parseArgs } from 'node:util'

import { auditFiles, collectBinaries } from './lib/audit-files.js'
import { bad, ok, table } from './lib/log.js'
import { GLIBC_FLOOR } from './lib/targets.js'

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    'glibc-floor': { type: 'string', default: GLIBC_FLOOR },
    'local-glibc': { type: 'boolean', default: false },
  },
})
if (!/^2\.\d+$/.test(flags['glibc-floor'])) {
  throw new Error(`--glibc-floor ${flags['glibc-floor']} is not a glibc version: pass e.g. --glibc-floor 2.17`)
}

const inputs = await collectBinaries(positionals)
const reports = await auditFiles(inputs, { glibcFloor: flags['glibc-floor'], localGlibc: flags['local-glibc'] })

if (flags.json) {
  console.log(JSON.stringify(reports, null, 2))
} else {
  const mark = { ok: '✓', warning: '!', error: '✗' } as const
  console.log(
    table(
      ['', 'binary', 'expected', 'found', 'glibc', 'size', 'verdict'],
      reports.map((r) => [
        mark[r.verdict],
        r.file,
        r.expected ? `${r.expected.os}-${r.expected.cpu}${r.expected.libc ? `-${r.expected.libc}` : ''}` : '(no package)',
        [r.facts.format, r.facts.machine, r.facts.libc].filter(Boolean).join(' '),
        r.facts.glibcMax ?? '',
        `${(r.facts.size / 1024).toFixed(0)} KiB`,
        r.verdict,
      ]),
    ),
  )
  for (const r of reports) {
    for (const f of r.findings) {
      const line = `${r.file}: ${f.cause}\n    fix: ${f.fix}`
      if (f.severity === 'error') bad(line)
      else console.log(`${f.severity === 'warning' ? '!' : '-'} ${line}`)
    }
  }
}
const failed = reports.filter((r) => r.verdict === 'error').length
if (!flags.json) {
  if (failed === 0) ok(`${reports.length} binaries audited, no errors`)
  console.log(`${reports.length - failed} ok, ${failed} failed`)
}
if (failed > 0) process.exitCode = 1

// `napi-kit audit [paths…] [--json] [--glibc-floor 2.17] [--local-glibc]`: the static audit of
// native binaries (audit/checks.ts) on files, folders and npm tarballs (audit/files.ts), as a
// table with each problem's cause and fix, or as one JSON document.
import { auditFiles, collectBinaries, defaultPaths } from '../audit/files.js'
import { type BinaryReport, DEFAULT_GLIBC_FLOOR } from '../audit/checks.js'
import { parseCommandLine } from '../lib/args.js'
import { UsageError } from '../lib/errors.js'
import { bad, ok, table } from '../lib/log.js'
import { type Command, withJsonErrors } from './command.js'

const usage = 'napi-kit audit [paths…] [--json] [--glibc-floor 2.17] [--local-glibc]'
const example = 'napi-kit audit npm/ my-addon-linux-x64-musl-1.0.0.tgz'

const help = `${usage}

Checks native Node.js addons (.node files) before they ship: what makes a published binary
fail to load on some machine is visible in the file itself. Reads ELF (Linux), Mach-O (macOS)
and PE (Windows) files, the WebAssembly modules of napi-rs wasm32-wasi packages (.wasm), folders
(searched for .node and .wasm files) and npm tarballs (.tgz).

Without paths: the package in the current folder whose package.json has a "napi" field (or,
in a workspace root, each workspace package that has one): its .node files and its npm/ folder.

A binary inside a package is held to that package's "os", "cpu" and "libc"; otherwise to the
target its name states (<binary>.<platform>.node, e.g. my-addon.linux-x64-musl.node). A binary
whose target cannot be known is checked for everything that needs no target, and the report
says what was not checked. Every glibc-linked binary is held to the glibc floor. A .wasm module
is held to cpu ["wasm32"], to the imports the napi-rs wasm runtime provides, and to the build
its loader expects (wasm32-wasi: shared memory, wasm32-wasip1: unshared).

Options:
  --glibc-floor <2.N>  the oldest glibc the binaries must load on (default ${DEFAULT_GLIBC_FLOOR})
  --local-glibc        hold development builds (.node files next to a package.json with a
                       "napi" field) to this machine's glibc, with the gap to the floor as a note
  --json               print one JSON document on standard output, errors included
  -h, --help           this text

Exit codes: 0 no errors (warnings and notes allowed), 1 a binary has an error or the audit
failed, 2 a usage error.

Examples:
  napi-kit audit
  napi-kit audit npm/ --glibc-floor 2.28
  napi-kit audit my-addon-linux-x64-musl-1.0.0.tgz --json`

const mark = { ok: '✓', warning: '!', error: '✗' } as const

function expectedColumn(r: BinaryReport): string {
  if (r.expected?.wasm) return `${r.expected.triple ?? 'wasm32-wasi'}${r.unchecked.includes('cpu') ? ' (cpu not checked)' : ''}`
  if (!r.expected) return r.unchecked.length ? `unknown (${r.unchecked.join(', ')} not checked)` : '(no package)'
  const libc = r.expected.libc ? `-${r.expected.libc}` : r.unchecked.includes('libc') ? ' (libc not checked)' : ''
  return `${r.expected.os}-${r.expected.cpu}${libc}`
}

function print(reports: BinaryReport[]): void {
  console.log(
    table(
      ['', 'binary', 'expected', 'found', 'glibc', 'size', 'verdict'],
      reports.map((r) => [
        mark[r.verdict],
        r.file,
        expectedColumn(r),
        [r.facts.format, r.facts.machine, r.facts.libc, r.facts.memory].filter(Boolean).join(' '),
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

async function run(args: string[]): Promise<number> {
  const json = args.includes('--json')
  return withJsonErrors(args, { usage, example }, async () => {
    const { values, positionals } = parseCommandLine(args, {
      json: { type: 'boolean' },
      'glibc-floor': { type: 'string' },
      'local-glibc': { type: 'boolean' },
    })
    const glibcFloor = (values['glibc-floor'] as string | undefined) ?? DEFAULT_GLIBC_FLOOR
    if (!/^2\.\d+$/.test(glibcFloor)) throw new UsageError(`--glibc-floor ${glibcFloor} is not a glibc version: pass e.g. --glibc-floor 2.17`)
    const cwd = process.cwd()
    const inputs = collectBinaries(positionals.length ? positionals : defaultPaths(cwd), cwd)
    const reports = auditFiles(inputs, { glibcFloor, localGlibc: values['local-glibc'] === true, cwd })
    const failed = reports.filter((r) => r.verdict === 'error').length
    const exitCode = failed > 0 ? 1 : 0
    if (json) {
      console.log(JSON.stringify({ ok: failed === 0, exitCode, audited: reports.length, failed, glibcFloor, reports }, null, 2))
    } else {
      print(reports)
      if (failed === 0) ok(`${reports.length} binaries audited, no errors`)
      console.log(`${reports.length - failed} ok, ${failed} failed`)
    }
    return exitCode
  })
}

export const audit: Command = { name: 'audit', usage, example, help, run }

// `npm run test:linux`: all four Linux targets, each built as a release build, audited and
// tested under a real Node.js of its own libc and CPU: test:musl (x64 musl, in the musl root),
// test:arm64 (arm64 glibc and musl, under qemu-user), then x64 glibc on this machine. Prints one
// table for all four and one line "test:linux: N passed, M failed" (the sum of the three).
//
//   npm run test:linux
import { $ } from 'zx'

import { parseFlags } from '../lib/args.js'
import { auditBinaryFile, clearRows, loadRows, type SuiteRow, suiteTable } from '../lib/linux-suites.js'
import { bad, ok, seconds } from '../lib/log.js'
import { ADDON_DIR, AVA_CLI, ROOT } from '../lib/paths.js'
import { avaCounts, closingCounts, type Counts, run, runnerCounts } from '../lib/run.js'
import { platformPackages, readAddonManifest } from '../lib/targets.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm run test:linux', {})

const started = performance.now()
const totals: Counts = { passed: 0, failed: 0 }
const rows: SuiteRow[] = []

/** Runs one of the test scripts and adds up its closing line; a missing line is one failure. */
async function part(script: string, args: string[]): Promise<void> {
  clearRows(script)
  const result = await run(['npm', 'run', script, '--', ...args], { cwd: ROOT })
  const counts = closingCounts(result.output, script)
  if (!counts) {
    bad(`npm run ${script} printed no closing line: counted as one failure`)
    totals.failed += 1
    return
  }
  totals.passed += counts.passed
  totals.failed += counts.failed
  // A script that stopped before it ran a suite saved no rows: its own output says why.
  rows.push(...(loadRows(script) ?? []))
}

await part('test:musl', ['--release'])
await part('test:arm64', [])

// x64 glibc: the release build (linked against glibc 2.17), under this machine's Node.js.
{
  const triple = 'x86_64-unknown-linux-gnu'
  const pkg = platformPackages(readAddonManifest()).find((p) => p.triple === triple)
  if (!pkg) throw new Error(`napi.targets must contain ${triple} for test:linux (packages/hashkit/package.json)`)
  await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- --release --target ${triple}`
  const audit = await auditBinaryFile(`${ADDON_DIR}/${pkg.binary}`)
  ;(audit.verdict === 'ok' ? ok : bad)(`npm run audit: ${pkg.binary}: ${audit.problems.join('; ') || `links ${audit.needed.join(', ')}`}`)
  const result = await run([process.execPath, AVA_CLI], { cwd: ADDON_DIR })
  const counts = runnerCounts(result, avaCounts)
  rows.push({ target: triple, libc: 'glibc', node: `${process.version} (x64)`, size: audit.size, audit: audit.verdict, ...counts, ms: result.ms })
  totals.passed += counts.passed + (audit.verdict === 'ok' ? 1 : 0)
  totals.failed += counts.failed + (audit.verdict === 'ok' ? 0 : 1)
}

console.log(`\n${suiteTable(rows)}\n`)
console.log(`test:linux finished in ${seconds(performance.now() - started)}`)
console.log(`test:linux: ${totals.passed} passed, ${totals.failed} failed`)
if (totals.failed > 0) process.exitCode = 1

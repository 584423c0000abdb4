// `napi-kit scan [dir] [--target <t>[,<t>…]] [--glibc 2.28] [--toolchain] [--offline] [--json]`:
// will an app's native dependencies load where it is deployed? Reads the app's lockfile (no
// node_modules needed), works out what each target's install gets, and audits those binaries.
import { dirname } from 'node:path'

import { parseCommandLine } from '../lib/args.js'
import { cacheDir } from '../lib/cache.js'
import { UsageError } from '../lib/errors.js'
import { progressTo, seconds } from '../lib/log.js'
import { findLockfile, LOCKFILE_NAMES } from '../scan/lockfile.js'
import { scanJson, scanTables } from '../scan/output.js'
import { scanLockfile } from '../scan/scan.js'
import { VERIFY_NODE } from '../scan/verify.js'
import { DEFAULT_SCAN_TARGETS, DEFAULT_TARGET_GLIBC, parseTargets, SCAN_TARGET_NAMES } from '../scan/targets.js'
import { type Command, withJsonErrors } from './command.js'

const usage = 'napi-kit scan [dir] [--target <t>[,<t>…]] [--glibc 2.28] [--toolchain] [--offline] [--verify] [--json]'
const example = 'napi-kit scan . --target linux-x64-musl,linux-arm64-gnu --glibc 2.31'

const help = `${usage}

Checks, before a deploy, that an app's native dependencies will install and load on each
target: reads the app's lockfile (${LOCKFILE_NAMES.join(', ')}: npm's lockfileVersion 2
or 3, pnpm's 9.0, yarn ≥ 2's, bun ≥ 1.2's text lockfile; no node_modules needed), finds the
packages with native code (families of platform packages with os/cpu/libc, prebuildify
prebuilds/, install-time compiles and downloads, .node files), works out what the app's
install gets on each target by its package manager's rules (a missing platform package, an
install script pnpm, yarn or bun leaves unrun without approval), fetches those tarballs
(checked against the lockfile's integrity, cached in ${cacheDir()}/scan) and audits the binary
the target loads, as napi-kit audit does, held to the target's glibc and libstdc++.

Targets: ${SCAN_TARGET_NAMES.join(', ')}

Options:
  --target <t>[,<t>…]  the targets to check (default ${DEFAULT_SCAN_TARGETS})
  --glibc <2.N>        the glibc of the gnu targets (default ${DEFAULT_TARGET_GLIBC}: Debian 10, RHEL 8)
  --toolchain          the images have python3, make and g++: a compile at install is a
                       warning, not an error
  --offline            download nothing: use the kit's cache and the app's node_modules;
                       what neither has is an error that says it was not checked
  --verify             also load each binary a target picks with that target's real Node.js
                       ${VERIFY_NODE} (RTLD_NOW) in napi-kit run's root for it (linux-x64 and
                       linux-arm64, musl and gnu); a disagreement with the audit is an error
  --json               print { "targets": [ { "target", "glibc", "packages": [ { "name",
                       "version", "kind", "verdict", "findings": [ { "severity", "cause",
                       "fix" } ] } ] } ] } on standard output
  -h, --help           this text

Progress goes to standard error. Exit codes: 0 no package has an error on any target
(warnings and notes allowed), 1 some package has an error on some target, 2 a usage error
(an unknown target, a bad --glibc, a missing or broken lockfile).

Examples:
  napi-kit scan
  napi-kit scan path/to/app --target linux-x64-musl,linux-arm64-musl
  napi-kit scan --glibc 2.17 --json > scan.json`

async function run(args: string[]): Promise<number> {
  return withJsonErrors(args, { usage, example }, () => scanApp(args))
}

async function scanApp(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    target: { type: 'string' },
    glibc: { type: 'string' },
    toolchain: { type: 'boolean' },
    offline: { type: 'boolean' },
    verify: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  if (positionals.length > 1) throw new UsageError(`scan reads one app at a time, not ${positionals.length} (${positionals.join(', ')})`)
  const targets = parseTargets((values.target as string | undefined) ?? DEFAULT_SCAN_TARGETS, (values.glibc as string | undefined) ?? DEFAULT_TARGET_GLIBC)
  const file = findLockfile(positionals[0] ?? '.')
  progressTo('stderr') // standard output holds the tables or the JSON only
  const start = performance.now()
  const result = await scanLockfile(file, { targets, toolchain: values.toolchain === true, offline: values.offline === true, verify: values.verify === true, appDir: dirname(file), progress: (line) => console.error(line) })
  const packages = result.targets.flatMap((t) => t.packages)
  const failed = packages.filter((p) => p.verdict === 'error').length
  const { downloaded, cached } = result.tarballs
  console.error(`→ scanned in ${seconds(performance.now() - start)} (${downloaded} tarballs downloaded, ${cached} from the cache)`)
  if (values.json === true) console.log(scanJson(result.targets))
  else {
    console.log(scanTables(result.targets, targets))
    console.log(`${packages.length - failed} ok, ${failed} failed`)
  }
  return failed > 0 ? 1 : 0
}

export const scan: Command = { name: 'scan', usage, example, help, run }

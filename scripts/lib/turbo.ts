import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'

import { $ } from 'zx'

import { KIT_DIR } from './paths.js'

// The environment every turbo call runs with.
export function turboEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // turbo would otherwise try to send usage data: this project's machines reach no such host.
    TURBO_TELEMETRY_DISABLED: '1',
    // No interactive terminal UI: logs stay readable in CI and when piped.
    TURBO_UI: 'false',
  }
}

/**
 * turbo's filters for the addon's packages without the kit (whose tsc build takes no build
 * flags), and for the kit alone: none for the kit when packages/kit was replaced by the
 * published package.
 */
export function kitFilters(): { withoutKit: string[]; kitOnly: string[] } {
  const here = existsSync(join(KIT_DIR, 'package.json'))
  return { withoutKit: here ? ['--filter=!@napi-kit/cli'] : [], kitOnly: here ? ['--filter=@napi-kit/cli'] : [] }
}

/** The first `lines` lines `command` prints, or "<name>: none" when it cannot run. */
async function version(command: string[], lines = 1): Promise<string> {
  const r = await $({ nothrow: true, quiet: true })`${command}`
  return r.exitCode === 0 ? r.stdout.trim().split('\n').slice(0, lines).join(' ') : `${command[0]}: none`
}

/**
 * The toolchains a cached test's result can depend on besides its files: Node.js and the glibc
 * it runs on, rustc and cargo, the system's cc, npm, and the CPU (model and feature flags).
 * npm test passes it to turbo as TEST_TOOLCHAINS, which the cached test tasks list under "env":
 * another toolchain or CPU is another key.
 */
export async function toolchainKey(): Promise<string> {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
  const [rustc, cargo, cc, npm] = await Promise.all([
    version(['rustc', '-vV'], 7),
    version(['cargo', '-V']),
    version(['cc', '--version']),
    version(['npm', '--version']),
  ])
  // The CPU too: code may take another path on other CPU features (AVX2, say).
  const cpu = existsSync('/proc/cpuinfo') ? (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '') : ''
  return [
    `node ${process.version} ${process.platform}-${process.arch}`,
    `glibc ${header?.glibcVersionRuntime ?? 'none'}`,
    rustc,
    cargo,
    cc,
    `npm ${npm}`,
    `cpu ${cpus()[0]?.model ?? 'unknown'} ${cpu}`,
  ].join('; ')
}

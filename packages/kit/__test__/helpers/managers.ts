// The package managers pinned in tools/package-managers (pnpm, yarn, bun), installed once into
// the repository's cache by scripts/lib/tools.ts (the same installation test:release uses):
// run here as a child process, since the kit's tests do not import the repository's scripts.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

import type { PackageManager } from '../../src/scan/lockfile.js'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

let found: Record<Exclude<PackageManager, 'npm'>, string[]> | undefined

/** The command line (executable and leading arguments) of each pinned package manager. */
export function packageManagers(): Record<Exclude<PackageManager, 'npm'>, string[]> {
  const script = `const { packageManagers } = await import(${JSON.stringify(new URL('scripts/lib/tools.ts', `file://${ROOT}`).href)}); process.stdout.write('\\n' + JSON.stringify(await packageManagers()))`
  found ??= JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--import', './scripts/lib/kit-source.ts', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').at(-1) ?? '',
  ) as Record<Exclude<PackageManager, 'npm'>, string[]>
  return found
}

/** Runs `manager` with `args` in `cwd`; its output (stdout and stderr together) when it fails is in the error. */
export function runManager(manager: Exclude<PackageManager, 'npm'>, args: string[], cwd: string): string {
  const [command = manager, ...lead] = packageManagers()[manager]
  return execFileSync(command, [...lead, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, YARN_ENABLE_TELEMETRY: '0' } })
}

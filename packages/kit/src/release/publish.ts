// The uploads of a checked release: which versions the registry already has (so a re-run
// finishes a half-finished release instead of failing on it), and `npm publish` of each packed
// tarball, platform packages first and the addon package last.
import { exec } from '../lib/process.js'
import { npmFailure } from './registry.js'

/** Whether `name@version` is on the registry (npm answers E404 for unknown packages and versions), or why npm could not say. */
export async function isPublished(name: string, version: string, registry: string): Promise<boolean | string> {
  const result = await exec(['npm', 'view', `${name}@${version}`, 'version', '--json', '--registry', registry], { nothrow: true })
  if (result.exitCode === 0) return result.stdout.trim() !== ''
  if (/E404|404 Not Found|is not in this registry/.test(result.stderr)) return false
  return npmFailure(result.stderr, result.exitCode, 'npm view')
}

export interface PublishOptions {
  registry: string
  tag: string
  provenance: boolean
  dryRun: boolean
}

/** `npm publish` of one packed tarball; throws with npm's own message when it fails. */
export async function publishTarball(tarball: string, options: PublishOptions): Promise<void> {
  await exec([
    'npm',
    'publish',
    tarball,
    '--access',
    'public',
    '--tag',
    options.tag,
    '--registry',
    options.registry,
    ...(options.provenance ? ['--provenance'] : []),
    ...(options.dryRun ? ['--dry-run'] : []),
  ])
}

/**
 * Provenance needs an OIDC token from GitHub Actions and a registry that records it: only
 * there is `--provenance` passed.
 */
export function provenanceAvailable(registry: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true' && Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL) && new URL(registry).host === 'registry.npmjs.org'
}

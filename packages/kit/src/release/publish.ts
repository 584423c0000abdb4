// The uploads of a checked release: what the registry already has (so a re-run finishes a
// half-finished release instead of failing on it, and a version published with other contents
// is refused, not skipped), whether npm may publish there at all, and `npm publish` of each
// packed tarball with bounded retries for transient failures.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'

import { exec } from '../lib/process.js'
import type { Check, StagedPackage } from './checks.js'
import { npmFailure } from './registry.js'

/** npm's `integrity` of a tarball: sha512, base64. */
export const tarballIntegrity = (tarball: string) => `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`

export type Published = { published: false } | { published: true; integrity?: string } | { error: string }

/** Whether `name@version` is on the registry, with its integrity (npm answers E404 for unknown packages and versions), or why npm could not say. */
export async function publishedState(name: string, version: string, registry: string): Promise<Published> {
  // No silent retries (npm's own wait up to a minute): a registry that fails is reported at once.
  const result = await exec(['npm', 'view', `${name}@${version}`, 'dist.integrity', '--json', '--registry', registry, '--fetch-retries', '0'], { nothrow: true })
  if (result.exitCode === 0) {
    const text = result.stdout.trim()
    if (text === '') return { published: false }
    const integrity = JSON.parse(text) as unknown
    return { published: true, integrity: typeof integrity === 'string' ? integrity : undefined }
  }
  if (/E404|404 Not Found|is not in this registry/.test(result.stderr)) return { published: false }
  return { error: npmFailure(result.stderr, result.exitCode, 'npm view') }
}

/** Undefined when npm can publish to `registry` as someone (`npm whoami`), else why not. */
export async function cannotPublish(registry: string): Promise<string | undefined> {
  const result = await exec(['npm', 'whoami', '--registry', registry, '--fetch-retries', '0'], { nothrow: true })
  if (result.exitCode === 0 && result.stdout.trim() !== '') return undefined
  return npmFailure(result.stderr, result.exitCode, 'npm whoami')
}

/**
 * The registry's side of a release's checks, one per package: not yet published; already
 * published with these exact contents (to be skipped); published with other contents (refused:
 * a published version cannot be replaced); or unknown. With `needsLogin`, also whether npm can
 * publish there at all (`npm whoami`). `already` names the packages to skip.
 */
export async function registryChecks(packages: StagedPackage[], registry: string, needsLogin: boolean): Promise<{ checks: Check[]; already: Set<string> }> {
  const checks: Check[] = []
  const already = new Set<string>()
  for (const pkg of packages) {
    const state = await publishedState(pkg.name, pkg.version, registry)
    const ours = pkg.tarball ? tarballIntegrity(pkg.tarball) : undefined
    if ('error' in state) {
      checks.push({ pkg: pkg.name, check: 'registry', ok: false, detail: `cannot ask ${registry}: ${state.error}`, fix: 'check the registry URL (--registry or npm_config_registry) and the network, then run the release again' })
    } else if (!state.published) {
      checks.push({ pkg: pkg.name, check: 'registry', ok: true, detail: `${pkg.version} not yet published` })
    } else if (ours && state.integrity && state.integrity !== ours) {
      checks.push({
        pkg: pkg.name,
        check: 'registry',
        ok: false,
        detail: `${pkg.version} is already published with other contents (the registry has ${state.integrity.slice(0, 19)}…, this tarball is ${ours.slice(0, 19)}…)`,
        fix: 'a published version cannot be replaced: release a new version (bump it, e.g. with a changeset, and write it into every platform package with napi version), then run the release again',
      })
    } else {
      already.add(pkg.name)
      checks.push({ pkg: pkg.name, check: 'registry', ok: true, detail: `${pkg.version} already published with these contents, will be skipped` })
    }
  }
  const main = packages.at(-1)
  if (needsLogin && main && already.size < packages.length) {
    const denied = await cannotPublish(registry)
    if (denied) {
      checks.push({
        pkg: main.name,
        check: 'registry login',
        ok: false,
        detail: `npm cannot publish to ${registry}: npm whoami answered ${denied}`,
        fix: `log in (npm login --registry ${registry}) or give npm a token for it (an //${new URL(registry).host}/:_authToken line in .npmrc, e.g. from NPM_TOKEN), then run the release again`,
      })
    }
  }
  return { checks, already }
}

/** Whether the registry has `tarball` as `name@version`, byte for byte (an upload whose answer was lost). */
export async function registryHas(name: string, version: string, registry: string, tarball: string): Promise<boolean> {
  const state = await publishedState(name, version, registry)
  return 'published' in state && state.published && state.integrity === tarballIntegrity(tarball)
}

export interface PublishOptions {
  registry: string
  tag: string
  provenance: boolean
  dryRun: boolean
  /** Uploads tried at most this many times when they fail transiently (default 3). */
  attempts?: number
  /** The first wait before a retry, doubled each time (default 1000 ms). */
  backoffMs?: number
  /** Told about each retry before its wait. */
  onRetry?: (attempt: number, waitMs: number, reason: string) => void
}

/** A failed upload: npm's reason, and whether another try can help. */
export class PublishError extends Error {
  override name = 'PublishError'
  constructor(
    message: string,
    readonly transient: boolean,
    readonly attempts: number,
  ) {
    super(message)
  }
}

/**
 * Whether npm's failure is worth another try: a 5xx answer, a dropped or refused connection, a
 * timeout. Authentication (401, 403), conflicts (409, EPUBLISHCONFLICT) and bad requests are not.
 */
export function transientFailure(stderr: string): boolean {
  if (/\bE(40\d|4[1-9]\d)\b|EPUBLISHCONFLICT|ENEEDAUTH|EOTP|npm error (40\d|4[1-9]\d) /.test(stderr)) return false
  return /\bE5\d\d\b|npm error 5\d\d |ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up/.test(stderr)
}

/** `npm publish` of one packed tarball, retried with backoff while it fails transiently. */
export async function publishTarball(tarball: string, options: PublishOptions): Promise<void> {
  const attempts = options.attempts ?? 3
  const argv = [
    'npm',
    'publish',
    tarball,
    '--access',
    'public',
    '--tag',
    options.tag,
    '--registry',
    options.registry,
    // The retries are ours, printed; npm's own are silent.
    '--fetch-retries',
    '0',
    ...(options.provenance ? ['--provenance'] : []),
    ...(options.dryRun ? ['--dry-run'] : []),
  ]
  for (let attempt = 1; ; attempt++) {
    const result = await exec(argv, { nothrow: true })
    if (result.exitCode === 0) return
    const reason = npmFailure(result.stderr, result.exitCode, 'npm publish')
    const transient = transientFailure(result.stderr)
    if (!transient || attempt >= attempts) throw new PublishError(reason, transient, attempt)
    const wait = (options.backoffMs ?? 1000) * 2 ** (attempt - 1)
    options.onRetry?.(attempt, wait, reason)
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

/**
 * Provenance needs an OIDC token from GitHub Actions and a registry that records it: only
 * there is `--provenance` passed.
 */
export function provenanceAvailable(registry: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true' && Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL) && new URL(registry).host === 'registry.npmjs.org'
}

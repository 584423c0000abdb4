// The registry a release talks to, settled before anything else runs. npm ignores an invalid
// --registry with a warning and uses its configured registry instead, so a typo would send every
// check and every upload to the default registry: the value must be an http(s) URL, every npm
// call gets it explicitly, and the registry must answer npm's ping first.
import { exec } from '../lib/process.js'

/** The registry's address with the trailing slash npm writes, or why `value` is not one. */
export function registryUrl(value: string): { url: string } | { problem: string } {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    return { problem: 'it is not a URL' }
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { problem: `its scheme is ${parsed.protocol}, not http: or https:` }
  if (parsed.search || parsed.hash) return { problem: 'a registry address has no query or fragment' }
  return { url: `${parsed.origin}${parsed.pathname.replace(/\/?$/, '/')}` }
}

/** What npm said when a request failed: its FetchError or HTTP status line, else its error code. */
export function npmFailure(stderr: string, exitCode: number | null, command = 'npm ping'): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^npm error /, '').trim())
  return (
    lines.find((l) => l.startsWith('FetchError: '))?.slice('FetchError: '.length) ??
    lines.find((l) => /^\d{3} /.test(l)) ??
    lines.find((l) => l.startsWith('code '))?.slice('code '.length) ??
    `${command} exited with ${exitCode}`
  )
}

/**
 * Undefined when the registry at `url` answers npm's ping (GET <url>-/ping, with the user's
 * credentials for it, no retries), else why not.
 */
export async function registryUnreachable(url: string): Promise<string | undefined> {
  const result = await exec(['npm', 'ping', '--registry', url, '--fetch-retries', '0', '--fetch-timeout', '30000'], { nothrow: true })
  if (result.exitCode !== 0) return npmFailure(result.stderr, result.exitCode)
  // npm names the registry it pinged: it must be this one, not a fallback.
  const pinged = /PING (\S+)/.exec(result.stderr)?.[1]
  return pinged === url ? undefined : `npm pinged ${pinged ?? 'no registry'} instead`
}

/** npm's configured registry (npm_config_registry, else `npm config get registry`). */
export async function configuredRegistry(): Promise<string> {
  return process.env.npm_config_registry ?? (await exec(['npm', 'config', 'get', 'registry'])).stdout.trim()
}

// `npm run release` settles its registry before anything else: a --registry (or npm setting)
// that is not an http(s) URL is a usage error (exit 2), one that does not answer npm's ping is a
// failure (exit 1), and neither sends a request anywhere. npm's fallback registry here is a
// loopback HTTP server that records every request: npm would send everything there if the
// release let it fall back from an invalid --registry, as npm does.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test, { type ExecutionContext } from 'ava'

import { freePort } from '../lib/verdaccio.js'

import { runScript, type ScriptResult } from './helpers/script.js'

const USAGE = 'npm run release -- [--dry-run] [--registry <url>] [--only-present] [--artifacts <dir>] [--tag <dist-tag>]'
const home = mkdtempSync(join(tmpdir(), 'hashkit-release-registry-'))
const userconfig = join(home, 'npmrc')
writeFileSync(userconfig, '')
test.after.always(() => rmSync(home, { recursive: true, force: true }))

/** A loopback server standing in for npm's configured registry, closed after test `t`; it only records requests. */
async function fallbackRegistry(t: ExecutionContext): Promise<{ url: string; received: string[]; server: Server }> {
  const received: string[] = []
  const server = createServer((request, response) => {
    received.push(`${request.method} ${request.url}`)
    response.writeHead(404, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, received, server }
}

/** `npm run release` (the script itself) with `args`, npm's registry setting `configured`. */
const release = (args: string[], configured: string): Promise<ScriptResult> =>
  runScript('release', args, { env: { ...process.env, npm_config_registry: configured, npm_config_userconfig: userconfig } })

const notAUrl = (source: string) =>
  `✗ ${source} cannot be used: it is not a URL; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/\n  usage: ${USAGE}\n`

test('--registry not-a-url is a usage error, and npm is asked nothing (not even its fallback registry)', async (t) => {
  const fallback = await fallbackRegistry(t)
  const result = await release(['--registry', 'not-a-url', '--dry-run', '--only-present'], fallback.url)
  t.is(result.stderr, notAUrl('--registry not-a-url'))
  t.is(result.stdout, '')
  t.is(result.code, 2)
  t.deepEqual(fallback.received, [])
})

test('other schemes, queries and fragments are refused too', async (t) => {
  const fallback = await fallbackRegistry(t)
  for (const [value, problem] of [
    ['ftp://registry.example/', 'its scheme is ftp:, not http: or https:'],
    ['localhost:4873', 'its scheme is localhost:, not http: or https:'],
    ['http://127.0.0.1:4873/?token=x', 'a registry address has no query or fragment'],
  ] as const) {
    const result = await release(['--registry', value, '--dry-run'], fallback.url)
    t.is(result.stderr, `✗ --registry ${value} cannot be used: ${problem}; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/\n  usage: ${USAGE}\n`)
    t.is(result.code, 2)
  }
  t.deepEqual(fallback.received, [])
})

test("npm's own registry setting is checked the same way when no --registry is given", async (t) => {
  const result = await release(['--dry-run'], 'not-a-url')
  t.is(result.stderr, notAUrl("npm's registry setting not-a-url (npm config get registry)"))
  t.is(result.code, 2)
})

test('a registry that does not answer is refused before anything is checked or packed (exit 1)', async (t) => {
  const fallback = await fallbackRegistry(t)
  const port = await freePort()
  const dead = `http://127.0.0.1:${port}`
  const result = await release(['--registry', dead, '--dry-run', '--only-present'], fallback.url)
  t.is(
    result.stderr,
    `✗ nothing was checked or published: the registry ${dead}/ does not answer (request to ${dead}/-/ping failed, reason: connect ECONNREFUSED 127.0.0.1:${port})\n` +
      `    fix: start it, or pass the right one with --registry <url>; then run npm run release again (npm ping --registry ${dead}/ checks it)\n`,
  )
  t.is(result.stdout, '')
  t.is(result.code, 1)
  t.deepEqual(fallback.received, [])
})

test('a server that is not a registry (no /-/ping) is refused with its answer', async (t) => {
  const other = await fallbackRegistry(t)
  const result = await release(['--registry', other.url, '--dry-run'], other.url)
  t.regex(result.stderr, new RegExp(`^✗ nothing was checked or published: the registry ${other.url} does not answer \\(404 Not Found - GET ${other.url}-/ping\\)\\n`))
  t.is(result.code, 1)
  t.deepEqual(other.received, ['GET /-/ping'])
})

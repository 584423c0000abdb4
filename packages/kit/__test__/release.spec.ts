// `napi-kit release` settles its registry before anything is uploaded: a --registry (or npm
// setting) that is not an http(s) URL is a usage error (exit 2), one that does not answer npm's
// ping is a failure (exit 1), and neither sends a request anywhere. npm's fallback registry here
// is a loopback HTTP server that records every request: npm would send everything there if the
// release let it fall back from an invalid --registry, as npm does. The project is a minimal
// napi-rs layout (a package.json with a "napi" field and an npm/ folder) in a temporary folder.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test, { type ExecutionContext } from 'ava'

const BIN = fileURLToPath(new URL('../bin/napi-kit.js', import.meta.url))
const USAGE =
  'napi-kit release [--dry-run] [--registry <url>] [--only-present] [--artifacts <dir>] [--tag <dist-tag>] [--package <dir>] [--npm-dir <dir>] [--glibc-floor 2.17]'
const EXAMPLE = 'napi-kit release --dry-run --registry http://localhost:4873/'
const home = mkdtempSync(join(tmpdir(), 'napi-kit-release-'))
const userconfig = join(home, 'npmrc')
writeFileSync(userconfig, '')
const project = join(home, 'project')
mkdirSync(join(project, 'npm'), { recursive: true })
writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'some-addon', version: '1.0.0', napi: { binaryName: 'some-addon', targets: ['x86_64-unknown-linux-gnu'] } }))
test.after.always(() => rmSync(home, { recursive: true, force: true }))

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

/** A port nothing listens on: one the system just handed out and took back. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address ? address.port : 0
}

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

/** `napi-kit release` with `args` in the project, npm's registry setting `configured`. */
function release(args: string[], configured: string, cwd = project): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'release', ...args], { cwd, env: { ...process.env, npm_config_registry: configured, npm_config_userconfig: userconfig } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const refused = (problem: string) => `✗ napi-kit release: ${problem}\nusage: ${USAGE}\ne.g.:  ${EXAMPLE}\n`
const notAUrl = (source: string) => refused(`${source} cannot be used: it is not a URL; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/`)

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
    t.is(result.stderr, refused(`--registry ${value} cannot be used: ${problem}; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/`))
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
      `    fix: start it, or pass the right one with --registry <url>; then run the release again (npm ping --registry ${dead}/ checks it)\n`,
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

test('without an addon in the folder, or with two, the release says which to pass (exit 2), before asking any registry', async (t) => {
  const fallback = await fallbackRegistry(t)
  const empty = mkdtempSync(join(home, 'empty-'))
  const none = await release(['--dry-run'], fallback.url, empty)
  t.is(none.stderr, refused(`no package.json with a "napi" field in ${empty} or its workspaces: run it in your addon's folder, or pass --package <dir>`))
  t.is(none.code, 2)
  const two = mkdtempSync(join(home, 'two-'))
  writeFileSync(join(two, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/*'] }))
  for (const name of ['a', 'b']) {
    mkdirSync(join(two, 'packages', name), { recursive: true })
    writeFileSync(join(two, 'packages', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', napi: { binaryName: name, targets: ['x86_64-unknown-linux-gnu'] } }))
  }
  const both = await release(['--dry-run'], fallback.url, two)
  t.is(both.stderr, refused('2 packages have a "napi" field (packages/a, packages/b): pass the one to release with --package <dir>'))
  t.is(both.code, 2)
  const noNpm = await release(['--dry-run', '--package', 'packages/a', '--npm-dir', 'nowhere'], fallback.url, two)
  t.is(noNpm.stderr, refused('--npm-dir nowhere does not exist: pass the folder napi create-npm-dirs wrote (npm/)'))
  t.deepEqual(fallback.received, [])
})

test('an unknown option or a stray argument is a usage error', async (t) => {
  const fallback = await fallbackRegistry(t)
  const unknown = await release(['--bogus'], fallback.url)
  t.is(unknown.stderr, refused('unknown option --bogus'))
  t.is(unknown.code, 2)
  const stray = await release(['1.0.0'], fallback.url)
  t.is(stray.stderr, refused('unexpected argument 1.0.0'))
  t.is(stray.code, 2)
  t.deepEqual(fallback.received, [])
})

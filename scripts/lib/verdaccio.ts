// A throwaway npm registry: Verdaccio (tools/verdaccio, installed on first use) on 127.0.0.1 at
// a free port, with empty storage in a temporary folder, and a user whose token publishes.
import { type ChildProcess, spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { seconds } from './log.js'
import { installTool, TOOLS_DIR } from './tools.js'

export interface Registry {
  /** e.g. http://127.0.0.1:4873/ (with the trailing slash npm writes). */
  url: string
  /** An npm user config holding the publishing token: pass it as npm_config_userconfig. */
  userconfig: string
  /** The storage folder, for inspection. */
  storage: string
  /** Verdaccio's own output so far. */
  log: () => string
  /**
   * Every request received so far, in order, e.g. `GET /-/ping`. Verdaccio writes its log
   * asynchronously, so this sends a marker request and reads the log once the marker is in it.
   */
  requests: () => Promise<string[]>
  stop: () => Promise<void>
}

/** A loopback port nothing listens on at the time of the call. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with code ${child.exitCode} before it was ready:\n${log()}`)
    try {
      const response = await fetch(`${url}-/ping`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`Verdaccio did not answer ${url}-/ping within ${seconds(ms)}:\n${log()}`)
}

/** Starts Verdaccio; `stop()` ends it and deletes its storage. */
export async function startVerdaccio(): Promise<Registry> {
  const installed = await installTool('verdaccio')
  const home = mkdtempSync(join(tmpdir(), 'hashkit-verdaccio-'))
  copyFileSync(join(TOOLS_DIR, 'verdaccio', 'config.yaml'), join(home, 'config.yaml'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  const logFile = join(home, 'verdaccio.log')
  const out = openSync(logFile, 'a')
  const child = spawn(
    process.execPath,
    [join(installed, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '--config', join(home, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    { cwd: home, stdio: ['ignore', out, out], env: { ...process.env, VERDACCIO_STORAGE_PATH: join(home, 'storage') } },
  )
  const log = () => readFileSync(logFile, 'utf8')
  // One line per request at level http: "info <-- 127.0.0.1 requested 'GET /-/ping'".
  let marks = 0
  const requests = async () => {
    const marker = `-/ping?marker=${++marks}`
    await fetch(`${url}${marker}`)
    const deadline = Date.now() + 10_000
    while (!log().includes(`requested 'GET /${marker}'`)) {
      if (Date.now() > deadline) throw new Error(`Verdaccio's log never showed the request GET /${marker}:\n${log()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return [...log().matchAll(/<-- \S+ requested '([^']+)'/g)].map((m) => m[1] ?? '').filter((r) => !r.startsWith('GET /-/ping?marker='))
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(home, { recursive: true, force: true })
  }
  try {
    await waitUntilReady(url, child, log)
    // npm adduser's API: creates the user and returns a token for it.
    const name = 'hashkit-release'
    const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password: `pw-${port}-${process.pid}` }),
    })
    const body = (await response.json()) as { token?: string; error?: string }
    if (!response.ok || !body.token) throw new Error(`Verdaccio refused to create the publishing user: ${response.status} ${body.error ?? ''}`)
    const userconfig = join(home, 'npmrc')
    writeFileSync(userconfig, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${body.token}\n`)
    return { url, userconfig, storage: join(home, 'storage'), log, requests, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

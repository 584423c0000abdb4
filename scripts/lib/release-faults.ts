// The faults a release must survive (`npm run test:release`, after the real release): a registry
// outage mid-release, the release killed with kill -9 while it uploads, a transient and a
// permanent upload error, a version already published with other contents, two releases at
// once, and a token the registry refuses. Each runs the real `npm run release` on a copy of the
// release inputs at a version of its own, through a fault-injecting proxy in front of the real
// Verdaccio (lib/fault-proxy.ts), and checks the registry itself afterwards: never the addon
// package without every platform package of its version.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'

import { $ } from 'zx'

import { expect } from './checks.js'
import { type FaultProxy, startFaultProxy } from './fault-proxy.js'
import { ADDON_DIR } from './paths.js'
import type { PlatformPackage } from './targets.js'
import type { Registry } from './verdaccio.js'

export interface FaultContext {
  registry: Registry
  /** The addon's npm name and its released platform packages, in publishing order. */
  name: string
  released: PlatformPackage[]
  /** A copy of the release inputs for `caseName`, changed by `breakIt`. */
  mirror: (caseName: string, breakIt: (root: string) => void) => string
  check: (title: string, run: () => Promise<string>) => Promise<boolean>
}

interface Doc {
  versions?: Record<string, { dist?: { integrity?: string; tarball?: string }; optionalDependencies?: Record<string, string> }>
}

/** The packages a release's output says it uploaded, in order. */
const published = (output: string) => [...output.matchAll(/^✓ publish (\S+)@/gm)].map((m) => m[1])
/** The packages a release's output says it skipped as already published. */
const skipped = (output: string) => [...output.matchAll(/^✓ (\S+)@\S+: already published, skipped$/gm)].map((m) => m[1])

export async function releaseFaults(ctx: FaultContext): Promise<void> {
  const { registry, name, released } = ctx
  const platforms = released.map((t) => t.name)
  expect(platforms.length >= 2, `the fault cases need two released platform packages, not ${platforms.length}`)
  const [first, second] = platforms as [string, string, ...string[]]
  const token = /_authToken=(\S+)/.exec(readFileSync(registry.userconfig, 'utf8'))?.[1] ?? ''
  const proxy: FaultProxy = await startFaultProxy(registry.url)
  const host = new URL(proxy.url).host
  const npmrc = (authToken: string) => {
    const file = join(registry.storage, '..', `npmrc-proxy-${createHash('sha256').update(authToken).digest('hex').slice(0, 8)}`)
    writeFileSync(file, `registry=${proxy.url}\n//${host}/:_authToken=${authToken}\n`)
    return file
  }
  const goodConfig = npmrc(token)

  const doc = async (pkg: string): Promise<Doc> => {
    const response = await fetch(`${registry.url}${pkg.replace('/', '%2f')}`)
    return response.status === 404 ? {} : ((await response.json()) as Doc)
  }
  const has = async (pkg: string, version: string) => Boolean((await doc(pkg)).versions?.[version])
  const state = async (version: string) => {
    const present = await Promise.all([...platforms, name].map(async (p) => [p, await has(p, version)] as const))
    return { on: present.filter(([, on]) => on).map(([p]) => p), off: present.filter(([, on]) => !on).map(([p]) => p) }
  }
  /** Every published tarball of `version` downloads whole: its sha512 is the integrity the registry recorded. */
  const tarballsWhole = async (version: string) => {
    for (const pkg of [...platforms, name]) {
      const dist = (await doc(pkg)).versions?.[version]?.dist
      expect(Boolean(dist?.tarball && dist.integrity), `${pkg}@${version} has no tarball or integrity`)
      const bytes = Buffer.from(await (await fetch(new URL(new URL(dist?.tarball ?? '').pathname, registry.url))).arrayBuffer())
      const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`
      expect(integrity === dist?.integrity, `${pkg}@${version}: the tarball's sha512 is ${integrity}, the registry recorded ${dist?.integrity}`)
    }
  }
  /** The addon's optionalDependencies at `version`: every released platform package at exactly `version`. */
  const complete = async (version: string) => {
    const { off } = await state(version)
    expect(off.length === 0, `after the re-run, ${off.join(', ')}@${version} are missing`)
    const optional = (await doc(name)).versions?.[version]?.optionalDependencies
    expect(JSON.stringify(optional) === JSON.stringify(Object.fromEntries(platforms.map((p) => [p, version]))), `optionalDependencies are ${JSON.stringify(optional)}`)
    await tarballsWhole(version)
  }

  /** A copy of the release inputs at `version` (the addon and every npm/* package). */
  let cases = 0
  const copyAt = (version: string) =>
    ctx.mirror(`fault-${++cases}`, (root) => {
      const files = [join(root, 'packages', basename(ADDON_DIR), 'package.json'), ...readdirSync(join(root, 'npm')).map((d) => join(root, 'npm', d, 'package.json'))]
      for (const file of files) writeFileSync(file, `${JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version }, null, 2)}\n`)
    })
  const release = (root: string, userconfig = goodConfig) =>
    $({ cwd: root, nothrow: true, quiet: true, env: { ...process.env, npm_config_userconfig: userconfig } })`npm run release -- --registry ${proxy.url} --only-present`

  /** The re-run after a fault: exit 0, exactly `missing` uploaded with the addon last, the rest skipped, the release whole. */
  const finish = async (root: string, version: string, missing: string[]) => {
    proxy.rule = () => 'pass'
    const again = await release(root)
    const output = again.stdout + again.stderr
    expect(again.exitCode === 0, `the re-run exited ${again.exitCode}:\n${output}`)
    expect(JSON.stringify(published(output)) === JSON.stringify(missing), `the re-run published ${published(output).join(', ')}, want ${missing.join(', ')} (the addon last)`)
    const rest = [...platforms, name].filter((p) => !missing.includes(p))
    expect(JSON.stringify(skipped(output)) === JSON.stringify(rest), `the re-run skipped ${skipped(output).join(', ')}, want ${rest.join(', ')}`)
    await complete(version)
  }

  try {
    // 1. The registry answers 503 to everything once the first platform package is in.
    await ctx.check('fault: the registry goes down after the first upload; the re-run finishes the release', async () => {
      const version = '0.0.0-fault.1'
      const root = copyAt(version)
      let down = false
      proxy.rule = (r) => {
        if (r.publishIndex !== undefined && r.publishIndex >= 1) down = true
        return down ? { status: 503 } : 'pass'
      }
      const result = await release(root)
      const output = result.stdout + result.stderr
      expect(result.exitCode === 1, `exit ${result.exitCode}, want 1:\n${output}`)
      const retries = [...output.matchAll(new RegExp(`${second.replace(/[/@]/g, '\\$&')}@\\S+: upload \\d failed \\(503 Service Unavailable[^)]*\\); trying again in \\d s`, 'g'))].length
      expect(retries === 2, `${retries} retries printed for ${second}, want 2:\n${output}`)
      const line = `✗ publish ${second}@${version} failed after 3 attempts: 503 Service Unavailable`
      expect(output.includes(line), `no line ${line}:\n${output}`)
      expect(output.includes(`published: ${first}; not published: ${platforms.slice(1).join(', ')}, ${name} (${name} stays unpublished`), `the failure does not list what is and is not published:\n${output}`)
      expect(output.includes('then run the same command again: it skips what is published and uploads the rest'), `no command to finish:\n${output}`)
      const { on } = await state(version)
      expect(JSON.stringify(on) === JSON.stringify([first]), `after the outage the registry has ${on.join(', ') || 'nothing'} at ${version}, want only ${first}`)
      await finish(root, version, [...platforms.slice(1), name])
      return `exit 1 naming ${second} and the command to finish, 2 retries printed, only ${first} published; the re-run published the rest, ${name} last`
    })

    // 2. kill -9 of the whole release while the second upload is in flight.
    await ctx.check('fault: kill -9 during an upload; the re-run finishes, nothing published twice, every tarball whole', async () => {
      const version = '0.0.0-fault.2'
      const root = copyAt(version)
      proxy.rule = (r) => (r.publishIndex === 1 ? 'hold' : 'pass')
      const child = spawn('npm', ['run', 'release', '--', '--registry', proxy.url, '--only-present'], {
        cwd: root,
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, npm_config_userconfig: goodConfig },
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal === 'SIGKILL' ? 137 : _code)))
      const timeout = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 180_000)
      await Promise.race([proxy.nextHold(), exited])
      clearTimeout(timeout)
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
      const code = await exited
      expect(code === 137, `the release ended with ${code} before its second upload`)
      const { on } = await state(version)
      expect(JSON.stringify(on) === JSON.stringify([first]), `after kill -9 the registry has ${on.join(', ') || 'nothing'} at ${version}, want only ${first}`)
      await finish(root, version, [...platforms.slice(1), name])
      return `killed during the upload of ${second}: only ${first} was on the registry; the re-run (taking over the dead release's lock) uploaded the rest once each`
    })

    // 3a. One dropped connection on an upload is retried, and says so.
    await ctx.check('fault: a dropped connection on one upload is retried with backoff, and printed', async () => {
      const version = '0.0.0-fault.3'
      const root = copyAt(version)
      let dropped = false
      proxy.rule = (r) => {
        if (r.publishIndex === 0 && !dropped) {
          dropped = true
          return 'drop'
        }
        return 'pass'
      }
      const result = await release(root)
      const output = result.stdout + result.stderr
      expect(result.exitCode === 0, `exit ${result.exitCode}:\n${output}`)
      const retry = new RegExp(`${first.replace(/[/@]/g, '\\$&')}@${version.replace(/\./g, '\\.')}: upload 1 failed \\(([^)]+)\\); trying again in 1 s`).exec(output)
      expect(retry !== null, `no retry line for ${first}:\n${output}`)
      await complete(version)
      return `upload 1 of ${first} dropped (${retry[1]}), retried after 1 s; the release is whole`
    })

    // 3b. A permanent refusal is not retried, and nothing after it is uploaded.
    await ctx.check('fault: a 403 on upload is not retried; the fix is printed and the addon stays unpublished', async () => {
      const version = '0.0.0-fault.4'
      const root = copyAt(version)
      proxy.seen.length = 0
      proxy.rule = (r) => (r.publishIndex !== undefined ? { status: 403 } : 'pass')
      const result = await release(root)
      const output = result.stdout + result.stderr
      expect(result.exitCode === 1, `exit ${result.exitCode}, want 1:\n${output}`)
      const puts = proxy.seen.filter((s) => /^PUT \/(?!-\/)/.test(s)).length
      expect(puts === 1, `${puts} uploads tried, want 1 (no retry on 403):\n${proxy.seen.join('\n')}`)
      expect(output.includes(`✗ publish ${first}@${version} failed after 1 attempt: 403 Forbidden`), `no failure line for ${first}:\n${output}`)
      expect(/fix: fix what npm reports above \(a 401 or 403 is the token/.test(output), `no fix for a 403:\n${output}`)
      expect(!/trying again/.test(output), `a 403 was retried:\n${output}`)
      const { on } = await state(version)
      expect(on.length === 0, `the registry has ${on.join(', ')} at ${version}`)
      return 'exit 1 after one attempt, the token named as the fix, nothing published'
    })

    // 4. The same version already on the registry with other contents: refused, not skipped.
    await ctx.check('fault: a version already published with other contents is refused before any upload', async () => {
      const version = '0.0.0-fault.5'
      const root = copyAt(version)
      const impostor = join(root, 'impostor')
      const target = released[0]
      expect(target !== undefined, 'no released platform package')
      cpSync(join(root, 'npm', target.dir), impostor, { recursive: true })
      writeFileSync(join(impostor, 'README.md'), 'Other contents at the same version.\n')
      cpSync(join(ADDON_DIR, target.binary), join(impostor, target.binary))
      await $({ cwd: impostor, quiet: true, env: { ...process.env, npm_config_userconfig: registry.userconfig } })`npm publish --tag next --registry ${registry.url}`
      const before = (await doc(first)).versions?.[version]?.dist?.integrity
      proxy.rule = () => 'pass'
      const result = await release(root)
      const output = result.stdout + result.stderr
      expect(result.exitCode === 1, `exit ${result.exitCode}, want 1:\n${output}`)
      expect(new RegExp(`✗ ${first.replace(/[/@]/g, '\\$&')}: registry: ${version.replace(/\./g, '\\.')} is already published with other contents \\(the registry has sha512-\\S+…, this tarball is sha512-\\S+…\\)`).test(output), `no refusal naming both contents:\n${output}`)
      expect(output.includes('fix: a published version cannot be replaced: release a new version'), `no fix:\n${output}`)
      expect(/nothing was published/.test(output) && published(output).length === 0, `something was uploaded:\n${output}`)
      const { on } = await state(version)
      const after = (await doc(first)).versions?.[version]?.dist?.integrity
      expect(JSON.stringify(on) === JSON.stringify([first]) && after === before, `the registry changed: ${on.join(', ')}`)
      return 'refused with both integrities named; the registry kept the other contents and got nothing else'
    })

    // 5. Two releases of one checkout at once: the second is refused while the first uploads.
    await ctx.check('fault: two releases at once in one checkout: the second is refused, the first finishes', async () => {
      const version = '0.0.0-fault.6'
      const root = copyAt(version)
      proxy.rule = (r) => (r.publishIndex === 0 ? 'hold' : 'pass')
      const firstRun = release(root)
      await proxy.nextHold()
      proxy.rule = () => 'pass'
      const secondRun = await release(root)
      proxy.releaseHeld()
      const firstResult = await firstRun
      const output = secondRun.stdout + secondRun.stderr
      expect(secondRun.exitCode === 1, `the second release exited ${secondRun.exitCode}, want 1:\n${output}`)
      expect(/✗ nothing was checked or published: another napi-kit release \(process \d+\) is running for /.test(output), `no refusal naming the running release:\n${output}`)
      expect(firstResult.exitCode === 0, `the first release exited ${firstResult.exitCode}:\n${firstResult.stdout}${firstResult.stderr}`)
      await complete(version)
      return 'the second refused, naming the running release; the first published everything once'
    })

    // 6. A token the registry refuses: stopped before the first upload.
    await ctx.check('fault: a bad token stops the release before the first upload, with the fix', async () => {
      const version = '0.0.0-fault.7'
      const root = copyAt(version)
      proxy.seen.length = 0
      proxy.rule = () => 'pass'
      const result = await release(root, npmrc('not-a-valid-token'))
      const output = result.stdout + result.stderr
      expect(result.exitCode === 1, `exit ${result.exitCode}, want 1:\n${output}`)
      expect(new RegExp(`✗ ${name.replace(/[/@]/g, '\\$&')}: registry login: npm cannot publish to ${proxy.url.replace(/\./g, '\\.')}: npm whoami answered `).test(output), `no registry login failure:\n${output}`)
      expect(output.includes(`fix: log in (npm login --registry ${proxy.url})`), `no fix:\n${output}`)
      const puts = proxy.seen.filter((s) => /^PUT \/(?!-\/)/.test(s)).length
      const { on } = await state(version)
      expect(puts === 0 && on.length === 0, `${puts} uploads tried, ${on.join(', ')} published`)
      return `refused before any upload (${/npm whoami answered ([^\n]+)/.exec(output)?.[1] ?? ''}), nothing published`
    })
  } finally {
    await proxy.close()
  }
}

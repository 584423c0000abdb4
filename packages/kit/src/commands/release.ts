// `napi-kit release`: publishes a napi-rs addon and its platform packages at the version in the
// addon's package.json, in one command that can be re-run until it has finished.
// 1. The registry is settled first (release/registry.ts).
// 2. When an artifacts folder exists, `napi artifacts` moves each binary into its npm/<target>/.
// 3. Every package is staged, packed and checked (release/checks.ts): a ✓/✗ line per package and
//    check, then "N ok, M failed". Any failure stops here: nothing is uploaded.
// 4. Platform packages are published first, then the addon package, with optionalDependencies
//    pinned to exactly this version; a version the registry has already is skipped.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'

import { DEFAULT_GLIBC_FLOOR } from '../audit/checks.js'
import { findAddons } from '../audit/files.js'
import { parseCommandLine } from '../lib/args.js'
import { UsageError } from '../lib/errors.js'
import { bad, info, ok, timed } from '../lib/log.js'
import { exec } from '../lib/process.js'
import { planRelease, type StagedPackage } from '../release/checks.js'
import { lockRelease } from '../release/lock.js'
import { provenanceAvailable, PublishError, type PublishOptions, publishTarball, registryChecks, registryHas } from '../release/publish.js'
import { configuredRegistry, registryUnreachable, registryUrl } from '../release/registry.js'
import type { Command } from './command.js'

const usage = 'napi-kit release [--dry-run] [--registry <url>] [--only-present] [--artifacts <dir>] [--tag <dist-tag>] [--package <dir>] [--npm-dir <dir>] [--glibc-floor 2.17]'
const example = 'napi-kit release --dry-run --registry http://localhost:4873/'

const help = `${usage}

Publishes a napi-rs addon and one npm package per target (npm/<target>/, as napi
create-npm-dirs makes them) at the version in the addon's package.json. Checks everything
before it uploads anything, and can be re-run until the release has finished.

1. The registry (--registry, else npm's) must be an http(s) URL that answers npm ping; every
   npm call gets it explicitly, so npm never falls back to another registry.
2. When the artifacts folder exists, napi artifacts (from @napi-rs/cli) moves each binary
   into its npm/<target>/ package.
3. Each package is staged and packed with npm pack, and the tarballs are checked: name, os,
   cpu and libc as napi.targets gives them; one version everywhere; the binary present and in
   the packed files (for a WebAssembly target also the loaders napi build writes beside the
   .wasm, and its runtime dependencies); the audit at the glibc floor (napi-kit audit); the
   loader and types in the addon package, no binaries in it, optionalDependencies pinned to
   exactly this version.
   One ✓/✗ line per package and check, each failure with its fix. Any failure: nothing is
   published.
4. Platform packages are published first, then the addon package. A version the registry
   already has is skipped, so a re-run finishes a half-finished release. --provenance is
   passed on GitHub Actions with an OIDC token, publishing to registry.npmjs.org.

Options:
  --dry-run            check and pack everything, then npm publish --dry-run
  --registry <url>     the registry (default: npm config get registry)
  --only-present       release only the targets whose binary is present
  --artifacts <dir>    where the build artifacts were downloaded (default: artifacts/)
  --tag <dist-tag>     the dist-tag (default: latest, or next for a prerelease version)
  --package <dir>      the addon's folder (default: the package in the current folder, or the
                       one workspace package, whose package.json has a "napi" field)
  --npm-dir <dir>      the platform packages (default: npm/ in the addon's folder, else here)
  --glibc-floor <2.N>  the oldest glibc the Linux binaries must load on (default ${DEFAULT_GLIBC_FLOOR})
  -h, --help           this text

Exit codes: 0 published (or, with --dry-run, all checks passed), 1 a check failed or a
publish failed, 2 a usage error.

Examples:
  napi-kit release --dry-run
  napi-kit release --only-present --registry http://localhost:4873/
  napi-kit release --package packages/my-addon --npm-dir npm`

/** The addon's folder: --package, else the one napi package of the project in `cwd`. */
function addonFolder(cwd: string, given: string | undefined): string {
  if (given !== undefined) {
    const dir = resolve(cwd, given)
    if (!existsSync(join(dir, 'package.json'))) throw new UsageError(`--package ${given} has no package.json: pass the folder of the addon's package.json`)
    return dir
  }
  const { addons } = findAddons(cwd)
  if (addons.length === 1 && addons[0] !== undefined) return addons[0]
  if (addons.length === 0) throw new UsageError(`no package.json with a "napi" field in ${cwd} or its workspaces: run it in your addon's folder, or pass --package <dir>`)
  throw new UsageError(`${addons.length} packages have a "napi" field (${addons.map((a) => relative(cwd, a)).join(', ')}): pass the one to release with --package <dir>`)
}

/** The platform packages' folder: --npm-dir, else npm/ in the addon's folder, else npm/ here. */
function npmFolder(cwd: string, addonDir: string, given: string | undefined): string {
  if (given !== undefined) {
    const dir = resolve(cwd, given)
    if (!existsSync(dir)) throw new UsageError(`--npm-dir ${given} does not exist: pass the folder napi create-npm-dirs wrote (npm/)`)
    return dir
  }
  const found = [join(addonDir, 'npm'), join(cwd, 'npm')].find((d) => existsSync(d))
  if (!found) throw new UsageError(`no npm/ folder in ${relative(cwd, addonDir) || '.'} or here: create the platform packages with napi create-npm-dirs, or pass --npm-dir <dir>`)
  return found
}

/** The `napi` command of @napi-rs/cli, from the nearest node_modules/.bin. */
function napiBin(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const bin = join(dir, 'node_modules', '.bin', 'napi')
    if (existsSync(bin)) return bin
    if (dirname(dir) === dir) return undefined
  }
}

async function run(args: string[]): Promise<number> {
  const { values: flags } = parseCommandLine(
    args,
    {
      'dry-run': { type: 'boolean' },
      registry: { type: 'string' },
      'only-present': { type: 'boolean' },
      artifacts: { type: 'string' },
      tag: { type: 'string' },
      package: { type: 'string' },
      'npm-dir': { type: 'string' },
      'glibc-floor': { type: 'string' },
    },
    false,
  )
  const dryRun = flags['dry-run'] === true
  const cwd = process.cwd()
  const glibcFloor = (flags['glibc-floor'] as string | undefined) ?? DEFAULT_GLIBC_FLOOR
  if (!/^2\.\d+$/.test(glibcFloor)) throw new UsageError(`--glibc-floor ${glibcFloor} is not a glibc version: pass e.g. --glibc-floor 2.17`)

  // 1. The registry: an http(s) URL, and one that answers, before anything is read or packed.
  const givenRegistry = flags.registry as string | undefined
  const configured = givenRegistry ?? (await configuredRegistry())
  const checked = registryUrl(configured)
  if ('problem' in checked) {
    const source = givenRegistry === undefined ? `npm's registry setting ${configured} (npm config get registry)` : `--registry ${configured}`
    throw new UsageError(`${source} cannot be used: ${checked.problem}; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/`)
  }
  const registry = checked.url
  const addonDir = addonFolder(cwd, flags.package as string | undefined)
  const npmDir = npmFolder(cwd, addonDir, flags['npm-dir'] as string | undefined)
  const artifactsGiven = flags.artifacts as string | undefined
  const artifacts = resolve(cwd, artifactsGiven ?? 'artifacts')
  if (artifactsGiven !== undefined && !existsSync(artifacts)) throw new UsageError(`--artifacts ${artifactsGiven} does not exist: pass the folder the build artifacts were downloaded into`)
  const unreachable = await registryUnreachable(registry)
  if (unreachable) {
    bad(
      `nothing was checked or published: the registry ${registry} does not answer (${unreachable})\n` +
        `    fix: start it, or pass the right one with --registry <url>; then run the release again (npm ping --registry ${registry} checks it)`,
    )
    return 1
  }

  // One release of this addon at a time, from here to the end.
  let lock: ReturnType<typeof lockRelease>
  try {
    lock = lockRelease(addonDir)
  } catch (error) {
    bad(`nothing was checked or published: ${(error as Error).message}`)
    return 1
  }
  try {
    // 2. Build artifacts from CI: <artifacts>/**/<binary>.<target>.node → npm/<target>/.
    if (existsSync(artifacts)) {
      const napi = napiBin(addonDir)
      if (!napi) {
        bad(`${relative(cwd, artifacts)}/ holds build artifacts, but napi (from @napi-rs/cli) is not installed to move them into ${relative(cwd, npmDir)}/\n    fix: npm install -D @napi-rs/cli, then run the release again`)
        return 1
      }
      await timed(`napi artifacts: ${relative(cwd, artifacts) || '.'} → ${relative(cwd, npmDir) || '.'}/*`, () =>
        exec([napi, 'artifacts', '--package-json-path', join(addonDir, 'package.json'), '--npm-dir', npmDir, '--output-dir', artifacts], { cwd }),
      )
    }

    // 3. Check everything before uploading anything.
    const stage = mkdtempSync(join(tmpdir(), 'napi-kit-release-'))
    try {
      const plan = await timed('stage, pack and check every package', () => planRelease({ addonDir, npmDir, stageDir: stage, onlyPresent: flags['only-present'] === true, registry, glibcFloor, cwd }))
      const ordered: StagedPackage[] = [...plan.platforms, plan.main]
      // Uploads need a user the registry knows; a dry run uploads nothing.
      const { checks, already } = await registryChecks(ordered, registry, !dryRun)
      plan.checks.push(...checks)

      console.log(`\n${plan.name}@${plan.version} → ${registry}${dryRun ? ' (dry run)' : ''}`)
      // Grouped by package, in publishing order.
      const rank = (pkg: string) => ordered.findIndex((p) => p.name === pkg) >>> 0
      for (const c of plan.checks.toSorted((a, b) => rank(a.pkg) - rank(b.pkg))) {
        if (c.ok) ok(`${c.pkg}: ${c.check}: ${c.detail}`)
        else bad(`${c.pkg}: ${c.check}: ${c.detail}\n    fix: ${c.fix ?? 'see above'}`)
      }
      const failed = plan.checks.filter((c) => !c.ok).length
      console.log(`${plan.checks.length - failed} ok, ${failed} failed`)
      if (failed > 0) {
        bad(`nothing was published: fix the ${failed} failed check${failed === 1 ? '' : 's'} above and run the release again`)
        return 1
      }

      // 4. Publish: platform packages first, the addon package last.
      const provenance = provenanceAvailable(registry)
      // npm refuses to tag a prerelease `latest` without being told.
      const tag = (flags.tag as string | undefined) ?? (plan.version.includes('-') ? 'next' : 'latest')
      console.log('')
      info(`publishing ${ordered.length} packages with dist-tag ${tag}${provenance ? ', with provenance' : ''}`)
      const uploaded = await uploadAll(ordered, already, plan.name, { registry, tag, provenance, dryRun })
      if (uploaded === undefined) return 1
      ok(
        `${plan.name}@${plan.version}: ${dryRun ? 'would publish' : 'published'} ${uploaded}, already published ${already.size}, of ${ordered.length} packages${plan.skipped.length ? ` (${plan.skipped.length} targets left out)` : ''}`,
      )
      return 0
    } finally {
      rmSync(stage, { recursive: true, force: true })
    }
  } finally {
    lock.release()
  }
}

/**
 * Uploads `ordered` in order, skipping `already`: the number uploaded, or undefined after the
 * first upload that failed for good, having said what is and is not published and how to finish.
 */
async function uploadAll(ordered: StagedPackage[], already: Set<string>, addon: string, options: Omit<PublishOptions, 'onRetry'>): Promise<number | undefined> {
  let uploaded = 0
  const done: string[] = []
  for (const [index, pkg] of ordered.entries()) {
    if (already.has(pkg.name)) {
      ok(`${pkg.name}@${pkg.version}: already published, skipped`)
      done.push(pkg.name)
      continue
    }
    if (!pkg.tarball) throw new Error(`${pkg.name} was not packed`)
    const tarball = pkg.tarball
    const onRetry = (attempt: number, waitMs: number, reason: string) => info(`${pkg.name}@${pkg.version}: upload ${attempt} failed (${reason}); trying again in ${waitMs / 1000} s`)
    try {
      await timed(`publish ${pkg.name}@${pkg.version}`, () => publishTarball(tarball, { ...options, onRetry }))
    } catch (error) {
      if (!(error instanceof PublishError)) throw error
      // An upload whose answer was lost may have landed: the registry says.
      if (!options.dryRun && (await registryHas(pkg.name, pkg.version, options.registry, tarball))) {
        ok(`${pkg.name}@${pkg.version}: the registry has it, with these contents, although npm publish reported: ${error.message}`)
      } else {
        const missing = ordered.slice(index).map((p) => p.name)
        bad(
          `publish ${pkg.name}@${pkg.version} failed after ${error.attempts} attempt${error.attempts === 1 ? '' : 's'}: ${error.message}\n` +
            `    published: ${done.length ? done.join(', ') : 'nothing'}; not published: ${missing.join(', ')}${missing.includes(addon) ? ` (${addon} stays unpublished, so no install can get a version whose binaries are missing)` : ''}\n` +
            `    fix: ${error.transient ? 'wait for the registry to answer again' : 'fix what npm reports above (a 401 or 403 is the token, a 409 a version that exists)'}, then run the same command again: it skips what is published and uploads the rest, ${addon} last`,
        )
        return undefined
      }
    }
    done.push(pkg.name)
    uploaded += 1
  }
  return uploaded
}

export const release: Command = { name: 'release', usage, example, help, run }

// `npm run release`: publishes the addon and its platform packages at the version in
// packages/hashkit/package.json (set by `npm run version-packages`), in one command that can be
// re-run until it has finished.
//
//   npm run release [-- --dry-run] [-- --registry <url>] [-- --only-present] [-- --artifacts <dir>] [-- --tag <dist-tag>]
//
// 1. When an artifacts folder exists (default artifacts/, where the workflow downloads the build
//    artifacts), `napi artifacts` moves each binary into its npm/<target>/ package.
// 2. Every package is staged, packed and checked (scripts/lib/release-checks.ts): one ✓/✗ line
//    per package and check, then "N ok, M failed". Any failure stops here: nothing is uploaded.
// 3. Platform packages are published first, then the addon package with optionalDependencies
//    pinned to exactly this version. A package whose version is already on the registry is
//    skipped, so re-running a half-finished release finishes it.
// With --provenance only where the registry supports it: GitHub Actions with an OIDC token,
// publishing to registry.npmjs.org.
//
// Before anything else, the registry (--registry, else npm's configured one) must be an http(s)
// URL and must answer npm's ping (scripts/lib/registry.ts); every npm call gets it explicitly,
// so npm never falls back to another registry.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

import { $ } from 'zx'

import { parseFlags, usageError } from './lib/args.js'
import { bad, info, ok, summary, timed } from './lib/log.js'
import { ADDON_DIR, localBin, NPM_DIR, ROOT } from './lib/paths.js'
import { registryUnreachable, registryUrl } from './lib/registry.js'
import { planRelease, type StagedPackage } from './lib/release-checks.js'

const USAGE = 'npm run release -- [--dry-run] [--registry <url>] [--only-present] [--artifacts <dir>] [--tag <dist-tag>]'
const { values: flags } = parseFlags(USAGE, {
  options: {
    'dry-run': { type: 'boolean', default: false },
    registry: { type: 'string' },
    'only-present': { type: 'boolean', default: false },
    artifacts: { type: 'string' },
    tag: { type: 'string' },
  },
})
const dry = flags['dry-run']

// The registry: an http(s) URL, and one that answers, before anything is read or packed.
const given = flags.registry ?? process.env.npm_config_registry ?? (await $({ quiet: true })`npm config get registry`).stdout.trim()
const checked = registryUrl(given)
if ('problem' in checked) {
  const source = flags.registry === undefined ? `npm's registry setting ${given} (npm config get registry)` : `--registry ${given}`
  usageError(`${source} cannot be used: ${checked.problem}; pass the registry's http(s) address, e.g. --registry https://registry.npmjs.org/`, USAGE)
}
const registry = checked.url
const registryArgs = ['--registry', registry]
const unreachable = await registryUnreachable(registry)
if (unreachable) {
  bad(
    `nothing was checked or published: the registry ${registry} does not answer (${unreachable})\n` +
      `    fix: start it, or pass the right one with --registry <url>; then run npm run release again (npm ping --registry ${registry} checks it)`,
  )
  process.exit(1)
}

// 1. Build artifacts from the workflow: <artifacts>/**/hashkit.<target>.node → npm/<target>/.
const artifacts = resolve(flags.artifacts ?? join(ROOT, 'artifacts'))
if (flags.artifacts && !existsSync(artifacts)) {
  usageError(`--artifacts ${flags.artifacts} does not exist: pass the folder the build artifacts were downloaded into`, USAGE)
}
if (existsSync(artifacts)) {
  await timed(`napi artifacts: ${artifacts} → npm/*`, () =>
    $({ cwd: ROOT, stdio: 'inherit' })`${localBin('napi')} artifacts --package-json-path ${join(ADDON_DIR, 'package.json')} --npm-dir ${NPM_DIR} --output-dir ${artifacts}`,
  )
}

// 2. Check everything before uploading anything.
const stage = mkdtempSync(join(tmpdir(), 'hashkit-release-'))
process.on('exit', () => rmSync(stage, { recursive: true, force: true }))
const plan = await timed('stage, pack and check every package', () =>
  planRelease({ addonDir: ADDON_DIR, npmDir: NPM_DIR, stageDir: stage, onlyPresent: flags['only-present'], registry }),
)

/** Whether `name@version` is on the registry; npm answers E404 for unknown packages and versions. */
async function published(name: string, version: string): Promise<boolean | string> {
  const result = await $({ quiet: true, nothrow: true })`npm view ${`${name}@${version}`} version --json ${registryArgs}`
  if (result.exitCode === 0) return result.stdout.trim() !== ''
  if (/E404|404 Not Found|is not in this registry/.test(result.stderr)) return false
  return result.stderr.trim().split('\n').find((l) => /npm error (code|\w+ )/.test(l)) ?? `npm view exited with ${result.exitCode}`
}

const ordered: StagedPackage[] = [...plan.platforms, plan.main]
const already = new Set<string>()
for (const pkg of ordered) {
  const answer = await published(pkg.name, pkg.version)
  if (answer === true) already.add(pkg.name)
  plan.checks.push(
    typeof answer === 'string'
      ? { pkg: pkg.name, check: 'registry', ok: false, detail: `cannot ask ${registry}: ${answer}`, fix: 'check the registry URL (--registry or npm_config_registry) and the network, then run npm run release again' }
      : { pkg: pkg.name, check: 'registry', ok: true, detail: answer ? `${pkg.version} already published, will be skipped` : `${pkg.version} not yet published` },
  )
}

console.log(`\n${plan.name}@${plan.version} → ${registry}${dry ? ' (dry run)' : ''}`)
// Grouped by package, in publishing order.
const rank = (pkg: string) => ordered.findIndex((p) => p.name === pkg) >>> 0
for (const c of plan.checks.toSorted((a, b) => rank(a.pkg) - rank(b.pkg))) {
  if (c.ok) ok(`${c.pkg}: ${c.check}: ${c.detail}`)
  else bad(`${c.pkg}: ${c.check}: ${c.detail}\n    fix: ${c.fix ?? 'see above'}`)
}
const failed = plan.checks.filter((c) => !c.ok).length
summary(plan.checks.length - failed, failed)
if (failed > 0) {
  bad(`nothing was published: fix the ${failed} failed check${failed === 1 ? '' : 's'} above and run npm run release again`)
  process.exit(1)
}

// 3. Publish: platform packages first, the addon package last.
// Provenance needs an OIDC token from GitHub Actions and a registry that records it.
const provenance =
  process.env.GITHUB_ACTIONS === 'true' && Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL) && new URL(registry).host === 'registry.npmjs.org'
// npm refuses to tag a prerelease `latest` without being told.
const tag = flags.tag ?? (plan.version.includes('-') ? 'next' : 'latest')
console.log('')
info(`publishing ${ordered.length} packages with dist-tag ${tag}${provenance ? ', with provenance' : ''}`)
let uploaded = 0
for (const pkg of ordered) {
  if (already.has(pkg.name)) {
    ok(`${pkg.name}@${pkg.version}: already published, skipped`)
    continue
  }
  if (!pkg.tarball) throw new Error(`${pkg.name} was not packed`)
  await timed(`publish ${pkg.name}@${pkg.version}`, () =>
    $({ quiet: true })`npm publish ${pkg.tarball} --access public --tag ${tag} ${registryArgs} ${provenance ? ['--provenance'] : []} ${dry ? ['--dry-run'] : []}`,
  )
  uploaded += 1
}
ok(`${plan.name}@${plan.version}: ${dry ? 'would publish' : 'published'} ${uploaded}, already published ${already.size}, of ${ordered.length} packages${plan.skipped.length ? ` (${plan.skipped.length} targets left out)` : ''}`)

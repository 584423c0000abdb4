// Whether the app's package manager runs a dependency's install scripts (a compile, a
// download, node-gyp-build's fallback), by its own rules, measured with the pinned managers
// (tools/package-managers):
// - npm runs them all.
// - pnpm 10.34.8 runs none that are not approved: `pnpm install` prints "Ignored build
//   scripts: node-pty@1.0.0. Run "pnpm approve-builds" …", and the package has no binary.
//   Approvals live beside the lockfile, not in it (pnpm-lock.yaml is the same with and
//   without them): pnpm-workspace.yaml's `allowBuilds: { <name>: true }` (what `pnpm
//   approve-builds` writes), `onlyBuiltDependencies: [<name>]`, `dangerouslyAllowAllBuilds:
//   true`, or package.json's `pnpm.onlyBuiltDependencies`. pnpm 9 ran them all (package.json's
//   `packageManager: pnpm@9…` says so).
// - yarn 4.18.1 runs none by default (`enableScripts` is false): "YN0004: node-pty@npm:1.0.0
//   lists build scripts, but all build scripts have been disabled". package.json's
//   `dependenciesMeta: { <name>: { built: true } }` runs it, and yarn.lock records that in the
//   workspace's entry; `enableScripts: true` in .yarnrc.yml runs them all.
// - bun 1.4.5 runs those of its default list (`bun pm default-trusted`, node-pty among them)
//   while package.json has no `trustedDependencies`; once it has one, only those listed run
//   ("Blocked 2 postinstalls"), and bun.lock records the list.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

import { BUN_DEFAULT_TRUSTED } from './lockfiles/bun-trusted.generated.js'
import { isObject, type LockEntry, type Lockfile, stringList } from './lockfiles/model.js'
import { parseYamlFile } from './lockfiles/pnpm.js'

/** Why the manager does not run a package's install scripts, and the change that makes it; undefined when it runs them. */
export type BuildsBlocked = (entry: LockEntry) => { cause: string; fix: string } | undefined

function readJson(file: string): Record<string, unknown> {
  try {
    const doc: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return isObject(doc) ? doc : {}
  } catch {
    return {} // no package.json beside the lockfile (a lockfile scanned alone): the defaults hold
  }
}

function readYaml(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {}
  const doc = parseYamlFile(file, readFileSync(file, 'utf8'), 'its package manager')
  return isObject(doc) ? doc : {}
}

function pnpmRule(dir: string): BuildsBlocked {
  const manifest = readJson(join(dir, 'package.json'))
  if (typeof manifest.packageManager === 'string' && /^pnpm@[0-9]\./.test(manifest.packageManager)) return () => undefined
  const workspace = readYaml(join(dir, 'pnpm-workspace.yaml'))
  if (workspace.dangerouslyAllowAllBuilds === true) return () => undefined
  const allow = isObject(workspace.allowBuilds) ? workspace.allowBuilds : {}
  const pnpmField = isObject(manifest.pnpm) ? manifest.pnpm : {}
  const only = new Set([...(stringList(workspace.onlyBuiltDependencies) ?? []), ...(stringList(pnpmField.onlyBuiltDependencies) ?? [])])
  return (entry) => {
    const verdict = allow[entry.name] ?? allow[`${entry.name}@${entry.version}`]
    if (verdict === true || (verdict === undefined && only.has(entry.name))) return undefined
    return {
      cause: `pnpm ≥ 10 does not run ${entry.name}'s build script: it is not approved in pnpm-workspace.yaml (allowBuilds, onlyBuiltDependencies) or package.json (pnpm.onlyBuiltDependencies), so pnpm install says "Ignored build scripts: ${entry.name}@${entry.version}"`,
      fix: `pnpm approve-builds (writes allowBuilds: { ${entry.name}: true } to pnpm-workspace.yaml; commit it)`,
    }
  }
}

function yarnRule(dir: string, lock: Lockfile): BuildsBlocked {
  const rc = readYaml(join(dir, '.yarnrc.yml'))
  const all = rc.enableScripts === true
  return (entry) => {
    const built = lock.approvedBuilds?.get(entry.name)
    if (built === true || (built === undefined && all)) return undefined
    return {
      cause: `yarn does not run ${entry.name}'s build script (${built === false ? `dependenciesMeta.${entry.name}.built is false` : 'enableScripts is false, yarn 4\'s default'}): "YN0004: ${entry.name}@npm:${entry.version} lists build scripts, but all build scripts have been disabled"`,
      fix: `add "dependenciesMeta": { "${entry.name}": { "built": true } } to package.json and run yarn install (yarn.lock records it), or set enableScripts: true in .yarnrc.yml`,
    }
  }
}

function bunRule(lock: Lockfile): BuildsBlocked {
  const listed = lock.approvedBuilds
  return (entry) => {
    if (listed ? listed.get(entry.name) === true : BUN_DEFAULT_TRUSTED.has(entry.name)) return undefined
    return {
      cause: `bun does not run ${entry.name}'s install script: it is not in ${listed ? "the lockfile's trustedDependencies" : "bun's default trusted list, and the app lists no trustedDependencies"} ("Blocked postinstalls. Run \`bun pm untrusted\` for details.")`,
      fix: `add "${entry.name}" to "trustedDependencies" in package.json and run bun install (bun.lock records it; after an install, bun pm trust ${entry.name} does both)`,
    }
  }
}

/** The rule of the manager that wrote `lock`, with what the app's folder beside it configures. */
export function buildsBlocked(lock: Lockfile): BuildsBlocked {
  const dir = dirname(lock.file)
  if (lock.manager === 'pnpm') return pnpmRule(dir)
  if (lock.manager === 'yarn') return yarnRule(dir, lock)
  if (lock.manager === 'bun') return bunRule(lock)
  return () => undefined
}

// What each package manager does with a lockfile on the target, in the words scan's findings
// use: the install a deploy runs, what it says when a family's platform package has no entry,
// and the command that records it. Each was seen with the pinned managers
// (tools/package-managers: pnpm 10.34.8, yarn 4.18.1, bun 1.4.5) and npm 11.
import type { PackageManager } from './lockfiles/model.js'

export interface ManagerWords {
  /** The install a deploy runs from the lockfile. */
  install: string
  /** The lockfile's name. */
  lockfile: string
  /** Whether that install stops on every machine when a platform package has no entry (else only the machines it is for lack it). */
  stopsEverywhere: boolean
  /** What that install does when `name@range` has no entry. */
  missing: (name: string, range: string) => string
  /** What records a missing platform package `name` for the target with npm-style `flags`. */
  record: (name: string, flags: string) => string
}

export const MANAGERS: Record<PackageManager, ManagerWords> = {
  npm: {
    install: 'npm ci',
    lockfile: 'package-lock.json',
    stopsEverywhere: true,
    missing: (name, range) => `npm ci stops with "Missing: ${name}@${range} from lock file"`,
    record: (_, flags) => `npm install ${flags} (records it in package-lock.json; commit the lockfile)`,
  },
  pnpm: {
    install: 'pnpm install --frozen-lockfile',
    lockfile: 'pnpm-lock.yaml',
    stopsEverywhere: true, // on a glibc x64 machine too, for a deleted musl entry
    missing: (name, range) => `pnpm install --frozen-lockfile stops with ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY "Broken lockfile: no entry for '${name}@${range}' in pnpm-lock.yaml"`,
    record: () => 'pnpm install --fix-lockfile (records it in pnpm-lock.yaml; commit the lockfile)',
  },
  yarn: {
    install: 'yarn install --immutable',
    lockfile: 'yarn.lock',
    stopsEverywhere: true, // on a glibc x64 machine too, for a deleted musl entry
    missing: () => 'yarn install --immutable stops with "YN0028: The lockfile would have been modified by this install, which is explicitly forbidden."',
    record: () => 'yarn install (records it in yarn.lock; commit the lockfile)',
  },
  bun: {
    install: 'bun install --frozen-lockfile',
    lockfile: 'bun.lock',
    stopsEverywhere: false,
    missing: () => 'bun install --frozen-lockfile installs without it and says nothing, and the addon finds no binding at run time ("Cannot find native binding")',
    record: () => 'rm bun.lock && bun install --lockfile-only (bun adds no entry to an existing bun.lock; review the versions that change, and commit the lockfile)',
  },
}

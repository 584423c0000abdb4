// What `napi-kit release` checks before anything is uploaded. Each package is staged in a
// temporary folder (its package.json, README and binary, and for the WebAssembly package also
// the loaders napi build writes next to its .wasm; the addon package with its
// optionalDependencies pinned), packed with the real `npm pack`, and the tarballs, which are
// exactly what would be uploaded, are checked: labels, binary and loaders present, audit at the
// glibc floor, one version everywhere, every shipped file in the packed file list, the
// WebAssembly package's runtime dependencies. Every check runs, every failure names the package
// and the command that fixes it, and nothing here uploads anything.
import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'

import { DEFAULT_GLIBC_FLOOR } from '../audit/checks.js'
import { auditPaths } from '../audit/files.js'
import { exec } from '../lib/process.js'
import { isWasiTarget, type PlatformPackage, platformPackages, readAddonManifest, releaseOptionalDependencies } from './manifest.js'

export interface Check {
  /** The npm package the check is about. */
  pkg: string
  check: string
  ok: boolean
  detail: string
  /** The next command (or edit) that fixes a failure. */
  fix?: string
}

export interface StagedPackage {
  name: string
  version: string
  /** The staged package folder. */
  dir: string
  /** The packed tarball, when `npm pack` succeeded. */
  tarball?: string
  /** The packed file list, relative to the package root. */
  files: string[]
  /** The npm/<dir> package's target; undefined for the addon package. */
  target?: PlatformPackage
  /** Where the binary came from. */
  binarySource?: string
}

export interface ReleasePlan {
  name: string
  version: string
  /** Platform packages in publishing order; only those being released. */
  platforms: StagedPackage[]
  main: StagedPackage
  /** Targets left out of a partial release (no binary present). */
  skipped: PlatformPackage[]
  checks: Check[]
  ok: boolean
}

export interface ReleaseOptions {
  /** The addon package folder (its package.json has the `napi` field). */
  addonDir: string
  /** The platform packages' folder (npm/). */
  npmDir: string
  /** An empty folder for staged packages and tarballs. */
  stageDir: string
  /** Release only the targets whose binary is present, instead of requiring every target. */
  onlyPresent: boolean
  glibcFloor?: string
  /** The release's registry, passed to `npm pack` as to every npm call of a release. */
  registry?: string
  /** Paths in details and fixes are shown relative to this folder (default: the current one). */
  cwd?: string
}

/** Where a target's binary is: npm/<dir>/ (put there by `napi artifacts`) first, then next to the loader (`napi build`). */
export function findBinary(target: PlatformPackage, options: Pick<ReleaseOptions, 'addonDir' | 'npmDir'>): string | undefined {
  return [join(options.npmDir, target.dir, target.binary), join(options.addonDir, target.binary)].find((p) => existsSync(p))
}

/**
 * What the WebAssembly package must depend on, as napi create-npm-dirs writes it: its loaders
 * import @napi-rs/wasm-runtime and @emnapi/runtime, and @napi-rs/wasm-runtime needs
 * @emnapi/core beside it (a peer dependency). Without them `require` of the package fails.
 */
export const WASI_RUNTIME_DEPENDENCIES = ['@napi-rs/wasm-runtime', '@emnapi/core', '@emnapi/runtime']

/** The dependencies check: each of `required` is listed in the package's `dependencies`. */
export function dependenciesCheck(pkg: string, found: Record<string, string> | undefined, required: string[], fix: string): Check {
  const missing = required.filter((d) => !found?.[d])
  return missing.length === 0
    ? { pkg, check: 'dependencies', ok: true, detail: required.map((d) => `${d}@${found?.[d]}`).join(', ') }
    : { pkg, check: 'dependencies', ok: false, detail: `"dependencies" lacks ${missing.join(', ')}: the WebAssembly loader cannot load without them`, fix }
}

/** The version check: every package of a release carries the addon package's version. */
export function versionCheck(pkg: string, found: string | undefined, expected: string, fix: string): Check {
  return found === expected
    ? { pkg, check: 'version', ok: true, detail: expected }
    : { pkg, check: 'version', ok: false, detail: `version is ${found ?? 'missing'}, the release is ${expected}`, fix }
}

/** The packed-files check: `npm pack` must put each of `required` into the tarball. */
export function filesCheck(pkg: string, packed: string[], required: string[], fix: string): Check {
  const missing = required.filter((f) => !packed.includes(f))
  return missing.length === 0
    ? { pkg, check: 'npm pack', ok: true, detail: `${packed.length} files, ${required.join(', ')} included` }
    : { pkg, check: 'npm pack', ok: false, detail: `the tarball would leave out ${missing.join(', ')} (it holds ${packed.join(', ') || 'nothing'})`, fix }
}

/** The optionalDependencies check: exactly the released packages, each pinned to the version. */
export function optionalDependenciesCheck(pkg: string, found: Record<string, string> | undefined, released: PlatformPackage[], version: string): Check {
  const want = releaseOptionalDependencies(released, version)
  const problems = [
    ...Object.entries(want).filter(([n, v]) => found?.[n] !== v).map(([n]) => `${n} is ${found?.[n] ?? 'missing'}, not ${version}`),
    ...Object.keys(found ?? {}).filter((n) => !(n in want)).map((n) => `${n} is listed but not released`),
  ]
  return problems.length === 0
    ? { pkg, check: 'optionalDependencies', ok: true, detail: `${released.length} platform packages pinned to ${version}` }
    : { pkg, check: 'optionalDependencies', ok: false, detail: problems.join('; '), fix: 'report this: the release command writes them itself' }
}

interface PackResult {
  filename: string
  files: Array<{ path: string }>
}

/** `npm pack` in `dir`: writes the tarball into `dest` and returns npm's own account of it. */
async function pack(dir: string, dest: string, registry?: string): Promise<{ tarball?: string; files: string[]; error?: string }> {
  const registryArgs = registry ? ['--registry', registry] : []
  const result = await exec(['npm', 'pack', '--json', '--ignore-scripts', '--pack-destination', dest, ...registryArgs], { cwd: dir, nothrow: true })
  if (result.exitCode !== 0) return { files: [], error: result.stderr.trim().split('\n').slice(-3).join(' ') }
  const [info] = JSON.parse(result.stdout) as PackResult[]
  if (!info) return { files: [], error: 'npm pack printed no result' }
  return { tarball: join(dest, info.filename), files: info.files.map((f) => f.path).toSorted() }
}

const readJson = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined)

interface PackageJson {
  name?: string
  version?: string
  main?: string
  types?: string
  os?: string[]
  cpu?: string[]
  libc?: string[]
  files?: string[]
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}

/** Stages, packs and checks every package of the release; uploads nothing. */
export async function planRelease(options: ReleaseOptions): Promise<ReleasePlan> {
  const cwd = options.cwd ?? process.cwd()
  // Inside the project relative to it, elsewhere (a temporary folder) as they are.
  const show = (p: string) => {
    const rel = relative(cwd, p)
    return rel.startsWith('..') || isAbsolute(rel) ? p : rel || '.'
  }
  const manifest = readAddonManifest(options.addonDir)
  const { name, version } = manifest
  const targets = platformPackages(manifest)
  const checks: Check[] = []
  const add = (c: Check) => checks.push(c)
  const glibcFloor = options.glibcFloor ?? DEFAULT_GLIBC_FLOOR
  const napiPaths = `--package-json-path ${show(join(options.addonDir, 'package.json'))} --npm-dir ${show(options.npmDir)}`
  const versionFix = `set the release's version in ${show(join(options.addonDir, 'package.json'))} (changeset version, or npm version), then write it into every platform package: napi version ${napiPaths}`
  const labelsFix = `regenerate the platform packages from napi.targets: napi create-npm-dirs ${napiPaths}`

  const present = targets.filter((t) => findBinary(t, options))
  const released = options.onlyPresent ? present : targets
  const skipped = targets.filter((t) => !released.includes(t))
  if (released.length === 0) {
    add({
      pkg: name,
      check: 'binaries',
      ok: false,
      detail: `no binary for any of the ${targets.length} targets in ${show(options.npmDir)}/<target>/ or ${show(options.addonDir)}/`,
      fix: 'download the build artifacts into artifacts/ (or pass --artifacts <dir>) and run the release again, or build one: napi build --release --target <triple>',
    })
  }

  const platforms: StagedPackage[] = []
  for (const target of released) {
    const source = join(options.npmDir, target.dir)
    const manifestPath = join(source, 'package.json')
    const pkgJson = readJson<PackageJson>(manifestPath)
    if (!pkgJson) {
      add({ pkg: target.name, check: 'package.json', ok: false, detail: `${show(manifestPath)} does not exist`, fix: labelsFix })
      continue
    }
    // The package's labels must be the ones napi.targets gives; npm installs by them.
    const labels = (p: Pick<PackageJson, 'os' | 'cpu' | 'libc'>) => JSON.stringify([p.os, p.cpu, p.libc ?? null])
    const labelled = pkgJson.name === target.name && labels(pkgJson) === labels({ os: target.os, cpu: target.cpu, libc: target.libc })
    add(
      labelled
        ? { pkg: target.name, check: 'name, os, cpu, libc', ok: true, detail: target.os ? [target.os, target.cpu, target.libc ?? []].flat().join(', ') : `${target.cpu.join(', ')}, no os, no libc` }
        : {
            pkg: target.name,
            check: 'name, os, cpu, libc',
            ok: false,
            detail: `${show(manifestPath)} says ${pkgJson.name} ${labels(pkgJson)}, napi.targets gives ${target.name} ${labels(target)}`,
            fix: labelsFix,
          },
    )
    add(versionCheck(target.name, pkgJson.version, version, versionFix))

    const binary = findBinary(target, options)
    add(
      binary
        ? { pkg: target.name, check: 'binary', ok: true, detail: show(binary) }
        : {
            pkg: target.name,
            check: 'binary',
            ok: false,
            detail: `no ${target.binary} in ${show(source)}/ or ${show(options.addonDir)}/`,
            fix: `download the build artifacts into artifacts/ (the release moves them into ${show(source)}/ with napi artifacts), or build it: napi build --release --target ${target.triple}; or release only the targets present with --only-present`,
          },
    )

    // The WebAssembly package ships the loaders napi build writes beside its .wasm; they are
    // taken from the folder the .wasm was found in, so the loaders and the module are one build.
    const extras = target.files.filter((f) => f !== target.binary)
    const extrasFrom = binary ? dirname(binary) : undefined
    const missingExtras = extrasFrom ? extras.filter((f) => !existsSync(join(extrasFrom, f))) : []
    if (binary && extras.length > 0) {
      add(
        missingExtras.length === 0
          ? { pkg: target.name, check: 'loaders', ok: true, detail: `${extras.join(', ')} from ${show(extrasFrom ?? '')}/` }
          : {
              pkg: target.name,
              check: 'loaders',
              ok: false,
              detail: `no ${missingExtras.join(', ')} in ${show(extrasFrom ?? '')}/ beside ${target.binary}: napi build writes ${missingExtras.length === 1 ? 'it' : 'them'} with the .wasm, and the package cannot load without ${missingExtras.length === 1 ? 'it' : 'them'}`,
              fix: `build the module and its loaders again: npm run build -- --release --target ${target.triple} (napi build --release --target ${target.triple} writes them all), or download the complete build artifacts`,
            },
      )
    }

    // Stage: the package folder as committed (without binaries or the files a build writes), plus the binary and its loaders.
    const staged = join(options.stageDir, target.dir)
    const shipped = new Set(target.files.map((f) => join(source, f)))
    cpSync(source, staged, { recursive: true, filter: (p) => !p.endsWith('.node') && !p.endsWith('.wasm') && !shipped.has(p) })
    if (binary) copyFileSync(binary, join(staged, target.binary))
    for (const file of extras) if (extrasFrom && !missingExtras.includes(file)) copyFileSync(join(extrasFrom, file), join(staged, file))
    if (isWasiTarget(target.triple)) {
      const stagedJson = readJson<PackageJson>(join(staged, 'package.json'))
      add(dependenciesCheck(target.name, stagedJson?.dependencies, WASI_RUNTIME_DEPENDENCIES, `add them to "dependencies" in ${show(manifestPath)} as napi create-npm-dirs writes them, or regenerate it: ${labelsFix.slice(labelsFix.indexOf('napi '))}`))
    }
    const packed = await pack(staged, options.stageDir, options.registry)
    const entry: StagedPackage = { name: target.name, version, dir: staged, tarball: packed.tarball, files: packed.files, target, binarySource: binary }
    platforms.push(entry)
    if (packed.error) {
      add({ pkg: target.name, check: 'npm pack', ok: false, detail: `npm pack failed: ${packed.error}`, fix: `run npm pack --dry-run in ${show(source)} and fix what it reports` })
      continue
    }
    const filesOk = !binary || packed.files.includes(target.binary)
    // Every file the package ships must be packed: npm packs what "files" names (and "main").
    const required = binary ? target.files.filter((f) => !missingExtras.includes(f)) : []
    if (binary) {
      const unpacked = required.filter((f) => !packed.files.includes(f))
      add(filesCheck(target.name, packed.files, required, `add ${unpacked.map((f) => `"${f}"`).join(', ')} to "files" in ${show(manifestPath)}, or regenerate it: ${labelsFix.slice(labelsFix.indexOf('napi '))}`))
    }

    // The audit reads the tarball when the binary is in it (what users will get), else the staged
    // binary; a WebAssembly package's .wasm goes through the same call as a .node.
    if (binary) {
      const audited = filesOk && packed.tarball ? packed.tarball : join(staged, target.binary)
      const { reports } = auditPaths([audited], { glibcFloor, localGlibc: false, cwd })
      const errors = reports.flatMap((r) => r.findings.filter((f) => f.severity === 'error'))
      add(
        errors.length === 0
          ? { pkg: target.name, check: 'audit', ok: true, detail: `${reports.map((r) => r.verdict).join(', ')}${isWasiTarget(target.triple) ? '' : ` at glibc floor ${glibcFloor}`}` }
          : {
              pkg: target.name,
              check: 'audit',
              ok: false,
              detail: errors.map((f) => f.cause).join('; '),
              fix: `${[...new Set(errors.map((f) => f.fix))].join('; ')}; then rebuild it for ${target.triple} (napi-kit audit ${show(binary)} shows the details)`,
            },
      )
    }
  }

  // The addon package: its committed files with optionalDependencies pinned to this release.
  const mainDir = join(options.stageDir, 'main')
  cpSync(options.addonDir, mainDir, {
    recursive: true,
    filter: (p) => {
      const rel = relative(options.addonDir, p)
      return !rel.endsWith('.node') && !rel.endsWith('.wasm') && !/^(node_modules|__test__|\.turbo|npm)(\/|$)/.test(rel)
    },
  })
  const mainJson = JSON.parse(readFileSync(join(mainDir, 'package.json'), 'utf8')) as PackageJson & Record<string, unknown>
  mainJson.optionalDependencies = releaseOptionalDependencies(released, version)
  writeFileSync(join(mainDir, 'package.json'), `${JSON.stringify(mainJson, null, 2)}\n`)
  const mainPacked = await pack(mainDir, options.stageDir, options.registry)
  const main: StagedPackage = { name, version, dir: mainDir, tarball: mainPacked.tarball, files: mainPacked.files }
  const mainManifest = show(join(options.addonDir, 'package.json'))
  if (mainPacked.error) {
    add({ pkg: name, check: 'npm pack', ok: false, detail: `npm pack failed: ${mainPacked.error}`, fix: `run npm pack --dry-run in ${show(options.addonDir)} and fix what it reports` })
  } else {
    const entry = mainJson.main ?? 'index.js'
    add(filesCheck(name, mainPacked.files, [String(entry), ...(mainJson.types ? [String(mainJson.types)] : [])], `add the loader and types to "files" in ${mainManifest}`))
    const binaries = mainPacked.files.filter((f) => f.endsWith('.node') || f.endsWith('.wasm'))
    if (binaries.length > 0) {
      add({ pkg: name, check: 'no binaries', ok: false, detail: `the tarball holds ${binaries.join(', ')}: binaries belong in the platform packages`, fix: `remove .node and .wasm patterns from "files" in ${mainManifest}` })
    }
    const packedJson = readJson<PackageJson>(join(mainDir, 'package.json'))
    add(optionalDependenciesCheck(name, packedJson?.optionalDependencies, released, version))
  }
  if (skipped.length > 0) {
    add({ pkg: name, check: 'partial release', ok: true, detail: `--only-present: ${skipped.length} targets without a binary left out (${skipped.map((t) => t.dir).join(', ')})` })
  }
  return { name, version, platforms, main, skipped, checks, ok: checks.every((c) => c.ok) }
}

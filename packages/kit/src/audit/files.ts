// Finds the binaries to audit and what each must be, then audits them: `.node` files, the
// `.wasm` modules of napi-rs wasm32-wasi packages, folders (searched for both) and npm tarballs
// (.tgz, read in memory). Used by `napi-kit audit` and, through `auditPaths`, by release checks
// before anything is published.
//
// What a binary must be comes from the package.json of the package it sits in (`os`, `cpu`,
// `libc`), else from its name when it follows napi-rs's `<binary>.<platform>.node`; a binary
// with neither is audited for everything that needs no target, and its report says what was
// not checked. A .wasm module is always one for WASI: its package's `cpu` and `os` are checked
// as labels, and which build it must be (threads or not) comes from its or its package's name.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'

import { UsageError } from '../lib/errors.js'
import { runtimeGlibc } from '../lib/runtime.js'
import { auditBinary, type BinaryReport, type Expectation, type Finding } from './checks.js'
import { readTarball, TarError } from './tar.js'
import { flavorFromName, type WasmExpectation, wasiTriple } from './wasm-checks.js'

export interface AuditOptions {
  /** The oldest glibc release builds must load on, e.g. `2.17`. */
  glibcFloor: string
  /** Hold development builds next to the loader to this machine's glibc instead. */
  localGlibc: boolean
  /** Paths are shown relative to this folder (default: the current one). */
  cwd?: string
}

export interface AuditInput {
  /** How the file is named in reports. */
  label: string
  /** The file on disk (empty for a file read from a tarball). */
  path: string
  /** The file's bytes, when read from a tarball. */
  bytes?: Uint8Array
  /** The package.json that labels it, when read from a tarball. */
  packageJson?: { file: string; text: string }
  /** Why there is nothing to audit (a tarball with no .node file, a damaged tarball). */
  problem?: Finding
}

/** A file the audit takes for a binary: a .node addon or a .wasm module. */
const isBinaryName = (name: string) => name.endsWith('.node') || name.endsWith('.wasm')
const isWasmName = (name: string) => name.endsWith('.wasm')

/** The .node and .wasm files under `dir`, sorted; folders named node_modules below it are skipped. */
function findNodeFiles(dir: string): string[] {
  const found: string[] = []
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name)
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') walk(path)
      else if (e.isFile() && isBinaryName(e.name)) found.push(path)
    }
  }
  walk(dir)
  return found.toSorted()
}

interface PackageJson {
  name?: string
  os?: string[]
  cpu?: string[]
  libc?: string[]
  napi?: unknown
  workspaces?: string[] | { packages?: string[] }
}

/** A package.json's content, or the finding that names what is wrong with it. */
function parsePackageJson(file: string, text: string): { pkg?: PackageJson; problem?: Finding } {
  try {
    const pkg = JSON.parse(text) as unknown
    if (pkg === null || typeof pkg !== 'object' || Array.isArray(pkg)) throw new Error('it is not a JSON object')
    return { pkg: pkg as PackageJson }
  } catch (error) {
    return {
      problem: {
        severity: 'error',
        cause: `${file} is not valid package.json (${(error as Error).message}): the package's os, cpu and libc cannot be read, and npm cannot install it`,
        fix: `repair ${file} (npm pkg get name --prefix ${dirname(file)} names the error), or regenerate the platform packages with napi create-npm-dirs`,
      },
    }
  }
}

const readPackageJson = (file: string) => parsePackageJson(file, readFileSync(file, 'utf8'))

/**
 * The napi-rs addons of the project in `cwd`: `cwd` itself when its package.json has a `napi`
 * field, else each workspace package whose package.json has one (`workspaces` says whether
 * `cwd` declares workspaces at all).
 */
export function findAddons(cwd: string): { addons: string[]; workspaces: boolean } {
  const rootFile = join(cwd, 'package.json')
  const root = existsSync(rootFile) ? readPackageJson(rootFile) : {}
  if (root.problem) throw new Error(`${root.problem.cause}\n  fix: ${root.problem.fix}`)
  const workspaces = Array.isArray(root.pkg?.workspaces) ? root.pkg.workspaces : (root.pkg?.workspaces?.packages ?? [])
  const candidates = root.pkg?.napi ? [cwd] : workspaces.flatMap((pattern) => expandWorkspace(cwd, pattern))
  const addons = candidates.filter((dir) => {
    const file = join(dir, 'package.json')
    return existsSync(file) && Boolean(readPackageJson(file).pkg?.napi)
  })
  return { addons, workspaces: workspaces.length > 0 }
}

/**
 * The paths `napi-kit audit` audits when given none: in `cwd`, the package whose package.json
 * has a `napi` field (or, in a workspace root, each workspace package that has one): its
 * `.node` files and its `npm/` folder, and `cwd`'s `npm/` folder.
 */
export function defaultPaths(cwd: string): string[] {
  const { addons, workspaces } = findAddons(cwd)
  if (addons.length === 0) {
    throw new UsageError(
      `no package.json with a "napi" field in ${cwd}${workspaces ? ' or its workspaces' : ''}, so there is nothing to audit by default: run it in your addon's folder, or pass what to audit (.node files, folders, npm tarballs)`,
    )
  }
  const paths = new Set<string>()
  for (const dir of addons) {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isFile() && isBinaryName(e.name)) paths.add(join(dir, e.name))
    if (existsSync(join(dir, 'npm'))) paths.add(join(dir, 'npm'))
  }
  if (existsSync(join(cwd, 'npm'))) paths.add(join(cwd, 'npm'))
  // Only what holds binaries: npm/ stays empty until the release moves them in.
  const found = [...paths].filter((p) => !statSync(p).isDirectory() || findNodeFiles(p).length > 0)
  if (found.length === 0) {
    const where = addons.map((d) => relative(cwd, d) || '.').join(', ')
    throw new Error(`no .node files in ${where} or its npm/ folder: build the addon first (napi build --platform), or pass the files to audit`)
  }
  return found
}

/** A workspace pattern's folders: `packages/*` or a plain folder. */
function expandWorkspace(cwd: string, pattern: string): string[] {
  if (!pattern.endsWith('/*')) return existsSync(join(cwd, pattern)) ? [join(cwd, pattern)] : []
  const parent = join(cwd, pattern.slice(0, -2))
  if (!existsSync(parent)) return []
  return readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(parent, e.name))
}

/** Turns command-line paths into the list of binaries to audit. */
export function collectBinaries(paths: string[], cwd = process.cwd()): AuditInput[] {
  const show = (p: string) => (p.startsWith(`${cwd}/`) ? relative(cwd, p) : p)
  const inputs: AuditInput[] = []
  if (paths.length === 0) throw new UsageError('nothing to audit: pass .node files, folders or npm tarballs (.tgz)')
  for (const given of paths) {
    const path = resolve(cwd, given)
    if (!existsSync(path)) throw new UsageError(`${given} does not exist: pass .node files, folders or npm tarballs (.tgz)`)
    if (statSync(path).isDirectory()) {
      const files = findNodeFiles(path)
      if (files.length === 0) throw new UsageError(`${given} holds no .node or .wasm files: pass the folder the binaries are in, e.g. your npm/ folder`)
      for (const file of files) inputs.push({ label: show(file), path: file })
    } else if (/\.(tgz|tar\.gz)$/.test(path)) {
      inputs.push(...tarballInputs(path, basename(path)))
    } else {
      inputs.push({ label: show(path), path })
    }
  }
  return inputs
}

function tarballInputs(path: string, label: string): AuditInput[] {
  let entries
  try {
    entries = readTarball(readFileSync(path))
  } catch (error) {
    if (!(error instanceof TarError)) throw error
    const fix = 'pass the .tgz file npm pack wrote (or npm pack <name>@<version> downloads), or unpack it and pass its folder'
    return [{ label, path: '', problem: { severity: 'error', cause: `not a readable npm tarball: ${error.message}`, fix } }]
  }
  const manifest = entries.find((e) => e.path === 'package/package.json')
  const packageJson = manifest ? { file: `${label}:package/package.json`, text: new TextDecoder().decode(manifest.data) } : undefined
  // A bundled dependency's files (package/node_modules/) are not the package's own binaries.
  const binaries = entries.filter((e) => isBinaryName(e.path) && !e.path.startsWith('package/node_modules/'))
  if (binaries.length === 0) {
    const problem: Finding = {
      severity: 'error',
      cause: 'the package has no .node file: installing it gives "Cannot find native binding"',
      fix: 'move the built binary into the package (napi artifacts) and check its "files" list',
    }
    return [{ label: `${label} (no .node file inside)`, path: '', packageJson, problem }]
  }
  return binaries.map((e) => ({ label: `${label}:${e.path}`, path: '', bytes: e.data, packageJson }))
}

/** The nearest package.json above `file` (up to six folders up). */
function nearestPackageJson(file: string): string | undefined {
  let dir = dirname(file)
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return undefined
}

const OS = new Set(['linux', 'darwin', 'win32', 'freebsd', 'android', 'openharmony'])
const CPU = new Set(['x64', 'arm64', 'ia32', 'arm', 'riscv64', 's390x', 'ppc64', 'loong64', 'universal'])

/** The target a napi-rs binary's name states: `my-addon.linux-x64-musl.node` → linux, x64, musl. */
export function targetFromName(file: string): Pick<Expectation, 'os' | 'cpu' | 'libc'> | undefined {
  const platform = /\.([a-z0-9]+-[a-z0-9]+(?:-[a-z0-9]+)?)\.node$/.exec(basename(file))?.[1]
  const [os = '', cpu = '', abi] = platform?.split('-') ?? []
  if (!OS.has(os) || !CPU.has(cpu)) return undefined
  const libc = os === 'linux' ? (abi?.startsWith('musl') ? 'musl' : abi?.startsWith('gnu') ? 'glibc' : undefined) : undefined
  return { os, cpu, ...(libc ? { libc } : {}) }
}

/** What a .wasm module must be: the build its or its package's name states, and its package's labels. */
function wasmExpectation(input: AuditInput, pkg: PackageJson | undefined, manifestFile: string | undefined, options: AuditOptions): Expectation {
  const fileName = basename(input.path || input.label)
  // A module next to the loader (its package.json has a `napi` field) is a development build, in no platform package.
  const inPackage = pkg !== undefined && !pkg.napi && manifestFile !== undefined
  const fromFile = flavorFromName(fileName)
  const fromPackage = inPackage && pkg.name ? flavorFromName(pkg.name) : undefined
  const flavor = fromFile ?? fromPackage ?? 'threads'
  const flavorFrom = fromFile ? `its name (${fileName})` : fromPackage ? `its package's name (${pkg?.name})` : 'the napi-rs wasm32-wasi loader (the default: its name states no build)'
  const wasm: WasmExpectation = { flavor, flavorFrom, ...(inPackage ? { packageFile: manifestFile, cpu: pkg.cpu, os: pkg.os } : {}) }
  return { label: (inPackage ? pkg.name : undefined) ?? fileName, os: 'wasi', cpu: 'wasm32', triple: wasiTriple(flavor), glibcFloor: options.glibcFloor, wasm }
}

/** What `input` must be: its package's labels, else its name; plus any problem with its package.json. */
function expectationFor(input: AuditInput, options: AuditOptions): { expected?: Expectation; problems: Finding[] } {
  const problems: Finding[] = []
  const manifestFile = input.packageJson?.file ?? (input.path ? nearestPackageJson(input.path) : undefined)
  let parsed: { pkg?: PackageJson; problem?: Finding } = {}
  if (input.packageJson) parsed = parsePackageJson(input.packageJson.file, input.packageJson.text)
  else if (manifestFile) parsed = readPackageJson(manifestFile)
  if (parsed.problem) problems.push(parsed.problem)
  const pkg = parsed.pkg
  let expected: Expectation | undefined
  if (isWasmName(input.path || input.label)) return { expected: wasmExpectation(input, pkg, manifestFile, options), problems }
  if (pkg?.os?.[0] && pkg.cpu?.[0]) {
    expected = { label: pkg.name ?? manifestFile ?? input.label, os: pkg.os[0], cpu: pkg.cpu[0], libc: pkg.libc?.[0], glibcFloor: options.glibcFloor }
  } else {
    const named = targetFromName(input.path || input.label)
    if (named) expected = { label: basename(input.path || input.label), ...named, glibcFloor: options.glibcFloor }
  }
  // A binary next to the loader (its package.json has a `napi` field) is a development build.
  const devBuild = Boolean(pkg?.napi) && manifestFile !== undefined && input.path !== '' && dirname(input.path) === dirname(manifestFile)
  if (expected && options.localGlibc && devBuild) {
    const glibc = runtimeGlibc()
    if (glibc) {
      expected.glibcFloor = glibc
      expected.floorNote = `a development build, held to this machine's glibc ${glibc}`
      expected.releaseFloor = options.glibcFloor
    }
  }
  return { expected, problems }
}

export function auditFiles(inputs: AuditInput[], options: AuditOptions): BinaryReport[] {
  return inputs.map((input) => {
    if (input.problem) {
      return { file: input.label, facts: { format: 'unknown', size: 0 }, findings: [input.problem], unchecked: [], verdict: 'error' } satisfies BinaryReport
    }
    const { expected, problems } = expectationFor(input, options)
    const report = auditBinary(input.label, input.bytes ?? readFileSync(input.path), expected, options.glibcFloor)
    if (problems.length > 0) {
      report.findings.unshift(...problems)
      report.verdict = 'error'
    }
    return report
  })
}

/** For release checks: audits the given paths; `ok` when nothing failed. */
export function auditPaths(paths: string[], options: AuditOptions): { reports: BinaryReport[]; ok: boolean } {
  const reports = auditFiles(collectBinaries(paths, options.cwd), options)
  return { reports, ok: reports.every((r) => r.verdict !== 'error') }
}

// Finds the binaries to audit and what each must be, then audits them. Used by `npm run audit`
// and, through `auditPaths`, by the release path before anything is published.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'

import { $ } from 'zx'

import { auditBinary, type BinaryReport, type Expectation } from './audit.js'
import { ADDON_DIR, NPM_DIR, ROOT } from './paths.js'
import { type PlatformPackage, platformPackages, readAddonManifest, runtimeGlibc } from './targets.js'

export interface AuditOptions {
  /** The oldest glibc release builds must load on, e.g. `2.17`. */
  glibcFloor: string
  /** Hold development builds next to the loader to this machine's glibc instead. */
  localGlibc: boolean
}

interface Input {
  /** How the file is named in reports. */
  label: string
  path: string
  /** The package.json that labels it, when it came from a tarball. */
  packageJson?: string
}

const findNodeFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.node'))
    .map((e) => join(e.parentPath, e.name))
    .toSorted()

/** Paths inside the repository are shown relative to it. */
const show = (p: string) => (p.startsWith(ROOT) ? relative(ROOT, p) : p)

const extracted: string[] = []
process.on('exit', () => {
  for (const dir of extracted) rmSync(dir, { recursive: true, force: true })
})

/** Turns command-line paths (or the defaults) into the list of binaries to audit. */
export async function collectBinaries(paths: string[]): Promise<Input[]> {
  const inputs: Input[] = []
  if (paths.length === 0) {
    for (const dir of [ADDON_DIR, NPM_DIR]) {
      for (const file of existsSync(dir) ? findNodeFiles(dir) : []) inputs.push({ label: show(file), path: file })
    }
    if (inputs.length === 0) {
      throw new Error(`no .node files in ${show(ADDON_DIR)} or ${show(NPM_DIR)}: run \`npm run build\` first, or pass the files to audit`)
    }
    return inputs
  }
  for (const given of paths) {
    const path = resolve(given)
    if (!existsSync(path)) throw new Error(`${given} does not exist: pass .node files, folders or npm tarballs (.tgz)`)
    if (statSync(path).isDirectory()) {
      const files = findNodeFiles(path)
      if (files.length === 0) throw new Error(`${given} holds no .node files`)
      for (const file of files) inputs.push({ label: show(file), path: file })
    } else if (/\.(tgz|tar\.gz)$/.test(path)) {
      const dir = mkdtempSync(join(tmpdir(), 'hashkit-audit-'))
      extracted.push(dir)
      const untar = await $({ quiet: true, nothrow: true })`tar -xzf ${path} -C ${dir}`
      if (untar.exitCode !== 0) throw new Error(`${given} is not a readable npm tarball: ${untar.stderr.trim()}`)
      const files = findNodeFiles(dir)
      if (files.length === 0) {
        inputs.push({ label: `${basename(path)} (no .node file inside)`, path: '', packageJson: join(dir, 'package', 'package.json') })
      }
      for (const file of files) {
        inputs.push({ label: `${basename(path)}:${relative(dir, file)}`, path: file, packageJson: join(dir, 'package', 'package.json') })
      }
    } else {
      inputs.push({ label: show(path), path })
    }
  }
  return inputs
}

interface PackageJson {
  name?: string
  os?: string[]
  cpu?: string[]
  libc?: string[]
}

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

/** What `file` must be: its package's labels, or else the napi.targets entry its name names. */
function expectationFor(input: Input, options: AuditOptions, targets: PlatformPackage[]): Expectation | undefined {
  const byName = targets.find((t) => basename(input.path) === t.binary)
  const packageJson = input.packageJson ?? (input.path ? nearestPackageJson(input.path) : undefined)
  let expected: Expectation | undefined
  if (packageJson && existsSync(packageJson)) {
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as PackageJson
    if (pkg.os?.[0] && pkg.cpu?.[0]) {
      const target = targets.find((t) => t.name === pkg.name) ?? byName
      expected = {
        label: pkg.name ?? packageJson,
        os: pkg.os[0],
        cpu: pkg.cpu[0],
        libc: pkg.libc?.[0],
        triple: target?.triple,
        glibcFloor: options.glibcFloor,
      }
    }
  }
  if (!expected && byName) {
    expected = {
      label: byName.binary,
      os: byName.os[0] ?? '',
      cpu: byName.cpu[0] ?? '',
      libc: byName.libc?.[0],
      triple: byName.triple,
      glibcFloor: options.glibcFloor,
    }
  }
  if (expected && options.localGlibc && dirname(input.path) === ADDON_DIR) {
    const glibc = runtimeGlibc()
    if (glibc) {
      expected.glibcFloor = glibc
      expected.floorNote = `a development build, held to this machine's glibc ${glibc}`
    }
  }
  return expected
}

export async function auditFiles(inputs: Input[], options: AuditOptions): Promise<BinaryReport[]> {
  const targets = platformPackages(readAddonManifest())
  return inputs.map((input) => {
    if (!input.path) {
      return {
        file: input.label,
        facts: { format: 'unknown', size: 0 },
        findings: [{ severity: 'error', cause: 'the package has no .node file: installing it gives "Cannot find native binding"', fix: 'move the built binary into the package (napi artifacts) and check its "files" list' }],
        verdict: 'error',
      } satisfies BinaryReport
    }
    return auditBinary(input.label, readFileSync(input.path), expectationFor(input, options, targets))
  })
}

/** For the release path: audits the given paths (or the defaults); true when nothing failed. */
export async function auditPaths(paths: string[], options: AuditOptions): Promise<{ reports: BinaryReport[]; ok: boolean }> {
  const reports = await auditFiles(await collectBinaries(paths), options)
  return { reports, ok: reports.every((r) => r.verdict !== 'error') }
}

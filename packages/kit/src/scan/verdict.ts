// One native package on one target: what the install gets there, then the audit of the binary
// that target loads (audit/checks.ts, held to the target's glibc and libstdc++), as a verdict
// with findings whose fixes are for the app that deploys it: the npm command that records a
// missing variant, a version or base image that has the build, the packages a compile needs.
import type { Expectation, Finding, Severity } from '../audit/checks.js'
import { targetFromName } from '../audit/files.js'
import type { Contents } from './contents.js'
import type { BuildsBlocked } from './builds.js'
import type { Candidate } from './detect.js'
import { imageFor, systemAt } from './images.js'
import { flagsFromName, installsOn, libcFit, whyNot } from './install.js'
import type { LockEntry, PackageManager } from './lockfile.js'
import { MANAGERS } from './managers.js'
import { hasTags, selectPrebuild, selectTagged } from './prebuilds.js'
import { namesTarget } from './registry.js'
import { DEFAULT_TARGET_GLIBC, npmFlags, type ScanTarget } from './targets.js'

export type Kind = 'platform packages' | 'platform package' | 'prebuilds' | 'compiles at install' | 'downloads at install' | 'ships .node'

export interface PackageVerdict {
  name: string
  version: string
  kind: Kind
  /** What the target's install gets, in words. */
  installs: string
  verdict: 'ok' | 'warning' | 'error'
  findings: Finding[]
  /** The binaries the target loads, and whether the audit says they load (for --verify). */
  binaries: LoadedBinary[]
}

export interface LoadedBinary {
  entry: LockEntry
  contents: Contents
  file: string
  /** No error finding for this binary but version ceilings (GLIBC_, libstdc++), which a newer system meets. */
  loads: boolean
  /** The packages installed beside it (a family's other members: sharp's libvips). */
  beside: Array<{ entry: LockEntry; contents: Contents }>
}

/** A tarball's contents, or why there are none. */
export type ContentsOf = (entry: LockEntry) => { contents?: Contents; problem?: Finding }

export interface JudgeOptions {
  /** The images have python3, make and a C++ compiler. */
  toolchain: boolean
  /** The newest version of a family with a build for the target: `none` when no version has one, undefined when the registry could not say. */
  newestWith?: (family: string, target: ScanTarget) => string | undefined
  /** The package manager that wrote the lockfile (npm when not given). */
  manager?: PackageManager
  /** Whether that manager leaves a package's install scripts unrun (pnpm, yarn and bun without approval). */
  buildsBlocked?: BuildsBlocked
}

const label = (e: LockEntry) => `${e.name}@${e.version}`

function verdictOf(findings: Finding[]): PackageVerdict['verdict'] {
  return findings.some((f) => f.severity === 'error') ? 'error' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok'
}

/** What the audit holds a binary loaded on `target` to. */
function expectation(target: ScanTarget, name: string, provided?: Provided): Expectation {
  const glibc = target.glibc ?? DEFAULT_TARGET_GLIBC
  const system = target.libc === 'glibc' ? systemAt(glibc) : undefined
  return {
    label: name,
    os: target.os,
    cpu: target.cpu,
    ...(target.libc ? { libc: target.libc } : {}),
    muslLoadsGlibc: true,
    glibcFloor: glibc,
    ...(provided && provided.libraries.length > 0 ? { providedLibraries: provided.libraries, providedSymbols: provided.symbols } : {}),
    ...(system ? { libstdcxx: { glibcxx: system.glibcxx, cxxabi: system.cxxabi, system: `${system.system} (glibc ${system.glibc})` } } : {}),
  }
}

/** The fix for the app, for an audit finding about a package's binary. */
function deployFix(f: Finding, target: ScanTarget, pkg: string): string {
  const glibc = /^needs GLIBC_([\d.]+)/.exec(f.cause)?.[1]
  if (glibc && f.severity === 'error') return `deploy on ${imageFor(glibc)}, or use a version of ${pkg} built for glibc ${target.glibc ?? DEFAULT_TARGET_GLIBC}`
  if (f.cause.startsWith('needs a newer libstdc++')) return `deploy on a newer base image (its libstdc++ must have these versions), or use a version of ${pkg} built with an older GCC`
  if (f.severity === 'note') return f.fix
  return `use a version of ${pkg} whose ${target.name} build passes, or report it to its authors (their fix: ${f.fix})`
}

/** Shared libraries that installed packages ship (sharp's libvips), and the functions they define. */
interface Provided {
  libraries: string[]
  symbols: Set<string>
}

function providedBy(packages: Contents[]): Provided {
  const libraries: string[] = []
  const symbols = new Set<string>()
  for (const contents of packages) {
    for (const file of contents.names.filter((f) => /\.so(\.\d+)*$/.test(f))) {
      libraries.push(file.split('/').at(-1) ?? file)
      for (const name of contents.exports(file)) symbols.add(name)
    }
  }
  return { libraries, symbols }
}

/** A version ceiling (GLIBC_, libstdc++), which a newer system meets. */
const isCeiling = (f: Finding) => f.cause.startsWith('needs GLIBC_') || f.cause.startsWith('needs a newer libstdc++')

/** The audit of `files` of `entry` (from `contents`) as loaded on `target`. */
function auditFiles(
  entry: LockEntry,
  contents: Contents,
  files: string[],
  target: ScanTarget,
  from: { prefix?: string; pkg?: string; provided?: Provided; loaded: LoadedBinary[]; beside?: LoadedBinary['beside'] },
): Finding[] {
  const { prefix = '', pkg = entry.name, provided } = from
  return files.flatMap((file) => {
    const findings = contents.audit(file, expectation(target, entry.name, provided))
    from.loaded.push({ entry, contents, file, loads: !findings.some((f) => f.severity === 'error' && !isCeiling(f)), beside: from.beside ?? [] })
    // On musl a glibc binary does not load at all: its glibc version is beside the point there.
    const relevant = target.libc === 'musl' ? findings.filter((f) => !f.cause.startsWith('needs GLIBC_')) : findings
    return relevant.map((f) => ({ severity: f.severity, cause: `${prefix}${file}: ${f.cause}`, fix: deployFix(f, target, pkg) }))
  })
}

/** The fix for a family with no working build for `target`: a newer version that has one, when the registry knows one. */
function upgradeFix(family: string, target: ScanTarget, options: JudgeOptions): string {
  const newest = options.newestWith?.(family, target)
  if (newest === 'none') return `no published version of ${family} ships a ${target.name} build: deploy on a target it supports, or use another package`
  if (newest) return `upgrade: ${family}@${newest} ships a ${target.name} build (npm install ${family}@${newest})`
  return `check whether a newer ${family} ships a ${target.name} build (npm view ${family} optionalDependencies), else deploy on a target it supports`
}

/** What compiling at install on `target` needs, and the command that installs it. */
function compileFinding(command: string, target: ScanTarget, options: JudgeOptions, why = ''): Finding {
  const needs = target.os === 'darwin' ? 'the Xcode command line tools' : target.os === 'win32' ? 'Python and Visual Studio Build Tools (C++)' : 'python3, make and g++'
  const install =
    target.os === 'darwin' ? 'xcode-select --install' : target.os === 'win32' ? 'install Visual Studio Build Tools with the "Desktop development with C++" workload' : target.libc === 'musl' ? 'apk add --no-cache python3 make g++' : 'apt-get install -y python3 make g++'
  const image = target.os !== 'linux' ? '' : target.libc === 'musl' ? ', which a stock node:<v>-alpine image lacks ("gyp ERR! find Python")' : ', which a stock node:<v>-slim image lacks ("gyp ERR! find Python")'
  if (options.toolchain) {
    return { severity: 'warning', cause: `${why}compiles at install (${command}) with the image's toolchain: it needs ${needs}; the binary it builds is not checked here`, fix: `keep ${needs} in the build image (${install}), or use a version that ships a prebuilt binary for ${target.name}` }
  }
  return { severity: 'error', cause: `${why}compiles at install (${command}): it needs ${needs}${image}`, fix: `${install} before ${MANAGERS[options.manager ?? 'npm'].install} (in a build stage), or pass --toolchain when the image has them` }
}

/** The error for a package whose install scripts the manager does not run: it gets no binary (`then` says what the approved install would do). */
function blockedFinding(entry: LockEntry, blocked: { cause: string; fix: string }, what: string, then: string): Finding {
  return { severity: 'error', cause: `${what} at install, but ${blocked.cause}: it gets no binary, and loading it fails at run time`, fix: `${blocked.fix}${then ? `; then ${then}` : ''}` }
}

/** A compile at install: the error (or --toolchain warning) of compileFinding, or the blocked build's error when the manager does not run it. */
function compileOrBlocked(entry: LockEntry, command: string, target: ScanTarget, options: JudgeOptions, why = ''): Finding {
  const blocked = options.buildsBlocked?.(entry)
  if (!blocked) return compileFinding(command, target, options, why)
  const compile = compileFinding(command, target, options)
  return blockedFinding(entry, blocked, `${why}compiles (${command})`, compile.severity === 'error' ? `it compiles at install, which needs ${compile.cause.replace(/^.*?: it needs /, '')}` : 'it compiles with the image\'s toolchain')
}

function judgeFamily(c: Candidate & { family: NonNullable<Candidate['family']> }, target: ScanTarget, contentsOf: ContentsOf, options: JudgeOptions, loaded: LoadedBinary[]): Omit<PackageVerdict, 'name' | 'version' | 'kind' | 'verdict' | 'binaries'> {
  const findings: Finding[] = []
  const words = MANAGERS[options.manager ?? 'npm']
  // npm, pnpm and yarn stop on every machine; bun installs the rest, so only the target the missing package is for lacks it.
  const missing = words.stopsEverywhere ? c.family.missing : c.family.missing.filter((m) => namesTarget(m.name, target))
  if (missing.length > 0) {
    for (const m of missing) {
      const range = m.range.replace(/^npm:/, '')
      findings.push({
        severity: 'error',
        cause: `the lockfile has no entry for ${m.name}@${range}, an optional dependency of ${label(c.entry)}: ${words.missing(m.name, range)}`,
        fix: words.record(m.name, flagsFromName(m.name) ?? npmFlags(target)),
      })
    }
    return { installs: words.stopsEverywhere ? `nothing: ${words.install} stops` : 'nothing for this target', findings }
  }
  const installed = c.family.members.filter((m) => installsOn(m, target))
  if (installed.length === 0) {
    const builds = c.family.members.length
    findings.push({
      severity: 'error',
      cause: `no build for ${target.name}: none of its ${builds} platform packages installs there ("Cannot find native binding")`,
      fix: upgradeFix(c.entry.name, target, options),
    })
    return { installs: 'nothing', findings }
  }
  // The packages the loader can load from: those with .node files, the ones naming this libc first.
  const withBinary: Array<{ member: LockEntry; contents: Contents }> = []
  for (const member of installed) {
    const { contents, problem } = contentsOf(member)
    if (problem) findings.push({ ...problem, cause: `${label(member)}: ${problem.cause}` })
    else if (contents && contents.nodeFiles.length > 0) withBinary.push({ member, contents })
  }
  if (withBinary.length === 0) {
    if (findings.length === 0) findings.push({ severity: 'note', cause: `${installed.map(label).join(', ')} ship no .node file (executables or libraries, not checked here)`, fix: 'nothing to do' })
    return { installs: installed.map(label).join(', '), findings }
  }
  const provided = providedBy(installed.flatMap((m) => { const got = contentsOf(m).contents; return got ? [got] : [] }))
  const best = Math.max(...withBinary.map((w) => libcFit(w.member.name, target)))
  const picked = withBinary.filter((w) => libcFit(w.member.name, target) === best)
  if (target.os === 'linux' && withBinary.length > 1 && withBinary.some((w) => !w.member.libc)) {
    findings.push(options.manager && options.manager !== 'npm' ? {
      severity: 'warning',
      cause: `${withBinary.filter((w) => !w.member.libc).map((w) => w.member.name).join(' and ')} declare${withBinary.filter((w) => !w.member.libc).length === 1 ? 's' : ''} no libc, so ${options.manager} installs ${withBinary.map((w) => w.member.name).join(' and ')} on every Linux of this CPU, and the loader must pick the right one at run time`,
      fix: `nothing in ${words.lockfile} changes it (it copies what the packages declare): check the loaded binary with --verify, or use a version of ${c.entry.name} whose packages declare libc`,
    } : {
      severity: 'warning',
      cause: `the lockfile records no libc for ${withBinary.map((w) => w.member.name).join(' and ')}: npm installs all of them on every Linux (lockfiles of npm < 11.11), and the loader must pick the right one at run time`,
      fix: 'write the lockfile again with npm ≥ 11.11 (npm install --package-lock-only), which records each package\'s libc',
    })
  }
  for (const { member, contents } of picked) {
    const unlabelled = target.os === 'linux' && !member.libc && libcFit(member.name, target) < 0 ? `${label(member)} declares no libc, so ${options.manager ?? 'npm'} installs it on ${target.libc} too; ` : ''
    // A platform package of node-gyp-build-optional-packages (lmdb, msgpackr) holds tagged files for both libcs.
    const tagged = hasTags(contents.nodeFiles) ? selectTagged(contents.nodeFiles, target) : undefined
    if (hasTags(contents.nodeFiles) && !tagged) {
      findings.push({ severity: 'error', cause: `${label(member)} has no file for ${target.name} among ${contents.nodeFiles.join(', ')}`, fix: upgradeFix(c.entry.name, target, options) })
      continue
    }
    const beside = installed.flatMap((m) => { const got = contentsOf(m).contents; return m !== member && got ? [{ entry: m, contents: got }] : [] })
    const audit = auditFiles(member, contents, tagged ? [tagged.file] : contents.nodeFiles, target, { prefix: `${label(member)}:`, pkg: c.entry.name, provided, loaded, beside })
    if (unlabelled && audit.some((f) => f.severity === 'error')) {
      findings.push({ severity: 'error', cause: `no working build for ${target.name}: ${unlabelled}its binary does not load there`, fix: upgradeFix(c.entry.name, target, options) })
    }
    findings.push(...audit)
  }
  return { installs: picked.map((l) => label(l.member)).join(', '), findings }
}

function judgeTarball(c: Candidate, contents: Contents, target: ScanTarget, options: JudgeOptions, loaded: LoadedBinary[]): Omit<PackageVerdict, 'name' | 'version' | 'verdict' | 'binaries'> | undefined {
  const install = contents.install
  const canCompile = install !== undefined && (install.how === 'compile' || install.how === 'node-gyp-build') && contents.has('binding.gyp')
  if (contents.prebuilds.length > 0) {
    const chosen = selectPrebuild(contents.prebuilds, target)
    if (!chosen) {
      if (canCompile && install) return { kind: 'prebuilds', installs: install.command, findings: [compileOrBlocked(c.entry, install.command, target, options, `no prebuild for ${target.name}, so it `)] }
      return { kind: 'prebuilds', installs: 'nothing', findings: [{ severity: 'error', cause: `no prebuild for ${target.name} in prebuilds/ (it has ${[...new Set(contents.prebuilds.map((p) => p.split('/')[1]))].join(', ')})`, fix: `use a version of ${c.entry.name} that ships one, or another package` }] }
    }
    const audit = auditFiles(c.entry, contents, [chosen.file], target, { loaded })
    const tag = chosen.tags.libc ? '' : target.libc === 'musl' ? ' (untagged: what musl gets when there is no .musl file)' : ''
    if (audit.some((f) => f.severity === 'error') && install?.how === 'node-gyp-build' && canCompile) {
      // node-gyp-build's install loads the prebuild first and compiles when that fails; unrun, the prebuild is what loads.
      if (options.buildsBlocked?.(c.entry)) return { kind: 'prebuilds', installs: `${chosen.file}${tag}`, findings: [...audit, compileOrBlocked(c.entry, install.command, target, options, `${chosen.file} does not load there, so node-gyp-build `)] }
      return { kind: 'prebuilds', installs: `${chosen.file}${tag}, then ${install.command}`, findings: [...audit.map((f) => ({ ...f, severity: 'note' as Severity })), compileFinding(install.command, target, options, `${chosen.file} does not load there, so node-gyp-build `)] }
    }
    return { kind: 'prebuilds', installs: `${chosen.file}${tag}`, findings: audit }
  }
  if (install?.how === 'download') {
    const blocked = options.buildsBlocked?.(c.entry)
    if (blocked) return { kind: 'downloads at install', installs: 'nothing', findings: [blockedFinding(c.entry, blocked, `downloads its binary (${install.command})`, 'it downloads its binary at install')] }
    const findings: Finding[] = [{ severity: 'warning', cause: `downloads its binary at install (${install.command}) from ${install.host ?? 'a server its package.json names'}: the lockfile does not pin it, and scan cannot check it`, fix: `make sure the build can reach it; when the download fails it compiles instead (${target.libc === 'musl' ? 'apk add python3 make g++' : 'python3, make and g++'})` }]
    return { kind: 'downloads at install', installs: install.command, findings }
  }
  if (install && (install.how === 'compile' || install.how === 'node-gyp-build') && (contents.has('binding.gyp') || install.how === 'compile')) {
    const installs = options.buildsBlocked?.(c.entry) ? 'nothing (its build does not run)' : install.command
    return { kind: 'compiles at install', installs, findings: [compileOrBlocked(c.entry, install.command, target, options)] }
  }
  if (contents.nodeFiles.length > 0) {
    const named = contents.nodeFiles.filter((f) => targetFromName(f) !== undefined)
    const files = named.length > 0 ? named.filter((f) => { const t = targetFromName(f); return t?.os === target.os && t.cpu === target.cpu && (!t.libc || !target.libc || t.libc === target.libc) }) : contents.nodeFiles
    if (files.length === 0) return { kind: 'ships .node', installs: 'nothing', findings: [{ severity: 'error', cause: `ships .node files (${contents.nodeFiles.join(', ')}) but none for ${target.name}`, fix: `use a version of ${c.entry.name} that ships one, or another package` }] }
    return { kind: 'ships .node', installs: files.join(', '), findings: auditFiles(c.entry, contents, files, target, { loaded }) }
  }
  return undefined
}

/** The verdict for one candidate on one target; undefined when it turns out to hold no native code. */
export function judge(c: Candidate, target: ScanTarget, contentsOf: ContentsOf, options: JudgeOptions): PackageVerdict | undefined {
  const binaries: LoadedBinary[] = []
  const base = { name: c.entry.name, version: c.entry.version, binaries }
  if (c.family) {
    const family = c.family
    const result = judgeFamily({ ...c, family }, target, contentsOf, options, binaries)
    // A base that always compiles; node-gyp-build(-optional-packages) compiles only when no platform package loads.
    if (c.entry.hasInstallScript) {
      const { contents } = contentsOf(c.entry)
      if (contents?.install?.how === 'compile' && !options.buildsBlocked?.(c.entry)) result.findings.push(compileFinding(contents.install.command, target, options))
    }
    return { ...base, kind: 'platform packages', ...result, verdict: verdictOf(result.findings) }
  }
  if (c.platformOnly && !installsOn(c.entry, target)) {
    const findings: Finding[] = c.entry.optional
      ? []
      : [{ severity: 'error', cause: `does not install on ${target.name} (${whyNot(c.entry, target)}) and is not optional: ${options.manager && options.manager !== 'npm' ? `${MANAGERS[options.manager].install} refuses it` : 'npm ci stops with EBADPLATFORM'}`, fix: `make it an optional dependency, or do not deploy it to ${target.name}` }]
    return { ...base, kind: 'platform package', installs: `nothing (${whyNot(c.entry, target)}${c.entry.optional ? ', optional' : ''})`, verdict: verdictOf(findings), findings }
  }
  const { contents, problem } = contentsOf(c.entry)
  if (problem) return { ...base, kind: c.platformOnly ? 'platform package' : 'ships .node', installs: 'unknown', verdict: verdictOf([problem]), findings: [problem] }
  if (!contents) return undefined
  const result = judgeTarball(c, contents, target, options, binaries)
  if (!result) return undefined
  const kind = c.platformOnly ? 'platform package' : result.kind
  return { ...base, ...result, kind, verdict: verdictOf(result.findings) }
}

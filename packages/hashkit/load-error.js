// The error main.js throws when the generated loader (index.js) finds no binary that loads:
// the platform detected (and how), the package expected, whether it is installed and where,
// the cause and the command that fixes it. Written by hand, and read only on that path.
//
// Every name comes from this package's package.json at run time (its npm name and version,
// `napi.binaryName`, `napi.packageName`, `napi.targets`, the repository), never from this
// file, so it holds under any name the package is given.
'use strict'

const { existsSync, readFileSync } = require('fs')
const { dirname, join, sep } = require('path')

/** The stable code programs can test for. */
const CODE = 'ERR_NAPI_KIT_NO_BINDING'
/** The troubleshooting section of docs/MIGRATING.md the message links to. */
const HELP = 'docs/MIGRATING.md#when-the-binary-cannot-load'

// A Rust target triple in napi-rs's naming (`x86_64-unknown-linux-musl` → `linux-x64-musl`),
// as @napi-rs/cli's parseTriple names it (scripts/__test__/targets.spec.ts compares them).
const CPU = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm', riscv64gc: 'riscv64', powerpc64le: 'ppc64', loongarch64: 'loong64' }
const SYS = { linux: 'linux', darwin: 'darwin', windows: 'win32', freebsd: 'freebsd', android: 'android', ohos: 'openharmony' }

/** `{ triple, platform, arch, abi, name }` of a target, or undefined for a WASI one. */
function parseTarget(triple) {
  if (triple.startsWith('wasm32-')) return undefined
  const parts = (triple.endsWith('eabi') ? `${triple.slice(0, -4)}-eabi` : triple).split('-')
  let [cpu, , sys, abi = null] = parts.length === 2 ? [parts[0], null, parts[1]] : parts
  if (abi === 'android' || abi === 'ohos') [sys, abi] = [abi, null]
  const platform = SYS[sys] || sys
  const arch = CPU[cpu] || cpu
  return { triple, platform, arch, abi, name: abi ? `${platform}-${arch}-${abi}` : `${platform}-${arch}` }
}

/** The first line of an error's message (Node.js appends the require stack to "Cannot find module"). */
const firstLine = (error) => String(error && typeof error.message === 'string' ? error.message : error).split('\n')[0]

/**
 * The platform, as the generated loader decides it: on Linux the libc from /usr/bin/ldd, else
 * from process.report, else from `ldd --version`. Also the libc Node.js itself runs on (from
 * process.report), which tells when the loader's guess is wrong.
 */
function detectPlatform() {
  const facts = { platform: process.platform, arch: process.arch, node: process.version }
  if (process.platform === 'win32') {
    const vars = (process.config && process.config.variables) || {}
    facts.abi = process.arch === 'x64' && (vars.shlib_suffix === 'dll.a' || vars.node_target_type === 'shared_library') ? 'gnu' : 'msvc'
  }
  if (process.platform !== 'linux') return facts
  let report
  try {
    process.report.excludeNetwork = true
    report = process.report.getReport()
  } catch {
    report = undefined
  }
  const glibc = report && report.header && report.header.glibcVersionRuntime
  const muslObjects = report && Array.isArray(report.sharedObjects) && report.sharedObjects.some((f) => f.includes('libc.musl-') || f.includes('ld-musl-'))
  facts.nodeLibc = glibc ? 'glibc' : muslObjects ? 'musl' : undefined
  facts.glibcVersion = glibc || undefined
  try {
    facts.libc = readFileSync('/usr/bin/ldd', 'utf-8').includes('musl') ? 'musl' : 'glibc'
    facts.libcSource = '/usr/bin/ldd'
  } catch {
    if (report) {
      facts.libc = muslObjects && !glibc ? 'musl' : 'glibc'
      facts.libcSource = 'process.report'
    } else {
      try {
        facts.libc = require('child_process').execSync('ldd --version', { encoding: 'utf8' }).includes('musl') ? 'musl' : 'glibc'
      } catch {
        facts.libc = 'glibc'
      }
      facts.libcSource = 'ldd --version'
    }
  }
  const arm = process.arch === 'arm'
  facts.abi = process.arch === 'ppc64' || process.arch === 's390x' ? 'gnu' : `${facts.libc === 'musl' ? 'musl' : 'gnu'}${arm ? 'eabihf' : ''}`
  return facts
}

/** `linux x64 musl (libc read from /usr/bin/ldd), Node.js v24.11.1`. */
function describePlatform(facts) {
  const parts = [facts.platform, facts.arch]
  if (facts.libc) parts.push(facts.libc === 'glibc' && facts.glibcVersion && facts.nodeLibc === 'glibc' ? `glibc ${facts.glibcVersion}` : facts.libc)
  else if (facts.abi) parts.push(facts.abi)
  const how = facts.libcSource ? ` (libc read from ${facts.libcSource})` : ''
  return `${parts.join(' ')}${how}, Node.js ${facts.node}`
}

/** npm's flags that select this platform's optional dependencies. */
const npmPlatformFlags = (facts) => `--os=${facts.platform} --cpu=${facts.arch}${facts.libc ? ` --libc=${facts.libc}` : ''}`

/** The package's folder that `name/package.json` resolves to from `dir`, or undefined. */
function installedAt(name, dir) {
  try {
    return dirname(require.resolve(`${name}/package.json`, { paths: [dir] }))
  } catch {
    return undefined
  }
}

/** The app folder: the one whose node_modules holds this package, or undefined outside node_modules. */
function appDir(dir) {
  const at = dir.indexOf(`${sep}node_modules${sep}`)
  return at < 0 ? undefined : dir.slice(0, at)
}

/** Whether the app's package-lock.json lists `name`: true, false, or undefined without one. */
function lockfileLists(app, name) {
  if (!app) return undefined
  let lock
  try {
    lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'))
  } catch {
    return undefined
  }
  return Object.keys(lock.packages || {}).some((key) => key === `node_modules/${name}` || key.endsWith(`/node_modules/${name}`))
}

/** The repository's web address from package.json's `repository`, or undefined. */
function repositoryUrl(manifest) {
  const repo = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository && manifest.repository.url
  const github = repo && /github\.com[:/]([^/]+\/[^/#]+?)(?:\.git)?(?:#.*)?$/.exec(repo)
  if (github) return `https://github.com/${github[1]}`
  const shorthand = repo && /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(repo)
  return shorthand ? `https://github.com/${shorthand[1]}` : undefined
}

/** What a binary's load error says about its cause, and the fix: `{ why, fixes }`. */
function diagnoseLoadFailure(message, facts, target, manifest) {
  const rebuild = `rebuild it for this platform, in ${manifest.name}'s repository: npm run build -- --release --target ${target.triple}`
  const glibc = /`GLIBC_([\d.]+)' not found/.exec(message)
  if (glibc) {
    const have = facts.glibcVersion ? `, newer than this system's glibc ${facts.glibcVersion}` : ''
    return { why: `the binary needs GLIBC_${glibc[1]}${have}`, fixes: [`${rebuild} (release builds link against an older glibc)`, `or run it on a system with glibc ${glibc[1]} or newer`] }
  }
  if (/initial-exec TLS/.test(message)) {
    return { why: 'the binary uses initial-exec TLS, which musl refuses in a library loaded at run time', fixes: [`${rebuild} (with local-dynamic TLS)`] }
  }
  if (facts.libc === 'musl' && /ld-linux|libc\.so\.6|Error relocating/.test(message)) {
    return { why: "the binary is linked against glibc, but this system's libc is musl", fixes: [rebuild] }
  }
  if (facts.libc === 'glibc' && /musl/.test(message)) {
    return { why: "the binary is linked against musl, but this system's libc is glibc", fixes: [rebuild] }
  }
  if (/invalid ELF header|wrong ELF class|ELF file's|Exec format error|incompatible architecture|not a mach-o|not a valid Win32 application/.test(message)) {
    return { why: 'the binary was built for another platform', fixes: [rebuild] }
  }
  return { why: 'the binary failed to load', fixes: [`reinstall it: npm install ${npmPlatformFlags(facts)} ${manifest.name}@${manifest.version}`] }
}

/**
 * The error for `loaderError`, which the generated loader in `dir` threw; errors that are not
 * about a missing binary are returned as they are. `facts` replaces the detected platform
 * (tests replay errors recorded elsewhere).
 */
function explainLoadError(loaderError, dir, facts) {
  if (!/^(Cannot find native binding|Failed to load native binding)/.test(firstLine(loaderError))) return loaderError
  if (!facts) facts = detectPlatform()
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const napi = manifest.napi || {}
  const scope = napi.packageName || manifest.name
  const targets = (napi.targets || []).map(parseTarget).filter(Boolean)
  const platformName = facts.abi ? `${facts.platform}-${facts.arch}-${facts.abi}` : `${facts.platform}-${facts.arch}`
  const target = targets.find((t) => t.name === platformName) || (facts.platform === 'darwin' ? targets.find((t) => t.name === 'darwin-universal') : undefined)

  // The loader's errors, first tried first: its `cause` chain holds them last first.
  const loadErrors = []
  for (let e = loaderError.cause; e && loadErrors.length < 100; e = e.cause) loadErrors.unshift(e)
  const failures = loadErrors.map(firstLine).filter((m) => !m.startsWith("Cannot find module '"))

  const lines = [`  platform:  ${describePlatform(facts)}`]
  const fixes = []
  let headline
  let cause
  const repo = repositoryUrl(manifest)
  const others = targets
    .filter((t) => t !== target)
    .map((t) => ({ target: t, pkg: `${scope}-${t.name}`, at: installedAt(`${scope}-${t.name}`, dir) }))
    .filter((o) => o.at)

  if (!target) {
    headline = `${manifest.name} has no binary for ${platformName}`
    lines.push(`  expected:  nothing: ${manifest.name} ${manifest.version} is built for ${targets.map((t) => t.name).join(', ')}`)
    cause = `this platform is not one of napi.targets in ${manifest.name}'s package.json`
    // The WebAssembly build loads on any platform: the generated loader falls back to it.
    if ((napi.targets || []).some((triple) => triple.startsWith('wasm32-'))) {
      fixes.push(`install its WebAssembly build, which the loader falls back to on any platform: npm install --cpu=wasm32 ${manifest.name}@${manifest.version}`)
    }
    fixes.push(`build it from source for this platform, in ${manifest.name}'s repository: add its target to napi.targets, then npm run build -- --release --target <its Rust target>`)
  } else {
    const pkg = `${scope}-${target.name}`
    const binary = `${napi.binaryName}.${target.name}.node`
    lines.push(`  expected:  ${pkg} ${manifest.version} (${target.triple}), or ${binary} next to the loader`)
    const at = installedAt(pkg, dir)
    const local = existsSync(join(dir, binary)) ? join(dir, binary) : undefined
    lines.push(`  installed: ${at ? `yes, in ${at}` : local ? `no; ${local} is there` : `no (looked from ${dir})`}`)
    if (failures.length > 0 && (at || local)) {
      for (const failure of failures) lines.push(`  loader:    ${failure}`)
      const found = diagnoseLoadFailure(failures.join('\n'), facts, target, manifest)
      headline = at ? `${pkg} is installed, but its binary failed to load` : `${binary} next to the loader failed to load`
      cause = found.why
      fixes.push(...found.fixes)
      fixes.push(`see what the binary links and needs: npx napi-kit audit ${at || local}`)
    } else if (at) {
      headline = `${pkg} is installed without its binary`
      cause = `${at} holds no ${binary}`
      fixes.push(`reinstall it: npm install ${npmPlatformFlags(facts)} ${manifest.name}@${manifest.version}`)
      fixes.push(`check the package: npx napi-kit audit ${at}`)
    } else if (others.length > 0) {
      headline = `node_modules holds ${manifest.name}'s package for another platform, not ${pkg}`
      for (const o of others) lines.push(`  found:     ${o.pkg} (${o.target.triple}) in ${o.at}`)
      cause = "node_modules was installed for another OS, CPU or libc: copied from another machine, or installed with npm's --os, --cpu or --libc"
      fixes.push(`install this platform's package: npm install ${npmPlatformFlags(facts)} ${manifest.name}@${manifest.version}`)
      fixes.push('or install node_modules on the machine that runs the app: npm ci')
    } else {
      headline = `its package for this platform, ${pkg}, is not installed`
      const app = appDir(dir)
      const listed = lockfileLists(app, pkg)
      if (!app) {
        cause = `${dir} is not inside node_modules: a source checkout (or a link to one), where nothing was built for this platform`
        fixes.push(`build it there: npm run build (or npm run build -- --target ${target.triple})`)
      } else if (listed === true) {
        cause = `${join(app, 'package-lock.json')} lists ${pkg}, but npm did not install it: optional dependencies were left out (--omit=optional, or omit=optional in .npmrc)`
        fixes.push('npm install --include=optional')
      } else if (listed === false) {
        cause = `${join(app, 'package-lock.json')} does not list ${pkg}: the lockfile was written without this platform's package (on another platform, or by npm older than 11.11, which ignores libc)`
        fixes.push(`npm install ${npmPlatformFlags(facts)} ${manifest.name}@${manifest.version}`)
      } else {
        cause = 'no package of another platform is installed either: optional dependencies were left out (--omit=optional), or the install could not choose this platform'
        fixes.push('npm install --include=optional')
        fixes.push(`or name this platform: npm install ${npmPlatformFlags(facts)} ${manifest.name}@${manifest.version}`)
      }
    }
  }
  if (facts.nodeLibc && facts.libc && facts.nodeLibc !== facts.libc) {
    cause = `the loader read ${facts.libc} from ${facts.libcSource}, but this Node.js runs on ${facts.nodeLibc} (process.report): the system's libc is not the one Node.js was built for; ${cause}`
    fixes.unshift(`run a Node.js built for this system's libc (${facts.libc}), or make ${facts.libcSource} the one of ${facts.nodeLibc}`)
  }
  fixes.push("then check every native dependency of the app: npx napi-kit scan")
  lines.push(`  cause:     ${cause}`)
  fixes.forEach((fix, i) => lines.push(`  ${i === 0 ? 'fix:       ' : '           '}${fix}`))
  lines.push(`  help:      ${repo ? `${repo}/blob/main/${HELP}` : `${HELP} in ${manifest.name}'s repository`}`)

  const error = new Error(`Cannot load ${manifest.name}: ${headline}.\n${lines.join('\n')}`)
  error.code = CODE
  error.cause = loaderError
  error.loadErrors = loadErrors
  return error
}

module.exports = { CODE, explainLoadError, parseTarget }

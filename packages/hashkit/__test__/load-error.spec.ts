// The package entry (main.js) and the error it throws when no binary loads (load-error.js).
// Each cause is laid out for real as a package manager leaves node_modules, and the package is
// required (and imported) by name in a fresh Node.js process: the generated loader runs as
// users get it, and the message is asserted whole.
import { spawnSync } from 'node:child_process'
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test, { type ExecutionContext } from 'ava'

import * as addon from '@napi-kit/hashkit'

import { forcedWasi, nativeEnv, WASI_BUILD } from './helpers/build.js'

// The native packages' errors: each child process runs without NAPI_RS_FORCE_WASI, which
// npm run test:wasi sets for the suite, since under it the loader skips the native packages
// these tests lay out.
const childEnv = nativeEnv()
const packageDir = fileURLToPath(new URL('../..', import.meta.url))
const npmDir = join(packageDir, '..', '..', 'npm')
const require = createRequire(join(packageDir, 'package.json'))

interface Manifest {
  name: string
  version: string
  files: string[]
  repository: { url: string }
  napi: { binaryName: string; packageName?: string; targets: string[] }
}
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as Manifest
const scope = manifest.napi.packageName ?? manifest.name

interface Target {
  triple: string
  platform: string
  arch: string
  abi: string | null
  name: string
}
interface LoadError extends Error {
  code?: string
  loadErrors?: Error[]
}
const loadError = require('./load-error.js') as {
  CODE: string
  parseTarget: (triple: string) => Target | undefined
  explainLoadError: (error: unknown, dir: string, facts?: Record<string, string>) => LoadError
}
const targets = manifest.napi.targets.map((t) => loadError.parseTarget(t)).filter((t): t is Target => t !== undefined)

/** The C library this Node.js runs on, from its own diagnostic report. */
const report = process.platform === 'linux' ? (process.report.getReport() as { header: { glibcVersionRuntime?: string } }) : undefined
const glibc = report?.header.glibcVersionRuntime
const libc = process.platform === 'linux' ? (glibc ? 'glibc' : 'musl') : undefined

/** This process's platform in napi-rs's naming (`linux-x64-musl`) and its line in the message. */
const platformName =
  process.platform === 'linux'
    ? `linux-${process.arch}-${libc === 'musl' ? 'musl' : 'gnu'}`
    : process.platform === 'win32'
      ? `win32-${process.arch}-msvc`
      : `${process.platform}-${process.arch}`
const platformLine =
  process.platform === 'linux'
    ? `linux ${process.arch} ${glibc ? `glibc ${glibc}` : 'musl'} (libc read from ${existsSync('/usr/bin/ldd') ? '/usr/bin/ldd' : 'process.report'}), Node.js ${process.version}`
    : `${process.platform} ${process.arch}${process.platform === 'win32' ? ' msvc' : ''}, Node.js ${process.version}`
const npmFlags = `--os=${process.platform} --cpu=${process.arch}${libc ? ` --libc=${libc}` : ''}`
const help = `  help:      ${manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')}/blob/main/docs/MIGRATING.md#when-the-binary-cannot-load`
const scan = '             then check every native dependency of the app: npx napi-kit scan'

const own = targets.find((t) => t.name === platformName)
const packageName = (t: Target) => `${scope}-${t.name}`
const binaryName = (t: Target) => `${manifest.napi.binaryName}.${t.name}.node`

/** An app folder with the addon package installed in node_modules, as npm lays it out. */
function app(t: ExecutionContext): { root: string; addonDir: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'load-error-app-')))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const addonDir = join(root, 'node_modules', ...manifest.name.split('/'))
  mkdirSync(addonDir, { recursive: true })
  for (const file of ['package.json', ...manifest.files]) copyFileSync(join(packageDir, file), join(addonDir, file))
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { [manifest.name]: manifest.version } }))
  return { root, addonDir }
}

/** Installs the platform package of `target` (its generated npm/ folder), with `binary` in it. */
function installPlatformPackage(root: string, target: Target, binary: string): string {
  const dir = join(root, 'node_modules', ...packageName(target).split('/'))
  cpSync(join(npmDir, target.name), dir, { recursive: true })
  copyFileSync(binary, join(dir, binaryName(target)))
  return dir
}

/** package-lock.json as npm ≥ 11.11 writes it: every platform package, optional, with os/cpu/libc. */
function writeLockfile(root: string, leaveOut?: string): void {
  const packages: Record<string, unknown> = { '': { name: 'app', dependencies: { [manifest.name]: manifest.version } } }
  packages[`node_modules/${manifest.name}`] = {
    version: manifest.version,
    optionalDependencies: Object.fromEntries(targets.map((t) => [packageName(t), manifest.version])),
  }
  for (const target of targets) {
    const pkg = JSON.parse(readFileSync(join(npmDir, target.name, 'package.json'), 'utf8')) as Record<string, unknown>
    if (pkg.name === leaveOut) continue
    packages[`node_modules/${packageName(target)}`] = { version: manifest.version, cpu: pkg.cpu, os: pkg.os, ...(pkg.libc ? { libc: pkg.libc } : {}), optional: true }
  }
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2))
}

interface Seen {
  code?: string
  message: string
  cause?: string
  loadErrors: string[]
}
const printError = `const r = (e) => console.log(JSON.stringify({ code: e.code, message: e.message, cause: e.cause && e.cause.message, loadErrors: (e.loadErrors || []).map((x) => x.message.split('\\n')[0]) }))`

/** Requires, or imports, the addon by name in a fresh Node.js in `root` (with `env`); what it threw. */
function load(root: string, how: 'require' | 'import', env = childEnv): Seen {
  const name = JSON.stringify(manifest.name)
  const args =
    how === 'require'
      ? ['-e', `${printError}; try { require(${name}); console.log('{"message":"loaded"}') } catch (e) { r(e) }`]
      : ['--input-type=module', '-e', `${printError}; try { await import(${name}); console.log('{"message":"loaded"}') } catch (e) { r(e) }`]
  const result = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`node exited with ${result.status}: ${result.stderr}`)
  return JSON.parse(result.stdout) as Seen
}

/** Loads both ways; both must throw the same error: the one with `message`. */
function assertThrows(t: ExecutionContext, root: string, message: string): Seen {
  const required = load(root, 'require')
  t.is(required.message, message)
  t.is(required.code, 'ERR_NAPI_KIT_NO_BINDING')
  t.regex(required.cause ?? '', /^Cannot find native binding\. /, "error.cause is the generated loader's error")
  t.deepEqual(load(root, 'import'), required, 'import throws what require throws')
  return required
}

const expectedLine = (t: Target) => `  expected:  ${packageName(t)} ${manifest.version} (${t.triple}), or ${binaryName(t)} next to the loader`
/** The message's first lines: its headline, this platform, the package expected, where it is. */
const head = (headline: string, target: Target, installed: string, platform = `  platform:  ${platformLine}`) => [
  `Cannot load ${manifest.name}: ${headline}.`,
  platform,
  expectedLine(target),
  `  installed: ${installed}`,
]
const notInstalled = (target: Target, from: string) =>
  head(`its package for this platform, ${packageName(target)}, is not installed`, target, `no (looked from ${from})`)
/** This machine's binary, next to the loader (npm run build). */
const builtBinary = () => {
  if (!own) throw new Error(`${platformName} is not in napi.targets`)
  const file = join(packageDir, binaryName(own))
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`)
  return file
}

test('main.js exports every name index.d.ts declares, to require and to import alike', (t) => {
  const declared = [...readFileSync(join(packageDir, 'index.d.ts'), 'utf8').matchAll(/^export declare (?:const|function|class|enum) (\w+)/gm)].map((m) => m[1])
  t.true(declared.length >= 5, 'no declarations found in index.d.ts')
  const required = Object.keys(require(manifest.name) as object)
  // `default` and (Node.js >= 23) `module.exports` are added by Node's CommonJS interop.
  const imported = Object.keys(addon).filter((k) => k !== 'default' && k !== 'module.exports')
  t.deepEqual(required.toSorted(), declared.toSorted())
  t.deepEqual(imported.toSorted(), declared.toSorted())
  for (const name of declared) t.is((addon as Record<string, unknown>)[name as string], (require(manifest.name) as Record<string, unknown>)[name as string], name)
})

test('the generated loader throws what main.js explains', (t) => {
  // main.js rewrites only the generated loader's "Cannot find native binding": if napi-rs
  // changes that text, this fails instead of the message silently going back to the old one.
  const { addonDir } = app(t)
  const result = spawnSync(process.execPath, ['-e', "require('./index.js')"], { cwd: addonDir, env: childEnv, encoding: 'utf8' })
  t.is(result.status, 1)
  t.regex(result.stderr, /Error: Cannot find native binding\. npm has a bug related to optional dependencies/)
  t.notRegex(result.stderr, /Segmentation fault|SIGSEGV/)
})

test(`not installed: the package for this platform (${platformName}) is missing from node_modules`, (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  const { root, addonDir } = app(t)
  const seen = assertThrows(
    t,
    root,
    [
      ...notInstalled(own, addonDir),
      '  cause:     no package of another platform is installed either: optional dependencies were left out (--omit=optional), or the install could not choose this platform',
      '  fix:       npm install --include=optional',
      `             or name this platform: npm install ${npmFlags} ${manifest.name}@${manifest.version}`,
      scan,
      help,
    ].join('\n'),
  )
  t.true(
    seen.loadErrors.some((m) => m.startsWith(`Cannot find module '${packageName(own)}'`)),
    `error.loadErrors holds the loader's errors: ${seen.loadErrors.join(' | ')}`,
  )
})

test('a source checkout without a build says to build it', (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  // The package's files in a folder of their own, as in a clone before npm run build.
  const { root } = app(t)
  const checkout = join(root, 'checkout')
  mkdirSync(checkout)
  for (const file of ['package.json', ...manifest.files]) copyFileSync(join(packageDir, file), join(checkout, file))
  const result = spawnSync(process.execPath, ['-e', `${printError}; try { require('./main.js') } catch (e) { r(e) }`], { cwd: checkout, env: childEnv, encoding: 'utf8' })
  t.is(
    (JSON.parse(result.stdout) as Seen).message,
    [
      ...notInstalled(own, checkout),
      `  cause:     ${checkout} is not inside node_modules: a source checkout (or a link to one), where nothing was built for this platform`,
      `  fix:       build it there: npm run build (or npm run build -- --target ${own.triple})`,
      scan,
      help,
    ].join('\n'),
  )
})

test('--omit=optional: package-lock.json lists the platform package, node_modules lacks it', (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  const { root, addonDir } = app(t)
  writeLockfile(root)
  assertThrows(
    t,
    root,
    [
      ...notInstalled(own, addonDir),
      `  cause:     ${join(root, 'package-lock.json')} lists ${packageName(own)}, but npm did not install it: optional dependencies were left out (--omit=optional, or omit=optional in .npmrc)`,
      '  fix:       npm install --include=optional',
      scan,
      help,
    ].join('\n'),
  )
})

test("a lockfile written without this platform's package", (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  const { root, addonDir } = app(t)
  writeLockfile(root, packageName(own))
  assertThrows(
    t,
    root,
    [
      ...notInstalled(own, addonDir),
      `  cause:     ${join(root, 'package-lock.json')} does not list ${packageName(own)}: the lockfile was written without this platform's package (on another platform, or by npm older than 11.11, which ignores libc)`,
      `  fix:       npm install ${npmFlags} ${manifest.name}@${manifest.version}`,
      scan,
      help,
    ].join('\n'),
  )
})

test('node_modules installed for another CPU: that CPU\'s package is there, this one\'s is not', (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  const other = targets.find((x) => x.platform === own.platform && x.abi === own.abi && x.arch !== own.arch)
  if (!other) return t.fail(`napi.targets has no ${own.platform} target for another CPU`)
  const { root, addonDir } = app(t)
  // The other CPU's build when it is there (npm run test:arm64 builds arm64); else this
  // machine's binary under its name: the loader never opens another CPU's package, and the
  // message is drawn from the package's name and place alone.
  const otherBinary = existsSync(join(packageDir, binaryName(other))) ? join(packageDir, binaryName(other)) : builtBinary()
  const otherDir = installPlatformPackage(root, other, otherBinary)
  assertThrows(
    t,
    root,
    [
      ...head(`node_modules holds ${manifest.name}'s package for another platform, not ${packageName(own)}`, own, `no (looked from ${addonDir})`),
      `  found:     ${packageName(other)} (${other.triple}) in ${otherDir}`,
      "  cause:     node_modules was installed for another OS, CPU or libc: copied from another machine, or installed with npm's --os, --cpu or --libc",
      `  fix:       install this platform's package: npm install ${npmFlags} ${manifest.name}@${manifest.version}`,
      '             or install node_modules on the machine that runs the app: npm ci',
      scan,
      help,
    ].join('\n'),
  )
})

test('installed without its binary', (t) => {
  if (!own) return t.fail(`${platformName} is not in napi.targets`)
  const { root } = app(t)
  const dir = installPlatformPackage(root, own, builtBinary())
  rmSync(join(dir, binaryName(own)))
  assertThrows(
    t,
    root,
    [
      ...head(`${packageName(own)} is installed without its binary`, own, `yes, in ${dir}`),
      `  cause:     ${dir} holds no ${binaryName(own)}`,
      `  fix:       reinstall it: npm install ${npmFlags} ${manifest.name}@${manifest.version}`,
      `             check the package: npx napi-kit audit ${dir}`,
      scan,
      help,
    ].join('\n'),
  )
})

// npm run test:musl sets this inside the musl root: this CPU's glibc build, for the musl package.
const otherLibcBinary = process.env.HASHKIT_TEST_OTHER_LIBC_BINARY
if (otherLibcBinary) {
  test('inside the musl root: a glibc binary in the musl package', (t) => {
    t.is(libc, 'musl', 'HASHKIT_TEST_OTHER_LIBC_BINARY is for the musl suite (npm run test:musl)')
    if (!own) return t.fail(`${platformName} is not in napi.targets`)
    t.true(existsSync(otherLibcBinary), `${otherLibcBinary} is missing`)
    const { root } = app(t)
    const dir = installPlatformPackage(root, own, otherLibcBinary)
    // What musl's loader says about this file, asked directly.
    let real = ''
    try {
      process.dlopen({ exports: {} }, join(dir, binaryName(own)))
    } catch (error) {
      real = (error as Error).message
    }
    t.regex(real, /^Error loading shared library (ld-linux-[\w-]+\.so\.\d|libc\.so\.6)/)
    assertThrows(
      t,
      root,
      [
        ...head(`${packageName(own)} is installed, but its binary failed to load`, own, `yes, in ${dir}`),
        `  loader:    ${real}`,
        "  cause:     the binary is linked against glibc, but this system's libc is musl",
        `  fix:       rebuild it for this platform, in ${manifest.name}'s repository: npm run build -- --release --target ${own.triple}`,
        `             see what the binary links and needs: npx napi-kit audit ${dir}`,
        scan,
        help,
      ].join('\n'),
    )
  })
}

test('a binary that needs a newer GLIBC: the message from a recorded loader error', (t) => {
  // Reproducing it needs a Node.js on a glibc older than the quick build's (GLIBC_2.34), which
  // this machine does not have: the loader's errors are replayed, as glibc words them, with the
  // platform of such a system. The package is installed for real.
  const gnu = targets.find((x) => x.triple === 'x86_64-unknown-linux-gnu')
  if (!gnu) return t.fail('napi.targets has no x86_64-unknown-linux-gnu')
  const { root, addonDir } = app(t)
  const dir = installPlatformPackage(root, gnu, builtBinary())
  const recorded = [
    `Cannot find module './${binaryName(gnu)}'`,
    `/lib/x86_64-linux-gnu/libc.so.6: version \`GLIBC_2.34' not found (required by ${join(dir, binaryName(gnu))})`,
    `Cannot find module './${manifest.napi.binaryName}.wasi.cjs'`,
  ]
  const thrown = recorded.reduce<Error | undefined>((cause, message) => Object.assign(new Error(message), { cause }), undefined)
  const loaderError = Object.assign(new Error('Cannot find native binding. npm has a bug related to optional dependencies'), { cause: thrown })
  const facts = { platform: 'linux', arch: 'x64', abi: 'gnu', libc: 'glibc', libcSource: '/usr/bin/ldd', nodeLibc: 'glibc', glibcVersion: '2.31', node: 'v22.12.0' }
  const error = loadError.explainLoadError(loaderError, addonDir, facts)
  t.is(error.code, loadError.CODE)
  t.is(error.cause, loaderError)
  t.deepEqual(
    error.loadErrors?.map((e) => e.message),
    recorded,
  )
  t.is(
    error.message,
    [
      ...head(`${packageName(gnu)} is installed, but its binary failed to load`, gnu, `yes, in ${dir}`, '  platform:  linux x64 glibc 2.31 (libc read from /usr/bin/ldd), Node.js v22.12.0'),
      `  loader:    ${recorded[1]}`,
      "  cause:     the binary needs GLIBC_2.34, newer than this system's glibc 2.31",
      `  fix:       rebuild it for this platform, in ${manifest.name}'s repository: npm run build -- --release --target ${gnu.triple} (release builds link against an older glibc)`,
      '             or run it on a system with glibc 2.34 or newer',
      `             see what the binary links and needs: npx napi-kit audit ${dir}`,
      scan,
      help,
    ].join('\n'),
  )
})

test('a platform outside napi.targets: the message names the built ones, the WebAssembly build when there is one, and how to build', (t) => {
  // Replayed with the platform of such a system (FreeBSD on x64), the loader's error as it words it.
  const { addonDir } = app(t)
  const loaderError = new Error('Cannot find native binding. npm has a bug related to optional dependencies')
  const facts = { platform: 'freebsd', arch: 'x64', node: 'v22.12.0' }
  const wasm = manifest.napi.targets.some((triple) => triple.startsWith('wasm32-'))
  const error = loadError.explainLoadError(loaderError, addonDir, facts)
  t.is(error.code, loadError.CODE)
  t.is(
    error.message,
    [
      `Cannot load ${manifest.name}: ${manifest.name} has no binary for freebsd-x64.`,
      '  platform:  freebsd x64, Node.js v22.12.0',
      `  expected:  nothing: ${manifest.name} ${manifest.version} is built for ${targets.map((x) => x.name).join(', ')}`,
      `  cause:     this platform is not one of napi.targets in ${manifest.name}'s package.json`,
      ...[
        ...(wasm ? [`install its WebAssembly build, which the loader falls back to on any platform: npm install --cpu=wasm32 ${manifest.name}@${manifest.version}`] : []),
        `build it from source for this platform, in ${manifest.name}'s repository: add its target to napi.targets, then npm run build -- --release --target <its Rust target>`,
      ].map((fix, i) => `  ${i === 0 ? 'fix:       ' : '           '}${fix}`),
      scan,
      help,
    ].join('\n'),
  )
  // Without a WebAssembly target the fix is not offered.
  const nativeOnly = join(addonDir, '..', 'native-only')
  mkdirSync(nativeOnly)
  writeFileSync(join(nativeOnly, 'package.json'), JSON.stringify({ ...manifest, napi: { ...manifest.napi, targets: manifest.napi.targets.filter((triple) => !triple.startsWith('wasm32-')) } }))
  t.false(loadError.explainLoadError(loaderError, nativeOnly, facts).message.includes('--cpu=wasm32'))
})

test('errors that are not about a missing binary are thrown as they are', (t) => {
  const { addonDir } = app(t)
  const conflict = Object.assign(new Error('`__napiBindingTarget` is reserved by the generated binding loader'), { code: 'ERR_NAPI_BINDING_TARGET_CONFLICT' })
  t.is(loadError.explainLoadError(conflict, addonDir), conflict)
})

// npm run test:wasi (NAPI_RS_FORCE_WASI=error, the WebAssembly build next to the loader): the
// user's path to it, the wasm32-wasi package installed in an app's node_modules with its
// dependencies, required by name; and without that package, the loader's own error.
if (forcedWasi) {
  const wasmDir = join(npmDir, 'wasm32-wasi')
  const wasmPackage = JSON.parse(readFileSync(join(wasmDir, 'package.json'), 'utf8')) as { name: string; files: string[]; dependencies: Record<string, string> }

  test('NAPI_RS_FORCE_WASI=error: the wasm32-wasi package installed is what loads', (t) => {
    const { root } = app(t)
    const dir = join(root, 'node_modules', ...wasmPackage.name.split('/'))
    cpSync(wasmDir, dir, { recursive: true })
    for (const file of wasmPackage.files) copyFileSync(join(packageDir, file), join(dir, file))
    // Its dependencies as npm installs them, linked to this repository's copies.
    for (const dep of Object.keys(wasmPackage.dependencies)) {
      const from = (require.resolve.paths(dep) ?? []).map((p) => join(p, dep)).find((p) => existsSync(p))
      if (!from) return t.fail(`${dep}, a dependency of ${wasmPackage.name}, is not installed here: run npm ci`)
      mkdirSync(join(root, 'node_modules', dep, '..'), { recursive: true })
      symlinkSync(from, join(root, 'node_modules', dep))
    }
    const name = JSON.stringify(manifest.name)
    const result = spawnSync(process.execPath, ['-e', `const a = require(${name}); console.log(JSON.stringify({ target: a.buildInfo().target, loaded: a.__napiBindingTarget, hello: a.hash('hello') }))`], {
      cwd: root,
      encoding: 'utf8',
    })
    t.is(result.status, 0, result.stderr)
    t.deepEqual(JSON.parse(result.stdout), { target: WASI_BUILD.target, loaded: 'wasm32-wasi', hello: addon.hash('hello') })
  })

  test('NAPI_RS_FORCE_WASI=error without the wasm32-wasi package: the loader says so, and loads nothing native', (t) => {
    const { root } = app(t)
    if (!own) return t.fail(`${platformName} is not in napi.targets`)
    // The native package is there and would load; the variable must keep it out.
    installPlatformPackage(root, own, builtBinary())
    const seen = load(root, 'require', process.env)
    t.is(seen.message, 'WASI binding not found and NAPI_RS_FORCE_WASI is set to error')
    t.regex(seen.cause ?? '', new RegExp(`^Cannot find module '${wasmPackage.name}'`))
  })
}

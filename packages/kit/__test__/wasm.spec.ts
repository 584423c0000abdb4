// The wasm audit on real published napi-rs WebAssembly packages (pinned in src/pins/wanted.ts,
// fetched with npm pack into the kit's cache and checked against their integrity): the reader
// must agree with V8 (WebAssembly.Module.imports/exports, and its type reflection for memory
// limits), V8 must instantiate each module with nothing but what the runtime's import lists
// hold, and each package gets its exact verdict. The negative controls are the same modules
// with bytes edited here (truncated, bad magic, an unknown env import, unshared memory, a wrong
// cpu label), each refused by V8 too where V8 has a say; tiny modules built from bytes cover the
// section walk's edge cases. Without the registry these tests fail: they never skip.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import test from 'ava'

import { auditBinary, type BinaryReport } from '../src/audit/checks.js'
import { auditFiles, collectBinaries } from '../src/audit/files.js'
import { readTarball } from '../src/audit/tar.js'
import { isWasm, parseWasm, WasmError, type WasmInfo } from '../src/audit/wasm.js'
import { WASM_RUNTIME_IMPORTS } from '../src/audit/wasm-imports.generated.js'
import { npmTarball } from '../src/pins/npm.js'
import { NPM_PINS } from '../src/pins/pins.generated.js'

const BIN = fileURLToPath(new URL('../bin/napi-kit.js', import.meta.url))
const WORK = mkdtempSync(join(tmpdir(), 'napi-kit-wasm-'))
const OPTIONS = { glibcFloor: '2.17', localGlibc: false, cwd: WORK }

/** The pinned napi-rs WebAssembly packages: `<name>-wasm32-wasi` (threads) and `-wasm32-wasip1`. */
const PACKAGES = NPM_PINS.filter((p) => /-wasm32-wasi(?:p1)?$/.test(p.name))
/** Each one's verdict, and why: the packages that declare no cpu install on every machine. */
const VERDICTS: Record<string, { verdict: BinaryReport['verdict']; memory: RegExp; warnings: RegExp[] }> = {
  '@napi-rs/tar-wasm32-wasi': { verdict: 'ok', memory: /^shared memory, 978–65536 pages$/, warnings: [] },
  '@node-rs/xxhash-wasm32-wasi': { verdict: 'ok', memory: /^shared memory, 98–65536 pages$/, warnings: [] },
  '@rolldown/binding-wasm32-wasi': { verdict: 'ok', memory: /^shared memory, 999–65536 pages$/, warnings: [] },
  '@node-rs/argon2-wasm32-wasi': { verdict: 'warning', memory: /^shared memory, /, warnings: [/declares no "cpu", so npm installs this WebAssembly package on every machine/] },
  '@oxc-parser/binding-wasm32-wasi': { verdict: 'warning', memory: /^shared memory, /, warnings: [/declares no "cpu"/] },
  '@tailwindcss/oxide-wasm32-wasi': { verdict: 'warning', memory: /^shared memory, /, warnings: [/declares no "cpu"/] },
  // The single-threaded build, in its own package: held to unshared memory, which it has.
  '@oxc-parser/binding-wasm32-wasip1': { verdict: 'warning', memory: /^unshared memory, /, warnings: [/declares no "cpu"/] },
}

interface Real {
  name: string
  version: string
  tarball: string
  /** The module's path inside the tarball, its bytes and its package.json. */
  entry: string
  bytes: Uint8Array
  manifest: string
  /** The module written out, for V8 in a process of its own. */
  file: string
}
const reals: Real[] = []
test.before(async () => {
  for (const pin of PACKAGES) {
    const tarball = await npmTarball(pin)
    const entries = readTarball(readFileSync(tarball))
    const wasm = entries.find((e) => e.path.endsWith('.wasm') && !e.path.startsWith('package/node_modules/'))
    const manifest = entries.find((e) => e.path === 'package/package.json')
    if (!wasm || !manifest) throw new Error(`${pin.name}@${pin.version} holds no .wasm module or no package.json`)
    const file = join(WORK, `${pin.name.replace(/[@/]/g, '_')}.wasm`)
    writeFileSync(file, wasm.data)
    // A copy: the tarball's entries share one Buffer, whose slice() does not copy.
    reals.push({ name: pin.name, version: pin.version, tarball, entry: wasm.path, bytes: new Uint8Array(wasm.data), manifest: new TextDecoder().decode(manifest.data), file })
  }
})

const real = (name: string) => {
  const found = reals.find((r) => r.name === name)
  if (!found) throw new Error(`${name} is not pinned`)
  return found
}
const causes = (r: BinaryReport, severity = 'error') => r.findings.filter((f) => f.severity === severity).map((f) => f.cause)
/** Audits `bytes` as the module of a package with `manifest` (a tarball entry, as audit reads it). */
const auditInPackage = (label: string, bytes: Uint8Array, manifest: string) =>
  auditFiles([{ label, path: '', bytes, packageJson: { file: `${label}:package/package.json`, text: manifest } }], OPTIONS)[0] as BinaryReport

/** What V8 reports of each file's imports and exports (type reflection gives the memory limits). */
function v8Facts(files: string[]): Record<string, { imports: unknown[]; exports: unknown[] }> {
  const script = `const fs = require('node:fs'); const out = {}
for (const f of process.argv.slice(1)) { const m = new WebAssembly.Module(fs.readFileSync(f)); out[f] = { imports: WebAssembly.Module.imports(m).map((i) => ({ module: i.module, name: i.name, kind: i.kind, ...(i.kind === 'memory' ? { type: i.type } : {}) })), exports: WebAssembly.Module.exports(m).map((e) => ({ name: e.name, kind: e.kind })) } }
process.stdout.write(JSON.stringify(out))`
  const r = spawnSync(process.execPath, ['--experimental-wasm-type-reflection', '-e', script, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`node --experimental-wasm-type-reflection failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, { imports: unknown[]; exports: unknown[] }>
}
/** The reader's facts in V8's terms. */
const readerFacts = (info: WasmInfo) => ({
  imports: info.imports.map((i) => ({ module: i.module, name: i.name, kind: i.kind, ...(i.memory ? { type: { minimum: i.memory.min, ...(i.memory.max === undefined ? {} : { maximum: i.memory.max }), shared: i.memory.shared } } : {}) })),
  exports: info.exports.map((e) => ({ name: e.name, kind: e.kind })),
})

/** A stub for each function the runtime gives import module `module`. */
const stubs = (module: string) => Object.fromEntries([...(WASM_RUNTIME_IMPORTS[module] ?? [])].map((n) => [n, () => 0]))
/**
 * The import object the napi-rs runtime's loader builds, as stubs: every name of the generated
 * lists (env also holds napi's and emnapi's, as the loader's overwriteImports merges them), and
 * the memory the loader creates (shared for the threads build).
 */
function runtimeImports(info: WasmInfo): WebAssembly.Imports {
  const memory = info.imports.find((i) => i.kind === 'memory')?.memory
  return {
    napi: stubs('napi'),
    emnapi: stubs('emnapi'),
    wasi: stubs('wasi'),
    wasi_snapshot_preview1: stubs('wasi_snapshot_preview1'),
    env: { ...stubs('env'), ...stubs('napi'), ...stubs('emnapi'), memory: new WebAssembly.Memory({ initial: memory?.min ?? 1, maximum: 65536, shared: memory?.shared ?? true }) },
  }
}
/** V8's WebAssembly.validate. */
const validates = (bytes: Uint8Array) => WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)
const instantiates = async (bytes: Uint8Array, imports: WebAssembly.Imports) => {
  try {
    await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, imports)
    return 'ok'
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
}

// --- The real packages -----------------------------------------------------------------------

test('every pinned wasm package has its expected verdict here, and the reader agrees with V8 on each module', (t) => {
  t.deepEqual(PACKAGES.map((p) => p.name).toSorted(), Object.keys(VERDICTS).toSorted(), 'each pinned wasm package needs its verdict in VERDICTS')
  const v8 = v8Facts(reals.map((r) => r.file))
  for (const r of reals) {
    const info = parseWasm(r.bytes, r.entry)
    t.deepEqual(readerFacts(info), v8[r.file], `${r.name}@${r.version}: imports and exports as V8 reads them`)
    t.true(info.imports.length > 30 && info.exports.length > 10, `${r.name}: ${info.imports.length} imports, ${info.exports.length} exports`)
  }
})

test('V8 instantiates every real module with only what the runtime import lists provide', async (t) => {
  for (const r of reals) t.is(await instantiates(r.bytes, runtimeImports(parseWasm(r.bytes))), 'ok', `${r.name}@${r.version}`)
})

test('each real package audited from its npm tarball gets its exact verdict', (t) => {
  for (const r of reals) {
    const reports = auditFiles(collectBinaries([r.tarball], WORK), OPTIONS)
    t.is(reports.length, 1, `${r.name}: one module (bundled node_modules are not the package's own)`)
    const [report] = reports as [BinaryReport]
    const want = VERDICTS[r.name] as (typeof VERDICTS)[string]
    t.is(report.verdict, want.verdict, `${r.name}: ${JSON.stringify(report.findings)}`)
    t.deepEqual(causes(report), [], r.name)
    t.is(causes(report, 'warning').length, want.warnings.length, r.name)
    want.warnings.forEach((w, i) => t.regex(causes(report, 'warning')[i] ?? '', w, r.name))
    t.is(report.facts.format, 'wasm')
    t.regex(report.facts.memory ?? '', want.memory, r.name)
    t.is(report.expected?.triple, r.name.endsWith('-wasip1') ? 'wasm32-wasip1' : 'wasm32-wasip1-threads', r.name)
  }
})

// --- Negative controls: a real module with bytes edited ---------------------------------------

/** A copy of `bytes` with `edit` applied. */
const edited = (bytes: Uint8Array, edit: (b: Uint8Array) => void) => {
  const copy = new Uint8Array(bytes)
  edit(copy)
  return copy
}
const encoder = new TextEncoder()
const leb = (n: number): number[] => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) b |= 0x80
    out.push(b)
  } while (n > 0)
  return out
}
const name = (s: string) => [...leb(encoder.encode(s).length), ...encoder.encode(s)]

/** `bytes` with one function import `module.field` added at the end of its import section (type 0). */
function withAddedImport(bytes: Uint8Array, module: string, field: string): Uint8Array {
  const section = parseWasm(bytes).sections.find((s) => s.name === 'import')
  if (!section) throw new Error('no import section')
  const payload = bytes.subarray(section.offset, section.offset + section.size)
  // The header before the payload: the id byte, then the size (padded LEB128 is allowed).
  const headerStart = [1, 2, 3, 4, 5].map((k) => section.offset - 1 - k).find((at) => bytes[at] === 2) ?? -1
  let count = 0
  let at = 0
  for (let scale = 1; ; scale *= 128) {
    const b = payload[at++] as number
    count += (b & 0x7f) * scale
    if ((b & 0x80) === 0) break
  }
  const body = [...leb(count + 1), ...payload.subarray(at), ...name(module), ...name(field), 0x00, 0x00]
  return Uint8Array.from([...bytes.subarray(0, headerStart), 2, ...leb(body.length), ...body, ...bytes.subarray(section.offset + section.size)])
}

/** `bytes` with the import `env.<from>` renamed to `<to>` (the same length, so no size changes). */
function withRenamedImport(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('same length only')
  const imp = parseWasm(bytes).imports.find((i) => i.module === 'env' && i.name === from)
  if (!imp) throw new Error(`no env.${from}`)
  const at = imp.offset + 1 + 3 + 1 // the module name's length and 'env', then the name's length
  return edited(bytes, (b) => b.set(encoder.encode(to), at))
}

/** `bytes` with the env.memory import's shared flag cleared. */
function withUnsharedMemory(bytes: Uint8Array): Uint8Array {
  const imp = parseWasm(bytes).imports.find((i) => i.kind === 'memory')
  if (!imp) throw new Error('no memory import')
  const flags = imp.offset + 1 + 3 + 1 + 6 + 1 // 'env', 'memory', the kind byte
  return edited(bytes, (b) => {
    b[flags] = (b[flags] as number) & ~0x02
  })
}

test('a truncated module is an error naming the file, the byte offset and what was expected', (t) => {
  const { bytes, entry } = real('@napi-rs/tar-wasm32-wasi')
  const importSection = parseWasm(bytes).sections.find((s) => s.name === 'import')
  const cut = (importSection?.offset ?? 0) + 100
  const r = auditBinary(entry, bytes.subarray(0, cut), undefined)
  t.is(r.verdict, 'error')
  t.is(r.facts.format, 'wasm')
  const [cause] = causes(r)
  t.regex(cause ?? '', new RegExp(`^package/tar\\.wasm32-wasi\\.wasm is not a valid WebAssembly module: at byte ${importSection?.offset} \\(0x[0-9a-f]+\\), expected the import section's \\d+ bytes \\(its size says so\\), but the file ends at byte ${cut} \\(truncated\\?\\)$`))
  const inEntry = bytes.subarray(0, 4 + 4 + 1) // magic, version, a section id with no size
  t.regex(causes(auditBinary('x.wasm', inEntry))[0] ?? '', /^x\.wasm is not a valid WebAssembly module: at byte 9 \(0x9\), expected the size of the type section \(LEB128\), but the file ends there \(it has 9 bytes: truncated\?\)$/)
  t.false(validates(bytes.subarray(0, cut)), 'V8 refuses it too')
})

test('every prefix of a real module is read or refused with WasmError, never anything else', (t) => {
  const { bytes } = real('@node-rs/xxhash-wasm32-wasi')
  const lengths = [...Array.from({ length: 1200 }, (_, i) => i), ...Array.from({ length: 300 }, (_, i) => Math.floor((bytes.length * (i + 1)) / 301))]
  let refused = 0
  for (const n of lengths) {
    try {
      parseWasm(bytes.subarray(0, n), 'prefix.wasm')
    } catch (error) {
      if (!(error instanceof WasmError)) return t.fail(`${n} bytes: ${(error as Error).name}: ${(error as Error).message}`)
      t.regex(error.message, /^prefix\.wasm is not a valid WebAssembly module: at byte \d+ \(0x[0-9a-f]+\), expected /)
      refused++
    }
  }
  t.true(refused >= lengths.length - 20, `${refused} of ${lengths.length} prefixes refused`)
})

test('a bad magic is an error saying what a WebAssembly module starts with', (t) => {
  const { bytes, entry } = real('@napi-rs/tar-wasm32-wasi')
  const bad = edited(bytes, (b) => {
    b[1] = 0x62
  })
  t.false(isWasm(bad))
  const r = auditInPackage(entry, bad, real('@napi-rs/tar-wasm32-wasi').manifest)
  t.is(r.verdict, 'error')
  t.deepEqual(causes(r), ['package/tar.wasm32-wasi.wasm is not a valid WebAssembly module: at byte 0 (0x0), expected the magic \\0asm (00 61 73 6d), found 0x00 0x62 0x73 0x6d'])
  t.regex(r.findings[0]?.fix ?? '', /^rebuild it with napi build --target wasm32-wasip1-threads; a truncated file/)
  t.false(validates(bad))
})

test('an unknown env import (a C dependency built for the host) is an error naming it, its cause and the fix', async (t) => {
  const { bytes, entry, manifest } = real('@napi-rs/tar-wasm32-wasi')
  const added = withAddedImport(bytes, 'env', 'mi_malloc_aligned')
  t.is(parseWasm(added).imports.at(-1)?.name, 'mi_malloc_aligned')
  const r = auditInPackage(entry, added, manifest)
  t.is(r.verdict, 'error')
  const [cause] = causes(r)
  t.regex(cause ?? '', /^imports env\.mi_malloc_aligned from env, which the napi-rs wasm runtime does not provide \(its env holds only emnapi's napi_\*\/emnapi_\* functions and memory\): instantiating it fails with "LinkError: … function import requires a callable"\. Such an import is a symbol nothing in the module defines, most often from a C dependency whose objects were compiled for another target \(cc-rs found no WASI C compiler and used the host's\)/)
  t.regex(r.findings.find((f) => f.severity === 'error')?.fix ?? '', /install wasi-sdk, set WASI_SDK_PATH and CC_wasm32_wasip1_threads=\$WASI_SDK_PATH\/bin\/clang/)
  t.is(causes(r).length, 1)
  // V8 agrees: the same kind of import, renamed in place so the module stays valid, does not link.
  const renamed = withRenamedImport(bytes, 'napi_create_error', 'mi_malloc_aligned')
  t.regex(await instantiates(renamed, runtimeImports(parseWasm(renamed))), /^LinkError: .*module="env" function="mi_malloc_aligned" error: function import requires a callable/)
  t.regex(causes(auditInPackage(entry, renamed, manifest))[0] ?? '', /^imports env\.mi_malloc_aligned from env/)
})

test('unshared memory in a wasm32-wasi package (a wasm32-wasip1 build) is an error with its cause and fix', async (t) => {
  const { bytes, entry, manifest } = real('@napi-rs/tar-wasm32-wasi')
  const single = withUnsharedMemory(bytes)
  t.false(parseWasm(single).imports.find((i) => i.kind === 'memory')?.memory?.shared)
  const r = auditInPackage(entry, single, manifest)
  t.is(r.verdict, 'error')
  t.deepEqual(causes(r), [
    'imports an unshared env.memory: a single-threaded wasm32-wasip1 build, but its name (tar.wasm32-wasi.wasm) calls for the wasm32-wasip1-threads build, whose loader passes a shared memory: it fails with "LinkError: mismatch in shared state of memory, declared = 0, imported = 1"',
  ])
  t.regex(r.findings[0]?.fix ?? '', /^build with napi build --target wasm32-wasip1-threads/)
  // V8 refuses it with the loader's shared memory, as the cause says.
  const imports = runtimeImports(parseWasm(bytes))
  t.is(await instantiates(single, imports), 'LinkError: WebAssembly.instantiate(): mismatch in shared state of memory, declared = 0, imported = 1')
  // The real single-threaded build is the same error when it sits in a wasm32-wasi package.
  const p1 = real('@oxc-parser/binding-wasm32-wasip1')
  const renamedPackage = JSON.stringify({ ...JSON.parse(p1.manifest), name: '@oxc-parser/binding-wasm32-wasi', cpu: ['wasm32'] })
  const r2 = auditInPackage('binding-wasm32-wasi.tgz:package/parser.wasm', p1.bytes, renamedPackage)
  t.regex(causes(r2)[0] ?? '', /^imports an unshared env\.memory: a single-threaded wasm32-wasip1 build, but its package's name \(@oxc-parser\/binding-wasm32-wasi\) calls for/)
  // And a threads build in a wasm32-wasip1 package is the reverse error.
  const r3 = auditInPackage('x.tgz:package/tar.wasm32-wasip1.wasm', bytes, manifest)
  t.regex(causes(r3)[0] ?? '', /^imports a shared env\.memory: a wasm32-wasip1-threads build, but its name \(tar\.wasm32-wasip1\.wasm\) calls for the single-threaded wasm32-wasip1 build/)
})

test('a wrong cpu label is an error, a missing one or an os label a warning, each with the fix', (t) => {
  const { bytes, entry, manifest } = real('@napi-rs/tar-wasm32-wasi')
  const relabel = (fields: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(manifest), ...fields })
  const x64 = auditInPackage(entry, bytes, relabel({ cpu: ['x64'] }))
  t.is(x64.verdict, 'error')
  t.deepEqual(causes(x64), [
    `${entry}:package/package.json says "cpu": ["x64"], but the package holds a WebAssembly module: npm installs it only on x64 machines, which load their native package, and never where the wasm fallback is needed (npm install --cpu=wasm32 skips it too)`,
  ])
  t.is(x64.findings[0]?.fix, 'set "cpu": ["wasm32"], as napi create-npm-dirs writes it')
  const none = auditInPackage(entry, bytes, relabel({ cpu: undefined }))
  t.is(none.verdict, 'warning')
  const os = auditInPackage(entry, bytes, relabel({ os: ['linux'] }))
  t.is(os.verdict, 'warning')
  t.regex(causes(os, 'warning')[0] ?? '', /says "os": \["linux"\]: npm skips this WebAssembly package on every other OS, though the module runs on any$/)
  t.is(auditInPackage(entry, bytes, manifest).verdict, 'ok', 'the unedited package passes')
})

// --- The command, on a package folder ----------------------------------------------------------

function kit(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: WORK, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('napi-kit audit on wasm32-wasi package folders: a row each, ✓/✗, --json, exit codes', (t) => {
  const { bytes, manifest } = real('@napi-rs/tar-wasm32-wasi')
  const good = join(WORK, 'npm', 'wasm32-wasi')
  mkdirSync(good, { recursive: true })
  writeFileSync(join(good, 'package.json'), manifest)
  writeFileSync(join(good, 'tar.wasm32-wasi.wasm'), bytes)
  const ok = kit(['audit', 'npm'])
  t.is(ok.code, 0, ok.stderr)
  t.regex(ok.stdout, /^✓\s+npm\/wasm32-wasi\/tar\.wasm32-wasi\.wasm\s+wasm32-wasip1-threads\s+wasm wasm32 shared memory, 978–65536 pages\s+664 KiB\s+ok$/m)
  t.regex(ok.stdout, /^1 ok, 0 failed$/m)

  const bad = join(WORK, 'npm', 'wasm32-wasi-host-c')
  mkdirSync(bad, { recursive: true })
  writeFileSync(join(bad, 'package.json'), manifest)
  writeFileSync(join(bad, 'tar.wasm32-wasi.wasm'), withAddedImport(bytes, 'env', 'mi_malloc_aligned'))
  const r = kit(['audit', 'npm'])
  t.is(r.code, 1)
  t.regex(r.stdout, /^✗\s+npm\/wasm32-wasi-host-c\/tar\.wasm32-wasi\.wasm\s+wasm32-wasip1-threads\s+wasm wasm32 shared memory, 978–65536 pages\s+\d+ KiB\s+error$/m)
  t.regex(r.stderr, /^✗ npm\/wasm32-wasi-host-c\/tar\.wasm32-wasi\.wasm: imports env\.mi_malloc_aligned from env, which the napi-rs wasm runtime does not provide/m)
  t.regex(r.stdout, /^1 ok, 1 failed$/m)

  const json = kit(['audit', 'npm', '--json'])
  t.is(json.code, 1)
  const doc = JSON.parse(json.stdout) as { ok: boolean; exitCode: number; audited: number; failed: number; reports: BinaryReport[] }
  t.like(doc, { ok: false, exitCode: 1, audited: 2, failed: 1 })
  t.like(doc.reports[1], { file: 'npm/wasm32-wasi/tar.wasm32-wasi.wasm', verdict: 'ok', facts: { format: 'wasm', machine: 'wasm32', memory: 'shared memory, 978–65536 pages', imports: 105 } })
  t.like(doc.reports[1]?.expected, { os: 'wasi', cpu: 'wasm32', triple: 'wasm32-wasip1-threads', wasm: { flavor: 'threads', cpu: ['wasm32'] } })

  // A development build next to the loader's package.json: no cpu to check, and a note says so.
  const dev = join(WORK, 'dev')
  mkdirSync(dev, { recursive: true })
  writeFileSync(join(dev, 'package.json'), JSON.stringify({ name: 'my-addon', napi: { binaryName: 'my-addon' } }))
  copyFileSync(join(good, 'tar.wasm32-wasi.wasm'), join(dev, 'my-addon.wasm32-wasi.wasm'))
  const d = spawnSync(process.execPath, [BIN, 'audit'], { cwd: dev, encoding: 'utf8' })
  t.is(d.status, 0, d.stderr)
  t.regex(d.stdout, /my-addon\.wasm32-wasi\.wasm\s+wasm32-wasip1-threads \(cpu not checked\)/)
  t.regex(d.stdout, /^- my-addon\.wasm32-wasi\.wasm: cpu not checked: the module is not in a platform package/m)
})

// --- The section walk, on tiny modules built from bytes -----------------------------------------

const MAGIC_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload]
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()]
const module = (...sections: number[][]) => Uint8Array.from([...MAGIC_VERSION, ...sections.flat()])
const TYPES = section(1, vec([[0x60, 0x00, 0x00]])) // one type: () -> ()
const importFunc = (m: string, n: string) => [...name(m), ...name(n), 0x00, 0x00]
const importMemory = (flags: number, min: number, max?: number) => [...name('env'), ...name('memory'), 0x02, flags, ...leb(min), ...(max === undefined ? [] : leb(max))]
const ENTRY = section(7, vec([[...name('napi_register_wasm_v1'), 0x00, 0x00]]))

const judge = (bytes: Uint8Array) => auditBinary('tiny.wasm32-wasi.wasm', bytes, undefined)

test('tiny modules: the reader agrees with V8, and the audit judges them', (t) => {
  const good = module(TYPES, section(2, vec([importMemory(0x03, 1, 16), importFunc('env', 'napi_get_undefined')])), ENTRY)
  const future = module(TYPES, section(2, vec([importMemory(0x03, 1, 16), importFunc('env', 'napi_not_in_any_emnapi')])), ENTRY)
  const own = module(TYPES, section(2, vec([importFunc('env', 'napi_get_undefined')])), section(5, vec([[0x03, 1, 16]])), ENTRY)
  const noEntry = module(TYPES, section(2, vec([importMemory(0x03, 1, 16)])))
  const wbg = module(TYPES, section(2, vec([importMemory(0x03, 1, 16), importFunc('__wbindgen_placeholder__', '__wbindgen_describe')])), ENTRY)
  // A custom section and a padded section size read as V8 reads them.
  const padded = Uint8Array.from([...MAGIC_VERSION, ...section(0, [...name('napi-kit.test'), 1, 2, 3]), 1, 0x84, 0x80, 0x80, 0x80, 0x00, 1, 0x60, 0x00, 0x00, ...section(2, vec([importMemory(0x03, 2, 3), importFunc('napi', 'napi_get_undefined')])), ...ENTRY])
  const files = Object.entries({ good, future, own, noEntry, wbg, padded }).map(([n, bytes]) => {
    t.true(validates(bytes), `${n} is a valid module`)
    const file = join(WORK, `tiny-${n}.wasm`)
    writeFileSync(file, bytes)
    return { n, bytes, file }
  })
  const v8 = v8Facts(files.map((f) => f.file))
  for (const f of files) t.deepEqual(readerFacts(parseWasm(f.bytes)), v8[f.file], f.n)
  t.deepEqual(parseWasm(padded).sections.map((s) => s.name), ['custom:napi-kit.test', 'type', 'import', 'export'])

  t.is(judge(good).verdict, 'ok', JSON.stringify(judge(good).findings))
  t.is(judge(future).verdict, 'warning')
  t.regex(causes(judge(future), 'warning')[0] ?? '', /^imports env\.napi_not_in_any_emnapi, Node-API functions that emnapi 1\.\d+\.\d+ and 2\.\S+ do not provide/)
  t.regex(causes(judge(own))[0] ?? '', /^defines its own shared memory instead of importing env\.memory: .*this is not the wasm32-wasip1-threads build the wasm32-wasi loader expects$/)
  t.regex(causes(judge(noEntry))[0] ?? '', /^exports no Node-API entry point \(napi_register_wasm_v1 or napi_register_module_v1\)/)
  t.regex(causes(judge(wbg))[0] ?? '', /^imports __wbindgen_placeholder__\.__wbindgen_describe, which the napi-rs wasm runtime does not provide .*a wasm-bindgen \(browser\) build/)
  // A loose module's report says cpu was not checked, and why.
  t.deepEqual(judge(good).unchecked, ['cpu'])
})

test('tiny modules: malformed ones throw WasmError with the offset and what was expected, as V8 refuses them', (t) => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /at byte 0 \(0x0\), expected the magic \\0asm \(00 61 73 6d\), but the file has only 0 bytes$/],
    ['a component', Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]), /at byte 4 \(0x4\), expected version 1 \(01 00 00 00\), found a WebAssembly component \(version 0x0d, layer 1\), not a core module$/],
    ['a short version', Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01]), /at byte 4 \(0x4\), expected the version \(4 bytes, 01 00 00 00\), but the file ends there/],
    ['a section id 14', module([14, 0]), /at byte 8 \(0x8\), expected a section id \(0 to 13\), found 14$/],
    ['a 6-byte LEB128 size', module([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), /at byte 9 \(0x9\), expected the size of the type section \(a LEB128 u32\), found more than 5 bytes$/],
    ['a LEB128 wider than 32 bits', module([1, 0x80, 0x80, 0x80, 0x80, 0x10]), /at byte 9 \(0x9\), expected the size of the type section \(a LEB128 u32\), found a number wider than 32 bits$/],
    ['a section past the end', module([2, 10, 1]), /at byte 10 \(0xa\), expected the import section's 10 bytes \(its size says so\), but the file ends at byte 11 \(truncated\?\)$/],
    ['two import sections', module(section(2, vec([])), section(2, vec([]))), /at byte 11 \(0xb\), expected one import section at most, found a second one$/],
    ['an import count too large', module(section(2, [0xff, 0x01])), /at byte 10 \(0xa\), expected the number of imports, found 255, more than the 0 bytes left in the section could hold$/],
    ['an import kind 7', module(section(2, vec([[...name('env'), ...name('x'), 0x07]]))), /expected the kind of import 0 \(env\.x\) \(0x00 function, 0x01 table, 0x02 memory, 0x03 global, 0x04 tag\), found 0x07$/],
    ['memory limits flags 0x10', module(section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x10, 1]]))), /expected the limits flags of import 0 \(env\.memory\) \(0x00 to 0x0f\), found 0x10$/],
    ['a name that is not UTF-8', module(section(2, vec([[1, 0xff, ...name('x'), 0x00, 0x00]]))), /at byte 12 \(0xc\), expected the module name of import 0 in UTF-8, found bytes that are not UTF-8$/],
    ['entries shorter than the section', module([2, 4, 0, 0, 0, 0]), /at byte 11 \(0xb\), expected the end of the import section \(its size says byte 14\), its entries end at byte 11$/],
    ['an import cut inside its section', module(section(2, [1, 3, 0x65, 0x6e]), section(0, [0])), /at byte 12 \(0xc\), expected the module name of import 0 \(3 bytes\), but its section ends at byte 14$/],
  ]
  for (const [what, bytes, message] of cases) {
    const error = t.throws(() => parseWasm(bytes, 'tiny.wasm'), { instanceOf: WasmError }, what)
    t.regex(error?.message ?? '', /^tiny\.wasm is not a valid WebAssembly module: /, what)
    t.regex(error?.message ?? '', message, what)
    t.false(validates(bytes), `V8 refuses ${what} too`)
  }
})

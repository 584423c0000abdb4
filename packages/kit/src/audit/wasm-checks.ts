// Static checks on the WebAssembly module of a napi-rs wasm32-wasi package (the fallback for
// hosts with no native build), read with wasm.ts: what makes the module fail to install or to
// instantiate under the napi-rs wasm runtime (@napi-rs/wasm-runtime with emnapi) is visible in
// the file and its package.json. Each problem comes with its cause and its fix:
//   - the package's npm labels: `cpu: ["wasm32"]`, no `os`;
//   - every import is one the runtime provides (wasm-imports.generated.ts, read from emnapi and
//     Node.js's WASI); anything else fails with LinkError;
//   - the build is the one its loader expects: a wasm32-wasi (wasm32-wasip1-threads) loader
//     passes a shared env.memory, a wasm32-wasip1 loader an unshared one;
//   - it exports a Node-API entry point.
import type { BinaryFacts, Expectation, Finding, Severity } from './checks.js'
import type { WasmImport, WasmInfo } from './wasm.js'
import { WASM_RUNTIME_EMNAPI, WASM_RUNTIME_IMPORTS } from './wasm-imports.generated.js'

/** The two napi-rs WASI builds: `threads` (wasm32-wasip1-threads, packages `-wasm32-wasi`) and `single` (wasm32-wasip1). */
export type WasiFlavor = 'threads' | 'single'

/** What a wasm module must be, from its name and the package it sits in. */
export interface WasmExpectation {
  flavor: WasiFlavor
  /** Why that flavor: the file's or the package's name, or the default. */
  flavorFrom: string
  /** The package.json that labels it (undefined outside a platform package: a development build, a loose file). */
  packageFile?: string
  /** Its `cpu` and `os`, as declared (undefined when absent). */
  cpu?: string[]
  os?: string[]
}

const TRIPLE: Record<WasiFlavor, string> = { threads: 'wasm32-wasip1-threads', single: 'wasm32-wasip1' }
export const wasiTriple = (flavor: WasiFlavor) => TRIPLE[flavor]

/** The flavor a napi-rs name states: `<binary>.wasm32-wasip1.wasm` or `<name>-wasm32-wasip1` → single; `wasm32-wasi` → threads. */
export function flavorFromName(name: string): WasiFlavor | undefined {
  if (/[.-]wasm32-wasip1(?:[.-]|$)/.test(name) && !/wasip1-threads/.test(name)) return 'single'
  if (/[.-]wasm32-wasi(?:p1-threads)?(?:[.-]|$)/.test(name)) return 'threads'
  return undefined
}

const list = (names: string[], max = 6) => names.slice(0, max).join(', ') + (names.length > max ? `, and ${names.length - max} more` : '')
const field = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`

/** `cpu` and `os`: npm installs the package on the hosts they allow, and the wasm module runs on any. */
function checkLabels(wasm: WasmExpectation, add: (s: Severity, cause: string, fix: string) => void): void {
  const file = wasm.packageFile
  if (!file) return
  const generated = `"cpu": ["wasm32"], as napi create-npm-dirs writes it`
  if (!wasm.cpu || wasm.cpu.length === 0) {
    add(
      'warning',
      `${file} declares no "cpu", so npm installs this WebAssembly package on every machine, beside the native package that machine loads (napi-rs omits it on purpose only when WASI is the addon's only target, or napi.wasm.cpu is false)`,
      `add ${generated}; the machines that need the fallback install it with npm install --cpu=wasm32`,
    )
  } else if (!wasm.cpu.includes('wasm32')) {
    add(
      'error',
      `${file} says "cpu": ${field(wasm.cpu)}, but the package holds a WebAssembly module: npm installs it only on ${wasm.cpu.join('/')} machines, which load their native package, and never where the wasm fallback is needed (npm install --cpu=wasm32 skips it too)`,
      `set ${generated}`,
    )
  } else if (wasm.cpu.length > 1) {
    add('warning', `${file} says "cpu": ${field(wasm.cpu)}: npm also installs this WebAssembly package on ${wasm.cpu.filter((c) => c !== 'wasm32').join('/')} machines, beside their native package`, `set ${generated}`)
  }
  if (wasm.os && wasm.os.length > 0) {
    add('warning', `${file} says "os": ${field(wasm.os)}: npm skips this WebAssembly package on every other OS, though the module runs on any`, 'remove "os" (napi create-npm-dirs writes none for wasm32 packages)')
  }
}

/** The import modules the runtime's loader fills, and what each may hold. */
function provided(i: WasmImport): 'yes' | 'napi-unknown' | 'no' {
  const own = WASM_RUNTIME_IMPORTS[i.module]
  if (i.module === 'env' && i.name === 'memory') return i.kind === 'memory' ? 'yes' : 'no'
  if (i.kind !== 'function') return 'no'
  // The generated loader merges napi's and emnapi's functions into env (its overwriteImports).
  const names = i.module === 'env' ? ['env', 'napi', 'emnapi'].map((m) => WASM_RUNTIME_IMPORTS[m]) : own ? [own] : []
  if (names.some((set) => set?.has(i.name))) return 'yes'
  if (['env', 'napi', 'emnapi'].includes(i.module) && /^(?:napi_|node_api_|emnapi_|_emnapi_)/.test(i.name)) return 'napi-unknown'
  return 'no'
}

const describe = (i: WasmImport) => `${i.module}.${i.name}${i.kind === 'function' ? '' : ` (${i.kind})`}`

function checkImports(info: WasmInfo, flavor: WasiFlavor, add: (s: Severity, cause: string, fix: string) => void): void {
  const unknown = info.imports.filter((i) => provided(i) === 'no')
  const newer = info.imports.filter((i) => provided(i) === 'napi-unknown')
  const fromEnv = unknown.filter((i) => i.module === 'env')
  const fromElsewhere = unknown.filter((i) => i.module !== 'env')
  const triple = wasiTriple(flavor)
  if (fromEnv.length > 0) {
    add(
      'error',
      `imports ${list(fromEnv.map(describe))} from env, which the napi-rs wasm runtime does not provide (its env holds only emnapi's napi_*/emnapi_* functions and memory): instantiating it fails with "LinkError: … function import requires a callable". ` +
        `Such an import is a symbol nothing in the module defines, most often from a C dependency whose objects were compiled for another target (cc-rs found no WASI C compiler and used the host's), so the linker left its functions undefined`,
      `build the C code with the WASI SDK's clang: install wasi-sdk, set WASI_SDK_PATH and CC_${triple.replace(/-/g, '_')}=$WASI_SDK_PATH/bin/clang (with --sysroot=$WASI_SDK_PATH/share/wasi-sysroot), then napi build --target ${triple} again; or turn off the crate feature that pulls the C library in (e.g. a C allocator such as mimalloc) for wasm32`,
    )
  }
  if (fromElsewhere.length > 0) {
    const modules = [...new Set(fromElsewhere.map((i) => i.module))]
    const wasmBindgen = modules.some((m) => m.startsWith('__wbindgen') || m === 'wbg')
    add(
      'error',
      `imports ${list(fromElsewhere.map(describe))}, which the napi-rs wasm runtime does not provide (it provides the modules ${Object.keys(WASM_RUNTIME_IMPORTS).join(', ')}): instantiating it fails with LinkError${wasmBindgen ? '; wasm-bindgen imports mean a wasm-bindgen (browser) build, not a napi-rs one' : ''}`,
      `build it with napi build --target ${triple}, which links it against emnapi and WASI preview1 only; a WASI function outside preview1 (wasi_snapshot_preview1) is not one Node.js's WASI has`,
    )
  }
  if (newer.length > 0) {
    add(
      'warning',
      `imports ${list(newer.map(describe))}, Node-API functions that emnapi ${WASM_RUNTIME_EMNAPI.join(' and ')} do not provide: it loads only with an @emnapi/core that has them, else it fails with LinkError`,
      'depend on an @emnapi/core (and @emnapi/runtime) release that provides them, or build without the napi feature that needs them; npm run generate:wasm-imports reads a newer emnapi',
    )
  }
}

/** Memory: the loader creates env.memory (shared for the threads build) and imports it into the module. */
function checkMemory(info: WasmInfo, flavor: WasiFlavor, flavorFrom: string, add: (s: Severity, cause: string, fix: string) => void): string {
  const imported = info.imports.find((i) => i.kind === 'memory')?.memory
  const ownMemory = info.memories[0]
  const threadsFix = `build with napi build --target wasm32-wasip1-threads (napi.targets "wasm32-wasip1-threads"), which imports a shared memory, and ship that module`
  if (!imported) {
    if (ownMemory) {
      add(
        'error',
        `defines its own ${ownMemory.shared ? 'shared ' : ''}memory instead of importing env.memory: the napi-rs loader creates the memory and passes it in${flavor === 'threads' ? ', so that its worker threads share it; this is not the wasm32-wasip1-threads build the wasm32-wasi loader expects' : ''}`,
        flavor === 'threads' ? threadsFix : 'build with napi build --target wasm32-wasip1, which imports the memory',
      )
      return `own${ownMemory.shared ? ' shared' : ''} memory`
    }
    add('error', 'has no memory at all (neither imported nor defined): emnapi cannot run it ("memory is neither exported nor imported")', `build it with napi build --target ${wasiTriple(flavor)}`)
    return 'no memory'
  }
  const pages = `${imported.min}–${imported.max ?? '∞'} pages`
  if (flavor === 'threads' && !imported.shared) {
    add(
      'error',
      `imports an unshared env.memory: a single-threaded wasm32-wasip1 build, but ${flavorFrom} calls for the wasm32-wasip1-threads build, whose loader passes a shared memory: it fails with "LinkError: mismatch in shared state of memory, declared = 0, imported = 1"`,
      `${threadsFix}; or publish the single-threaded module as <name>-wasm32-wasip1 (<binary>.wasm32-wasip1.wasm) with napi-rs's wasip1 loader`,
    )
  } else if (flavor === 'single' && imported.shared) {
    add(
      'error',
      `imports a shared env.memory: a wasm32-wasip1-threads build, but ${flavorFrom} calls for the single-threaded wasm32-wasip1 build, whose loader passes an unshared memory: it fails with "LinkError: mismatch in shared state of memory, declared = 1, imported = 0"`,
      'publish the threads build as <name>-wasm32-wasi (<binary>.wasm32-wasi.wasm), or build with napi build --target wasm32-wasip1',
    )
  }
  if (imported.shared && imported.max === undefined) {
    add('error', 'imports a shared memory with no maximum, which WebAssembly does not allow: it does not compile', `build it with napi build --target ${wasiTriple(flavor)}`)
  }
  return `${imported.shared ? 'shared' : 'unshared'} memory, ${pages}`
}

/** The checks on one wasm module; its facts for the report. */
export function auditWasm(info: WasmInfo, expected: Expectation | undefined, findings: Finding[]): BinaryFacts {
  const add = (severity: Severity, cause: string, fix: string) => findings.push({ severity, cause, fix })
  const wasm = expected?.wasm
  const flavor = wasm?.flavor ?? 'threads'
  if (expected && !wasm) {
    add('error', `a WebAssembly module in a package for ${expected.os}-${expected.cpu}: Node.js loads only .node files there`, `ship the native build of ${expected.os}-${expected.cpu}, and the WebAssembly module in the <name>-wasm32-wasi package`)
  }
  if (wasm) checkLabels(wasm, add)
  checkImports(info, flavor, add)
  const memory = checkMemory(info, flavor, wasm?.flavorFrom ?? 'the default (the wasm32-wasi loader)', add)
  if (!info.exports.some((e) => e.kind === 'function' && (e.name === 'napi_register_wasm_v1' || e.name === 'napi_register_module_v1'))) {
    add('error', 'exports no Node-API entry point (napi_register_wasm_v1 or napi_register_module_v1): emnapi cannot register it as an addon', `build the napi crate as a cdylib with napi build --target ${wasiTriple(flavor)}`)
  }
  return { format: 'wasm', machine: 'wasm32', memory, imports: info.imports.length, size: 0 }
}

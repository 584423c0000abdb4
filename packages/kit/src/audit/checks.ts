// Static checks on native binaries before they ship: the problems that make a published addon
// fail to load on some machine are visible in the file itself. Pure TypeScript, any OS.
//
// For a Linux (ELF) binary: CPU and ELF class, which libc it links, initial-exec TLS, the glibc
// version floor, libraries a stock node image lacks, text relocations, the Node-API entry
// point, and for musl the functions musl's libc does not have. For macOS (Mach-O) and Windows
// (PE): the format and CPU. For the WebAssembly module of a napi-rs wasm32-wasi package, its
// labels, imports, memory and entry point (wasm-checks.ts). Each problem comes with its cause
// and its fix.
import { ElfError, type ElfInfo, isElf, parseElf } from './elf.js'
import { MUSL_LIBC_SYMBOLS } from './musl-symbols.generated.js'
import { WasmError, isWasm, parseWasm } from './wasm.js'
import { auditWasm, type WasmExpectation } from './wasm-checks.js'

/**
 * The oldest glibc a binary is held to unless told otherwise (2.17: CentOS 7, Amazon Linux 2,
 * Debian 8 and newer), the floor napi-rs's own glibc builds target.
 */
export const DEFAULT_GLIBC_FLOOR = '2.17'

export type Severity = 'error' | 'warning' | 'note'

export interface Finding {
  severity: Severity
  /** What was found, and why it matters. */
  cause: string
  /** What to do about it. */
  fix: string
}

/** What the binary must be, from the package it sits in or its file name. */
export interface Expectation {
  /** e.g. `@napi-kit/hashkit-linux-x64-musl`, or the file name when it is not in a package. */
  label: string
  os: string
  cpu: string
  /** `glibc` or `musl` for Linux packages. */
  libc?: string
  triple?: string
  /** The glibc floor this binary is held to, e.g. `2.17`. */
  glibcFloor: string
  /** Why a floor other than the release floor applies (a development build), if it does. */
  floorNote?: string
  /** The release floor, when `floorNote` says why another one applies. */
  releaseFloor?: string
  /** Libraries shipped beside it (by the packages installed with it), which the image need not have. */
  providedLibraries?: string[]
  /** The functions those libraries define. */
  providedSymbols?: Set<string>
  /**
   * Hold a glibc binary on a musl target to what musl's loader accepts rather than to the
   * label (scan asks what loads): musl serves libc.so.6 and its siblings itself and ignores
   * symbol versions, so a glibc build that calls only functions musl has loads there.
   */
  muslLoadsGlibc?: boolean
  /** The newest libstdc++ versions the target's system has, and which system that is. */
  libstdcxx?: { glibcxx: string; cxxabi: string; system: string }
  /** For a WebAssembly module (os `wasi`, cpu `wasm32`): the build and labels it must have. */
  wasm?: WasmExpectation
}

export interface BinaryFacts {
  format: 'elf' | 'mach-o' | 'pe' | 'wasm' | 'unknown'
  machine?: string
  libc?: 'glibc' | 'musl' | 'static'
  needed?: string[]
  glibcMax?: string
  /** A WebAssembly module's memory: imported shared or unshared (with its limits in pages), or its own. */
  memory?: string
  /** A WebAssembly module's number of imports. */
  imports?: number
  size: number
}

export interface BinaryReport {
  file: string
  expected?: Expectation
  facts: BinaryFacts
  findings: Finding[]
  /** What could not be checked because the binary's target is not known (`os`, `cpu`, `libc`). */
  unchecked: Array<'os' | 'cpu' | 'libc'>
  verdict: 'ok' | 'warning' | 'error'
}

/** Each Node.js CPU (`process.arch`, npm's `cpu`): its ELF machine and class. */
const ELF_MACHINE: Record<string, { machine: number; bits: 32 | 64 }> = {
  x64: { machine: 62, bits: 64 },
  arm64: { machine: 183, bits: 64 },
  arm: { machine: 40, bits: 32 },
  ia32: { machine: 3, bits: 32 },
  riscv64: { machine: 243, bits: 64 },
  ppc64: { machine: 21, bits: 64 },
  s390x: { machine: 22, bits: 64 },
  loong64: { machine: 258, bits: 64 },
}
const ELF_MACHINE_NAME: Record<number, string> = Object.fromEntries(Object.entries(ELF_MACHINE).map(([cpu, m]) => [m.machine, cpu]))
/** Dynamic relocations that address TLS relative to the thread pointer: the initial-exec model. */
const TP_RELATIVE: Record<number, Set<number>> = {
  62: new Set([18, 23]), // R_X86_64_TPOFF64, R_X86_64_TPOFF32
  183: new Set([1030]), // R_AARCH64_TLS_TPREL64
  40: new Set([19]), // R_ARM_TLS_TPOFF32
  3: new Set([14, 37]), // R_386_TLS_TPOFF, R_386_TLS_TPOFF32
  243: new Set([11]), // R_RISCV_TLS_TPREL64
  21: new Set([73]), // R_PPC64_TPREL64
  22: new Set([56]), // R_390_TLS_TPOFF
}
/** Libraries every node:<version>-slim (glibc) or node:<version>-alpine (musl) image has. */
const IMAGE_LIBRARIES: Record<'glibc' | 'musl', Set<string>> = {
  glibc: new Set([
    'libc.so.6', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'librt.so.1', 'libgcc_s.so.1', 'libstdc++.so.6',
    // The dynamic loader of each CPU: x64, arm64, arm (hard float), ia32, riscv64, ppc64le, s390x.
    'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1', 'ld-linux-armhf.so.3', 'ld-linux.so.2', 'ld-linux-riscv64-lp64d.so.1', 'ld64.so.2', 'ld64.so.1',
  ]),
  musl: new Set([
    'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1', 'libc.musl-armv7.so.1', 'libc.musl-armhf.so.1', 'libc.musl-x86.so.1',
    'libc.musl-riscv64.so.1', 'libc.musl-ppc64le.so.1', 'libc.musl-s390x.so.1', 'libc.so', 'libgcc_s.so.1', 'libstdc++.so.6',
  ]),
}
/** Libraries musl's loader serves itself (its reserved names: libc, libpthread, librt, libm, libdl, libutil, libxnet). */
const MUSL_SERVES = /^lib(c|pthread|rt|m|dl|util|xnet)\.so(\.|$)/
/** The C++ runtime's symbols, from libstdc++ and libgcc_s. */
const CXX_RUNTIME = /^(_Unwind_|__cxa_|__gxx_|_Z|__once_proxy$|__dynamic_cast$)/

/** Whether musl's loader would load this glibc binary: it needs only what musl serves and Alpine has, calls only musl's functions, and uses no initial-exec TLS. */
function muslAccepts(elf: ElfInfo, expected: Expectation): boolean {
  const runtime = ['libgcc_s.so.1', 'libstdc++.so.6']
  if (!elf.needed.every((n) => MUSL_SERVES.test(n) || runtime.includes(n) || expected.providedLibraries?.includes(n))) return false
  if (elf.staticTls || elf.relocations.some((r) => TP_RELATIVE[elf.machine]?.has(r.type))) return false
  const cxx = elf.needed.some((n) => runtime.includes(n))
  return elf.symbols.every(
    (s) =>
      s.defined || s.bind !== 'global' || (s.type !== 'func' && s.type !== 'notype') || FROM_NODE.test(s.name) || MUSL_LIBC_SYMBOLS.has(s.name) ||
      expected.providedSymbols?.has(s.name) === true || (cxx && CXX_RUNTIME.test(s.name)),
  )
}

/** Functions the Node.js executable itself provides to addons. */
const FROM_NODE = /^(napi_|node_api_|uv_|node_module_register$)/

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

function linkedLibc(elf: ElfInfo): 'glibc' | 'musl' | 'static' {
  if (elf.needed.some((n) => /^libc\.musl-.+\.so\.1$/.test(n) || n === 'libc.so')) return 'musl'
  const glibcVersions = elf.versionsNeeded.some((v) => v.versions.some((x) => x.name.startsWith('GLIBC_')))
  if (glibcVersions || elf.needed.some((n) => n === 'libc.so.6' || n.startsWith('ld-linux'))) return 'glibc'
  return 'static'
}

const RUST_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7', riscv64: 'riscv64gc', ppc64: 'powerpc64le', s390x: 's390x', loong64: 'loongarch64' }

/** The Rust target triple of a Linux binary for `cpu` and `libc`, e.g. `x86_64-unknown-linux-musl`. */
export function linuxTriple(cpu: string, libc: string | undefined): string {
  const arch = RUST_ARCH[cpu] ?? cpu
  const abi = (libc === 'musl' ? 'musl' : 'gnu') + (arch === 'armv7' ? 'eabihf' : '')
  return `${arch}-unknown-linux-${abi}`
}

/** The Rust target triple napi-rs builds for a package's `os`, `cpu` and `libc`. */
export function tripleFor(expected: Pick<Expectation, 'os' | 'cpu' | 'libc' | 'triple'>): string {
  if (expected.triple) return expected.triple
  const arch = RUST_ARCH[expected.cpu] ?? expected.cpu
  if (expected.os === 'darwin') return `${arch}-apple-darwin`
  if (expected.os === 'win32') return `${arch}-pc-windows-msvc`
  return linuxTriple(expected.cpu, expected.libc)
}

function auditElf(elf: ElfInfo, expected: Expectation | undefined, glibcFloor: string, findings: Finding[]): BinaryFacts {
  const libc = linkedLibc(elf)
  const machine = ELF_MACHINE_NAME[elf.machine] ?? elf.machineName
  const glibcVersions = elf.versionsNeeded.flatMap((v) => v.versions.map((x) => x.name)).filter((n) => /^GLIBC_\d/.test(n))
  const glibcMax = glibcVersions.map((n) => n.slice(6)).toSorted(compareVersions).at(-1)
  const facts: BinaryFacts = { format: 'elf', machine, libc, needed: elf.needed, glibcMax, size: 0 }
  const add = (severity: Severity, cause: string, fix: string) => findings.push({ severity, cause, fix })
  // The target to build, for the fixes: the package's own, else the one its CPU and libc name.
  const triple = expected?.triple ?? linuxTriple(expected?.cpu ?? machine, expected?.libc ?? (libc === 'static' ? undefined : libc))

  if (expected && expected.os !== 'linux') {
    add('error', `an ELF (Linux) binary in a package for ${expected.os}`, `build ${tripleFor(expected)} on or for ${expected.os} and put that binary here`)
  }
  if (expected?.cpu && ELF_MACHINE[expected.cpu]?.machine !== elf.machine) {
    add('error', `wrong CPU: built for ${machine}, the package is for ${expected.cpu}`, `build with --target ${triple} and ship that binary`)
  }
  // Node.js runs 32-bit on arm and ia32 only: a 32-bit file for a 64-bit CPU (x32) loads nowhere.
  const bits = ELF_MACHINE[machine]?.bits
  if (bits !== undefined && elf.class !== bits) add('error', `a ${elf.class}-bit ELF file for ${machine}, whose Node.js is ${bits}-bit`, `build for ${triple}`)
  const compatible = expected?.muslLoadsGlibc && expected.libc === 'musl' && libc === 'glibc' ? muslAccepts(elf, expected) : undefined
  if (compatible) {
    add(
      'warning',
      `links glibc, but the package is for musl: musl's loader still loads it (it serves ${elf.needed.filter((n) => MUSL_SERVES.test(n)).join(', ')} itself, ignores symbol versions, and has every function it calls); behaviour that differs between the two libcs may still break it`,
      `for a real musl build: build with --target ${triple} (musl targets need -C target-feature=-crt-static)`,
    )
  } else if (expected?.libc && libc !== expected.libc) {
    add(
      'error',
      libc === 'static'
        ? `links no C library at all (static), the package is for ${expected.libc}`
        : `links ${libc}, but the package is for ${expected.libc}: it will not load there`,
      expected.libc === 'musl'
        ? `build with --target ${triple} (musl targets need -C target-feature=-crt-static) and ship that binary`
        : `build with --target ${triple} and ship that binary`,
    )
  }

  // Initial-exec TLS: refused by musl's dlopen, and a limited resource under glibc.
  const tpRelative = elf.relocations.filter((r) => TP_RELATIVE[elf.machine]?.has(r.type))
  if (elf.staticTls || tpRelative.length > 0) {
    const symbols = [...new Set(tpRelative.map((r) => r.symbol).filter(Boolean))].slice(0, 5).join(', ')
    const what = `initial-exec TLS (${elf.staticTls ? 'DF_STATIC_TLS' : ''}${elf.staticTls && tpRelative.length ? ', ' : ''}${tpRelative.length ? `${tpRelative.length} TP-relative relocations${symbols ? ` for ${symbols}` : ''}` : ''})`
    const fix = 'build C dependencies with -ftls-model=local-dynamic or global-dynamic (mimalloc: feature local_dynamic_tls; jemalloc: disable_initial_exec_tls)'
    if (libc === 'musl') add('error', `${what}: musl refuses it ("initial-exec TLS resolves to dynamic definition")`, fix)
    else add('warning', `${what}: glibc may fail with "cannot allocate memory in static TLS block"`, fix)
  }

  // The glibc floor: the newest GLIBC_ version a symbol needs decides the oldest distribution.
  // Every glibc-linked binary is held to it, whether or not its target is known.
  if (libc === 'glibc') {
    const floor = expected?.glibcFloor ?? glibcFloor
    const above = elf.symbols.filter((s) => !s.defined && s.version?.startsWith('GLIBC_') && compareVersions(s.version.slice(6), floor) > 0)
    if (above.length > 0) {
      const list = above.slice(0, 6).map((s) => `${s.name}@${s.version}`).join(', ') + (above.length > 6 ? `, and ${above.length - 6} more` : '')
      if (above.every((s) => s.bind === 'weak')) {
        add('warning', `needs GLIBC_${glibcMax} (floor ${floor}) only through weak references: ${list}`, 'harmless where the code checks the symbol before calling it; otherwise build against an older glibc (e.g. --target <triple>.2.17 with zig)')
      } else {
        add('error', `needs GLIBC_${glibcMax}, above the floor ${floor}: ${list}`, `build against glibc ${floor} (cargo-zigbuild target suffix, e.g. x86_64-unknown-linux-gnu.${floor}) so older distributions can load it`)
      }
    } else if (expected?.floorNote && expected.releaseFloor && glibcMax && compareVersions(glibcMax, expected.releaseFloor) > 0) {
      add('note', `needs GLIBC_${glibcMax}: ${expected.floorNote}`, `link release builds against glibc ${expected.releaseFloor} (cargo-zigbuild: --target ${triple}.${expected.releaseFloor})`)
    }
  }

  // libstdc++: the versions a C++ addon needs, against the target system's (GCC's) when it is known.
  const cxx = elf.versionsNeeded.flatMap((v) => v.versions.map((x) => x.name)).filter((n) => /^(GLIBCXX|CXXABI)_\d/.test(n))
  const newest = (prefix: string) => cxx.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)).toSorted(compareVersions).at(-1)
  const ceiling = expected?.libstdcxx
  const over = ceiling
    ? ([['GLIBCXX_', ceiling.glibcxx], ['CXXABI_', ceiling.cxxabi]] as const).flatMap(([prefix, max]) => {
        const needed = newest(prefix)
        return needed && compareVersions(needed, max) > 0 ? [`${prefix}${needed} (it has ${prefix}${max})`] : []
      })
    : []
  if (libc === 'glibc' && ceiling && over.length > 0) {
    add('error', `needs a newer libstdc++ than ${ceiling.system} has: ${over.join(', ')}`, 'build against an older libstdc++ (an older GCC, or link it statically with -static-libstdc++), or deploy on a newer base image')
  } else if (cxx.length > 0 || elf.needed.includes('libstdc++.so.6')) {
    const needs = ['GLIBCXX_', 'CXXABI_'].flatMap((p) => (newest(p) ? [`${p}${newest(p)}`] : [])).join(', ')
    const has = libc === 'musl' ? 'node:<version>-alpine has it (a bare alpine image needs apk add libstdc++)' : ceiling ? `${ceiling.system} has it` : 'check it against the oldest libstdc++ you support'
    add('note', `needs libstdc++${needs ? `: ${needs}` : ''}`, has)
  }

  const image = libc === 'musl' ? 'musl' : 'glibc'
  const missing = elf.needed.filter((n) => !IMAGE_LIBRARIES[image].has(n) && !expected?.providedLibraries?.includes(n))
  if (missing.length > 0) {
    add('error', `needs ${missing.join(', ')}, which a stock node:<version>-${image === 'musl' ? 'alpine' : 'slim'} image does not have`, 'link those libraries statically into the addon')
  }
  if (elf.textrel) add('error', 'has text relocations: the loader must write to code pages, which hardened systems refuse', 'build every object with -fPIC')
  // An entry point, or registration from a constructor (NAPI_MODULE in older node_api.h, node-gyp addons).
  const registers = elf.symbols.some((s) => !s.defined && (s.name === 'napi_module_register' || s.name === 'node_module_register'))
  if (!registers && !elf.symbols.some((s) => s.defined && (s.name === 'napi_register_module_v1' || s.name.startsWith('node_register_module_v')))) {
    add('error', 'exports no Node-API entry point (napi_register_module_v1): Node.js cannot load it as an addon', 'build the napi crate as a cdylib with napi build')
  }

  // musl: every function the binary calls must exist in musl's libc (or come from Node.js or
  // a library it declares). glibc-only functions let a mislabelled file load and crash later.
  if (libc === 'musl') {
    const others = elf.needed.filter((n) => n !== 'libc.so' && !n.startsWith('libc.musl-'))
    const unknown = elf.symbols.filter(
      (s) => !s.defined && s.bind === 'global' && (s.type === 'func' || s.type === 'notype') && !FROM_NODE.test(s.name) && !MUSL_LIBC_SYMBOLS.has(s.name) && !expected?.providedSymbols?.has(s.name),
    )
    // A symbol whose version another library defines (GCC_3.5 from libgcc_s) comes from that library.
    const fromOthers = new Set(elf.versionsNeeded.filter((v) => others.includes(v.file)).flatMap((v) => v.versions.map((x) => x.name)))
    const unexplained = others.length === 0 ? unknown : unknown.filter((s) => !CXX_RUNTIME.test(s.name) && !(s.version && fromOthers.has(s.version)))
    if (unexplained.length > 0) {
      const list = unexplained.slice(0, 6).map((s) => s.name).join(', ') + (unexplained.length > 6 ? `, and ${unexplained.length - 6} more` : '')
      add('error', `calls functions musl's libc does not have: ${list} (glibc-only: a glibc build labelled musl?)`, `build with --target ${linuxTriple(expected?.cpu ?? machine, 'musl')}, not a glibc toolchain`)
    }
  }
  return facts
}

/** Mach-O CPU types, in Node.js's naming. */
const machOCpu = (cputype: number) =>
  ({ 0x01000007: 'x64', 0x0100000c: 'arm64' } as Record<number, string>)[cputype] ?? `cputype 0x${cputype.toString(16)}`

function auditMachO(bytes: Uint8Array, expected: Expectation | undefined, findings: Finding[]): BinaryFacts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getUint32(0, false)
  const cpus: string[] = []
  if (magic === 0xcafebabe) {
    const count = Math.min(view.getUint32(4, false), 16)
    for (let i = 0; i < count && 8 + i * 20 + 4 <= bytes.length; i++) cpus.push(machOCpu(view.getUint32(8 + i * 20, false)))
  } else {
    cpus.push(machOCpu(view.getUint32(4, magic === 0xcffaedfe || magic === 0xcefaedfe)))
  }
  const machine = cpus.join('+')
  if (expected && expected.os !== 'darwin') findings.push({ severity: 'error', cause: `a Mach-O (macOS) binary in a package for ${expected.os}`, fix: `build ${tripleFor(expected)} and ship that binary` })
  else if (expected && !cpus.includes(expected.cpu)) findings.push({ severity: 'error', cause: `wrong CPU: built for ${machine}, the package is for ${expected.cpu}`, fix: `build with --target ${tripleFor(expected)}` })
  return { format: 'mach-o', machine, size: 0 }
}

function auditPe(bytes: Uint8Array, expected: Expectation | undefined, findings: Finding[]): BinaryFacts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const peOffset = bytes.length >= 0x40 ? view.getUint32(0x3c, true) : 0
  if (peOffset + 6 > bytes.length || view.getUint32(peOffset, false) !== 0x50450000) {
    findings.push({ severity: 'error', cause: 'starts like a Windows binary (MZ) but has no valid PE header', fix: 'rebuild it; the file is damaged or not a DLL' })
    return { format: 'pe', size: 0 }
  }
  const code = view.getUint16(peOffset + 4, true)
  const machine = ({ 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' } as Record<number, string>)[code] ?? `machine 0x${code.toString(16)}`
  if (expected && expected.os !== 'win32') findings.push({ severity: 'error', cause: `a PE (Windows) binary in a package for ${expected.os}`, fix: `build ${tripleFor(expected)} and ship that binary` })
  else if (expected && machine !== expected.cpu) findings.push({ severity: 'error', cause: `wrong CPU: built for ${machine}, the package is for ${expected.cpu}`, fix: `build with --target ${tripleFor(expected)}` })
  return { format: 'pe', machine, size: 0 }
}

/** `"os", "cpu" and "libc"` */
const fieldList = (fields: string[]) => fields.map((f) => `"${f}"`).join(', ').replace(/, ([^,]+)$/, ' and $1')

/** What cannot be checked for a binary whose expected target is `expected`. */
function uncheckable(expected: Expectation | undefined, facts: BinaryFacts): BinaryReport['unchecked'] {
  if (expected?.wasm) return expected.wasm.packageFile ? [] : ['cpu']
  if (!expected && facts.format === 'wasm') return ['cpu']
  if (!expected) return facts.format === 'elf' ? ['os', 'cpu', 'libc'] : facts.format === 'unknown' ? [] : ['os', 'cpu']
  return expected.os === 'linux' && !expected.libc ? ['libc'] : []
}

/**
 * Audits one file's bytes: against `expected` when its target is known, and always for what
 * needs no target (a glibc binary is held to `glibcFloor`). Never throws: malformed input
 * becomes an error finding.
 */
export function auditBinary(file: string, bytes: Uint8Array, expected?: Expectation, glibcFloor = DEFAULT_GLIBC_FLOOR): BinaryReport {
  const findings: Finding[] = []
  let facts: BinaryFacts = { format: 'unknown', size: bytes.length }
  // A WebAssembly module by its magic, or by the name that makes it one (a .wasm file).
  const wasm = isWasm(bytes) || expected?.wasm !== undefined
  try {
    if (wasm) facts = auditWasm(parseWasm(bytes, file), expected, findings)
    else if (isElf(bytes)) facts = auditElf(parseElf(bytes), expected, glibcFloor, findings)
    else if (bytes.length >= 8 && [0xcffaedfe, 0xcefaedfe, 0xfeedfacf, 0xfeedface, 0xcafebabe].includes(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false))) facts = auditMachO(bytes, expected, findings)
    else if (bytes.length >= 2 && bytes[0] === 0x4d && bytes[1] === 0x5a) facts = auditPe(bytes, expected, findings)
    else findings.push({ severity: 'error', cause: bytes.length === 0 ? 'the file is empty' : 'not a native binary (no ELF, Mach-O or PE header)', fix: 'rebuild it with napi build; a .node file must be a shared library' })
  } catch (error) {
    if (wasm) {
      facts = { format: 'wasm', size: bytes.length }
      const cause = error instanceof WasmError ? error.message : `malformed WebAssembly module: unexpected ${(error as Error).name}: ${(error as Error).message}`
      findings.push({ severity: 'error', cause, fix: `rebuild it with napi build --target ${expected?.wasm?.flavor === 'single' ? 'wasm32-wasip1' : 'wasm32-wasip1-threads'}; a truncated file is most often a download or copy that stopped (compare its size with the one npm pack lists)` })
    } else {
      const reason = error instanceof ElfError ? error.message : `unexpected ${(error as Error).name}: ${(error as Error).message}`
      findings.push({ severity: 'error', cause: `malformed ELF file: ${reason}`, fix: 'rebuild it; the file is truncated or damaged' })
    }
  }
  facts.size = bytes.length
  const unchecked = uncheckable(expected, facts)
  if (unchecked.length > 0 && (expected?.wasm || facts.format === 'wasm')) {
    findings.push({
      severity: 'note',
      cause: 'cpu not checked: the module is not in a platform package (no package.json without a "napi" field labels it)',
      fix: 'audit the <name>-wasm32-wasi package (its folder, e.g. npm/wasm32-wasi, or its npm tarball)',
    })
  } else if (unchecked.length > 0) {
    findings.push({
      severity: 'note',
      cause: `${unchecked.join(', ')} not checked: no package.json with ${fieldList(unchecked)} labels it, and its name is not <binary>.<platform>.node`,
      fix: 'audit it inside its platform package (or its npm tarball), or name it after its target, e.g. my-addon.linux-x64-gnu.node',
    })
  }
  const verdict = findings.some((f) => f.severity === 'error') ? 'error' : findings.some((f) => f.severity === 'warning') ? 'warning' : 'ok'
  return { file, expected, facts, findings, unchecked, verdict }
}

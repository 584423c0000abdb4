// Reads what a wasm audit needs from a WebAssembly module (the .wasm file of a napi-rs
// wasm32-wasi package): the binary format's magic and version, its sections (walked by their
// LEB128 sizes), the imports (module, name, kind; for a memory or table its limits, the shared
// flag included), the exports and the memories it defines. Pure TypeScript, no WebAssembly
// engine: the file is read, never compiled.
//
// The input is untrusted: every read is bounds-checked, every count is checked against the bytes
// left, and malformed input throws WasmError naming the file, the byte offset and what was
// expected there, never anything else.

export class WasmError extends Error {
  /** The byte offset in the file where the reader stopped. */
  readonly offset: number
  /** What was expected at `offset`. */
  readonly expected: string
  constructor(file: string, offset: number, expected: string, found: string) {
    super(`${file} is not a valid WebAssembly module: at byte ${offset} (0x${offset.toString(16)}), expected ${expected}, ${found}`)
    this.name = 'WasmError'
    this.offset = offset
    this.expected = expected
  }
}

export type WasmKind = 'function' | 'table' | 'memory' | 'global' | 'tag'

/** A memory's or table's limits, as the module declares them (in pages for a memory). */
export interface WasmLimits {
  /** The limits' flags byte: 0x01 has a maximum, 0x02 shared, 0x04 64-bit, 0x08 custom page size. */
  flags: number
  min: number
  max?: number
  shared: boolean
  /** memory64 (or table64): min and max are 64-bit. */
  address64: boolean
  /** log2 of the page size, when the module sets one (custom-page-sizes); else 16 (64 KiB). */
  pageSizeLog2?: number
}

export interface WasmImport {
  module: string
  name: string
  kind: WasmKind
  /** A memory import's limits. */
  memory?: WasmLimits
  /** A table import's limits. */
  table?: WasmLimits
  /** Where the import's entry starts in the file. */
  offset: number
}

export interface WasmExport {
  name: string
  kind: WasmKind
  index: number
}

export interface WasmSection {
  id: number
  /** `custom:<name>` for custom sections, else the section's name (`import`, `code`, …). */
  name: string
  /** Offset of the section's contents (after its id and size). */
  offset: number
  size: number
}

export interface WasmInfo {
  /** The binary format version (1). */
  version: number
  sections: WasmSection[]
  imports: WasmImport[]
  exports: WasmExport[]
  /** The memories the module defines itself (its memory section). */
  memories: WasmLimits[]
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d] // \0asm
/** A core module's version; a component (component model) has 0x0d, layer 1. */
const VERSION = 1
const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'] as const
const SECTION = { IMPORT: 2, MEMORY: 5, EXPORT: 7 } as const
const KINDS: readonly WasmKind[] = ['function', 'table', 'memory', 'global', 'tag']
/** Reference types that carry a heap type after them (typed function references, GC). */
const REF_NULL = 0x63
const REF = 0x64
const LIMITS_MAX = 0x01
const LIMITS_SHARED = 0x02
const LIMITS_64 = 0x04
const LIMITS_PAGE_SIZE = 0x08

const decoder = new TextDecoder('utf-8', { fatal: true })
const hexByte = (b: number) => `0x${b.toString(16).padStart(2, '0')}`

/** Bounds-checked reads of the binary format, each naming what it expected when it fails. */
class Reader {
  pos = 0
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {}

  fail(expected: string, found: string, at = this.pos): never {
    throw new WasmError(this.file, at, expected, found)
  }

  /** The failure for running out of bytes at `at` before `end`. */
  ends(expected: string, end: number, at = this.pos): never {
    const found = end < this.bytes.length ? `but its section ends at byte ${end}` : `but the file ends there (it has ${this.bytes.length} bytes: truncated?)`
    this.fail(expected, found, at)
  }

  byte(expected: string, end: number): number {
    if (this.pos >= end) this.ends(expected, end)
    return this.bytes[this.pos++] as number
  }

  /** An unsigned LEB128 number of at most `bits` bits (32, or 64 read as a Number). */
  leb(expected: string, end: number, bits: 32 | 64 = 32): number {
    const start = this.pos
    const maxBytes = Math.ceil(bits / 7)
    let value = 0
    let scale = 1
    for (let i = 0; i < maxBytes; i++) {
      if (this.pos >= end) this.ends(`${expected} (LEB128)`, end, start)
      const b = this.bytes[this.pos++] as number
      if (i === maxBytes - 1) {
        if (b & 0x80) this.fail(`${expected} (a LEB128 u${bits})`, `found more than ${maxBytes} bytes`, start)
        // The last byte may only hold the bits that are left (4 of a u32, 1 of a u64).
        if (b >> (bits - 7 * i) !== 0) this.fail(`${expected} (a LEB128 u${bits})`, `found a number wider than ${bits} bits`, start)
      }
      value += (b & 0x7f) * scale
      scale *= 128
      if ((b & 0x80) === 0) return value
    }
    return this.fail(`${expected} (a LEB128 u${bits})`, `found more than ${maxBytes} bytes`, start) // not reached: the last byte ends it
  }

  /** A signed LEB128 number of at most 33 bits (a heap type). */
  s33(expected: string, end: number): void {
    const start = this.pos
    for (let i = 0; i < 5; i++) if ((this.byte(`${expected} (LEB128)`, end) & 0x80) === 0) return
    this.fail(`${expected} (a LEB128 s33)`, 'found more than 5 bytes', start)
  }

  name(expected: string, end: number): string {
    const length = this.leb(`the length of ${expected}`, end)
    const start = this.pos
    if (length > end - start) this.ends(`${expected} (${length} bytes)`, end, start)
    this.pos += length
    try {
      return decoder.decode(this.bytes.subarray(start, start + length))
    } catch {
      return this.fail(`${expected} in UTF-8`, 'found bytes that are not UTF-8', start)
    }
  }

  /** A vector's length, at most the bytes left (each entry takes at least one). */
  count(expected: string, end: number): number {
    const start = this.pos
    const n = this.leb(`the number of ${expected}`, end)
    if (n > end - this.pos) this.fail(`the number of ${expected}`, `found ${n}, more than the ${end - this.pos} bytes left in the section could hold`, start)
    return n
  }

  limits(what: string, end: number, memory: boolean): WasmLimits {
    const at = this.pos
    const flags = this.byte(`the limits flags of ${what}`, end)
    const known = memory ? LIMITS_MAX | LIMITS_SHARED | LIMITS_64 | LIMITS_PAGE_SIZE : LIMITS_MAX | LIMITS_64
    if ((flags & ~known) !== 0) this.fail(`the limits flags of ${what} (${memory ? '0x00 to 0x0f' : '0x00, 0x01, 0x04 or 0x05'})`, `found ${hexByte(flags)}`, at)
    const address64 = (flags & LIMITS_64) !== 0
    const bits = address64 ? 64 : 32
    const limits: WasmLimits = { flags, min: this.leb(`the minimum of ${what}`, end, bits), shared: (flags & LIMITS_SHARED) !== 0, address64 }
    if (flags & LIMITS_MAX) limits.max = this.leb(`the maximum of ${what}`, end, bits)
    if (flags & LIMITS_PAGE_SIZE) limits.pageSizeLog2 = this.leb(`the page size of ${what}`, end)
    return limits
  }

  /** A value type, skipped (a global's type). */
  valueType(what: string, end: number): void {
    const b = this.byte(`the value type of ${what}`, end)
    if (b === REF || b === REF_NULL) this.s33(`the heap type of ${what}`, end)
  }
}

/** True when `bytes` starts with the WebAssembly magic (\0asm). */
export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b)
}

function readImports(r: Reader, end: number): WasmImport[] {
  const imports: WasmImport[] = []
  const n = r.count('imports', end)
  for (let i = 0; i < n; i++) {
    const offset = r.pos
    const module = r.name(`the module name of import ${i}`, end)
    const name = r.name(`the name of import ${i}`, end)
    const what = `import ${i} (${module}.${name})`
    const kindAt = r.pos
    const code = r.byte(`the kind of ${what}`, end)
    const kind = KINDS[code]
    if (!kind) r.fail(`the kind of ${what} (0x00 function, 0x01 table, 0x02 memory, 0x03 global, 0x04 tag)`, `found ${hexByte(code)}`, kindAt)
    const entry: WasmImport = { module, name, kind, offset }
    if (kind === 'function') r.leb(`the type index of ${what}`, end)
    else if (kind === 'table') {
      r.valueType(what, end)
      entry.table = r.limits(what, end, false)
    } else if (kind === 'memory') entry.memory = r.limits(what, end, true)
    else if (kind === 'global') {
      r.valueType(what, end)
      const mutAt = r.pos
      const mut = r.byte(`the mutability of ${what}`, end)
      if (mut > 1) r.fail(`the mutability of ${what} (0x00 or 0x01)`, `found ${hexByte(mut)}`, mutAt)
    } else {
      const attrAt = r.pos
      const attribute = r.byte(`the attribute of ${what}`, end)
      if (attribute !== 0) r.fail(`the attribute of ${what} (0x00, an exception)`, `found ${hexByte(attribute)}`, attrAt)
      r.leb(`the type index of ${what}`, end)
    }
    imports.push(entry)
  }
  return imports
}

function readExports(r: Reader, end: number): WasmExport[] {
  const exports: WasmExport[] = []
  const n = r.count('exports', end)
  for (let i = 0; i < n; i++) {
    const name = r.name(`the name of export ${i}`, end)
    const kindAt = r.pos
    const code = r.byte(`the kind of export ${i} (${name})`, end)
    const kind = KINDS[code]
    if (!kind) r.fail(`the kind of export ${i} (${name}) (0x00 to 0x04)`, `found ${hexByte(code)}`, kindAt)
    exports.push({ name, kind, index: r.leb(`the index of export ${i} (${name})`, end) })
  }
  return exports
}

function readMemories(r: Reader, end: number): WasmLimits[] {
  const n = r.count('memories', end)
  return Array.from({ length: n }, (_, i) => r.limits(`memory ${i}`, end, true))
}

/**
 * Reads a WebAssembly module's structure; `file` names it in errors. Throws WasmError for
 * anything that is not a well-formed core module (bad magic, a component, a truncated or
 * damaged section), never anything else.
 */
export function parseWasm(bytes: Uint8Array, file = 'the file'): WasmInfo {
  const r = new Reader(bytes, file)
  if (!isWasm(bytes)) {
    const found = bytes.length < 4 ? `but the file has only ${bytes.length} bytes` : `found ${[...bytes.subarray(0, 4)].map(hexByte).join(' ')}`
    r.fail('the magic \\0asm (00 61 73 6d)', found, 0)
  }
  r.pos = 4
  if (bytes.length < 8) r.ends('the version (4 bytes, 01 00 00 00)', bytes.length)
  const version = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true)
  if (version !== VERSION) {
    const found = (version & 0xffff) === 0x0d ? 'found a WebAssembly component (version 0x0d, layer 1), not a core module' : `found version ${version}`
    r.fail('version 1 (01 00 00 00)', found, 4)
  }
  r.pos = 8
  const info: WasmInfo = { version, sections: [], imports: [], exports: [], memories: [] }
  const seen = new Set<number>()
  while (r.pos < bytes.length) {
    const idAt = r.pos
    const id = r.byte('a section id', bytes.length)
    if (id >= SECTION_NAMES.length) r.fail('a section id (0 to 13)', `found ${id}`, idAt)
    const sectionName = SECTION_NAMES[id] as string
    const size = r.leb(`the size of the ${sectionName} section`, bytes.length)
    const offset = r.pos
    const end = offset + size
    if (end > bytes.length) r.fail(`the ${sectionName} section's ${size} bytes (its size says so)`, `but the file ends at byte ${bytes.length} (truncated?)`, offset)
    if (id !== 0) {
      if (seen.has(id)) r.fail(`one ${sectionName} section at most`, 'found a second one', idAt)
      seen.add(id)
    }
    let name = sectionName
    if (id === 0) name = `custom:${r.name('the name of a custom section', end)}`
    else if (id === SECTION.IMPORT) info.imports = readImports(r, end)
    else if (id === SECTION.EXPORT) info.exports = readExports(r, end)
    else if (id === SECTION.MEMORY) info.memories = readMemories(r, end)
    if (id === SECTION.IMPORT || id === SECTION.EXPORT || id === SECTION.MEMORY) {
      if (r.pos !== end) r.fail(`the end of the ${sectionName} section (its size says byte ${end})`, `its entries end at byte ${r.pos}`, r.pos)
    }
    info.sections.push({ id, name, offset, size })
    r.pos = end
  }
  return info
}

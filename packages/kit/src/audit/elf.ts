// Reads what a binary audit needs from an ELF file (a built .node addon, a system library):
// the libraries and symbol versions it needs, its dynamic symbols and relocations, and the
// flags the loader acts on (static TLS, text relocations). Pure TypeScript, no native code.
//
// Everything is found as the dynamic loader finds it: the dynamic section through PT_DYNAMIC,
// its addresses mapped to file offsets through PT_LOAD segments, so a stripped binary without
// section headers reads the same; section headers only help (the size of .dynsym).
// The input is untrusted: every read is bounds-checked, every count capped, every chain
// bounded, and malformed input throws ElfError, never anything else.

export class ElfError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ElfError'
  }
}

export interface ElfSymbol {
  name: string
  bind: 'local' | 'global' | 'weak' | 'other'
  type: 'notype' | 'object' | 'func' | 'tls' | 'other'
  defined: boolean // st_shndx != SHN_UNDEF
  version?: string // from .gnu.version and verneed/verdef, e.g. 'GLIBC_2.17'
}

export interface ElfRelocation {
  type: number
  symbol?: string
}

export interface ElfInfo {
  class: 32 | 64
  littleEndian: boolean
  machine: number // e_machine (62 = x86_64, 183 = aarch64)
  machineName: string // uname -m's: 'x86_64' | 'aarch64' | 'i386' | 'arm' | 'riscv64' | 'ppc64le' | 's390x' | … | `machine ${n}`
  type: number // e_type (3 = ET_DYN)
  interpreter?: string // PT_INTERP
  needed: string[] // DT_NEEDED, in order
  soname?: string
  flags: number // DT_FLAGS (0 if absent)
  flags1: number // DT_FLAGS_1 (0 if absent)
  staticTls: boolean // DF_STATIC_TLS in DT_FLAGS
  textrel: boolean // DT_TEXTREL present, or DF_TEXTREL in DT_FLAGS
  symbols: ElfSymbol[] // the dynamic symbol table (.dynsym), index 0 omitted
  /** Verneed: the versions needed from each library (weak = VER_FLG_WEAK). */
  versionsNeeded: Array<{ file: string; versions: Array<{ name: string; weak: boolean }> }>
  /** DT_RELA, DT_REL, then DT_JMPREL entries (DT_RELR carries no types or symbols, and is not read). */
  relocations: ElfRelocation[]
}

// ELF constants, named as in <elf.h>.
const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] // \x7fELF
const EI_CLASS = 4
const EI_DATA = 5
const EI_NIDENT = 16
const ELFCLASS32 = 1
const ELFCLASS64 = 2
const ELFDATA2LSB = 1
const ELFDATA2MSB = 2
const EM = { I386: 3, PPC64: 21, S390: 22, ARM: 40, X86_64: 62, AARCH64: 183, RISCV: 243, LOONGARCH: 258 } as const
/** uname -m's name of each machine, by class (EM_RISCV, EM_S390 and EM_LOONGARCH cover both). */
const MACHINE_NAMES: Record<number, (bits: 32 | 64, le: boolean) => string> = {
  [EM.I386]: () => 'i386',
  [EM.PPC64]: (_, le) => (le ? 'ppc64le' : 'ppc64'),
  [EM.S390]: (bits) => (bits === 64 ? 's390x' : 's390'),
  [EM.ARM]: () => 'arm',
  [EM.X86_64]: () => 'x86_64',
  [EM.AARCH64]: () => 'aarch64',
  [EM.RISCV]: (bits) => `riscv${bits}`,
  [EM.LOONGARCH]: (bits) => `loongarch${bits}`,
}
const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const SHT_DYNSYM = 11
const SHN_UNDEF = 0
const DT = {
  NULL: 0, NEEDED: 1, PLTRELSZ: 2, HASH: 4, STRTAB: 5, SYMTAB: 6, RELA: 7, RELASZ: 8, RELAENT: 9,
  STRSZ: 10, SYMENT: 11, SONAME: 14, REL: 17, RELSZ: 18, RELENT: 19, PLTREL: 20, TEXTREL: 22,
  JMPREL: 23, FLAGS: 30, GNU_HASH: 0x6ffffef5, VERSYM: 0x6ffffff0, FLAGS_1: 0x6ffffffb,
  VERDEF: 0x6ffffffc, VERDEFNUM: 0x6ffffffd, VERNEED: 0x6ffffffe, VERNEEDNUM: 0x6fffffff,
} as const
const DF_TEXTREL = 0x4
const DF_STATIC_TLS = 0x10
const STB_NAMES = ['local', 'global', 'weak'] as const // STB_LOCAL 0, STB_GLOBAL 1, STB_WEAK 2
const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, TLS: 6 } as const
const VER_NDX_GLOBAL = 1 // versym indexes 0 (local) and 1 (global) name no version
const VERSYM_VERSION = 0x7fff // the low 15 bits; 0x8000 marks a hidden version
const VER_FLG_WEAK = 0x2
const [VERNEED_SIZE, VERNAUX_SIZE, VERDEF_SIZE, VERDAUX_SIZE] = [16, 16, 20, 8]
/** Sizes of the fixed-size structures, by class. */
const SIZES = {
  32: { ehdr: 52, phdr: 32, shdr: 40, dyn: 8, sym: 16, rel: 8, rela: 12, word: 4 },
  64: { ehdr: 64, phdr: 56, shdr: 64, dyn: 16, sym: 24, rel: 16, rela: 24, word: 8 },
} as const
type Sizes = (typeof SIZES)[32] | (typeof SIZES)[64]

// Limits against hostile input.
/** Symbols, relocations, dynamic entries, hash buckets and chain steps. */
const MAX_ENTRIES = 1_000_000
/** Versions named by verneed or verdef: a .gnu.version index has 15 bits. */
const MAX_VERSIONS = VERSYM_VERSION
/** Bytes read for one string, and for all of them (overlapping names must not cost gigabytes). */
const MAX_STRING = 4096
const MAX_STRING_TOTAL = 64 * 1024 * 1024

const decoder = new TextDecoder()
const hex = (n: number) => `0x${n.toString(16)}`

interface Segment { type: number; offset: number; vaddr: number; filesz: number }
/** A virtual address placed in the file: its offset, and where its segment's file bytes end. */
interface Place { addr: number; offset: number; end: number }
/** A string table's file offset and size. */
interface StrTab { offset: number; size: number }

// Bounds-checked reads, in the file's byte order and class.
class Reader {
  readonly bytes: Uint8Array
  readonly view: DataView
  readonly size: number
  readonly le: boolean
  readonly is64: boolean
  loads: Segment[] = []
  private stringBytes = 0

  constructor(bytes: Uint8Array, le: boolean, is64: boolean) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.size = bytes.byteLength
    this.le = le
    this.is64 = is64
  }

  check(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.size) throw new ElfError(`truncated: ${what} (offset ${offset}, ${length} bytes) ends past the end of the file (${this.size} bytes)`)
  }

  table(offset: number, count: number, entsize: number, what: string): void {
    if (offset + count * entsize > this.size) throw new ElfError(`truncated: ${what} (offset ${offset}, ${count} entries of ${entsize} bytes) ends past the end of the file (${this.size} bytes)`)
  }

  u8(o: number): number {
    this.check(o, 1, 'a 1-byte field')
    return this.view.getUint8(o)
  }

  u16(o: number): number {
    this.check(o, 2, 'a 2-byte field')
    return this.view.getUint16(o, this.le)
  }

  u32(o: number): number {
    this.check(o, 4, 'a 4-byte field')
    return this.view.getUint32(o, this.le)
  }

  /** An address-sized field; 64-bit values past 2^53 lose precision, and so fail bounds checks. */
  word(o: number): number {
    if (!this.is64) return this.u32(o)
    const lo = this.u32(this.le ? o : o + 4)
    const hi = this.u32(this.le ? o + 4 : o)
    return hi * 2 ** 32 + lo
  }

  /** The low 32 bits of an address-sized field, exact. */
  low32(o: number): number {
    return this.u32(this.is64 && !this.le ? o + 4 : o)
  }

  /** The file offset of a virtual address, through the PT_LOAD segments. */
  place(addr: number, what: string): Place {
    for (const s of this.loads) {
      if (addr >= s.vaddr && addr - s.vaddr < s.filesz) return { addr, offset: s.offset + (addr - s.vaddr), end: s.offset + s.filesz }
    }
    throw new ElfError(`${what} is at address ${hex(addr)}, which is not inside the file contents of any PT_LOAD segment`)
  }

  /** The file offset of `length` bytes at `rel` past a placed address, checked against its segment and the file. */
  at(p: Place, rel: number, length: number, what: string): number {
    const offset = p.offset + rel
    if (rel < 0 || offset + length > p.end) throw new ElfError(`${what} (address ${hex(p.addr + rel)}, ${length} bytes) runs past the end of its PT_LOAD segment`)
    this.check(offset, length, what)
    return offset
  }

  /** The NUL-terminated string at `index` of a string table, at most MAX_STRING bytes. */
  str(table: StrTab, index: number, what: string): string {
    if (index >= table.size) throw new ElfError(`${what}: string offset ${index} is past the end of its string table (${table.size} bytes)`)
    const start = table.offset + index
    const stop = Math.min(table.offset + table.size, start + MAX_STRING)
    let end = start
    while (end < stop && this.bytes[end] !== 0) end++
    this.stringBytes += end - start
    if (this.stringBytes > MAX_STRING_TOTAL) throw new ElfError(`the names read add up to more than ${MAX_STRING_TOTAL / 2 ** 20} MiB (at ${what}): the string table offsets must overlap`)
    return decoder.decode(this.bytes.subarray(start, end))
  }
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= ELFMAG.length && ELFMAG.every((b, i) => bytes[i] === b)
}

export function parseElf(bytes: Uint8Array): ElfInfo {
  // Identification and ELF header.
  if (!isElf(bytes)) throw new ElfError(`not an ELF file: its ${bytes.length} bytes do not start with \\x7fELF`)
  if (bytes.length < EI_NIDENT) throw new ElfError(`truncated: the ELF identification (${EI_NIDENT} bytes) ends past the end of the file (${bytes.length} bytes)`)
  const cls = bytes[EI_CLASS]
  const data = bytes[EI_DATA]
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError(`unknown ELF class ${cls} (byte ${EI_CLASS} must be 1 for ELF32 or 2 for ELF64)`)
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfError(`unknown ELF data encoding ${data} (byte ${EI_DATA} must be 1 for little endian or 2 for big endian)`)
  const bits = cls === ELFCLASS64 ? 64 : 32
  const S: Sizes = SIZES[bits]
  const r = new Reader(bytes, data === ELFDATA2LSB, bits === 64)
  r.check(0, S.ehdr, `the ELF${bits} header`)
  const is64 = r.is64
  const type = r.u16(16)
  const machine = r.u16(18)
  const phoff = r.word(is64 ? 32 : 28)
  const shoff = r.word(is64 ? 40 : 32)
  const phentsize = r.u16(is64 ? 54 : 42)
  const phnum = r.u16(is64 ? 56 : 44)
  const shentsize = r.u16(is64 ? 58 : 46)
  const shnum = r.u16(is64 ? 60 : 48)

  // Program headers: PT_LOAD maps addresses, PT_DYNAMIC and PT_INTERP are read.
  const segments: Segment[] = []
  if (phnum > 0) {
    if (phentsize < S.phdr) throw new ElfError(`the program header entry size (${phentsize} bytes) is smaller than an ELF${bits} program header (${S.phdr} bytes)`)
    r.table(phoff, phnum, phentsize, 'the program header table')
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize
      segments.push({
        type: r.u32(o),
        offset: r.word(o + (is64 ? 8 : 4)),
        vaddr: r.word(o + (is64 ? 16 : 8)),
        filesz: r.word(o + (is64 ? 32 : 16)),
      })
    }
  }
  r.loads = segments.filter((s) => s.type === PT_LOAD)
  const interp = segments.find((s) => s.type === PT_INTERP)
  let interpreter: string | undefined
  if (interp) {
    r.check(interp.offset, interp.filesz, 'the interpreter path of PT_INTERP')
    if (interp.filesz > 0) interpreter = r.str({ offset: interp.offset, size: interp.filesz }, 0, 'the interpreter path of PT_INTERP')
  }

  // Section headers, only to learn the size of .dynsym.
  let dynsymSection: { size: number; entsize: number } | undefined
  if (shoff !== 0 && shnum > 0) {
    if (shentsize < S.shdr) throw new ElfError(`the section header entry size (${shentsize} bytes) is smaller than an ELF${bits} section header (${S.shdr} bytes)`)
    r.table(shoff, shnum, shentsize, 'the section header table')
    for (let i = 0; i < shnum && !dynsymSection; i++) {
      const o = shoff + i * shentsize
      if (r.u32(o + 4) === SHT_DYNSYM) dynsymSection = { size: r.word(o + (is64 ? 32 : 20)), entsize: r.word(o + (is64 ? 56 : 36)) }
    }
  }

  // The dynamic section: the offset of each tag's value (the last wins, as in glibc), NEEDED in order.
  const tags = new Map<number, number>()
  const neededAt: number[] = []
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC)
  if (dynamic) {
    const count = Math.min(Math.floor(dynamic.filesz / S.dyn), MAX_ENTRIES)
    r.table(dynamic.offset, count, S.dyn, 'the dynamic section of PT_DYNAMIC')
    for (let i = 0; i < count; i++) {
      const o = dynamic.offset + i * S.dyn
      const tag = r.word(o)
      if (tag === DT.NULL) break
      if (tag === DT.NEEDED) neededAt.push(o + S.word)
      else tags.set(tag, o + S.word)
    }
  }
  const value = (tag: number) => {
    const o = tags.get(tag)
    return o === undefined ? undefined : r.word(o)
  }
  const flags = tags.has(DT.FLAGS) ? r.low32(tags.get(DT.FLAGS) ?? 0) : 0
  const flags1 = tags.has(DT.FLAGS_1) ? r.low32(tags.get(DT.FLAGS_1) ?? 0) : 0

  // The dynamic string table.
  let strtab: StrTab | undefined
  const strtabAddr = value(DT.STRTAB)
  if (strtabAddr !== undefined) {
    const p = r.place(strtabAddr, 'the dynamic string table DT_STRTAB')
    const size = value(DT.STRSZ) ?? p.end - p.offset
    strtab = { offset: r.at(p, 0, size, 'the dynamic string table DT_STRTAB'), size }
  }
  const name = (index: number, what: string) => {
    if (!strtab) throw new ElfError(`${what} names a string, but the dynamic section has no string table DT_STRTAB`)
    return r.str(strtab, index, what)
  }
  const needed = neededAt.map((o, i) => name(r.word(o), `DT_NEEDED entry ${i}`))
  const sonameAt = value(DT.SONAME)
  const soname = sonameAt === undefined ? undefined : name(sonameAt, 'DT_SONAME')

  // Versions: verneed (what this file needs) and verdef (what it defines), by .gnu.version index.
  const versionNames = new Map<number, string>()
  const versionsNeeded: ElfInfo['versionsNeeded'] = []
  const verneedAddr = value(DT.VERNEED)
  if (verneedAddr !== undefined) {
    const p = r.place(verneedAddr, 'the version needs DT_VERNEED')
    const num = value(DT.VERNEEDNUM) ?? 0
    if (num > MAX_VERSIONS) throw new ElfError(`DT_VERNEEDNUM is ${num}, more than the ${MAX_VERSIONS} versions a .gnu.version index can name`)
    let entry = 0 // offsets only move forward (vn_next, vna_next are unsigned), so no chain can loop
    let total = 0
    for (let i = 0; i < num; i++) {
      const what = `version needs entry ${i} of DT_VERNEED`
      const o = r.at(p, entry, VERNEED_SIZE, what)
      const file = name(r.u32(o + 4), what)
      const versions: Array<{ name: string; weak: boolean }> = []
      let aux = entry + r.u32(o + 8)
      for (let j = 0, cnt = r.u16(o + 2); j < cnt; j++) {
        if (++total > MAX_VERSIONS) throw new ElfError(`the version needs DT_VERNEED name more than ${MAX_VERSIONS} versions`)
        const auxWhat = `version ${j} of ${what}`
        const a = r.at(p, aux, VERNAUX_SIZE, auxWhat)
        const version = name(r.u32(a + 8), auxWhat)
        versions.push({ name: version, weak: (r.u16(a + 4) & VER_FLG_WEAK) !== 0 })
        versionNames.set(r.u16(a + 6) & VERSYM_VERSION, version)
        const next = r.u32(a + 12)
        if (next === 0) break
        aux += next
      }
      versionsNeeded.push({ file, versions })
      const next = r.u32(o + 12)
      if (next === 0) break
      entry += next
    }
  }
  const verdefAddr = value(DT.VERDEF)
  if (verdefAddr !== undefined) {
    const p = r.place(verdefAddr, 'the version definitions DT_VERDEF')
    const num = value(DT.VERDEFNUM) ?? 0
    if (num > MAX_VERSIONS) throw new ElfError(`DT_VERDEFNUM is ${num}, more than the ${MAX_VERSIONS} versions a .gnu.version index can name`)
    let entry = 0
    for (let i = 0; i < num; i++) {
      const what = `version definition ${i} of DT_VERDEF`
      const o = r.at(p, entry, VERDEF_SIZE, what)
      if (r.u16(o + 6) > 0) {
        const a = r.at(p, entry + r.u32(o + 12), VERDAUX_SIZE, `the name of ${what}`)
        versionNames.set(r.u16(o + 4) & VERSYM_VERSION, name(r.u32(a), `the name of ${what}`))
      }
      const next = r.u32(o + 16)
      if (next === 0) break
      entry += next
    }
  }

  // Dynamic symbols, with their versions from .gnu.version.
  const symbols: ElfSymbol[] = []
  const symtabAddr = value(DT.SYMTAB)
  const count = symtabAddr === undefined ? 0 : countSymbols(r, value, dynsymSection)
  if (symtabAddr !== undefined && count > 0) {
    const syment = value(DT.SYMENT) ?? S.sym
    if (syment < S.sym) throw new ElfError(`DT_SYMENT is ${syment} bytes, smaller than an ELF${bits} symbol (${S.sym} bytes)`)
    const what = `the dynamic symbol table DT_SYMTAB of ${count} entries`
    const base = r.at(r.place(symtabAddr, what), 0, count * syment, what)
    const versymAddr = value(DT.VERSYM)
    const versyms = versymAddr === undefined ? undefined : r.at(r.place(versymAddr, 'the symbol version table DT_VERSYM'), 0, count * 2, `the symbol version table DT_VERSYM of ${count} entries`)
    for (let i = 1; i < count; i++) {
      const o = base + i * syment
      const info = r.u8(o + (is64 ? 4 : 12))
      const stt = info & 0xf
      const symbol: ElfSymbol = {
        name: name(r.u32(o), `dynamic symbol ${i}`),
        bind: STB_NAMES[info >> 4] ?? 'other',
        type: stt === STT.NOTYPE ? 'notype' : stt === STT.OBJECT ? 'object' : stt === STT.FUNC ? 'func' : stt === STT.TLS ? 'tls' : 'other',
        defined: r.u16(o + (is64 ? 6 : 14)) !== SHN_UNDEF,
      }
      const index = versyms === undefined ? 0 : r.u16(versyms + i * 2) & VERSYM_VERSION
      if (index > VER_NDX_GLOBAL) {
        symbol.version = versionNames.get(index)
        if (symbol.version === undefined) throw new ElfError(`the symbol version table DT_VERSYM gives dynamic symbol ${i} (${symbol.name}) version index ${index}, which no DT_VERNEED or DT_VERDEF entry defines`)
      }
      symbols.push(symbol)
    }
  }

  // Dynamic relocations: DT_RELA, DT_REL, then the PLT's (DT_JMPREL, RELA or REL per DT_PLTREL).
  const relocations: ElfRelocation[] = []
  const pltrel = value(DT.PLTREL) ?? (is64 ? DT.RELA : DT.REL)
  if (value(DT.JMPREL) !== undefined && pltrel !== DT.RELA && pltrel !== DT.REL) throw new ElfError(`DT_PLTREL is ${pltrel}, neither DT_RELA (${DT.RELA}) nor DT_REL (${DT.REL})`)
  const jmprel = { addr: value(DT.JMPREL), size: value(DT.PLTRELSZ) ?? 0 }
  const readTable = (label: string, addr: number | undefined, size: number, rela: boolean) => {
    // Old linkers let DT_RELASZ cover the PLT relocations that end it; glibc skips them there too.
    if (pltrel === (rela ? DT.RELA : DT.REL) && label !== 'DT_JMPREL' && addr !== undefined && jmprel.addr !== undefined) {
      if (addr + size === jmprel.addr + jmprel.size && jmprel.addr >= addr) size -= jmprel.size
    }
    if (addr === undefined || size === 0) return
    const entsize = value(rela ? DT.RELAENT : DT.RELENT) ?? (rela ? S.rela : S.rel)
    const min = rela ? S.rela : S.rel
    if (entsize < min) throw new ElfError(`${rela ? 'DT_RELAENT' : 'DT_RELENT'} is ${entsize} bytes, smaller than an ELF${bits} ${rela ? 'Rela' : 'Rel'} entry (${min} bytes)`)
    const n = Math.floor(size / entsize)
    if (relocations.length + n > MAX_ENTRIES) throw new ElfError(`the dynamic relocations number more than ${MAX_ENTRIES} (${label} alone has ${n})`)
    const what = `the ${label} relocation table of ${n} entries`
    const base = r.at(r.place(addr, what), 0, n * entsize, what)
    for (let i = 0; i < n; i++) {
      const info = base + i * entsize + S.word // r_info follows r_offset
      const relType = is64 ? r.low32(info) : r.u32(info) & 0xff
      const sym = is64 ? r.u32(r.le ? info + 4 : info) : r.u32(info) >>> 8
      if (sym >= Math.max(count, 1)) throw new ElfError(`relocation ${i} of ${label} refers to dynamic symbol ${sym}, but the dynamic symbol table has ${count} entries`)
      relocations.push(sym === 0 ? { type: relType } : { type: relType, symbol: symbols[sym - 1]?.name ?? '' })
    }
  }
  readTable('DT_RELA', value(DT.RELA), value(DT.RELASZ) ?? 0, true)
  readTable('DT_REL', value(DT.REL), value(DT.RELSZ) ?? 0, false)
  readTable('DT_JMPREL', jmprel.addr, jmprel.size, pltrel === DT.RELA)

  return {
    class: bits,
    littleEndian: r.le,
    machine,
    machineName: MACHINE_NAMES[machine]?.(bits, r.le) ?? `machine ${machine}`,
    type,
    interpreter,
    needed,
    soname,
    flags,
    flags1,
    staticTls: (flags & DF_STATIC_TLS) !== 0,
    textrel: tags.has(DT.TEXTREL) || (flags & DF_TEXTREL) !== 0,
    symbols,
    versionsNeeded,
    relocations,
  }
}

// How many entries .dynsym has: its section header says; else DT_HASH's nchain; else the
// GNU hash table, whose last bucket's chain is walked to its end (bounded by segment and cap).
function countSymbols(r: Reader, value: (tag: number) => number | undefined, section?: { size: number; entsize: number }): number {
  const cap = (n: number, source: string) => {
    if (n > MAX_ENTRIES) throw new ElfError(`${source} gives the dynamic symbol table ${n} entries, more than the limit of ${MAX_ENTRIES}`)
    return n
  }
  if (section) {
    const entsize = section.entsize || (value(DT.SYMENT) ?? SIZES[r.is64 ? 64 : 32].sym)
    return cap(Math.floor(section.size / entsize), 'the .dynsym section header')
  }
  const hash = value(DT.HASH)
  if (hash !== undefined) {
    const what = 'the symbol hash table DT_HASH'
    return cap(r.u32(r.at(r.place(hash, what), 4, 4, what)), 'DT_HASH nchain')
  }
  const gnuHash = value(DT.GNU_HASH)
  if (gnuHash === undefined) return 0
  const what = 'the GNU symbol hash table DT_GNU_HASH'
  const p = r.place(gnuHash, what)
  const head = r.at(p, 0, 16, what)
  const nbuckets = r.u32(head)
  const symoffset = r.u32(head + 4)
  const bloomWords = r.u32(head + 8)
  if (nbuckets > MAX_ENTRIES) throw new ElfError(`${what} has ${nbuckets} buckets, more than the limit of ${MAX_ENTRIES}`)
  const bucketsAt = 16 + bloomWords * (r.is64 ? 8 : 4)
  const buckets = r.at(p, bucketsAt, nbuckets * 4, `the ${nbuckets} buckets of ${what}`)
  let last = 0
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, r.u32(buckets + i * 4))
  if (last < symoffset) return cap(symoffset, 'DT_GNU_HASH symoffset')
  // Chain entry k describes symbol symoffset + k; the low bit marks the end of a chain.
  const chain = bucketsAt + nbuckets * 4 - symoffset * 4
  for (let i = last; i < last + MAX_ENTRIES; i++) {
    if (r.u32(r.at(p, chain + i * 4, 4, `the chain of ${what}`)) & 1) return cap(i + 1, 'DT_GNU_HASH')
  }
  throw new ElfError(`the last chain of ${what} runs for more than ${MAX_ENTRIES} entries`)
}

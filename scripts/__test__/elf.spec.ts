// The ELF reader must agree with readelf on real binaries (the built addons, system files), see
// what the loader sees in tiny fixtures built with cc, read every class and byte order, and
// survive hostile input: malformed files throw ElfError, nothing else, and never hang.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test, { type ExecutionContext } from 'ava'

import { ElfError, isElf, parseElf, type ElfInfo } from '@napi-kit/cli'
import { ADDON_DIR } from '../lib/paths.js'

import { buildFixture } from './helpers/fixtures.js'

const GNU_ADDON = join(ADDON_DIR, 'hashkit.linux-x64-gnu.node')
const BUILD_HINTS = new Map([[GNU_ADDON, 'npm run build']])
/** A musl addon built by zig at test time (the real musl addon is audited by test:musl). */
const MUSL_ADDON = 'musl addon fixture'
/** A 32-bit x86 shared object (ELF32, REL relocations), also built by zig. */
const X86_32 = '32-bit x86 fixture'
const fixtures = new Map<string, string>()
test.before(async () => {
  fixtures.set(MUSL_ADDON, await buildFixture('elf-musl', 'tls', { zigTarget: 'x86_64-linux-musl', flags: ['-ftls-model=local-dynamic'] }))
  fixtures.set(X86_32, await buildFixture('elf-x86', 'tls', { zigTarget: 'x86-linux-musl', flags: ['-ftls-model=global-dynamic'] }))
})

/** A binary the tests need; a missing one fails the test, saying how to build it. */
function load(t: ExecutionContext, given: string): Uint8Array | undefined {
  const path = fixtures.get(given) ?? given
  if (existsSync(path)) {
    const file = readFileSync(path)
    return new Uint8Array(file.buffer, file.byteOffset, file.byteLength) // so that slice() copies
  }
  const hint = BUILD_HINTS.get(path)
  t.fail(hint ? `${path} is missing: run \`${hint}\` first` : `${path} is missing (the test expects a Debian/Ubuntu x86_64 system)`)
  return undefined
}

const readelf = (...args: string[]) =>
  execFileSync('readelf', args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: 'C' } })

/** ElfSymbol names four types and three bindings; readelf's others (IFUNC, UNIQUE, …) are 'other'. */
const known = (word: string, names: string[]) => (names.includes(word.toLowerCase()) ? word.toLowerCase() : 'other')
const undefinedNames = (symbols: Array<{ name: string; defined: boolean }>) => symbols.filter((s) => !s.defined).map((s) => s.name).toSorted()

/** What readelf reports about a file, in ElfInfo's terms. */
function readelfFacts(path: string) {
  const header = readelf('-hW', path)
  const dynamic = readelf('-dW', path)
  const versions = readelf('-VW', path)
  const dynsyms = readelf('--dyn-syms', '-W', path)
  const machines: Record<string, number> = { 'Advanced Micro Devices X86-64': 62, 'Intel 80386': 3, AArch64: 183, ARM: 40 }
  // Verneed lines: "  File: libc.so.6  Cnt: 11" then "  0x0060:   Name: GLIBC_2.2.5  Flags: none  Version: 2".
  const needsAt = versions.indexOf('Version needs section')
  const needs = needsAt < 0 ? '' : versions.slice(needsAt)
  const versionsNeeded: Array<{ file: string; versions: Array<{ name: string; weak: boolean }> }> = []
  for (const m of needs.matchAll(/File: (\S+)|Name: (\S+)\s+Flags: (\S+)/g)) {
    if (m[1]) versionsNeeded.push({ file: m[1], versions: [] })
    else versionsNeeded.at(-1)?.versions.push({ name: m[2] ?? '', weak: (m[3] ?? '').includes('WEAK') })
  }
  // Symbol rows: "     4: 0000000000000000     0 FUNC    WEAK   DEFAULT  UND __cxa_finalize@GLIBC_2.2.5 (2)".
  const symbols = [...dynsyms.matchAll(/^\s*(\d+): [0-9a-f]+\s+\S+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+) ?(.*)$/gm)]
    .filter((m) => m[1] !== '0')
    .map((m) => {
      const [name = '', version] = (m[5] ?? '').replace(/ \(\d+\)$/, '').split(/@@?/)
      return { name, bind: known(m[3] ?? '', ['local', 'global', 'weak']), type: known(m[2] ?? '', ['notype', 'object', 'func', 'tls']), defined: m[4] !== 'UND', version }
    })
  const relocationSections = [...readelf('-rW', path).matchAll(/^Relocation section '([^']+)' at offset \S+ contains (\d+) entr/gm)]
  return {
    class: /Class:\s+ELF64/.test(header) ? (64 as const) : (32 as const),
    machine: machines[/Machine:\s+(.*)/.exec(header)?.[1]?.trim() ?? ''] ?? -1,
    needed: [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]),
    soname: /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(dynamic)?.[1],
    staticTls: /\(FLAGS\)\s+.*\bSTATIC_TLS\b/.test(dynamic),
    interpreter: /\[Requesting program interpreter: (.*)\]/.exec(readelf('-lW', path))?.[1],
    versionsNeeded,
    dynsymCount: Number(/Symbol table '\.dynsym' contains (\d+) entries/.exec(dynsyms)?.[1] ?? 0),
    symbols,
    // .relr.dyn holds bare addresses, which the reader leaves out.
    relocationCount: relocationSections.filter((m) => !m[1]?.includes('relr')).reduce((n, m) => n + Number(m[2]), 0),
  }
}

const glibcVersions = (needs: ElfInfo['versionsNeeded']) =>
  [...new Set(needs.flatMap((n) => n.versions.map((v) => v.name)).filter((v) => v.startsWith('GLIBC_')))].toSorted()

/** The same bytes with the section headers gone, as after `strip` of everything but the loader's view. */
function withoutSectionHeaders(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice()
  const view = new DataView(copy.buffer)
  const is64 = copy[4] === 2
  if (is64) view.setBigUint64(40, 0n, true)
  else view.setUint32(32, 0, true)
  view.setUint16(is64 ? 60 : 48, 0, true) // e_shnum
  view.setUint16(is64 ? 62 : 50, 0, true) // e_shstrndx
  return copy
}

const binaries = [GNU_ADDON, MUSL_ADDON, '/lib/x86_64-linux-gnu/libc.so.6', '/bin/ls']
for (const path of [...binaries, X86_32]) {
  test(`${path} reads as readelf reads it`, (t) => {
    const bytes = load(t, path)
    if (!bytes) return
    const elf = parseElf(bytes)
    const facts = readelfFacts(fixtures.get(path) ?? path)
    t.true(isElf(bytes))
    t.is(elf.class, facts.class)
    t.is(elf.machine, facts.machine)
    t.deepEqual(elf.needed, facts.needed)
    t.is(elf.soname, facts.soname)
    t.is(elf.interpreter, facts.interpreter)
    t.is(elf.staticTls, facts.staticTls, 'DT_FLAGS STATIC_TLS')
    t.false(elf.textrel)
    t.deepEqual(glibcVersions(elf.versionsNeeded), glibcVersions(facts.versionsNeeded))
    t.deepEqual(elf.versionsNeeded, facts.versionsNeeded)
    t.is(elf.symbols.length, facts.dynsymCount - 1, 'dynamic symbols (readelf counts index 0)')
    t.deepEqual(undefinedNames(elf.symbols), undefinedNames(facts.symbols))
    // Symbol by symbol. readelf leaves out a version named like its symbol (libc's GLIBC_2.10 markers).
    t.deepEqual(
      elf.symbols.map((s) => ({ ...s, version: s.version === s.name ? undefined : s.version })),
      facts.symbols,
    )
    t.is(elf.relocations.length, facts.relocationCount)
    // The loader's view alone (no section headers) gives the same answers: DT_HASH or DT_GNU_HASH size .dynsym.
    t.deepEqual(parseElf(withoutSectionHeaders(bytes)), elf)
  })
}

test('the glibc addon needs glibc, the musl addon only libc.so', (t) => {
  const gnu = load(t, GNU_ADDON)
  const musl = load(t, MUSL_ADDON)
  if (!gnu || !musl) return
  const g = parseElf(gnu)
  const m = parseElf(musl)
  t.is(g.machineName, 'x86_64')
  t.is(g.type, 3)
  t.true(g.needed.includes('libc.so.6'))
  t.true(g.symbols.some((s) => !s.defined && s.version?.startsWith('GLIBC_')))
  t.deepEqual(m.needed, ['libc.so'])
  t.deepEqual(m.versionsNeeded, [])
  t.true(m.symbols.every((s) => s.version === undefined))
  for (const elf of [g, m]) t.true(elf.symbols.some((s) => s.defined && s.name === 'napi_register_module_v1'))
})

// Fixtures built with cc: what the linker records for static TLS and text relocations.
const work = mkdtempSync(join(tmpdir(), 'hashkit-elf-'))
test.after.always(() => rmSync(work, { recursive: true, force: true }))

function compile(name: string, source: string, flags: string[]): ElfInfo {
  const src = join(work, `${name}.c`)
  const out = join(work, `${name}.so`)
  writeFileSync(src, source)
  execFileSync('cc', ['-shared', '-fPIC', ...flags, src, '-o', out], { stdio: 'pipe' })
  return parseElf(readFileSync(out))
}

const R_X86_64_64 = 1
const R_X86_64_DTPMOD64 = 16
const R_X86_64_TPOFF64 = 18
const TLS_SOURCE = '__thread int counter; int bump(void) { return ++counter; }\n'

test('initial-exec TLS sets DF_STATIC_TLS and leaves a TPOFF64 relocation against the variable', (t) => {
  const elf = compile('initial-exec', TLS_SOURCE, ['-ftls-model=initial-exec'])
  t.true(elf.staticTls)
  t.deepEqual(elf.relocations.filter((r) => r.type === R_X86_64_TPOFF64), [{ type: R_X86_64_TPOFF64, symbol: 'counter' }])
  t.like(elf.symbols.find((s) => s.name === 'counter'), { type: 'tls', bind: 'global', defined: true })
})

test('global-dynamic TLS needs no static TLS block and no TPOFF relocation', (t) => {
  const elf = compile('global-dynamic', TLS_SOURCE, ['-ftls-model=global-dynamic'])
  t.false(elf.staticTls)
  t.deepEqual(elf.relocations.filter((r) => r.type === R_X86_64_TPOFF64), [])
  t.true(elf.relocations.some((r) => r.type === R_X86_64_DTPMOD64 && r.symbol === 'counter'))
})

test('an absolute address in .text, linked with -z notext, is a text relocation', (t) => {
  const elf = compile('textrel', 'int x;\n__asm__(".text\\n.globl ptr\\nptr: .quad x\\n");\n', ['-Wl,-z,notext'])
  t.true(elf.textrel)
  t.true(elf.relocations.some((r) => r.type === R_X86_64_64 && r.symbol === 'x'))
  t.false(compile('no-textrel', 'int x;\nint *ptr = &x;\n', []).textrel)
})

// A minimal shared object written byte by byte, in each class and byte order: one PT_LOAD at
// 0x400000, PT_DYNAMIC, DT_HASH, .gnu.version, one verneed, two relocations, no section headers.
const BASE = 0x400000
const [STR, SYM, HASH, VERSYM, VERNEED, REL, DYN] = [0x100, 0x180, 0x200, 0x240, 0x260, 0x300, 0x380]
function synthetic(bits: 32 | 64, le: boolean, machine: number): Uint8Array {
  const is64 = bits === 64
  const base = BASE
  const bytes = new Uint8Array(0x600)
  const v = new DataView(bytes.buffer)
  const u16 = (o: number, x: number) => v.setUint16(o, x, le)
  const u32 = (o: number, x: number) => v.setUint32(o, x, le)
  const word = (o: number, x: number) => (is64 ? v.setBigUint64(o, BigInt(x), le) : v.setUint32(o, x, le))
  const W = bits / 8
  const strings = '\0libfoo.so.1\0libbar.so\0libsyn.so\0foo\0bar\0VER_1\0'
  const str = (s: string) => strings.indexOf(`\0${s}\0`) + 1
  const symSize = is64 ? 24 : 16
  const relSize = is64 ? 24 : 8
  // Identification and ELF header.
  bytes.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1])
  u16(16, 3) // ET_DYN
  u16(18, machine)
  u32(20, 1)
  word(is64 ? 32 : 28, is64 ? 64 : 52) // e_phoff
  u16(is64 ? 52 : 40, is64 ? 64 : 52) // e_ehsize
  u16(is64 ? 54 : 42, is64 ? 56 : 32) // e_phentsize
  u16(is64 ? 56 : 44, 2) // e_phnum
  // PT_LOAD (the whole file) and PT_DYNAMIC.
  const ph = (o: number, type: number, offset: number, size: number) => {
    u32(o, type)
    word(o + (is64 ? 8 : 4), offset)
    word(o + (is64 ? 16 : 8), base + offset)
    word(o + (is64 ? 24 : 12), base + offset)
    word(o + (is64 ? 32 : 16), size)
    word(o + (is64 ? 40 : 20), size)
    u32(o + (is64 ? 4 : 24), 4)
  }
  ph(is64 ? 64 : 52, 1, 0, bytes.length)
  ph(is64 ? 120 : 84, 2, DYN, 16 * 2 * W)
  bytes.set(new TextEncoder().encode(strings), STR)
  // Symbols: foo (undefined function, VER_1), bar (defined weak object).
  const sym = (i: number, name: number, info: number, shndx: number) => {
    const o = SYM + i * symSize
    u32(o, name)
    bytes[o + (is64 ? 4 : 12)] = info
    u16(o + (is64 ? 6 : 14), shndx)
  }
  sym(1, str('foo'), (1 << 4) | 2, 0)
  sym(2, str('bar'), (2 << 4) | 1, 5)
  ;[1, 3, 0, 0, 0, 0].forEach((x, i) => u32(HASH + i * 4, x)) // nbucket 1, nchain 3
  ;[0, 2, 1].forEach((x, i) => u16(VERSYM + i * 2, x))
  // Verneed: libfoo.so.1 needs VER_1 (weak, index 2).
  u16(VERNEED, 1)
  u16(VERNEED + 2, 1)
  u32(VERNEED + 4, str('libfoo.so.1'))
  u32(VERNEED + 8, 16)
  u16(VERNEED + 16 + 4, 2) // VER_FLG_WEAK
  u16(VERNEED + 16 + 6, 2)
  u32(VERNEED + 16 + 8, str('VER_1'))
  // Relocations: type 7 against foo, type 8 against no symbol.
  const rel = (i: number, symbol: number, type: number) => {
    const o = REL + i * relSize + W
    if (is64) v.setBigUint64(o, (BigInt(symbol) << 32n) | BigInt(type), le)
    else u32(o, (symbol << 8) | type)
  }
  rel(0, 1, 7)
  rel(1, 0, 8)
  const entries: Array<[number, number]> = [
    [1, str('libfoo.so.1')], [1, str('libbar.so')], [14, str('libsyn.so')], // NEEDED, NEEDED, SONAME
    [5, base + STR], [10, strings.length], [6, base + SYM], [11, symSize], [4, base + HASH], // STRTAB STRSZ SYMTAB SYMENT HASH
    [0x6ffffff0, base + VERSYM], [0x6ffffffe, base + VERNEED], [0x6fffffff, 1], // VERSYM VERNEED VERNEEDNUM
    is64 ? [7, base + REL] : [17, base + REL], is64 ? [8, 2 * relSize] : [18, 2 * relSize], is64 ? [9, relSize] : [19, relSize],
    [30, 0x10 | 0x4], [0x6ffffffb, 0x8], // FLAGS (STATIC_TLS, TEXTREL), FLAGS_1
  ]
  entries.forEach(([tag, value], i) => {
    word(DYN + i * 2 * W, tag)
    word(DYN + i * 2 * W + W, value)
  })
  return bytes
}

for (const [bits, le, machine, machineName] of [
  [64, true, 183, 'aarch64'],
  [64, false, 183, 'aarch64'],
  [32, true, 40, 'arm'],
  [32, false, 20, 'machine 20'],
] as const) {
  test(`a hand-made ELF${bits} ${le ? 'little' : 'big'}-endian file reads fully`, (t) => {
    const bytes = synthetic(bits, le, machine)
    const path = join(work, `synthetic-${bits}-${le ? 'le' : 'be'}.so`)
    writeFileSync(path, bytes)
    // readelf vouches for the hand-made file.
    const dynamic = readelf('-dW', path)
    t.regex(dynamic, /Shared library: \[libfoo\.so\.1\][\s\S]*Shared library: \[libbar\.so\]/)
    t.regex(readelf('-sDW', path), /FUNC\s+GLOBAL\s+DEFAULT\s+UND foo@VER_1 \(2\)\n.*OBJECT\s+WEAK\s+DEFAULT\s+5 bar\n/)
    t.deepEqual(parseElf(bytes), {
      class: bits,
      littleEndian: le,
      machine,
      machineName,
      type: 3,
      interpreter: undefined,
      needed: ['libfoo.so.1', 'libbar.so'],
      soname: 'libsyn.so',
      flags: 0x14,
      flags1: 0x8,
      staticTls: true,
      textrel: true,
      symbols: [
        { name: 'foo', bind: 'global', type: 'func', defined: false, version: 'VER_1' },
        { name: 'bar', bind: 'weak', type: 'object', defined: true },
      ],
      versionsNeeded: [{ file: 'libfoo.so.1', versions: [{ name: 'VER_1', weak: true }] }],
      relocations: [{ type: 7, symbol: 'foo' }, { type: 8 }],
    })
  })
}

test('names that overlap cannot make the reader allocate gigabytes', (t) => {
  // 200,000 symbols (DT_HASH nchain) all named by the same 4 KiB run without a NUL: 800 MB of names.
  const count = 200_000
  const names = 0x600
  const symtab = names + 4096
  const bytes = new Uint8Array(symtab + count * 24)
  bytes.set(synthetic(64, true, 183))
  bytes.fill(0x61, names, symtab)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(64 + 32, BigInt(bytes.length), true) // PT_LOAD p_filesz
  const entry = (tag: number) => {
    let o = DYN
    while (view.getBigUint64(o, true) !== BigInt(tag)) o += 16
    return o
  }
  view.setBigUint64(entry(5) + 8, BigInt(BASE + names), true) // DT_STRTAB
  view.setBigUint64(entry(10) + 8, 4096n, true) // DT_STRSZ
  view.setBigUint64(entry(6) + 8, BigInt(BASE + symtab), true) // DT_SYMTAB
  view.setBigUint64(entry(0x6ffffff0), 0x7fff_0000n, true) // DT_VERSYM becomes an unknown tag
  view.setUint32(HASH + 4, count, true)
  const error = t.throws(() => parseElf(bytes), { instanceOf: ElfError, message: /^the names read add up to more than 64 MiB \(at dynamic symbol \d+\)/ })
  // The reader stops as soon as the names pass 64 MiB, 16,384 names of 4 KiB in, not after all
  // 200,000 of them: counted in names read, not timed (a loaded machine takes longer either way).
  const at = Number(/at dynamic symbol (\d+)/.exec(error?.message ?? '')?.[1])
  t.true(at > 0 && at <= (64 * 2 ** 20) / 4096 + 1, `stopped at dynamic symbol ${at}`)
})

// Hostile input: ElfError or a result, nothing else, and quickly.
function survives(t: ExecutionContext, bytes: Uint8Array, label: string): 'parsed' | 'refused' {
  const start = performance.now()
  try {
    parseElf(bytes)
    return 'parsed'
  } catch (error) {
    t.true(error instanceof ElfError, `${label}: ${String(error)}`)
    return 'refused'
  } finally {
    t.true(performance.now() - start < 2000, `${label} took ${Math.round(performance.now() - start)} ms`)
  }
}

test('what is not an ELF file is refused with ElfError', (t) => {
  t.false(isElf(new Uint8Array()))
  t.throws(() => parseElf(new Uint8Array()), { instanceOf: ElfError, message: /not an ELF file/ })
  t.throws(() => parseElf(Uint8Array.of(0x7f, 0x45, 0x4c)), { instanceOf: ElfError, message: /not an ELF file/ })
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 151 + 7) & 0xff)
  garbage.set([0x7f, 0x45, 0x4c, 0x46])
  t.true(isElf(garbage))
  t.throws(() => parseElf(garbage), { instanceOf: ElfError, message: /unknown ELF class/ })
  t.throws(() => parseElf(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1)), { instanceOf: ElfError, message: /truncated: the ELF identification/ })
})

test('a truncated addon is refused with the structure and sizes named', (t) => {
  const bytes = load(t, GNU_ADDON)
  if (!bytes) return
  t.throws(() => parseElf(bytes.subarray(0, 16)), { instanceOf: ElfError, message: 'truncated: the ELF64 header (offset 0, 64 bytes) ends past the end of the file (16 bytes)' })
  // e_phnum: the quick and release builds differ in their number of program headers.
  const phnum = new DataView(bytes.buffer, bytes.byteOffset, 64).getUint16(56, true)
  t.throws(() => parseElf(bytes.subarray(0, 64)), {
    instanceOf: ElfError,
    message: `truncated: the program header table (offset 64, ${phnum} entries of 56 bytes) ends past the end of the file (64 bytes)`,
  })
  const half = Math.floor(bytes.length / 2)
  t.throws(() => parseElf(bytes.subarray(0, half)), { instanceOf: ElfError, message: new RegExp(`^truncated: the section header table .* \\(${half} bytes\\)$`) })
  for (const length of [1000, 4096, 0x20000, bytes.length - 1]) t.is(survives(t, bytes.subarray(0, length), `truncated at ${length}`), 'refused')
})

/** A copy of `bytes` with `patch` applied through a little-endian DataView. */
function patched(bytes: Uint8Array, patch: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice()
  patch(new DataView(copy.buffer))
  return copy
}

test('huge header fields and a PT_DYNAMIC past the end are refused, not followed', (t) => {
  const bytes = load(t, GNU_ADDON)
  if (!bytes) return
  t.throws(() => parseElf(patched(bytes, (v) => v.setBigUint64(32, 0xffff_ffff_ffffn, true))), { instanceOf: ElfError, message: /program header table/ })
  t.throws(() => parseElf(patched(bytes, (v) => v.setBigUint64(40, 2n ** 63n, true))), { instanceOf: ElfError, message: /section header table/ })
  survives(t, patched(bytes, (v) => v.setUint16(56, 0xffff, true)), 'e_phnum 65535')
  survives(t, patched(bytes, (v) => v.setUint16(60, 0xffff, true)), 'e_shnum 65535')
  t.throws(() => parseElf(patched(bytes, (v) => v.setUint16(54, 8, true))), { instanceOf: ElfError, message: /program header entry size \(8 bytes\)/ })
  // Program header 6 is PT_DYNAMIC (see `readelf -l`): move it past the end, then make it huge.
  const dynamic = 64 + 6 * 56
  t.is(new DataView(bytes.buffer, bytes.byteOffset).getUint32(dynamic, true), 2)
  const past = patched(bytes, (v) => v.setBigUint64(dynamic + 8, BigInt(bytes.length + 100), true))
  t.throws(() => parseElf(past), { instanceOf: ElfError, message: /^truncated: the dynamic section of PT_DYNAMIC/ })
  const huge = patched(bytes, (v) => v.setBigUint64(dynamic + 32, 2n ** 62n, true))
  t.throws(() => parseElf(huge), { instanceOf: ElfError, message: /^truncated: the dynamic section of PT_DYNAMIC \(offset \d+, 1000000 entries of 16 bytes\)/ })
})

test('verneed chains that loop or run away end in a result or ElfError', (t) => {
  const bytes = load(t, GNU_ADDON)
  if (!bytes) return
  // The file offset of .gnu.version_r and the DT_VERNEEDNUM entry, as readelf reports them.
  const verneed = Number(/Version needs section[^\n]*\n\s*Addr: \S+\s+Offset: (0x[0-9a-f]+)/.exec(readelf('-VW', GNU_ADDON))?.[1])
  t.true(verneed > 0)
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  const firstAux = verneed + view.getUint32(verneed + 8, true)
  const cases: Array<[string, (v: DataView) => void]> = [
    ['vn_next pointing at itself (0)', (v) => v.setUint32(verneed + 12, 0, true)],
    ['vn_next wrapping back to itself (-16)', (v) => v.setUint32(verneed + 12, 0xffff_fff0, true)],
    ['vna_next pointing at itself', (v) => v.setUint32(firstAux + 12, 0, true)],
    ['vna_next wrapping back', (v) => v.setUint32(firstAux + 12, 0xffff_fff0, true)],
    ['vn_cnt 65535', (v) => v.setUint16(verneed + 2, 0xffff, true)],
    ['vn_aux past the end', (v) => v.setUint32(verneed + 8, 0xffff_ffff, true)],
    ['vn_file past the string table', (v) => v.setUint32(verneed + 4, 0x7fff_ffff, true)],
  ]
  for (const [label, patch] of cases) survives(t, patched(bytes, patch), label)
  t.throws(() => parseElf(patched(bytes, cases[1]?.[1] ?? (() => {}))), { instanceOf: ElfError, message: /version needs entry 1/ })
})

/** mulberry32: a small seeded PRNG, so every run mutates the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), a | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

test('2,000 random mutations of the musl addon parse or throw ElfError', (t) => {
  const original = load(t, MUSL_ADDON)
  if (!original) return
  const bytes = original.slice()
  const view = new DataView(bytes.buffer)
  // Mutate where the reader looks: headers and the dynamic tables (first 64 KiB), the dynamic
  // section, and the section header table.
  const dynamic = Array.from({ length: view.getUint16(56, true) }, (_, i) => 64 + i * 56).find((o) => view.getUint32(o, true) === 2) ?? 0
  const regions: Array<[number, number]> = (
    [
      [0, Math.min(0x10000, bytes.length)],
      [Number(view.getBigUint64(dynamic + 8, true)), Number(view.getBigUint64(dynamic + 32, true))],
      [Number(view.getBigUint64(40, true)), view.getUint16(60, true) * 64],
    ] as Array<[number, number]>
  ).filter(([from, length]) => length > 4 && from + length <= bytes.length)
  const random = prng(20_240_611)
  const pick = (n: number) => Math.floor(random() * n)
  const outcomes = { parsed: 0, refused: 0 }
  const unexpected: string[] = []
  const start = performance.now()
  for (let i = 0; i < 2000; i++) {
    const saved: Array<[number, number]> = []
    for (let k = 1 + pick(4); k > 0; k--) {
      const [from, length] = regions[pick(regions.length)] ?? [0, 0]
      const at = from + pick(length - 4)
      const wide = pick(3) === 0 // sometimes a whole 32-bit field, to hit counts and offsets
      for (let j = 0; j < (wide ? 4 : 1); j++) saved.push([at + j, bytes[at + j] ?? 0])
      const value = [0, 0xff, 0x7f, 0x80, pick(256)][pick(5)] ?? 0
      bytes.fill(value, at, at + (wide ? 4 : 1))
      if (wide && pick(2) === 0) view.setUint32(at, Math.floor(random() * 2 ** 32), true)
    }
    try {
      parseElf(bytes)
      outcomes.parsed++
    } catch (error) {
      if (error instanceof ElfError) outcomes.refused++
      else unexpected.push(`mutation ${i}: ${String(error)}`)
    }
    for (const [at, value] of saved.toReversed()) bytes[at] = value
  }
  const ms = performance.now() - start
  t.log(`${outcomes.parsed} parsed, ${outcomes.refused} refused with ElfError, in ${Math.round(ms)} ms`)
  t.deepEqual(unexpected, [])
  t.true(ms < 15_000, `the fuzz loop took ${Math.round(ms)} ms`)
  t.true(Buffer.from(bytes.buffer).equals(original), 'every mutation was undone')
})

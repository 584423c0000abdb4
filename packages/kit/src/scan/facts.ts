// What scan learns from a tarball, kept in the kit's cache beside it (by the tarball's
// integrity): its package.json, its file names, the functions its shared libraries define,
// and each binary's audit findings per expectation. A warm scan reads these small files and
// unpacks no tarball; any change to the audit's code (checks, ELF reader, musl symbols)
// starts them afresh.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { auditBinary, type Expectation, type Finding } from '../audit/checks.js'
import { ElfError, parseElf } from '../audit/elf.js'
import { cacheDir } from '../lib/cache.js'
import { type Contents, type InstallStep, installStep } from './contents.js'
import { prebuildFiles } from './prebuilds.js'

/** A module of the kit beside this one: compiled (.js), or its source when run from src/ (.ts). */
function ownModule(path: string): Buffer {
  const compiled = new URL(path, import.meta.url)
  return readFileSync(existsSync(compiled) ? compiled : new URL(path.replace(/\.js$/, '.ts'), import.meta.url))
}

let auditCodeHash: string | undefined
/** The audit's own code: cached findings from other code are not reused. */
function auditCode(): string {
  auditCodeHash ??= createHash('sha256')
    .update(Buffer.concat(['../audit/checks.js', '../audit/elf.js', '../audit/musl-symbols.generated.js'].map(ownModule)))
    .digest('hex')
    .slice(0, 16)
  return auditCodeHash
}

interface Stored {
  code: string
  manifest: Contents['manifest']
  names: string[]
  audits: Record<string, Finding[]>
  exports: Record<string, string[]>
}

/** A tarball's contents, from its cached facts, reading the tarball (through `load`) only for what they lack. */
class TarballFacts implements Contents {
  readonly manifest: Contents['manifest']
  readonly names: string[]
  readonly nodeFiles: string[]
  readonly prebuilds: string[]
  readonly install?: InstallStep
  private unpacked?: Map<string, Uint8Array>
  private changed = false

  constructor(
    private readonly stored: Stored,
    private readonly load: () => Map<string, Uint8Array>,
    private readonly file?: string,
    fresh = false,
  ) {
    this.changed = fresh
    this.manifest = stored.manifest
    this.names = stored.names
    this.prebuilds = prebuildFiles(this.names)
    this.nodeFiles = this.names.filter((f) => f.endsWith('.node') && !this.prebuilds.includes(f)).toSorted()
    this.install = installStep(this.manifest, this.has('binding.gyp'))
  }

  has(file: string): boolean {
    return this.names.includes(file)
  }

  files(): Map<string, Uint8Array> {
    this.unpacked ??= this.load()
    return this.unpacked
  }

  private bytes(file: string): Uint8Array {
    return this.files().get(file) ?? new Uint8Array()
  }

  audit(file: string, expected: Expectation): Finding[] {
    const { label: _, providedSymbols: __, ...rest } = expected
    const key = `${file}\n${JSON.stringify(rest)}`
    let findings = this.stored.audits[key]
    if (!findings) {
      findings = auditBinary(file, this.bytes(file), expected).findings
      this.stored.audits[key] = findings
      this.changed = true
    }
    return findings
  }

  exports(file: string): string[] {
    let names = this.stored.exports[file]
    if (!names) {
      try {
        names = parseElf(this.bytes(file)).symbols.flatMap((s) => (s.defined && s.bind !== 'local' ? [s.name] : []))
      } catch (error) {
        if (!(error instanceof ElfError)) throw error
        names = [] // a damaged library provides nothing
      }
      this.stored.exports[file] = names
      this.changed = true
    }
    return names
  }

  /** Writes what this scan learnt back to the cache. */
  save(): void {
    if (!this.file || !this.changed) return
    mkdirSync(join(this.file, '..'), { recursive: true })
    writeFileSync(`${this.file}.${process.pid}`, JSON.stringify(this.stored))
    renameSync(`${this.file}.${process.pid}`, this.file)
    this.changed = false
  }
}

export type { TarballFacts }

/** The facts file of a tarball with integrity `key` (an SRI hash's algorithm and hex digest). */
const factsFile = (key: string) => join(cacheDir(), 'scan', 'facts', `${key}.json`)

/** The cached facts of a tarball, when there are facts from this audit code. */
export function cachedFacts(key: string, load: () => Map<string, Uint8Array>): TarballFacts | undefined {
  const file = factsFile(key)
  if (!existsSync(file)) return undefined
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Stored
    if (stored.code !== auditCode()) return undefined
    return new TarballFacts(stored, load, file)
  } catch {
    return undefined // a damaged facts file is learnt again
  }
}

/** Facts from a package's files (kept under `key` when given). */
export function factsFrom(files: Map<string, Uint8Array>, key?: string): TarballFacts {
  let manifest: Contents['manifest'] = {}
  const manifestBytes = files.get('package.json')
  try {
    if (manifestBytes) manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as Contents['manifest']
  } catch {
    manifest = {} // npm itself refuses the package; its files are still checked
  }
  const stored: Stored = { code: auditCode(), manifest, names: [...files.keys()], audits: {}, exports: {} }
  const facts = new TarballFacts(stored, () => files, key ? factsFile(key) : undefined, true)
  facts.save()
  return facts
}

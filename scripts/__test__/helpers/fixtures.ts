// Tiny shared objects built at test time, each with one property the audit must see.
// glibc ones with this machine's cc, musl and aarch64 ones with zig (installed on first use).
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { $ } from 'zx'

import { zigCommand } from '../../lib/cross.js'

// A private folder per test process, removed when it exits. Tests in one file run concurrently
// and ask for the same fixture: each one is built once (BUILDS), into a file of its own that is
// renamed into place, so no test reads a binary another compiler is still writing.
let dir: string | undefined
const fixtureDir = () => {
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'hashkit-audit-fixtures-'))
    process.once('exit', () => rmSync(made, { recursive: true, force: true }))
    dir = made
  }
  return dir
}
const BUILDS = new Map<string, Promise<string>>()
// The entry point calls into libc (getenv), so the C library is linked as in a real addon.
const ENTRY = '#include <stdlib.h>\nvoid *napi_register_module_v1(void *env, void *exports) { return getenv("HASHKIT") ? env : exports; }\n'

export const SOURCES = {
  /** A minimal Node-API module. */
  plain: ENTRY,
  /** The same with a thread-local counter, for the TLS models. */
  tls: `${ENTRY}__thread int counter;\nint bump(void) { return ++counter; }\n`,
  /** No Node-API entry point. */
  noEntry: '#include <stdlib.h>\nint answer(void) { return getenv("HASHKIT") != 0; }\n',
  /** A glibc-only function, as a glibc build mislabelled musl calls. */
  glibcOnly: `${ENTRY}extern const char *gnu_get_libc_version(void);\nconst char *which(void) { return gnu_get_libc_version(); }\n`,
  /** getrandom arrived in glibc 2.25: above a 2.17 floor. */
  newGlibc: `${ENTRY}#include <sys/random.h>\nlong fill(void *b, unsigned long n) { return getrandom(b, n, 0); }\n`,
  /** The same function as a weak reference, checked before use. */
  weakNewGlibc: `${ENTRY}#include <stddef.h>\nextern long getrandom(void *, size_t, unsigned) __attribute__((weak));\nlong fill(void *b, size_t n) { return getrandom ? getrandom(b, n, 0) : -1; }\n`,
  /** An absolute address in .text: with -z notext, a text relocation. */
  textrel: `${ENTRY}int x;\n__asm__(".text\\n.globl ptr\\nptr: .quad x\\n");\n`,
} as const

export type Source = keyof typeof SOURCES

interface How {
  zigTarget?: string
  flags?: string[]
}

/** Compiles `source` to a shared object (once per name, source and flags) and returns its path. */
export function buildFixture(name: string, source: Source, how: How = {}): Promise<string> {
  const key = JSON.stringify([name, source, how.zigTarget ?? '', how.flags ?? []])
  let build = BUILDS.get(key)
  if (build === undefined) {
    build = compile(`${name}-${BUILDS.size}`, source, how)
    BUILDS.set(key, build)
  }
  return build
}

async function compile(name: string, source: Source, how: How): Promise<string> {
  const c = join(fixtureDir(), `${name}.c`)
  const out = join(fixtureDir(), `${name}.node`)
  const partial = `${out}.partial`
  writeFileSync(c, SOURCES[source])
  const flags = ['-shared', '-fPIC', '-O2', ...(how.flags ?? [])]
  if (how.zigTarget) {
    const zig = await zigCommand()
    await $({ quiet: true, env: zig.env })`${zig.argv} cc -target ${how.zigTarget} ${flags} ${c} -o ${partial}`
  } else {
    await $({ quiet: true })`cc ${flags} ${c} -o ${partial}`
  }
  renameSync(partial, out)
  return out
}

// The napi-kit command as users call it: the compiled bin (built by `npm run build`), on tiny
// shared objects compiled here with the system's cc. Exact messages and exit codes.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

import test from 'ava'

const BIN = fileURLToPath(new URL('../bin/napi-kit.js', import.meta.url))
const WORK = mkdtempSync(join(tmpdir(), 'napi-kit-cli-'))

/** Runs the bin in `cwd`; its exit code and both outputs. */
function kit(args: string[], cwd = WORK): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

// A Node-API entry point that calls into libc, as a real addon does; `getrandom` arrived in glibc 2.25.
const ENTRY = '#include <stdlib.h>\nvoid *napi_register_module_v1(void *env, void *exports) { return getenv("NAPI_KIT") ? env : exports; }\n'
const NEW_GLIBC = `${ENTRY}#include <sys/random.h>\nlong fill(void *b, unsigned long n) { return getrandom(b, n, 0); }\n`

function compile(name: string, source: string): string {
  const c = join(WORK, `${name}.c`)
  const out = join(WORK, `${name}.so`)
  writeFileSync(c, source)
  execFileSync('cc', ['-shared', '-fPIC', '-O2', c, '-o', out])
  return out
}

let plain = ''
let newGlibc = ''
test.before(() => {
  plain = compile('plain', ENTRY)
  newGlibc = compile('new-glibc', NEW_GLIBC)
})

/** A folder holding `binary` as `file`, with `packageJson` (text) beside it when given. */
function folder(name: string, binary: string, file: string, packageJson?: string): string {
  const dir = join(WORK, name)
  mkdirSync(dir, { recursive: true })
  copyFileSync(binary, join(dir, file))
  if (packageJson !== undefined) writeFileSync(join(dir, 'package.json'), packageJson)
  return dir
}

test('--version prints the version; no command is a usage error', (t) => {
  const version = kit(['--version'])
  t.is(version.code, 0)
  t.regex(version.stdout, /^\d+\.\d+\.\d+\n$/)
  const none = kit([])
  t.is(none.code, 2)
  t.regex(none.stderr, /^napi-kit \S+: checks and runs native Node\.js addons/)
  const unknown = kit(['audti'])
  t.is(unknown.code, 2)
  t.is(unknown.stderr, '✗ napi-kit: unknown command audti (commands: audit, run, release, scan)\nusage: napi-kit <command> [options]\ne.g.:  napi-kit audit --help\n')
})

test('every command has --help, with its exit codes', (t) => {
  for (const command of ['audit', 'run', 'scan']) {
    const r = kit([command, '--help'])
    t.is(r.code, 0, command)
    t.regex(r.stdout, new RegExp(`^napi-kit ${command} `), command)
    t.regex(r.stdout, /Exit codes: /, command)
  }
})

test('a glibc binary outside any package is held to the glibc floor', (t) => {
  const dir = folder('loose', newGlibc, 'your-addon.linux-x64-gnu.node')
  const r = kit(['audit', '--glibc-floor', '2.17', join(dir, 'your-addon.linux-x64-gnu.node')])
  t.is(r.code, 1)
  t.regex(r.stderr, /✗ loose\/your-addon\.linux-x64-gnu\.node: needs GLIBC_2\.\d+, above the floor 2\.17: .*getrandom@GLIBC_2\.25/)
  t.regex(r.stdout, /^0 ok, 1 failed$/m)
})

test('a binary whose target cannot be known is audited for the rest, and the table says what was not checked', (t) => {
  const dir = folder('unknown', newGlibc, 'addon.node')
  const r = kit(['audit', join(dir, 'addon.node')])
  t.is(r.code, 1)
  t.regex(r.stdout, /unknown\/addon\.node\s+unknown \(os, cpu, libc not checked\)\s+elf x64 glibc/)
  t.regex(r.stdout, /- unknown\/addon\.node: os, cpu, libc not checked: no package\.json with "os", "cpu" and "libc" labels it, and its name is not <binary>\.<platform>\.node\n {4}fix: audit it inside its platform package/)
  t.regex(r.stderr, /needs GLIBC_2\.\d+, above the floor 2\.17/)
  const ok = folder('unknown-ok', plain, 'addon.node')
  const passed = kit(['audit', join(ok, 'addon.node')])
  t.is(passed.code, 0, passed.stderr)
  t.regex(passed.stdout, /^1 ok, 0 failed$/m)
})

test('the fix for a glibc binary in a musl package names the triple to build', (t) => {
  const dir = folder('mislabelled', plain, 'x.node', JSON.stringify({ name: 'other-addon-linux-x64-musl', os: ['linux'], cpu: ['x64'], libc: ['musl'] }))
  const r = kit(['audit', dir])
  t.is(r.code, 1)
  t.true(
    r.stderr.includes(
      '✗ mislabelled/x.node: links glibc, but the package is for musl: it will not load there\n    fix: build with --target x86_64-unknown-linux-musl (musl targets need -C target-feature=-crt-static) and ship that binary\n',
    ),
    r.stderr,
  )
})

test('--json prints exactly one JSON document, for findings, passes and errors', (t) => {
  const bad = folder('json-bad', newGlibc, 'a.linux-x64-gnu.node')
  const findings = kit(['audit', '--json', bad])
  t.is(findings.code, 1)
  const doc = JSON.parse(findings.stdout) as { ok: boolean; exitCode: number; failed: number; reports: Array<{ verdict: string }> }
  t.like(doc, { ok: false, exitCode: 1, failed: 1 })
  t.is(doc.reports[0]?.verdict, 'error')
  t.is(findings.stderr, '')
  const good = folder('json-good', plain, 'a.linux-x64-gnu.node')
  t.like(JSON.parse(kit(['audit', good, '--json']).stdout), { ok: true, exitCode: 0, failed: 0 })
  const missing = kit(['audit', '--json', 'no-such.node'])
  t.is(missing.code, 2)
  t.deepEqual(JSON.parse(missing.stdout), {
    ok: false,
    exitCode: 2,
    error: {
      kind: 'usage',
      message: 'no-such.node does not exist: pass .node files, folders or npm tarballs (.tgz)',
      usage: 'napi-kit audit [paths…] [--json] [--glibc-floor 2.17] [--local-glibc]',
      example: 'napi-kit audit npm/ my-addon-linux-x64-musl-1.0.0.tgz',
    },
  })
  const option = kit(['audit', '--json', '--frob'])
  t.is(option.code, 2)
  t.like(JSON.parse(option.stdout), { exitCode: 2, error: { kind: 'usage', message: 'unknown option --frob' } })
  const noDefault = kit(['audit', '--json'])
  t.is(noDefault.code, 2)
  t.like(JSON.parse(noDefault.stdout), { exitCode: 2, error: { kind: 'usage' } })
})

test('an unknown option is a usage error with the usage line and a working example', (t) => {
  const r = kit(['audit', '--frob'])
  t.is(r.code, 2)
  t.is(
    r.stderr,
    '✗ napi-kit audit: unknown option --frob\nusage: napi-kit audit [paths…] [--json] [--glibc-floor 2.17] [--local-glibc]\ne.g.:  napi-kit audit npm/ my-addon-linux-x64-musl-1.0.0.tgz\n',
  )
  t.is(r.stdout, '')
  const floor = kit(['audit', '--glibc-floor', 'new'])
  t.is(floor.code, 2)
  t.regex(floor.stderr, /^✗ napi-kit audit: --glibc-floor new is not a glibc version: pass e\.g\. --glibc-floor 2\.17\nusage: /)
  const value = kit(['audit', '--glibc-floor'])
  t.is(value.code, 2)
  t.regex(value.stderr, /^✗ napi-kit audit: --glibc-floor needs a value\n/)
})

test('without paths and without a napi package, the usage error says what to pass', (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'napi-kit-empty-'))
  const r = kit(['audit'], empty)
  t.is(r.code, 2)
  t.is(
    r.stderr.split('\n')[0],
    `✗ napi-kit audit: no package.json with a "napi" field in ${empty}, so there is nothing to audit by default: run it in your addon's folder, or pass what to audit (.node files, folders, npm tarballs)`,
  )
})

test('the default paths: the napi package in the current folder, its .node files and npm/', (t) => {
  const project = join(WORK, 'project')
  folder('project', plain, 'my-addon.linux-x64-gnu.node', JSON.stringify({ name: 'my-addon', napi: { binaryName: 'my-addon' } }))
  folder('project/npm/linux-x64-gnu', plain, 'my-addon.linux-x64-gnu.node', JSON.stringify({ name: 'my-addon-linux-x64-gnu', os: ['linux'], cpu: ['x64'], libc: ['glibc'] }))
  const r = kit(['audit'], project)
  t.is(r.code, 0, r.stderr)
  t.regex(r.stdout, /my-addon\.linux-x64-gnu\.node\s+linux-x64-glibc/)
  t.regex(r.stdout, /npm\/linux-x64-gnu\/my-addon\.linux-x64-gnu\.node\s+linux-x64-glibc/)
  t.regex(r.stdout, /^2 ok, 0 failed$/m)
})

test('a package folder with a broken package.json names the file and the fix', (t) => {
  const text = '{"name": "broken-linux-x64-gnu", "os": ["linux"]'
  let reason = ''
  try {
    JSON.parse(text)
  } catch (error) {
    reason = (error as Error).message
  }
  const dir = folder('broken', plain, 'x.node', text)
  const r = kit(['audit', dir])
  t.is(r.code, 1)
  t.true(
    r.stderr.includes(
      `✗ broken/x.node: ${join(dir, 'package.json')} is not valid package.json (${reason}): the package's os, cpu and libc cannot be read, and npm cannot install it\n` +
        `    fix: repair ${join(dir, 'package.json')} (npm pkg get name --prefix ${dir} names the error), or regenerate the platform packages with napi create-npm-dirs\n`,
    ),
    r.stderr,
  )
})

test('a .tgz that is not an npm tarball gets a clear error, not its bytes', (t) => {
  writeFileSync(join(WORK, 'plain-text.tgz'), 'this is not gzip\n')
  writeFileSync(join(WORK, 'not-tar.tgz'), gzipSync(Buffer.from('gzip, but no tar inside')))
  const r = kit(['audit', 'plain-text.tgz', 'not-tar.tgz'])
  t.is(r.code, 1)
  const fix = '    fix: pass the .tgz file npm pack wrote (or npm pack <name>@<version> downloads), or unpack it and pass its folder\n'
  t.true(r.stderr.includes(`✗ plain-text.tgz: not a readable npm tarball: it is not gzip-compressed (an npm tarball starts with the gzip bytes 1f 8b)\n${fix}`), r.stderr)
  t.true(r.stderr.includes(`✗ not-tar.tgz: not a readable npm tarball: the data inside is not a tar archive (23 bytes)\n${fix}`), r.stderr)
  t.regex(r.stdout, /^0 ok, 2 failed$/m)
})

test('a real npm tarball is read in memory and held to its package.json', (t) => {
  const pkg = folder('packed', plain, 'x.node', JSON.stringify({ name: 'packed-linux-x64-musl', version: '1.0.0', os: ['linux'], cpu: ['x64'], libc: ['musl'], files: ['x.node'] }))
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', WORK], { cwd: pkg, encoding: 'utf8' }).trim()
  const r = kit(['audit', tarball])
  t.is(r.code, 1)
  t.regex(r.stderr, new RegExp(`✗ ${tarball.replace(/\./g, '\\.')}:package/x\\.node: links glibc, but the package is for musl`))
})

test('run: usage errors name the problem and the targets', (t) => {
  const none = kit(['run', '--', 'node', '-v'])
  t.is(none.code, 2)
  t.regex(none.stderr, /^✗ napi-kit run: --target is required: one of linux-x64-musl, linux-x64-gnu, linux-arm64-musl, linux-arm64-gnu\nusage: napi-kit run --target /)
  const wrong = kit(['run', '--target', 'linux-x64-glibc', '--', 'node', '-v'])
  t.is(wrong.code, 2)
  t.regex(wrong.stderr, /^✗ napi-kit run: --target linux-x64-glibc is not a target this command runs: pass one of linux-x64-musl, /)
  const empty = kit(['run', '--target', 'linux-x64-musl'])
  t.is(empty.code, 2)
  t.regex(empty.stderr, /^✗ napi-kit run: no command to run: put it after --\n/)
  const node = kit(['run', '--target', 'linux-x64-musl', '--node', 'lts', '--', 'node'])
  t.is(node.code, 2)
  t.regex(node.stderr, /^✗ napi-kit run: --node lts is not a Node\.js major version: pass e\.g\. --node 24\n/)
})

test('run: a missing prerequisite is named with its fix and the docker run equivalent', (t) => {
  const project = join(WORK, 'prereq')
  mkdirSync(project, { recursive: true })
  writeFileSync(join(project, 'package.json'), '{"name":"prereq"}')
  // A PATH with nothing on it: no unshare, no sh.
  const bin = join(WORK, 'empty-bin')
  mkdirSync(bin, { recursive: true })
  const r = spawnSync(process.execPath, [BIN, 'run', '--target', 'linux-x64-musl', '--', 'node', '-v'], { cwd: project, encoding: 'utf8', env: { PATH: bin, HOME: WORK } })
  t.is(r.status, 1)
  const first = process.platform === 'linux' && process.arch === 'x64' ? 'needs unshare on PATH\n  fix: install it (Debian/Ubuntu: apt-get install util-linux)' : `needs a Linux x64 host (this is ${process.platform}-${process.arch})\n  fix: run it on Linux x64, or use Docker`
  t.is(
    r.stderr,
    `✗ napi-kit run --target linux-x64-musl cannot run here: it ${first}\n` +
      `  or, with Docker: docker run --rm --platform linux/amd64 -v ${project}:${project} -w ${project} node:24-alpine node -v\n`,
  )
})

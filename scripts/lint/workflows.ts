// `npm run lint:workflows`: actionlint over every file in .github/workflows, with shellcheck
// checking each `run:` block. One ✓/✗ line per workflow, each finding with its place, and a
// closing line "lint:workflows: N passed, M failed" (N: files with no finding).
//
// Both tools are pinned, so every machine reports the same findings. actionlint is installed on
// first use into the cache with `go install` (needs Go; under CI=true a missing Go fails).
// shellcheck is the one on PATH when it is the pinned version, else on Debian it is fetched from
// Debian's archive (a .deb unpacked into the cache; the system is untouched).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { arch } from 'node:os'
import { basename, delimiter, join, relative } from 'node:path'

import { $ } from 'zx'

import { debianPackages, ensureOnce, unpackDeb } from '@napi-kit/cli'
import { parseFlags } from '../lib/args.js'
import { bad, ok, timed } from '../lib/log.js'
import { CACHE_DIR, ROOT } from '../lib/paths.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm run lint:workflows', {})

/** Bump to take a newer actionlint; its findings may change with it. */
export const ACTIONLINT_VERSION = '1.7.12'
/** Debian 12's and Ubuntu 24.04's shellcheck (the version their apt installs). */
export const SHELLCHECK_VERSION = '0.9.0'
const SHELLCHECK_SUITE = 'bookworm'

const WORKFLOWS = join(ROOT, '.github', 'workflows')
const exe = process.platform === 'win32' ? '.exe' : ''

async function findGo(): Promise<string | undefined> {
  const onPath = (await $({ quiet: true, nothrow: true })`command -v go`).stdout.trim()
  if (onPath) return onPath
  return ['/usr/local/go/bin/go', join(process.env.HOME ?? '', 'go', 'bin', 'go')].find((p) => existsSync(p))
}

async function ensureActionlint(): Promise<string | undefined> {
  const dir = join(CACHE_DIR, 'actionlint')
  const bin = join(dir, 'bin', `actionlint${exe}`)
  const marker = join(dir, 'installed-version')
  const installed = () => existsSync(bin) && existsSync(marker) && readFileSync(marker, 'utf8') === ACTIONLINT_VERSION
  if (installed()) return bin
  const go = await findGo()
  if (!go) {
    const how = 'install Go (https://go.dev/dl, or apt-get install golang-go) and run this again'
    if (process.env.CI) throw new Error(`actionlint ${ACTIONLINT_VERSION} is installed with \`go install\`, and Go was not found: ${how}`)
    console.log(`- skipped: actionlint ${ACTIONLINT_VERSION} is installed with \`go install\`, and Go was not found: ${how}`)
    return undefined
  }
  await ensureOnce('actionlint', installed, async () => {
    await timed(`go install github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION} into ${dir}`, async () => {
      // Module downloads and the build cache stay in the cache folder too.
      const env = { ...process.env, GOBIN: join(dir, 'bin'), GOPATH: join(dir, 'gopath'), GOCACHE: join(dir, 'gocache'), GOFLAGS: '-modcacherw' }
      await $({ quiet: true, env })`${go} install ${`github.com/rhysd/actionlint/cmd/actionlint@v${ACTIONLINT_VERSION}`}`
      writeFileSync(marker, ACTIONLINT_VERSION)
    })
  }, CACHE_DIR)
  return bin
}

/** The folder holding a `shellcheck` executable of SHELLCHECK_VERSION ('' when it is the one on PATH). */
async function ensureShellcheck(): Promise<string> {
  // Already installed at the pinned version (apt-get install shellcheck on Debian 12 or Ubuntu 24.04).
  const onPath = await $({ quiet: true, nothrow: true })`shellcheck --version`
  if (onPath.exitCode === 0 && onPath.stdout.includes(`version: ${SHELLCHECK_VERSION}\n`)) return ''
  const dir = join(CACHE_DIR, 'shellcheck')
  const root = join(dir, 'root')
  const bin = join(root, 'usr', 'bin')
  const marker = join(dir, 'installed-version')
  const installed = () => existsSync(join(bin, 'shellcheck')) && existsSync(marker) && readFileSync(marker, 'utf8') === SHELLCHECK_VERSION
  if (installed()) return bin
  // Debian's archive is verified with Debian's keyring, which only Debian systems have.
  if (process.platform !== 'linux' || !existsSync('/usr/share/keyrings/debian-archive-keyring.gpg')) {
    const found = onPath.exitCode === 0 ? `shellcheck ${/version: (\S+)/.exec(onPath.stdout)?.[1] ?? '?'} is on PATH` : 'no shellcheck is on PATH'
    throw new Error(
      `${found}; the findings are pinned to shellcheck ${SHELLCHECK_VERSION}: install that version ` +
        '(Debian 12 and Ubuntu 24.04: apt-get install shellcheck; elsewhere: https://github.com/koalaman/shellcheck/releases)',
    )
  }
  await ensureOnce('shellcheck', installed, async () => {
    const [deb = ''] = await debianPackages(SHELLCHECK_SUITE, arch() === 'arm64' ? 'arm64' : 'amd64', ['shellcheck'])
    if (!basename(deb).startsWith(`shellcheck_${SHELLCHECK_VERSION}-`)) {
      throw new Error(`Debian ${SHELLCHECK_SUITE} has ${basename(deb)}, not shellcheck ${SHELLCHECK_VERSION}: update SHELLCHECK_VERSION`)
    }
    await unpackDeb(deb, root)
    const version = await $({ quiet: true, nothrow: true })`${join(bin, 'shellcheck')} --version`
    if (!version.stdout.includes(`version: ${SHELLCHECK_VERSION}`)) {
      throw new Error(`the unpacked shellcheck does not run here: ${version.stderr.trim() || version.stdout.trim()}`)
    }
    writeFileSync(marker, SHELLCHECK_VERSION)
  }, CACHE_DIR)
  return bin
}

interface Finding {
  message: string
  filepath: string
  line: number
  column: number
  kind: string
}

const files = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .toSorted()
  .map((f) => join(WORKFLOWS, f))
if (files.length === 0) throw new Error(`no workflow files in ${relative(ROOT, WORKFLOWS)}`)

const actionlint = await ensureActionlint()
if (actionlint) {
  const shellcheckDir = await ensureShellcheck()
  const env = { ...process.env, PATH: shellcheckDir ? `${shellcheckDir}${delimiter}${process.env.PATH ?? ''}` : process.env.PATH }
  const version = (await $({ quiet: true, env })`${actionlint} -version`).stdout.split('\n')[0]?.trim()
  const shellcheck = (await $({ quiet: true, env })`shellcheck --version`).stdout.match(/version: (\S+)/)?.[1]
  console.log(`actionlint ${version}, shellcheck ${shellcheck}`)
  // -shellcheck=shellcheck: the one on PATH, i.e. the pinned one; the JSON format lists every finding.
  const result = await $({ quiet: true, nothrow: true, env, cwd: ROOT })`${actionlint} -shellcheck=shellcheck -format ${'{{json .}}'} ${files.map((f) => relative(ROOT, f))}`
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`actionlint could not run (exit code ${result.exitCode}): ${result.stderr.trim()}`)
  }
  const findings = JSON.parse(result.stdout.trim() || '[]') as Finding[]
  let passed = 0
  let failed = 0
  for (const file of files) {
    const name = relative(ROOT, file)
    const own = findings.filter((f) => f.filepath === name)
    if (own.length === 0) {
      passed += 1
      ok(name)
      continue
    }
    failed += 1
    bad(`${name}: ${own.length} finding${own.length === 1 ? '' : 's'}`)
    for (const f of own) console.log(`    ${name}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
  }
  // A finding in a file not in the list (a reusable workflow it calls) counts too.
  const elsewhere = findings.filter((f) => !files.some((file) => relative(ROOT, file) === f.filepath))
  for (const f of elsewhere) bad(`${f.filepath}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
  failed += elsewhere.length > 0 ? 1 : 0
  console.log(`lint:workflows: ${passed} passed, ${failed} failed`)
  if (failed > 0) process.exitCode = 1
} else {
  console.log(`lint:workflows: 0 passed, 0 failed`)
}

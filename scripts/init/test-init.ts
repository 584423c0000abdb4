// `npm run test:init`: what a new user does, start to finish, for names chosen to break what
// depends on the template's own: scoped and unscoped (npm name = binary), binaries that sort
// before and after every other word in the tree, digits, a long name, and a second rename
// with --force. Copies the tracked files into an empty folder with no .git (as `npx degit`
// does), runs README's "Use this template" commands there and searches each copy for any
// earlier name left over. Also: invalid names are refused with a suggestion that works,
// --dry-run writes nothing, and a second run needs --force. Ends with
// "test:init: N passed, M failed".
//
// Every copy gets the fast checks (init, npm install, cargo fmt, npm run lint, npm run
// typecheck, npm run build, the scripts' ava suite); two get the full Quick start
// (npm run build, then npm test, which also runs the addon's suite), one of them under CI=true
// in a git repository. One `npm install` in the first copy; the others start from a copy of its
// node_modules (the same lockfile) and run `npm install` to link their renamed package. One
// Cargo target folder for all copies: their dependencies are the same, their crates differ.
//
//   npm run test:init [-- --keep]   (--keep leaves the copies in place and prints where)
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

import { $ } from 'zx'

import { CURRENT, type Identity, isKept, KIT_NAMES, leftoverWords, projectFiles, suggestionFlags, upper, validate } from '../lib/identity.js'
import { bad, info, ok, seconds, timed } from '../lib/log.js'
import { parseFlags } from '../lib/args.js'
import { CACHE_DIR, ROOT } from '../lib/paths.js'
import { closingCounts } from '../lib/run.js'

const { values: flags } = parseFlags('npm run test:init [-- --keep]', { options: { keep: { type: 'boolean', default: false } } })

interface Case {
  /** init's flags. */
  args: string
  /** What the name is there to break. */
  why: string
  /** Build and run npm test (the full Quick start); else the fast checks. */
  full?: 'plain' | 'git-ci'
}
const CASES: Case[] = [
  { args: '--name @zeta/zz-top9', why: 'scoped; the binary sorts after every other word (rustfmt, npm pack order); digits', full: 'plain' },
  { args: '--name aa-thing --repo acme/aa-thing', why: 'unscoped, npm name = binary; sorts before every other word', full: 'git-ci' },
  { args: '--name @x1/k8s-hash3', why: 'digits in the scope and inside the binary' },
  { args: '--name @acme/a-rather-long-addon-name-for-line-widths', why: 'a long name (rustfmt wraps its use lines)' },
]
/** Renamed again, from the unscoped copy: npm name and binary are one word there. */
const AGAIN = { from: 1, args: '--name @acme/second-name --force', why: 'renamed again from the unscoped copy' }

const identityOf = (args: string): Identity => {
  const checked = validate(suggestionFlags(args.replace(' --force', '')))
  if (!checked.ok) throw new Error(`the test's own name ${args} is refused: ${checked.problems.join('; ')}`)
  return checked.identity
}

let passed = 0
let failed = 0
const check = (title: string, good: boolean, detail = '') => {
  if (good) {
    ok(title)
    passed++
  } else {
    bad(detail ? `${title}\n  ${detail.replaceAll('\n', '\n  ')}` : title)
    failed++
  }
}
const tailLines = (text: string, n: number) => text.trimEnd().split('\n').slice(-n)
/** A failed command's ✘/✗ lines and the last lines of its stdout and of its stderr, for the check's ✗ line. */
const tail = (result: { stdout: string; stderr: string }) => {
  const marked = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /[✘✗]/.test(line))
  return [...marked.slice(0, 20), '… stdout:', ...tailLines(result.stdout, 50), '… stderr:', ...tailLines(result.stderr, 20)].join('\n')
}

const start = performance.now()
const work = mkdtempSync(join(tmpdir(), 'degit-'))

// The copies' scripts read <BINARY>_CACHE_DIR once renamed. One cache folder of their own, kept
// between runs (with Cargo's output, so a second run builds incrementally): their tools are the
// same, but their install markers carry the new name, so sharing this project's cache would make
// the two reinstall zig in turn.
const copyCache = join(CACHE_DIR, 'test-init')
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...Object.fromEntries([CURRENT, ...CASES.map((c) => identityOf(c.args)), identityOf(AGAIN.args)].map((id) => [`${upper(id.binary)}_CACHE_DIR`, copyCache])),
  CARGO_TARGET_DIR: join(copyCache, 'target'),
  TURBO_TELEMETRY_DISABLED: '1',
}
delete env.CI

/** Runs `command` in `cwd` without showing its output (shown when a check fails). */
const sh = async (cwd: string, command: string, extra: NodeJS.ProcessEnv = {}) => {
  const result = await $({ cwd, env: { ...env, ...extra }, nothrow: true, quiet: true })`bash -c ${command}`
  return { ok: result.exitCode === 0, code: result.exitCode, output: result.stdout + result.stderr, stdout: result.stdout, stderr: result.stderr }
}
const hashTree = (dir: string) => {
  const hash = createHash('sha256')
  for (const file of projectFiles(dir)) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0')
  return hash.digest('hex')
}
const fileHash = (dir: string, file: string) => (existsSync(join(dir, file)) ? createHash('sha256').update(readFileSync(join(dir, file))).digest('hex') : '')

/** Every line of `dir` (and every path) holding one of `words`, outside the kit's own names. */
function leftovers(dir: string, words: string[]): string[] {
  const found: string[] = []
  for (const file of projectFiles(dir).filter((f) => !isKept(f))) {
    for (const word of words) if (file.replace(KIT_NAMES, '').toLowerCase().includes(word)) found.push(`${file}: the path contains "${word}"`)
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const rest = text.replace(KIT_NAMES, '').toLowerCase()
        for (const word of words) if (rest.includes(word)) found.push(`${file}:${i + 1}: ${text.trim()}`)
      })
  }
  return found
}

/** init in `dir`, then what it must have done: the addon's manifest, no earlier name left. */
async function rename(dir: string, args: string, before: Identity): Promise<Identity> {
  const to = identityOf(args)
  const init = await timed(`npm run init -- ${args}`, () => sh(dir, `npm run --silent init -- ${args}`))
  const closing = tailLines(init.output, 8).join('\n')
  check(
    `init ${args}: renamed, and its output ends with what to run next`,
    init.ok && existsSync(join(dir, 'packages', to.binary, 'package.json')) && /Next:\n {2}npm install && npm run build\n[\s\S]*npm test\n/.test(closing),
    tail(init),
  )
  const manifest = JSON.parse(readFileSync(join(dir, 'packages', to.binary, 'package.json'), 'utf8')) as { name: string; version: string; napi: { binaryName: string } }
  check(
    `the addon is ${to.name} 0.0.0, binary ${to.binary}`,
    manifest.name === to.name && manifest.version === '0.0.0' && manifest.napi.binaryName === to.binary,
    JSON.stringify(manifest),
  )
  if (before === CURRENT) check('template-only files are gone', !existsSync(join(dir, 'scripts', 'init', 'test-init.ts')))
  // Words of the earlier names, unless the new names hold them too (a scope kept on purpose).
  const kept = leftoverWords(to)
  const words = [...new Set([...leftoverWords(CURRENT), ...leftoverWords(before)])].filter((w) => !kept.some((k) => k.includes(w)))
  const found = leftovers(dir, words)
  check(
    `no earlier name (${words.join(', ')}) left in the copy`,
    found.length === 0,
    `${found.length} left over; add their kind to identifiers() in scripts/lib/identity.ts:\n${found.join('\n')}`,
  )
  return to
}

/** The checks that need no addon suite: each one a ✓/✗ line. */
async function fastChecks(dir: string, to: Identity) {
  for (const [title, command] of [
    ['npm install (links the renamed package)', 'npm install --no-audit --no-fund'],
    ['cargo fmt --check', 'cargo fmt --all --check'],
    ['npm run lint (oxlint, rustfmt, clippy)', 'npm run lint'],
    ['npm run typecheck', 'npm run typecheck'],
    ['npm run build', 'npm run build'],
    ['the scripts suite (ava)', 'npx ava'],
  ] as const) {
    const result = await timed(`${to.name}: ${title}`, () => sh(dir, command))
    check(`${to.name}: ${title}`, result.ok, tail(result))
  }
}

/** README's Quick start in a renamed copy; under CI=true in a git repository for 'git-ci'. */
async function quickStart(dir: string, to: Identity, mode: 'plain' | 'git-ci') {
  const ciEnv = mode === 'git-ci' ? { CI: 'true' } : {}
  const snapshot = new Map(projectFiles(dir).map((file) => [file, fileHash(dir, file)]))
  if (mode === 'git-ci') {
    // Without .git, CI=true must fail the comparison of generated files, saying what and why.
    const generated = await sh(dir, 'npm run --silent check:generated', ciEnv)
    check(
      'without .git under CI=true, check:generated fails, naming what it cannot compare and why',
      !generated.ok && /✗ not compared: packages\/\S+\/index\.js and packages\/\S+\/index\.d\.ts with their committed copies, because this folder has no \.git[^\n]*under CI=true a check that cannot run fails\. Fix: git init/.test(generated.output),
      generated.output,
    )
    const git = await sh(dir, 'git init -q && git add -A && git -c user.name=test -c user.email=test@example.invalid commit -qm "Start from the template"')
    check('git init && git add -A && git commit in the renamed copy', git.ok, git.output)
  }
  const build = await timed(`${to.name}: npm install && npm run build`, () => sh(dir, 'npm install --no-audit --no-fund && npm run build', ciEnv))
  check(`${to.name}: npm install && npm run build`, build.ok && build.output.includes(`build of ${to.name} 0.0.0`), tail(build))
  const test = await timed(`${to.name}: npm test${mode === 'git-ci' ? ' (CI=true, in git)' : ''}`, () => sh(dir, 'npm test', ciEnv))
  const counts = closingCounts(test.output, 'npm test')
  check(
    `${to.name}: npm test: ${counts ? `${counts.passed} passed, ${counts.failed} failed` : 'no closing line'}`,
    test.ok && counts !== undefined && counts.passed > 0 && counts.failed === 0,
    tail(test),
  )
  if (mode === 'plain') {
    check('without .git, npm test says what it did not compare and why', /- not compared: .*because this folder has no \.git/.test(test.output), tail(test))
  }
  // index.js and index.d.ts as napi build writes them, Cargo.lock as cargo --locked wants it,
  // package-lock.json as npm install writes it: init wrote each exactly so.
  const changed = [...snapshot].filter(([file, hash]) => fileHash(dir, file) !== hash).map(([file]) => file)
  check(`${to.name}: building and testing changed no file init wrote (generated loader and types, both lockfiles)`, changed.length === 0, changed.join('\n'))
}

const copies: string[] = []
try {
  // 1. degit: the tracked files as they are in the working tree, no .git; one npm install.
  const base = join(work, 'template')
  await timed('copy the tracked files into an empty folder (no .git)', async () => {
    const files = (await $({ cwd: ROOT, quiet: true })`git ls-files -z`).stdout.split('\0').filter(Boolean)
    for (const file of files) {
      if (!existsSync(join(ROOT, file))) continue
      mkdirSync(dirname(join(base, file)), { recursive: true })
      cpSync(join(ROOT, file), join(base, file))
    }
    info(`${files.length} files in ${base}`)
  })
  check('the copy has no .git', !existsSync(join(base, '.git')))
  const install = await timed('npm install (before init)', () => sh(base, 'npm install --no-audit --no-fund'))
  check('npm install in the fresh copy', install.ok, tail(install))

  // 2. Refusals: each names the problem; its suggestion is a command init accepts.
  const refusals: Array<[string, RegExp]> = [
    ['--name @acme/3d-thing', /crate 3d-thing-core would start with a digit[\s\S]*Try: npm run init -- (--name @acme\/3d-thing --binary three-d-thing)\n/],
    ['--name Fast_Thing --repo acme/fast-thing', /uppercase letters[\s\S]*Try: npm run init -- (--name fast_thing --repo acme\/fast-thing)\n/],
    ['--name fast-thing', /--repo is needed with an unscoped name[\s\S]*Try: npm run init -- (--name fast-thing --repo your-github-name\/fast-thing)\n/],
    [`--name @acme/${'a'.repeat(209)}`, /the repository "acme\/a+" \(from --name; choose another with --repo\) cannot be used: the repository name has \d+ characters \(GitHub allows 100\)[\s\S]*Try: npm run init -- (.*)\n/],
  ]
  const pristine = hashTree(base)
  for (const [args, expected] of refusals) {
    const result = await sh(base, `npm run --silent init -- ${args}`)
    const suggestion = expected.exec(result.output)?.[1]
    check(`init ${args.slice(0, 60)}${args.length > 60 ? '…' : ''} is refused (exit code 2) with the reason and a suggestion`, result.code === 2 && suggestion !== undefined, result.output)
    if (suggestion === undefined) continue
    const dry = await sh(base, `npm run --silent init -- ${suggestion} --dry-run`)
    check(`its suggestion is accepted: init ${suggestion.slice(0, 60)}${suggestion.length > 60 ? '…' : ''} --dry-run`, dry.ok, tail(dry))
  }
  const dry = await sh(base, 'npm run --silent init -- --name @acme/fast-thing --dry-run')
  check('init --dry-run lists the changes', dry.ok && /packages\/fast-thing\/package\.json/.test(dry.output) && /nothing was written/.test(dry.output), tail(dry))
  check('init --dry-run and the refused runs wrote nothing', hashTree(base) === pristine)

  // 3. One copy per name: init, then the fast checks or the Quick start.
  const renamed: Array<{ dir: string; to: Identity }> = []
  for (const [i, c] of CASES.entries()) {
    const dir = join(work, `copy-${i + 1}`)
    copies.push(dir)
    console.log(`\n## ${c.args}: ${c.why}`)
    cpSync(base, dir, { recursive: true, verbatimSymlinks: true })
    const to = await rename(dir, c.args, CURRENT)
    renamed.push({ dir, to })
    if (c.full) await quickStart(dir, to, c.full)
    else await fastChecks(dir, to)
  }

  // 4. A second rename: refused without --force, then from the unscoped copy with it.
  const { dir, to: before } = renamed[AGAIN.from] ?? { dir: '', to: CURRENT }
  console.log(`\n## ${AGAIN.args}: ${AGAIN.why}`)
  const initialised = hashTree(dir)
  const again = await sh(dir, `npm run --silent init -- ${AGAIN.args.replace(' --force', '')}`)
  check(
    'a second init without --force is refused, and writes nothing',
    !again.ok && new RegExp(`already initialised as ${before.name}[\\s\\S]*--force`).test(again.output) && hashTree(dir) === initialised,
    again.output,
  )
  const to = await rename(dir, AGAIN.args, before)
  await fastChecks(dir, to)
} catch (error) {
  check('test:init ran to the end', false, error instanceof Error ? error.message : String(error))
} finally {
  if (flags.keep) info(`the copies are kept in ${work}`)
  else rmSync(work, { recursive: true, force: true })
}

console.log(`\ntest:init: ${seconds(performance.now() - start)} in all`)
console.log(`test:init: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

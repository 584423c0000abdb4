// `npm run test:init`: what a new user does, start to finish. Copies the tracked files into an
// empty folder with no .git (as `npx degit` does), runs README's "Use this template" commands
// there with a name unlike the template's, then its Quick start, and searches the copy for any
// template identifier left over. Also: invalid names are refused with a suggestion, --dry-run
// writes nothing, and a second run needs --force. Ends with "test:init: N passed, M failed".
//
//   npm run test:init [-- --keep]   (--keep leaves the copy in place and prints where)
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'

import { $ } from 'zx'

import { CURRENT, type Identity, leftoverWords, projectFiles, upper, validate } from './lib/identity.js'
import { bad, info, ok, seconds, timed } from './lib/log.js'
import { CACHE_DIR, ROOT } from './lib/paths.js'
import { closingCounts, run, type RunResult } from './lib/run.js'

const { values: flags } = parseArgs({ options: { keep: { type: 'boolean', default: false } } })

// A name unlike the template's in every part: scope, package, binary, repository.
const INPUT = { name: '@acme/fast-thing', binary: 'fast-thing', repo: 'acme/fast-thing' }
const checked = validate(INPUT)
if (!checked.ok) throw new Error(`the test's own name is refused: ${checked.problems.join('; ')}`)
const to: Identity = checked.identity

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

const start = performance.now()
const work = mkdtempSync(join(tmpdir(), 'degit-'))
const copy = join(work, 'my-addon')

// The copy's scripts read <BINARY>_CACHE_DIR once renamed. Its own cache folder, kept between
// runs (with Cargo's output, so a second run builds incrementally): the copy's tools are the
// same, but its install markers carry the new name, so sharing this project's cache would make
// the two reinstall zig in turn.
const copyCache = join(CACHE_DIR, 'test-init')
const env: NodeJS.ProcessEnv = {
  ...process.env,
  [`${upper(CURRENT.binary)}_CACHE_DIR`]: copyCache,
  [`${upper(to.binary)}_CACHE_DIR`]: copyCache,
  CARGO_TARGET_DIR: join(copyCache, 'target'),
  TURBO_TELEMETRY_DISABLED: '1',
}
delete env.CI
const sh = (command: string): Promise<RunResult> => run(['bash', '-c', command], { cwd: copy, env })
// For runs that are meant to fail: their ✗ lines would read like this test's own failures.
const quietly = async (command: string) => {
  const result = await $({ cwd: copy, env, nothrow: true, quiet: true })`bash -c ${command}`
  return { ok: result.exitCode === 0, output: result.stdout + result.stderr }
}
const hashTree = () => {
  const hash = createHash('sha256')
  for (const file of projectFiles(copy)) hash.update(file).update('\0').update(readFileSync(join(copy, file))).update('\0')
  return hash.digest('hex')
}
const fileHash = (file: string) => (existsSync(join(copy, file)) ? createHash('sha256').update(readFileSync(join(copy, file))).digest('hex') : '')

try {
  // 1. degit: the tracked files as they are in the working tree, no .git.
  await timed('copy the tracked files into an empty folder (no .git)', async () => {
    const files = (await $({ cwd: ROOT, quiet: true })`git ls-files -z`).stdout.split('\0').filter(Boolean)
    for (const file of files) {
      if (!existsSync(join(ROOT, file))) continue
      mkdirSync(dirname(join(copy, file)), { recursive: true })
      copyFileSync(join(ROOT, file), join(copy, file))
    }
    info(`${files.length} files in ${copy}`)
  })
  check('the copy has no .git', !existsSync(join(copy, '.git')))

  // 2. README's "Use this template": npm install, then init.
  const install = await timed('npm install (before init)', () => sh('npm install --no-audit --no-fund'))
  check('npm install in the fresh copy', install.ok)

  const refusals: Array<[string, RegExp]> = [
    ['--name @acme/3d-thing', /crate 3d-thing-core would start with a digit[\s\S]*Try: npm run init -- --name @acme\/3d-thing --binary three-d-thing/],
    ['--name Fast_Thing --repo acme/fast-thing', /uppercase letters[\s\S]*Try: npm run init -- --name fast_thing --repo acme\/fast-thing/],
    ['--name fast-thing', /--repo is needed with an unscoped name[\s\S]*Try: npm run init -- --name fast-thing --repo your-github-name\/fast-thing/],
  ]
  const pristine = hashTree()
  for (const [args, expected] of refusals) {
    const result = await quietly(`npm run --silent init -- ${args}`)
    check(`init ${args} is refused with the reason and a valid suggestion`, !result.ok && expected.test(result.output), result.output)
  }
  const initArgs = `--name ${INPUT.name} --binary ${INPUT.binary} --repo ${INPUT.repo}`
  const dry = await quietly(`npm run --silent init -- ${initArgs} --dry-run`)
  check('init --dry-run lists the changes', dry.ok && /packages\/fast-thing\/package\.json/.test(dry.output) && /nothing was written/.test(dry.output), dry.output)
  check('init --dry-run and the refused runs wrote nothing', hashTree() === pristine)

  const init = await timed(`npm run init -- ${initArgs}`, () => sh(`npm run --silent init -- ${initArgs}`))
  check('init renames the copy', init.ok && existsSync(join(copy, 'packages', to.binary, 'package.json')) && !existsSync(join(copy, 'packages', CURRENT.binary)))
  const initialised = hashTree()
  const again = await quietly(`npm run --silent init -- --name @acme/other-thing`)
  check('a second init without --force is refused', !again.ok && /already initialised as @acme\/fast-thing[\s\S]*--force/.test(again.output), again.output)
  check('the refused second run wrote nothing', hashTree() === initialised)
  const manifest = JSON.parse(readFileSync(join(copy, 'packages', to.binary, 'package.json'), 'utf8')) as {
    name: string
    version: string
    napi: { binaryName: string }
  }
  check(
    `the addon is ${to.name} 0.0.0, binary ${to.binary}`,
    manifest.name === to.name && manifest.version === '0.0.0' && manifest.napi.binaryName === to.binary,
    JSON.stringify(manifest),
  )
  check('template-only files are gone', !existsSync(join(copy, 'scripts', 'test-init.ts')))

  // 3. Quick start, as on the user's own machine (not CI: the copy has no git history to compare
  // generated files with, so this test compares them itself).
  const snapshot = new Map(projectFiles(copy).map((file) => [file, fileHash(file)]))
  const build = await timed('npm install && npm run build', () => sh('npm install --no-audit --no-fund && npm run build'))
  check('npm install && npm run build', build.ok && build.output.includes(`build of ${to.name} 0.0.0`))
  const test = await timed('npm test', () => sh('npm test'))
  const counts = closingCounts(test.output, 'npm test')
  check(
    `npm test in the renamed copy: ${counts ? `${counts.passed} passed, ${counts.failed} failed` : 'no closing line'}`,
    test.ok && counts !== undefined && counts.passed > 0 && counts.failed === 0,
  )
  // index.js and index.d.ts as napi build writes them, Cargo.lock as cargo --locked wants it,
  // package-lock.json as npm install writes it: init wrote each exactly so.
  const changed = [...snapshot].filter(([file, hash]) => fileHash(file) !== hash).map(([file]) => file)
  check('building and testing changed no file init wrote (generated loader and types, both lockfiles)', changed.length === 0, changed.join('\n'))

  // 4. No template identifier anywhere: file contents and file names.
  const words = leftoverWords(CURRENT)
  const leftovers: string[] = []
  for (const file of projectFiles(copy)) {
    for (const word of words) if (file.toLowerCase().includes(word)) leftovers.push(`${file}: the path contains "${word}"`)
    readFileSync(join(copy, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const word of words) if (text.toLowerCase().includes(word)) leftovers.push(`${file}:${i + 1}: ${text.trim()}`)
      })
  }
  check(
    `no template identifier (${words.join(', ')}) left in the copy`,
    leftovers.length === 0,
    `${leftovers.length} left over; add their kind to identifiers() in scripts/lib/identity.ts:\n${leftovers.join('\n')}`,
  )
} catch (error) {
  check('test:init ran to the end', false, error instanceof Error ? error.message : String(error))
} finally {
  if (flags.keep) info(`the copy is kept in ${copy}`)
  else rmSync(work, { recursive: true, force: true })
}

console.log(`\ntest:init: ${seconds(performance.now() - start)} in all`)
console.log(`test:init: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

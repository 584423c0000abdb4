// Fails when a generated file differs from what its generator produces now:
//   npm/*                                  ← napi create-npm-dirs (`npm run generate:npm`),
//                                            regenerated into a temporary folder and compared
//   packages/hashkit/index.js, index.d.ts  ← napi build (`npm run build`), compared with git's
//                                            committed copy after the build `npm test` just ran
// The package's entry main.js and its load-error.js are written by hand, so not compared. The
// WebAssembly build's loaders (<binary>.wasi.cjs, wasi-worker.mjs, …) are not committed: like the
// .wasm they are that build's output, shipped only in its platform package (.gitignore says so).
// Nothing in the working tree is changed.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

import { $ } from 'zx'

import { parseFlags } from '../lib/args.js'
import { bad, ok, summary } from '../lib/log.js'
import { ADDON_DIR, localBin, NPM_DIR, ROOT } from '../lib/paths.js'

// Takes no options: anything passed is a mistake, refused with the usage line.
parseFlags('npm run check:generated', {})

let passed = 0
let failed = 0

const listFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .toSorted()
    : []

// 1. npm/: generate afresh next to a copy of the addon manifest, then compare file by file.
const work = mkdtempSync(join(tmpdir(), 'hashkit-npm-dirs-'))
try {
  mkdirSync(join(work, 'packages', 'hashkit'), { recursive: true })
  writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, workspaces: ['packages/*'] }))
  writeFileSync(join(work, 'packages', 'hashkit', 'package.json'), readFileSync(join(ADDON_DIR, 'package.json')))
  await $({ cwd: work, quiet: true })`${localBin('napi')} create-npm-dirs --package-json-path packages/hashkit/package.json --npm-dir npm`
  const fresh = join(work, 'npm')
  const problems: string[] = []
  const expected = listFiles(fresh)
  const actual = listFiles(NPM_DIR)
  for (const file of expected) {
    if (!actual.includes(file)) problems.push(`missing: npm/${file}`)
    else if (readFileSync(join(fresh, file), 'utf8') !== readFileSync(join(NPM_DIR, file), 'utf8')) {
      problems.push(`differs: npm/${file}`)
    }
  }
  for (const file of actual) {
    // The built .node files that `napi artifacts` moves in for a release are not generated.
    if (!expected.includes(file) && !file.endsWith('.node')) problems.push(`not generated: npm/${file}`)
  }
  if (problems.length === 0) {
    ok(`npm/ matches napi create-npm-dirs (${expected.length} files)`)
    passed++
  } else {
    bad(`npm/ differs from what napi create-npm-dirs generates; run \`npm run generate:npm\` and commit:\n  ${problems.join('\n  ')}`)
    failed++
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}

// 2. The loader and types napi build wrote, against the committed copies.
const generated = ['packages/hashkit/index.js', 'packages/hashkit/index.d.ts']
if (!existsSync(join(ROOT, '.git'))) {
  const what = `not compared: ${generated.join(' and ')} with their committed copies, because this folder has no .git (a copy without git history, as degit makes)`
  const fix = 'git init && git add -A && git commit -m "Start from the template", then npm test again'
  if (process.env.CI === 'true') {
    bad(`${what}; under CI=true a check that cannot run fails. Fix: ${fix}`)
    failed++
  } else {
    console.log(`- ${what}. To compare them: ${fix}`)
  }
} else {
  const status = (await $({ cwd: ROOT, quiet: true })`git status --porcelain -- ${generated}`).stdout.trim()
  if (status === '') {
    ok(`${generated.join(', ')} match what napi build generated`)
    passed++
  } else {
    bad(`napi build generated a different ${generated.join(' / ')}: commit them (they are generated from the Rust doc comments and napi config):\n${status}`)
    failed++
  }
}

summary(passed, failed)

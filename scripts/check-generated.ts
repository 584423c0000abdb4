// Fails when a generated file differs from what its generator produces now:
//   packages/hashkit/index.js, index.d.ts  ← napi build (run `npm run build` first)
//   npm/*                                  ← napi create-npm-dirs (`npm run generate:npm`)
// A copy without git history (fresh from degit) has nothing to compare with: it says so,
// and under CI=true that is a failure.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { bad, ok, summary } from './lib/log.js'
import { ROOT } from './lib/paths.js'

if (!existsSync(join(ROOT, '.git'))) {
  const message = 'not a git checkout: generated files cannot be compared with committed ones (run `git init && git add -A && git commit` first)'
  if (process.env.CI === 'true') {
    bad(message)
    process.exit(1)
  }
  console.log(`- ${message}`)
  process.exit(0)
}

await $({ cwd: ROOT, quiet: true })`npx napi create-npm-dirs --package-json-path packages/hashkit/package.json --npm-dir npm`

const groups: Array<[string, string[], string]> = [
  ['loader and types', ['packages/hashkit/index.js', 'packages/hashkit/index.d.ts'], 'npm run build'],
  ['platform packages', ['npm'], 'npm run generate:npm'],
]
let passed = 0
let failed = 0
for (const [label, paths, regenerate] of groups) {
  const status = (await $({ cwd: ROOT, quiet: true })`git status --porcelain --untracked-files=all -- ${paths}`).stdout.trim()
  if (status === '') {
    ok(`${label} match their generator (${paths.join(', ')})`)
    passed++
  } else {
    bad(`${label} differ from what \`${regenerate}\` generates; commit the regenerated files:\n${status}`)
    const diff = await $({ cwd: ROOT, quiet: true, nothrow: true })`git --no-pager diff --stat -- ${paths}`
    if (diff.stdout.trim()) console.error(diff.stdout)
    failed++
  }
}
summary(passed, failed)

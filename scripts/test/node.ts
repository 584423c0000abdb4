// `npm run test:node`: the addon's ava suite again, under other Node.js release lines
// (default: every major pinned for it, see `npm run pins:update`), each fetched once into the
// cache and checked against its pin on every run. Ends with a table and one line
// "test:node: N passed, M failed".
//
//   npm run test:node [-- --node 22 --node 24]
import { $ } from 'zx'

import { npmNotPinned, npmPinOf } from '@napi-kit/cli'
import { parseFlags, usageError } from '../lib/args.js'
import { bad, ok, seconds, table } from '../lib/log.js'
import { ensureCacheDir, NODE_PACKAGE, pinnedNodeMajors, provisionNode } from '../lib/node-runtime.js'
import { ADDON_DIR, AVA_CLI } from '../lib/paths.js'
import { avaCounts, run, runnerCounts } from '../lib/run.js'

const USAGE = 'npm run test:node [-- --node 22 --node 24]'
const { values: flags } = parseFlags(USAGE, { options: { node: { type: 'string', multiple: true, default: pinnedNodeMajors() } } })
for (const major of flags.node) if (!npmPinOf(NODE_PACKAGE, major)) usageError(npmNotPinned(NODE_PACKAGE, major).message, USAGE)

ensureCacheDir()
// Compile the TypeScript tests once; every Node.js then runs the same JavaScript.
await $({ cwd: ADDON_DIR, stdio: 'inherit' })`tsc -p __test__`

const rows: Array<Array<string | number>> = []
let passed = 0
let failed = 0
for (const major of flags.node) {
  const start = performance.now()
  try {
    const node = await provisionNode(major)
    const result = await run([node.bin, AVA_CLI], { cwd: ADDON_DIR })
    const counts = runnerCounts(result, avaCounts)
    passed += counts.passed
    failed += counts.failed
    rows.push([result.ok ? '✓' : '✗', node.version, `${counts.passed} passed, ${counts.failed} failed`, seconds(performance.now() - start)])
  } catch (error) {
    failed += 1
    bad(`Node.js ${major}: ${(error as Error).message}`)
    rows.push(['✗', `Node.js ${major}`, 'not run: see the error above', seconds(performance.now() - start)])
  }
}
console.log(`\n${table(['', 'node', 'tests', 'time'], rows)}\n`)
if (failed === 0) ok(`the addon suite passed under Node.js ${flags.node.join(', ')}`)
console.log(`test:node: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

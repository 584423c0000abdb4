// npm test's cached steps (turbo.json): every spec of scripts/ is in exactly one of its two ava
// tasks, each cached task lists its inputs, and the task whose specs walk the whole tree hashes
// what that walk reads.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { SKIPPED_DIRS } from '../lib/identity.js'
import { ROOT } from '../lib/paths.js'

interface Task {
  inputs?: string[]
  cache?: boolean
  env?: string[]
}
// turbo.json allows comments: whole-line ones, as this file writes them.
const turbo = JSON.parse(
  readFileSync(join(ROOT, 'turbo.json'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*\/\/ /.test(line))
    .join('\n'),
) as { tasks: Record<string, Task> }
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts

test("test:scripts and test:scripts:repo split scripts/__test__ in two, by one list of specs", (t) => {
  const only = /^ava 'scripts\/__test__\/@\(([\w|-]+)\)\.spec\.ts'$/.exec(scripts['test:scripts'] ?? '')
  const rest = /^ava 'scripts\/__test__\/!\(([\w|-]+)\)\.spec\.ts'$/.exec(scripts['test:scripts:repo'] ?? '')
  t.truthy(only, `test:scripts is ${scripts['test:scripts']}`)
  t.truthy(rest, `test:scripts:repo is ${scripts['test:scripts:repo']}`)
  // The same list in both: @(list) and !(list) select complementary sets of files.
  t.is(only?.[1], rest?.[1])
  for (const name of only?.[1]?.split('|') ?? []) {
    t.true(existsSync(join(ROOT, 'scripts', '__test__', `${name}.spec.ts`)), `test:scripts lists ${name}, which is no spec in scripts/__test__`)
  }
})

test('every cached root task and test task lists its inputs; the cached test tasks are keyed on the toolchains', (t) => {
  for (const [id, task] of Object.entries(turbo.tasks)) {
    if (!id.startsWith('//#') || task.cache === false) continue
    t.true((task.inputs?.length ?? 0) > 0, `${id} has no inputs: turbo would hash the whole root`)
    if (id.startsWith('//#test')) t.deepEqual(task.env, ['TEST_TOOLCHAINS'], id)
  }
})

test("test:scripts:repo hashes every file init's walk reads: it leaves out only the folders the walk skips", (t) => {
  const inputs = turbo.tasks['//#test:scripts:repo']?.inputs ?? []
  t.is(inputs[0], '**')
  const left = inputs.slice(1).filter((glob) => glob !== '!.git')
  t.deepEqual(left.toSorted(), [...SKIPPED_DIRS].map((dir) => `!**/${dir}/**`).toSorted())
})

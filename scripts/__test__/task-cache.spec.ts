// npm test's cached steps (turbo.json): every spec of scripts/ is in exactly one of its two ava
// tasks, each cached task lists its inputs, and the task whose specs walk the whole tree hashes
// what that walk reads; a run summary's tasks are read as npm test's table shows them.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { SKIPPED_DIRS } from '../lib/identity.js'
import { ROOT } from '../lib/paths.js'
import { summaryTasks, taskLines } from '../lib/turbo-run.js'

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

/** A task of a run summary as turbo writes it; a hit saved 41.2 s. */
const task = (taskId: string, status: string, cache: boolean, execution?: { startTime: number; endTime: number; exitCode: number | null }) => {
  const [pkg = '', name = ''] = taskId.split('#')
  return { taskId, task: name, package: pkg, cache: { status, timeSaved: status === 'HIT' ? 41_200 : 0 }, resolvedTaskDefinition: { cache }, execution }
}

test("a run summary's tasks: hit, miss or off, the time a hit saved, each task's own lines without turbo's prefix", (t) => {
  const output = [
    '@x/a:test: cache hit, replaying logs 1234',
    '@x/a:test:   ✔ one',
    '@x/a:test:   1 test passed',
    '//:lint:scripts: Found 0 warnings and 0 errors.',
    '@x/a:test-more: not this task',
  ].join('\n')
  const tasks = summaryTasks(
    {
      tasks: [
        task('@x/a#test', 'HIT', true, { startTime: 10, endTime: 15, exitCode: 0 }),
        task('//#lint:scripts', 'MISS', true, { startTime: 0, endTime: 900, exitCode: 1 }),
        task('@x/b#test', 'MISS', false),
      ],
    },
    output,
  )
  t.deepEqual(tasks, [
    { id: '@x/a#test', cache: 'hit', ms: 5, savedMs: 41_200, exitCode: 0, output: 'cache hit, replaying logs 1234\n  ✔ one\n  1 test passed' },
    { id: '//#lint:scripts', cache: 'miss', ms: 900, savedMs: 0, exitCode: 1, output: 'Found 0 warnings and 0 errors.' },
    // Not run (a task it depends on failed): no exit code, which npm test counts as a failed step.
    { id: '@x/b#test', cache: 'off', ms: 0, savedMs: 0, exitCode: undefined, output: '' },
  ])
  t.is(taskLines(output, '@x/a', 'test-more'), 'not this task')
})

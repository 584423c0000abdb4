// One `turbo run` with its run summary (--summarize): per task, whether it ran or was a cache hit
// (and the time the hit saved), its exit code and its own lines of the output, for npm test's table.
import { readFileSync, rmSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'

import { ROOT } from './paths.js'
import { run, type RunResult } from './run.js'

export interface TaskResult {
  /** turbo's id, e.g. `@napi-kit/cli#test` or `//#test:scripts` (a root task). */
  id: string
  /** `hit`: turbo replayed the logs and outputs of an earlier run; `miss`: it ran; `off`: cache: false. */
  cache: 'hit' | 'miss' | 'off'
  /** How long the task took this time (for a hit: the replay). */
  ms: number
  /** For a hit: how long the run that was cached took. */
  savedMs: number
  /** undefined when the task did not run at all (a task it depends on failed). */
  exitCode: number | undefined
  /** The task's own lines of turbo's output, without turbo's "package:task: " prefix. */
  output: string
}

interface Summary {
  tasks: Array<{
    taskId: string
    task: string
    package: string
    cache: { status: string; timeSaved: number }
    resolvedTaskDefinition: { cache: boolean }
    execution?: { startTime: number; endTime: number; exitCode: number | null }
  }>
}

/** The task's lines of a turbo output, each "package:task: line" (root tasks: "//:task: line"). */
export function taskLines(output: string, pkg: string, task: string): string {
  const prefix = `${pkg}:${task}: `
  return output
    .split('\n')
    .filter((line) => line.startsWith(prefix) || line === prefix.trimEnd())
    .map((line) => line.slice(prefix.length))
    .join('\n')
}

/** The tasks of a run summary, read from the summary file. */
export function summaryTasks(summary: Summary, output: string): TaskResult[] {
  return summary.tasks.map((t) => ({
    id: t.taskId,
    cache: !t.resolvedTaskDefinition.cache ? 'off' : t.cache.status === 'HIT' ? 'hit' : 'miss',
    ms: t.execution ? t.execution.endTime - t.execution.startTime : 0,
    savedMs: t.cache.status === 'HIT' ? t.cache.timeSaved : 0,
    exitCode: t.execution?.exitCode ?? undefined,
    output: taskLines(output, t.package, t.task),
  }))
}

/**
 * Runs `turbo run <args> --summarize` and returns the run and its tasks; the summary file is
 * read and removed. No tasks when turbo wrote no summary (it failed before running any).
 */
export async function turboRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ result: RunResult; tasks: TaskResult[] }> {
  const result = await run(['turbo', 'run', ...args, '--summarize'], { env })
  const path = /^\s*Summary:\s+(\S+\.json)\s*$/m.exec(result.output)?.[1]
  if (!path) return { result, tasks: [] }
  const file = isAbsolute(path) ? path : join(ROOT, path)
  const summary = JSON.parse(readFileSync(file, 'utf8')) as Summary
  rmSync(file, { force: true })
  return { result, tasks: summaryTasks(summary, result.output) }
}

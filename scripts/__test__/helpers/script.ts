// Runs one of the repository's scripts the way its npm script does (SCRIPT_NODE_ARGS), and
// returns its exit code and both output streams, for tests that assert exact messages.
import { execFile } from 'node:child_process'
import { join } from 'node:path'

import { ROOT, SCRIPT_NODE_ARGS } from '../../lib/paths.js'

export interface ScriptResult {
  code: number
  stdout: string
  stderr: string
}

/** `scripts/<name>.ts` (e.g. `build/build`) with `args`, from `root` (default: this repository). */
export function runScript(name: string, args: string[], options: { root?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ScriptResult> {
  const root = options.root ?? ROOT
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...SCRIPT_NODE_ARGS, join(root, 'scripts', `${name}.ts`), ...args],
      { cwd: root, encoding: 'utf8', env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    )
  })
}

// Which paths a .gitignore ignores, as git itself reads it: `git check-ignore --no-index` in a
// scratch repository holding only that .gitignore.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The paths of `paths` (relative to the repository root, `/`-separated) that `gitignore` ignores. */
export function ignoredBy(gitignore: string, paths: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gitignore-'))
  try {
    writeFileSync(join(dir, '.gitignore'), gitignore)
    const init = spawnSync('git', ['init', '-q'], { cwd: dir, encoding: 'utf8' })
    if (init.status !== 0) throw new Error(`git init failed in ${dir}: ${init.stderr || init.error?.message}`)
    // Exit 0: some ignored; 1: none; anything else is git's own error.
    const check = spawnSync('git', ['check-ignore', '--no-index', '--stdin'], { cwd: dir, input: paths.join('\n'), encoding: 'utf8' })
    if (check.status !== 0 && check.status !== 1) throw new Error(`git check-ignore failed: ${check.stderr || check.error?.message}`)
    return check.stdout.split('\n').filter(Boolean)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// The named pass/fail checks a test script makes besides its test suites, and the way a script
// stops when this machine cannot run it: a skip where that is allowed, a failure under CI=true.
import { bad, ok, table } from './log.js'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

const short = (s: string) => (s.length > 90 ? `${s.slice(0, 87)}...` : s)

/** A list of checks; each prints its ✓/✗ line when made. */
export class Checks {
  readonly list: Check[] = []

  check(name: string, passed: boolean, detail: string): void {
    this.list.push({ name, ok: passed, detail })
    ;(passed ? ok : bad)(`${name}: ${detail}`)
  }

  get passed(): number {
    return this.list.filter((c) => c.ok).length
  }

  get failed(): number {
    return this.list.length - this.passed
  }

  table(): string {
    return table(['', 'check', 'result'], this.list.map((c) => [c.ok ? '✓' : '✗', c.name, short(c.detail)]))
  }
}

/**
 * Stops `script` when `unsupported` says why this machine cannot run it: exit 0 with the reason,
 * or under CI=true a failure with its closing line.
 */
export function stopIfUnsupported(script: string, unsupported: string | undefined): void {
  if (!unsupported) return
  if (process.env.CI === 'true') {
    bad(`${script} cannot run: it ${unsupported}`)
    console.log(`${script}: 0 passed, 1 failed`)
    process.exit(1)
  }
  console.log(`- ${script} skipped: it ${unsupported}`)
  process.exit(0)
}

/** Throws `message` unless `condition` holds: a check's body states what it requires. */
export function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

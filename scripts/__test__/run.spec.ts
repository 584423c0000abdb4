// The counts behind every closing "N passed, M failed" line.
import test from 'ava'

import { avaCounts, cargoCounts, closingCounts, runnerCounts } from '../lib/run.js'

test('ava counts come from the listed tests and the totals, with turbo prefixes', (t) => {
  const passing = 'pkg:test:   ✔ one\npkg:test:   ✔ two\npkg:test: \npkg:test:   2 tests passed\n'
  t.deepEqual(avaCounts(passing), { passed: 2, failed: 0 })
  // With a failure ava leaves the passed total out: the ✔ lines still count.
  const failing = '  ✔ one\n  ✔ two\n  ✘ [fail]: three boom\n  ─\n\n  1 test failed\n'
  t.deepEqual(avaCounts(failing), { passed: 2, failed: 1 })
  t.deepEqual(avaCounts('  ✔ [skip] later\n  1 test skipped\n'), { passed: 0, failed: 0 })
})

test('cargo counts add up every test result line', (t) => {
  const out = 'test result: ok. 7 passed; 0 failed; 0 ignored\ntest result: FAILED. 1 passed; 2 failed; 0 ignored\n'
  t.deepEqual(cargoCounts(out), { passed: 8, failed: 2 })
})

test('a runner that fails without reporting a failed test counts as one failure', (t) => {
  t.deepEqual(runnerCounts({ ok: false, output: 'SyntaxError: nothing ran', ms: 1 }, avaCounts), { passed: 0, failed: 1 })
  t.deepEqual(runnerCounts({ ok: false, output: '  ✘ [fail]: a\n  1 test failed\n', ms: 1 }, avaCounts), { passed: 0, failed: 1 })
  t.deepEqual(runnerCounts({ ok: true, output: '  ✔ a\n  1 test passed\n', ms: 1 }, avaCounts), { passed: 1, failed: 0 })
})

test("a script's closing line is read from its last occurrence, for that script only", (t) => {
  const out = 'test:musl: 1 passed, 0 failed\nnoise\ntest:musl: 160 passed, 2 failed\ntest:arm64: 9 passed, 0 failed\n'
  t.deepEqual(closingCounts(out, 'test:musl'), { passed: 160, failed: 2 })
  t.deepEqual(closingCounts(out, 'test:arm64'), { passed: 9, failed: 0 })
  t.deepEqual(closingCounts('npm test: 175 passed, 0 failed\n', 'npm test'), { passed: 175, failed: 0 })
  // No closing line, another script's, or one with more on it: none.
  t.is(closingCounts(out, 'test:linux'), undefined)
  t.is(closingCounts('x test:musl: 1 passed, 0 failed\ntest:musl: 1 passed, 0 failed (partial)\n', 'test:musl'), undefined)
})

// How `npm run test:runtimes` reads and compares the runner-less suite's answers
// (scripts/lib/runtimes.ts): a runtime whose answer differs, is missing or is extra must fail,
// checked on the real suite's answers under this Node.js as well as on small ones.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

import test from 'ava'

import { ADDON_DIR } from '../lib/paths.js'
import { runScript } from './helpers/script.js'
import { agrees, ANSWERS_MARKER, type Answers, compareAnswers, hasAvx2, loaderEnvNames, parseAnswers, withoutLibc } from '../lib/runtimes.js'

const SUITE = join(ADDON_DIR, '__test__', 'runtimes', 'suite.mjs')
const answers = (list: Array<[string, unknown]>): Answers => ({ runtime: 'test', mode: 'require', answers: list })
const info = (target: string, libc: string) => ({ target, libc, platform: 'linux', arch: 'x64', version: '1.0.0' })

test('the same answers agree, each counted', (t) => {
  const reference = answers([['a', '1'], ['b', { x: 1 }]])
  const result = compareAnswers(reference, answers([['b', { x: 1 }], ['a', '1']]))
  t.deepEqual(result, { same: 2, differ: [], extra: [] })
  t.true(agrees(result))
})

test('a changed, a missing and an extra answer each fail, named', (t) => {
  const reference = answers([['a', '1'], ['b', '2'], ['c', '3']])
  const result = compareAnswers(reference, answers([['a', '1'], ['b', 'changed'], ['d', '4']]))
  t.deepEqual(result, {
    same: 1,
    differ: [
      { key: 'b', expected: '"2"', got: '"changed"' },
      { key: 'c', expected: '"3"', got: '(no answer)' },
    ],
    extra: ['d'],
  })
  t.false(agrees(result))
  t.false(agrees(compareAnswers(answers([['a', '1']]), answers([['a', '1'], ['z', '0']]))))
})

test('a key the suite gives twice is an error in the suite', (t) => {
  t.throws(() => compareAnswers(answers([['a', 1], ['a', 2]]), answers([['a', 1]])), {
    message: 'the suite gave the answer "a" twice: make its keys unique',
  })
})

test('withoutLibc leaves out only buildInfo()’s target and libc', (t) => {
  const glibc = answers([['buildInfo()', info('x86_64-unknown-linux-gnu', 'glibc')], ['worker 1: buildInfo()', info('x86_64-unknown-linux-gnu', 'glibc')]])
  const musl = answers([['buildInfo()', info('x86_64-unknown-linux-musl', 'musl')], ['worker 1: buildInfo()', info('x86_64-unknown-linux-musl', 'musl')]])
  t.true(agrees(compareAnswers(glibc, musl, withoutLibc)))
  t.false(agrees(compareAnswers(glibc, musl)))
  const otherVersion = answers([['buildInfo()', { ...info('x86_64-unknown-linux-musl', 'musl'), version: '2.0.0' }], ['worker 1: buildInfo()', info('x86_64-unknown-linux-musl', 'musl')]])
  t.deepEqual(compareAnswers(glibc, otherVersion, withoutLibc).differ.map((d) => d.key), ['buildInfo()'])
  t.false(agrees(compareAnswers(answers([['hash', 'ab']]), answers([['hash', 'cd']]), withoutLibc)))
})

test('the answers are read from their line among the runtime’s other output', (t) => {
  const line = `${ANSWERS_MARKER}${JSON.stringify(answers([['a', 1]]))}`
  t.deepEqual(parseAnswers(`warning: something\n${line}\nthread panicked\n`), answers([['a', 1]]))
  t.deepEqual(parseAnswers('Error: Cannot load the addon\n'), { error: 'printed no answers' })
  t.deepEqual(parseAnswers(`${ANSWERS_MARKER}${JSON.stringify(answers([]))}`), { error: 'printed an empty list of answers' })
  const broken = parseAnswers(`${ANSWERS_MARKER}{"runtime":`)
  t.true('error' in broken && broken.error.startsWith('printed answers that are not JSON ('))
})

test('AVX2 is read from the CPU flags', (t) => {
  t.true(hasAvx2('processor\t: 0\nflags\t\t: fpu sse2 avx avx2 bmi2\n'))
  t.false(hasAvx2('processor\t: 0\nflags\t\t: fpu sse2 avx\nbugs\t\t: avx2_is_not_a_flag_here\n'))
})

/** The real suite's answers under this Node.js. */
async function suiteAnswers(mode: string): Promise<Answers> {
  const { stdout } = await promisify(execFile)(process.execPath, [SUITE, mode], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const parsed = parseAnswers(stdout)
  if ('error' in parsed) throw new Error(`the suite ${parsed.error}`)
  return parsed
}

/** A digest with its last hex digit changed, as a runtime with one wrong bit would give it. */
const flip = (digest: string) => digest.slice(0, -1) + (digest.endsWith('0') ? '1' : '0')

test('the real suite under this Node.js: its answers agree with a second run, and one changed digest is caught', async (t) => {
  const reference = await suiteAnswers('require')
  const imported = await suiteAnswers('import')
  t.true(reference.answers.length > 1000, `only ${reference.answers.length} answers`)
  t.true(agrees(compareAnswers(reference, imported)))
  const index = reference.answers.findIndex(([key]) => key.startsWith('random 7: hash '))
  const changed: Answers = { ...imported, answers: imported.answers.map(([k, v], i) => [k, i === index ? flip(String(v)) : v]) }
  t.true(index >= 0)
  const result = compareAnswers(reference, changed)
  t.deepEqual(result.differ.map((d) => d.key), [reference.answers[index]?.[0]])
  t.false(agrees(result))
})

test('test:runtimes refuses a --bun or --deno that does not exist, before building anything', async (t) => {
  const result = await runScript('test/runtimes', ['--deno', '/nonexistent/deno'])
  t.is(result.stderr, '✗ --deno /nonexistent/deno does not exist: pass the path of a deno binary, e.g. --deno "$(command -v deno)"\n  usage: npm run test:runtimes [-- --bun <path>] [--deno <path>]\n')
  t.is(result.code, 2)
})

test('the variables Deno must allow are the ones the loader reads', (t) => {
  const source = 'if (process.env.NAPI_RS_FORCE_WASI) {}\nconst p = process.env.NAPI_RS_NATIVE_LIBRARY_PATH || process.env.NAPI_RS_FORCE_WASI\n'
  t.deepEqual(loaderEnvNames(source), ['NAPI_RS_FORCE_WASI', 'NAPI_RS_NATIVE_LIBRARY_PATH'])
  t.deepEqual(loaderEnvNames('module.exports = {}'), [])
})

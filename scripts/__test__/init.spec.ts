// `npm run init`'s input checks and renaming rules, without a build: scripts/test-init.ts runs
// the whole thing on a copy.
import test from 'ava'

import {
  binaryProblems,
  CURRENT,
  cutTemplateOnly,
  identifiers,
  leftoverWords,
  npmNameProblems,
  rewrite,
  snake,
  suggestBinary,
  upper,
  validate,
} from '../lib/identity.js'

const refused = (input: Parameters<typeof validate>[0]) => {
  const result = validate(input)
  if (result.ok) throw new Error(`${JSON.stringify(input)} was accepted`)
  return result
}

test('a scoped name gives the binary, crates and repository', (t) => {
  t.deepEqual(validate({ name: '@example/some-addon' }), {
    ok: true,
    identity: { name: '@example/some-addon', binary: 'some-addon', repo: 'example/some-addon', title: '@example/some-addon' },
  })
  t.deepEqual(validate({ name: 'some-addon', binary: 'fast', repo: 'someone/some-addon' }), {
    ok: true,
    identity: { name: 'some-addon', binary: 'fast', repo: 'someone/some-addon', title: 'some-addon' },
  })
})

test('npm name rules', (t) => {
  t.deepEqual(npmNameProblems('@example/some-addon'), [])
  t.deepEqual(npmNameProblems('Fast'), ['it has uppercase letters (npm names are lowercase)'])
  t.deepEqual(npmNameProblems('.fast'), ['".fast" starts with "."'])
  t.deepEqual(npmNameProblems('@example/fast thing'), ['"fast thing" has characters that are not URL-safe'])
  t.deepEqual(npmNameProblems('@example/a/b'), ['a scoped name is @scope/name, with one slash'])
  t.deepEqual(npmNameProblems('fast!'), [`"fast!" has one of ~'!()* (not allowed in new packages)`])
  t.deepEqual(npmNameProblems('http'), ['"http" is a Node.js core module or reserved name'])
  t.deepEqual(npmNameProblems('a'.repeat(215)), ['it is 215 characters long (npm allows 214)'])
  t.deepEqual(npmNameProblems(''), ['it is empty'])
})

test('binary names must make valid file names, crate names and Rust identifiers', (t) => {
  t.deepEqual(binaryProblems('some-addon'), [])
  t.deepEqual(binaryProblems('some_addon2'), [])
  t.regex(binaryProblems('3d-thing').join(), /crate 3d-thing-core would start with a digit, which Cargo refuses/)
  t.regex(binaryProblems('some.addon').join(), /only lowercase letters, digits/)
  t.regex(binaryProblems('some--addon').join(), /may only separate words/)
  t.regex(binaryProblems('con').join(), /Windows does not allow a file named con\.win32-x64-msvc\.node/)
  t.regex(binaryProblems('fn').join(), /fn is a Rust keyword/)
})

test('a refusal names the problem and suggests a valid command', (t) => {
  const digit = refused({ name: '@example/3d-thing' })
  t.deepEqual(digit.problems, [
    'the binary name "3d-thing" (from --name; choose another with --binary) cannot be used: the crate 3d-thing-core would start with a digit, which Cargo refuses, and 3d_thing_core is no Rust identifier',
  ])
  t.is(digit.suggestion, '--name @example/3d-thing --binary three-d-thing')
  t.is(refused({ name: '@Example/Some Addon' }).suggestion, '--name @example/some-addon')
  t.is(refused({ name: '@example/some.addon' }).suggestion, '--name @example/some.addon --binary some-addon')
  const unscoped = refused({ name: 'some-addon' })
  t.deepEqual(unscoped.problems, ['--repo is needed with an unscoped name: the GitHub owner/name the package links to'])
  t.is(unscoped.suggestion, '--name some-addon --repo your-github-name/some-addon')
  t.is(refused({ name: '@example/x', repo: 'no-slash' }).suggestion, '--name @example/x --repo example/x')
  // Every suggestion is itself accepted.
  for (const input of [{ name: '@example/3d-thing' }, { name: '@Example/Some Addon' }, { name: 'some-addon' }, { name: '_x' }, { name: '@example/42' }]) {
    const args = refused(input).suggestion.split(' ')
    const get = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)
    t.true(validate({ name: get('--name'), binary: get('--binary'), repo: get('--repo') }).ok, `${JSON.stringify(input)} → ${args.join(' ')}`)
  }
  t.is(suggestBinary('3d'), 'three-d')
  t.is(suggestBinary('42'), 'four-two')
})

/** Lines naming a project the way its files do, for the renaming test. */
const sample = (b: string, name: string, repo: string) => [
  `import { hash } from '${name}'`,
  `"name": "${name}-linux-x64-musl", "main": "${b}.linux-x64-musl.node"`,
  `repository = "https://github.com/${repo}"`,
  `${b}-core = { path = "crates/core" } use ${snake(b)}_core::hash; lib${snake(b)}_node.so`,
  `env!("${upper(b)}_TARGET") ${upper(b)}_CACHE_DIR packages/${b}/index.js`,
]

test('every identifier is rewritten once, the longest first, as whole words', (t) => {
  // A new name sharing no word with this copy's, whatever init has made of it.
  const candidates = ['@acme/fast-thing', '@zeta/quick-box']
  const fresh = candidates.find((name) => !leftoverWords(CURRENT).some((word) => name.includes(word))) ?? ''
  const [scope = '', unscoped = ''] = fresh.slice(1).split('/')
  const to = { name: fresh, binary: unscoped, repo: `${scope}/${unscoped}`, title: fresh }
  const ids = identifiers(CURRENT, to)
  const text = [...sample(CURRENT.binary, CURRENT.name, CURRENT.repo), `${CURRENT.binary}s stays`].join('\n')
  t.is(rewrite(text, ids).text, [...sample(to.binary, to.name, to.repo), `${CURRENT.binary}s stays`].join('\n'))
  t.is(rewrite(CURRENT.title, ids).text, to.title)
  t.true(leftoverWords(CURRENT).length > 0)
  const rewritten = rewrite(sample(CURRENT.binary, CURRENT.name, CURRENT.repo).join('\n'), ids).text.toLowerCase()
  for (const word of leftoverWords(CURRENT)) t.false(rewritten.includes(word), word)
})

test('template-only blocks are cut, markers in any comment syntax', (t) => {
  const text = ['keep', '# >>> template only', 'drop', '# <<< template only', 'keep too', '<!-- >>> template only -->', 'x', '<!-- <<< template only -->', ''].join('\n')
  t.deepEqual(cutTemplateOnly(text, 'f'), { text: 'keep\nkeep too\n', count: 2 })
  t.throws(() => cutTemplateOnly('// >>> template only\nx\n', 'f.ts'), { message: /f\.ts: a "template only" marker has no partner/ })
})

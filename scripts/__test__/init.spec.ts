// `npm run init`'s input checks and renaming rules, without a build: scripts/init/test-init.ts runs
// the whole thing on a copy.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import {
  binaryProblems,
  CURRENT,
  cutTemplateOnly,
  identifiers,
  type Identity,
  isKept,
  KIT_NAMES,
  leftoverWords,
  npmNameProblems,
  projectFiles,
  repoProblems,
  rewrite,
  snake,
  suggestBinary,
  suggestionFlags,
  upper,
  validate,
} from '../lib/identity.js'
import { ADDON_DIR, ROOT } from '../lib/paths.js'
import { type AddonManifest, builtFiles, platformPackageDir, platformPackages, readAddonManifest } from '../lib/targets.js'
import { ignoredBy } from './helpers/gitignore.js'

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
  t.is(suggestBinary('3d'), 'three-d')
  t.is(suggestBinary('42'), 'four-two')
})

test("a name too long for GitHub's repository names says so, and the suggestion fits", (t) => {
  const long = 'a'.repeat(120)
  const result = refused({ name: `@example/${long}` })
  t.deepEqual(result.problems, [
    `the binary name "${long}" (from --name; choose another with --binary) cannot be used: it is 120 characters long (at most 64)`,
    `the repository "example/${long}" (from --name; choose another with --repo) cannot be used: the repository name has 120 characters (GitHub allows 100)`,
  ])
  t.is(result.suggestion, `--name @example/${long} --binary ${'a'.repeat(64)} --repo example/${'a'.repeat(100)}`)
  // 209 letters: the npm name is too long as well (215 characters).
  const longer = refused({ name: `@example/${'b'.repeat(209)}` })
  t.is(longer.problems.length, 3)
  t.regex(longer.problems[0] ?? '', /is not a valid npm package name: it is 218 characters long \(npm allows 214\)$/)
  t.regex(longer.problems[2] ?? '', /^the repository "example\/b{205}" \(from --name; choose another with --repo\) cannot be used: the repository name has 205 characters \(GitHub allows 100\)$/)
  t.deepEqual(refused({ name: '@example/x', repo: `${'o'.repeat(40)}/x` }).problems, [`--repo "${'o'.repeat(40)}/x" cannot be used: the owner has 40 characters (GitHub allows 39)`])
  t.deepEqual(refused({ name: '@example/x', repo: 'owner/x y' }).problems, ['--repo "owner/x y" cannot be used: the repository name "x y" may hold only letters, digits, ".", "-" and "_"'])
})

/** xorshift32: the same inputs on every run, so a failure can be replayed. */
const random = (seed: number) => () => {
  seed ^= seed << 13
  seed ^= seed >>> 17
  seed ^= seed << 5
  return (seed >>> 0) / 0x100000000
}

test('every suggestion is a command init accepts, and keeps what was valid', (t) => {
  const chosen: Array<Parameters<typeof validate>[0]> = [
    { name: '@example/3d-thing' },
    { name: '@Example/Some Addon' },
    { name: 'some-addon' },
    { name: '_x' },
    { name: '@example/42' },
    { name: `@example/${'a'.repeat(209)}` },
    { name: `@${'s'.repeat(60)}/x` },
    { name: 'x'.repeat(300), repo: 'a/b/c' },
    { name: '@example/con' },
    { name: '@example/fn' },
    { name: 'http' },
    { name: '@/' },
    { name: '' },
    { name: '@example/x', binary: '--', repo: '-/.' },
    { name: '@example/x', repo: `${'o'.repeat(45)}/${'r'.repeat(150)}` },
  ]
  // And a thousand random inputs from the characters that break names.
  const next = random(0x2545f491)
  const alphabet = 'abcXYZ019-_./@ ~!*()'
  const word = (max: number) => Array.from({ length: Math.floor(next() * max) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
  for (let i = 0; i < 1000; i++) {
    const lengths = [4, 12, 80, 260]
    const pick = () => lengths[Math.floor(next() * lengths.length)] ?? 4
    chosen.push({ name: word(pick()), binary: next() < 0.3 ? word(pick()) : undefined, repo: next() < 0.4 ? word(pick()) : undefined })
  }
  let refusals = 0
  for (const input of chosen) {
    const result = validate(input)
    if (result.ok) continue
    refusals++
    const flags = suggestionFlags(result.suggestion)
    const again = validate(flags)
    t.true(again.ok, `${JSON.stringify(input)} → ${result.suggestion} → ${again.ok ? '' : again.problems.join('; ')}`)
    for (const [key, value] of Object.entries(input)) {
      const kept = flags[key as keyof typeof flags] ?? (key === 'binary' ? flags.name?.replace(/^@[^/]*\//, '') : undefined)
      if (value !== undefined && validate({ ...input, [key]: value }).ok) t.is(kept, value, key)
    }
    if (input.repo !== undefined && repoProblems(input.repo).length === 0) t.is(flags.repo, input.repo, 'a valid --repo is kept')
    if (input.binary !== undefined && binaryProblems(input.binary).length === 0) t.is(flags.binary ?? flags.name?.replace(/^@[^/]*\//, ''), input.binary, 'a valid --binary is kept')
  }
  t.true(refusals > 900, `only ${refusals} of ${chosen.length} inputs were refused: the generator does not reach the checks`)
})

/** Lines naming a project the way its files do, for the renaming test. */
const sample = (b: string, name: string, repo: string) => [
  `import { hash } from '${name}'`,
  `"name": "${name}-linux-x64-musl", "main": "${b}.linux-x64-musl.node"`,
  `"name": "${name}-wasm32-wasi", "main": "${b}.wasi.cjs", "files": ["${b}.wasm32-wasi.wasm", "${b}.wasi.d.cts", "${b}.wasi-browser.js"]`,
  `require('./${b}.wasi.cjs') require('${name}-wasm32-wasi') ['./${b}.wasm32-wasi.debug.wasm', './${b}.wasm32-wasi.wasm']`,
  `repository = "https://github.com/${repo}"`,
  `${b}-core = { path = "crates/core" } use ${snake(b)}_core::hash; lib${snake(b)}_node.so`,
  `env!("${upper(b)}_TARGET") ${upper(b)}_CACHE_DIR packages/${b}/index.js`,
  `Cannot load ${name}: looked from /app/node_modules/${name}; rebuild it in ${name}'s repository`,
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
  t.is(rewrite(`# ${CURRENT.title}\n`, ids).text, `# ${to.title}\n`)
  t.true(leftoverWords(CURRENT).length > 0)
  const rewritten = rewrite(sample(CURRENT.binary, CURRENT.name, CURRENT.repo).join('\n'), ids).text.toLowerCase()
  for (const word of leftoverWords(CURRENT)) t.false(rewritten.includes(word), word)
})

/**
 * Names sharing no word with this copy's or each other's, built here so that this file does not
 * contain them: unscoped with npm name = binary (with and without "-"), scoped with digits, one
 * sorting before and one after every other word, one long.
 */
const names = (): Identity[] => {
  const owner = ['qq', 'o'].join('')
  const inputs = [
    { name: ['aaq', 'thing'].join('-') },
    { name: ['zzq', 'box'].join('') },
    { name: `@${['qx', '7'].join('')}/${['k8q', 'x9'].join('s-')}` },
    { name: `@${['q', 'long'].join('')}/${['zq', 'very', 'long', 'addon', 'name', 'that', 'goes', 'on', 'and', 'on'].join('-')}` },
    { name: ['qqs', 'only'].join('-'), binary: ['qqs', 'bin'].join('_') },
  ]
  return inputs.map((input) => {
    const result = validate(input.name.startsWith('@') ? input : { ...input, repo: `${owner}/${input.name}` })
    if (!result.ok) throw new Error(`${input.name}: ${result.problems.join('; ')}`)
    return result.identity
  })
}

test('renaming twice gives what renaming once gives, for every pair of names, over every file', (t) => {
  const files = projectFiles(ROOT)
    .filter((file) => !isKept(file))
    .map((file) => ({ file, text: cutTemplateOnly(readFileSync(join(ROOT, file), 'utf8'), file).text }))
  const all = names()
  // The test's names must not occur in the tree already (a rename could not tell them apart).
  for (const id of all) {
    const found = files.filter(({ text }) => rewrite(text, identifiers(id, CURRENT)).count > 0).map(({ file }) => file)
    t.deepEqual(found, [], `${id.name} occurs in the tree: choose names it does not hold`)
  }
  for (const via of all) {
    for (const to of all) {
      if (via === to) continue
      const direct = identifiers(CURRENT, to)
      const first = identifiers(CURRENT, via)
      const second = identifiers(via, to)
      const differing: string[] = []
      for (const { file, text } of files) {
        const once = rewrite(text, direct).text.split('\n')
        const twice = rewrite(rewrite(text, first).text, second).text.split('\n')
        once.forEach((line, i) => {
          if (line !== twice[i]) differing.push(`${file}:${i + 1}\n  once:  ${line.trim()}\n  twice: ${twice[i]?.trim()}`)
        })
      }
      t.deepEqual(differing.slice(0, 10), [], `${CURRENT.name} → ${via.name} → ${to.name} differs from ${CURRENT.name} → ${to.name}`)
    }
  }
})

test('template-only blocks are cut, markers in any comment syntax', (t) => {
  const text = ['keep', '# >>> template only', 'drop', '# <<< template only', 'keep too', '<!-- >>> template only -->', 'x', '<!-- <<< template only -->', ''].join('\n')
  t.deepEqual(cutTemplateOnly(text, 'f'), { text: 'keep\nkeep too\n', count: 2 })
  t.throws(() => cutTemplateOnly('// >>> template only\nx\n', 'f.ts'), { message: /f\.ts: a "template only" marker has no partner/ })
})

test("the leftover scan keeps the kit's own names and nothing of the template's", (t) => {
  const kept = ['npx napi-kit audit', '@napi-kit/cli', '~/.cache/napi-kit/musl', '$NAPI_KIT_CACHE_DIR', '"napi-kit": "bin/napi-kit.js"']
  for (const text of kept) t.notRegex(text.replace(KIT_NAMES, ''), /napi-kit|NAPI_KIT/, text)
  // The template's scope, owner and names are still found.
  const caught = [`@${CURRENT.name.split('/')[0]?.slice(1)}/other`, `github.com/${CURRENT.repo}`, CURRENT.name]
  for (const text of caught) t.is(text.replace(KIT_NAMES, ''), text)
})

test("the package's hand-written entry names nothing init renames: it reads every name from package.json", (t) => {
  // main.js and load-error.js work under any name because they hold none: init leaves them as
  // they are, and the leftover scan finds nothing of the template in them.
  const handWritten = (readAddonManifest().files ?? []).filter((file) => !['index.js', 'index.d.ts'].includes(file))
  t.deepEqual(handWritten, ['main.js', 'load-error.js'])
  const to = { name: '@zeta/zz-top9', binary: 'zz-top9', repo: 'zeta/zz-top9', title: 'zz' }
  for (const file of handWritten) {
    const text = readFileSync(join(ADDON_DIR, file), 'utf8')
    t.is(rewrite(text, identifiers(CURRENT, to)).count, 0, `${file} holds a name init would rewrite`)
    const rest = text.replace(KIT_NAMES, '').toLowerCase()
    t.deepEqual(leftoverWords(CURRENT).filter((word) => rest.includes(word)), [], `${file} holds a template name`)
  }
})

/** A new identity sharing no word with this copy's. */
const freshIdentity = (): Identity => {
  const fresh = ['@acme/fast-thing', '@zeta/quick-box'].find((name) => !leftoverWords(CURRENT).some((word) => name.includes(word))) ?? ''
  const [scope = '', unscoped = ''] = fresh.slice(1).split('/')
  return { name: fresh, binary: unscoped, repo: `${scope}/${unscoped}`, title: fresh }
}
/** The addon's manifest as it reads under `id`. */
const manifestAs = (manifest: AddonManifest, id: Identity): AddonManifest => ({ ...manifest, name: id.name, napi: { ...manifest.napi, binaryName: id.binary, packageName: id.name } })

test('every platform package, the WebAssembly one with its loaders, is renamed to what napi.targets gives for the new name', (t) => {
  const to = freshIdentity()
  const ids = identifiers(CURRENT, to)
  const manifest = readAddonManifest()
  const want = platformPackages(manifestAs(manifest, to))
  t.true(want.some((pkg) => pkg.os === undefined), 'napi.targets has no WebAssembly target')
  for (const pkg of platformPackages(manifest)) {
    const expected = want.find((p) => p.triple === pkg.triple)
    if (!expected) return t.fail(`${pkg.triple} has no package under the new name`)
    // npm/<dir>/ keeps its folder: the platform, not the name.
    t.is(rewrite(pkg.dir, ids).text, expected.dir)
    const json = JSON.parse(rewrite(readFileSync(join(platformPackageDir(pkg), 'package.json'), 'utf8'), ids).text) as { name: string; main: string; files: string[]; types?: string }
    t.deepEqual({ name: json.name, main: json.main, files: json.files }, { name: expected.name, main: expected.main, files: expected.files }, pkg.dir)
    if (json.types !== undefined) t.false(json.types.includes(CURRENT.binary), `${pkg.dir}: types is ${json.types}`)
  }
  // The control: without the binary among the identifiers, the loaders keep the old name.
  const wasm = platformPackages(manifest).find((pkg) => pkg.os === undefined)
  if (wasm) {
    const partial = JSON.parse(rewrite(readFileSync(join(platformPackageDir(wasm), 'package.json'), 'utf8'), ids.filter((id) => id.kind !== 'binary')).text) as { files: string[] }
    t.notDeepEqual(partial.files, want.find((p) => p.triple === wasm.triple)?.files)
  }
  // The generated loader looks for every renamed package and file.
  const loader = rewrite(readFileSync(join(ADDON_DIR, 'index.js'), 'utf8'), ids).text
  for (const pkg of want) {
    t.true(loader.includes(`require('${pkg.name}')`), pkg.name)
    t.true(loader.includes(`require('./${pkg.main}')`), pkg.main)
  }
})

/** Where the build leaves each target's files under `id`: packages/<binary>/. */
const built = (id: Identity) => builtFiles(manifestAs(readAddonManifest(), id)).map((file) => `packages/${id.binary}/${file}`)

test('after a rename, .gitignore still ignores the build output of every target under the new name', (t) => {
  const to = freshIdentity()
  const ids = identifiers(CURRENT, to)
  const gitignore = readFileSync(join(ROOT, '.gitignore'), 'utf8')
  t.deepEqual(ignoredBy(rewrite(gitignore, ids).text, built(to)), built(to))
  // A pattern naming the binary is renamed with it; left as it was, it would miss the new files.
  const named = gitignore.replace(/^packages\/\*\/\*\.wasi\.cjs$/m, `packages/*/${CURRENT.binary}.wasi.cjs`)
  t.not(named, gitignore)
  const loader = built(to).find((file) => file.endsWith('.wasi.cjs')) ?? ''
  t.false(ignoredBy(named, built(to)).includes(loader), 'the control: an unrenamed pattern misses the renamed loader')
  t.true(ignoredBy(rewrite(named, ids).text, built(to)).includes(loader))
})

// The template uses its kit as any project would: through the package's public API
// (`@napi-kit/cli`), never by a path into packages/kit. So packages/kit can be swapped for the
// published package, and every npm script that runs TypeScript resolves the import to the
// kit's sources (the napi-kit-source condition of SCRIPT_NODE_ARGS), never to a stale build.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

import test from 'ava'

import { ROOT, SCRIPT_NODE_ARGS } from '../lib/paths.js'

const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

/** Each import or export specifier in `source` that points into the kit's folder. */
const pathImports = (source: string) => [...source.matchAll(/^(?:import|export)\b[^\n]*\bfrom\s+'([^']*packages\/kit\/[^']*)'/gm)].map((m) => m[1])

test('no script imports the kit by path: only @napi-kit/cli', (t) => {
  const found = tsFiles(join(ROOT, 'scripts')).flatMap((file) => pathImports(readFileSync(file, 'utf8')).map((spec) => `${relative(ROOT, file)}: ${spec}`))
  t.deepEqual(found, [], 'import these names from @napi-kit/cli (export them from packages/kit/src/index.ts if they are missing)')
})

test('the check catches an import by path', (t) => {
  t.deepEqual(pathImports("import { parseElf } from '../packages/kit/src/audit/elf.js'"), ['../packages/kit/src/audit/elf.js'])
  t.deepEqual(pathImports("import { parseElf } from '@napi-kit/cli'"), [])
})

test('every npm script that runs TypeScript resolves @napi-kit/cli to the sources', (t) => {
  const expected = `node ${SCRIPT_NODE_ARGS.join(' ')} `
  for (const file of ['package.json', 'packages/hashkit/package.json']) {
    const { scripts = {}, ava } = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { scripts?: Record<string, string>; ava?: { nodeArguments?: string[] } }
    for (const [name, command] of Object.entries(scripts)) {
      if (/\btsx\b/.test(command)) t.true(command.startsWith(expected), `${file}: "${name}" runs ${command}; start it with ${expected}`)
    }
    if (ava?.nodeArguments) t.true(ava.nodeArguments.includes(SCRIPT_NODE_ARGS[0] ?? ''), `${file}: ava's nodeArguments lack ${SCRIPT_NODE_ARGS[0]}`)
  }
})

test('the kit maps the condition to its public entry, ahead of the compiled one', (t) => {
  const kit = JSON.parse(readFileSync(join(ROOT, 'packages', 'kit', 'package.json'), 'utf8')) as { exports: Record<string, Record<string, string>> }
  const entry = kit.exports['.'] ?? {}
  t.deepEqual(Object.keys(entry)[0], 'napi-kit-source')
  t.is(entry['napi-kit-source'], './src/index.ts')
  t.is(entry.default, './dist/index.js')
})

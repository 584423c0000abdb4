// The template uses its kit as any project would: through the package's public API
// (`@napi-kit/cli`), never by a path into packages/kit. So packages/kit can be swapped for the
// published package, and every npm script that runs TypeScript resolves the import to the
// kit's sources while they are here (lib/kit-source.ts), never to a stale build.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'

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

test('every npm script that runs TypeScript loads lib/kit-source.ts after tsx, and so does ava', (t) => {
  for (const file of ['package.json', 'packages/hashkit/package.json']) {
    const hook = relative(dirname(join(ROOT, file)), join(ROOT, 'scripts', 'lib', 'kit-source.ts'))
    const expected = `node --import tsx --import ${hook.startsWith('.') ? hook : `./${hook}`} `
    const { scripts = {}, ava } = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { scripts?: Record<string, string>; ava?: { nodeArguments?: string[] } }
    for (const [name, command] of Object.entries(scripts)) {
      if (/\btsx\b/.test(command)) t.true(command.startsWith(expected), `${file}: "${name}" runs ${command}; start it with ${expected}`)
    }
    if (ava?.nodeArguments) t.deepEqual(ava.nodeArguments, ['--import=tsx', `--import=./${hook}`], `${file}: ava's nodeArguments`)
  }
})

/** Where `@napi-kit/cli` resolves for a Node.js started with `args`. */
const resolved = (args: string[]) =>
  execFileSync(process.execPath, [...args, '--input-type=module', '-e', "console.log(import.meta.resolve('@napi-kit/cli'))"], { cwd: ROOT, encoding: 'utf8' }).trim()

test('@napi-kit/cli resolves to the kit sources while packages/kit is here, and to the installed package without the hook', (t) => {
  const sources = join(ROOT, 'packages', 'kit', 'src', 'index.ts')
  const installed = realpathSync(dirname(createRequire(join(ROOT, 'package.json')).resolve('@napi-kit/cli/package.json')))
  t.is(resolved(SCRIPT_NODE_ARGS), existsSync(sources) ? pathToFileURL(sources).href : pathToFileURL(join(installed, 'dist', 'index.js')).href)
  t.is(resolved([]), pathToFileURL(join(installed, 'dist', 'index.js')).href)
})

// Every script refuses what it does not understand before doing anything: an unknown option, a
// missing value or a stray argument ends it with exit code 2, the reason and its usage line
// (scripts/lib/args.ts).
import test from 'ava'

import { runScript as script } from './helpers/script.js'

/** Each script's usage line, as it prints it. */
const USAGE: Record<string, string> = {
  'build/build': 'npm run build -- [--release] [--target <triple>] [--dry-run]',
  'build/napi-build': 'npm run build -- [--release] [--target <triple>] [--dry-run]',
  'build/check-build-info': 'npm run check:build-info -- --target <triple>',
  'bench/bench': 'npm run bench [-- --skip-release]',
  'test/all': 'npm test [-- --force]',
  'test/node': 'npm run test:node [-- --node 22 --node 24]',
  'test/runtimes': 'npm run test:runtimes [-- --bun <path>] [--deno <path>]',
  'test/wasi': 'npm run test:wasi [-- --node 22 --node 24]',
  'test/musl': 'npm run test:musl [-- --node 22 --node 24] [--release]',
  'test/arm64': 'npm run test:arm64 [-- --node 22 --node 24]',
  'init/init': 'npm run init -- --name <npm name> [--binary <name>] [--repo <owner/name>] [--dry-run] [--force]',
  // >>> template only
  'init/test-init': 'npm run test:init [-- --keep]',
  // <<< template only
}
/** Scripts that take no options at all. */
const NO_OPTIONS: Record<string, string> = {
  'test/linux': 'npm run test:linux',
  'test/release': 'npm run test:release',
  'build/check-generated': 'npm run check:generated',
  'lint/workflows': 'npm run lint:workflows',
  'test/kit': 'npm run test:kit',
}

for (const [name, usage] of Object.entries(USAGE)) {
  test(`${name}: an unknown option is a usage error`, async (t) => {
    const result = await script(name, ['--bogus'])
    t.is(result.stderr, `✗ unknown option --bogus\n  usage: ${usage}\n`)
    t.is(result.stdout, '')
    t.is(result.code, 2)
  })
}

for (const [name, usage] of Object.entries(NO_OPTIONS)) {
  test(`${name}: takes no options, and says so`, async (t) => {
    const result = await script(name, ['--bogus'])
    t.is(result.stderr, `✗ unknown option --bogus: this command takes no options\n  usage: ${usage}\n`)
    t.is(result.code, 2)
    const stray = await script(name, ['bogus'])
    t.is(stray.stderr, `✗ unexpected argument bogus: this command takes no arguments\n  usage: ${usage}\n`)
    t.is(stray.code, 2)
  })
}

test('a missing value, a value for a switch and a stray argument are named', async (t) => {
  const usage = `\n  usage: ${USAGE['build/build']}\n`
  for (const [args, reason] of [
    [['--target'], '--target needs a value'],
    [['--dry-run=yes'], '--dry-run takes no value'],
    [['x86_64-unknown-linux-gnu'], 'unexpected argument x86_64-unknown-linux-gnu: this command takes options only'],
  ] as const) {
    const result = await script('build/build', [...args])
    t.is(result.stderr, `✗ ${reason}${usage}`)
    t.is(result.code, 2)
  }
})

// `npm run test:arm64`: the two arm64 Linux targets on this x64 machine. Builds the addon for
// aarch64-unknown-linux-gnu (linked against glibc 2.17) and aarch64-unknown-linux-musl with the
// release build the workflows use, audits both, and runs the addon's whole ava suite under real
// aarch64 Node.js builds through qemu-user: the glibc binary in an arm64 glibc root, the musl one
// in a glibc-free arm64 root, so the generated loader decides by itself as on an arm64 machine
// (`napi-kit run --target linux-arm64-gnu|musl`). Then the user's path (every Linux platform package side by side)
// and a negative control: the x64 binary where the arm64 one belongs must be caught. Ends with
// tables and one line "test:arm64: N passed, M failed".
//
//   npm run test:arm64 [-- --node 22 --node 24]
//
// Without root, on another OS or on a kernel without private binfmt_misc (Linux < 6.7) it says
// why it cannot run and exits 0; under CI=true that is a failure.
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { arm64Root, arm64Unsupported, inArm64Root, type Libc, muslLibcSymbols, muslRootUnsupported, parseElf, providedMajors, provisionArm64Root, rootEnv, type RootNode } from '@napi-kit/cli'
import { parseFlags } from '../lib/args.js'
import { Checks, stopIfUnsupported } from '../lib/checks.js'
import { auditBinaryFile, finish, HELLO_DIGEST, layOutConsumer, runProbe, type SuiteRow, unreleasedTable } from '../lib/linux-suites.js'
import { ADDON_DIR, AVA_CLI, CACHE_DIR, localBin, NPM_DIR, ROOT } from '../lib/paths.js'
import { avaCounts, run, runnerCounts } from '../lib/run.js'
import { addonFiles, platformPackages, readAddonManifest } from '../lib/targets.js'

const { values: flags } = parseFlags('npm run test:arm64 [-- --node 22 --node 24]', { options: { node: { type: 'string', multiple: true, default: providedMajors() } } })

const unsupported = (await muslRootUnsupported()) ?? (await arm64Unsupported())
stopIfUnsupported('test:arm64', unsupported)

const started = performance.now()
const manifest = readAddonManifest()
const packages = platformPackages(manifest)
const TARGETS: Record<Libc, string> = { glibc: 'aarch64-unknown-linux-gnu', musl: 'aarch64-unknown-linux-musl' }
const byTriple = (triple: string) => {
  const pkg = packages.find((p) => p.triple === triple)
  if (!pkg) throw new Error(`napi.targets must contain ${triple} for test:arm64 (packages/hashkit/package.json)`)
  return pkg
}
const WORK = join(CACHE_DIR, 'arm64', 'work')
rmSync(WORK, { recursive: true, force: true })
mkdirSync(WORK, { recursive: true })

const nodes: Record<Libc, RootNode[]> = {
  glibc: await provisionArm64Root('glibc', flags.node),
  musl: await provisionArm64Root('musl', flags.node),
}
for (const libc of ['glibc', 'musl'] as const) {
  await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- --release --target ${TARGETS[libc]}`
}
await $({ cwd: ADDON_DIR, stdio: 'inherit' })`${localBin('tsc')} -p __test__`

const checks = new Checks()
const check = checks.check.bind(checks)
const binds = [ROOT, WORK]
// As any project runs its suite: napi-kit run, from the package's folder.
const runSuite = (libc: Libc, node: RootNode, cwd: string) =>
  run([localBin('napi-kit'), 'run', '--target', libc === 'glibc' ? 'linux-arm64-gnu' : 'linux-arm64-musl', '--node', node.major, '--', 'node', AVA_CLI], { cwd })

// 1. The static audit of both binaries at the release floor, and musl's functions for aarch64:
//    every libc function the musl binary requires must be in the arm64 musl's libc.so (the audit's
//    generated list is x86_64's). Weak imports may be missing: Rust's std checks for them.
const audits = new Map<Libc, Awaited<ReturnType<typeof auditBinaryFile>>>()
for (const libc of ['glibc', 'musl'] as const) {
  const pkg = byTriple(TARGETS[libc])
  const audit = await auditBinaryFile(join(ADDON_DIR, pkg.binary))
  audits.set(libc, audit)
  check(`npm run audit: ${pkg.binary}`, audit.verdict === 'ok', audit.problems.length ? audit.problems.join('; ') : `arm64, links ${audit.needed.join(', ')}`)
}
{
  const libcSymbols = new Set(muslLibcSymbols(join(arm64Root('musl'), 'lib/ld-musl-aarch64.so.1')))
  const binary = parseElf(readFileSync(join(ADDON_DIR, byTriple(TARGETS.musl).binary)))
  const imported = binary.symbols.filter((s) => !s.defined && s.bind === 'global' && s.name && !/^(napi|node_api)_/.test(s.name)).map((s) => s.name)
  const missing = imported.filter((name) => !libcSymbols.has(name))
  check(
    'every libc function the arm64 musl binary imports is in aarch64 musl',
    missing.length === 0,
    missing.length ? `missing: ${missing.join(', ')}` : `${imported.length} imports, ${libcSymbols.size} exported by musl`,
  )
}

// 2. The addon's whole ava suite under each aarch64 Node.js, in the root of its libc.
const rows: SuiteRow[] = []
for (const libc of ['glibc', 'musl'] as const) {
  for (const node of nodes[libc]) {
    console.log(`\n→ ava suite, ${TARGETS[libc]} under Node.js ${node.version} (${libc}, emulated) …`)
    const result = await runSuite(libc, node, ADDON_DIR)
    const counts = runnerCounts(result, avaCounts)
    const audit = audits.get(libc)
    rows.push({
      target: TARGETS[libc],
      libc,
      node: `${node.version} (arm64, qemu)`,
      size: audit?.size ?? 0,
      audit: audit?.verdict ?? 'not audited',
      ...counts,
      ms: result.ms,
    })
  }
}

// 3. The user's path: the addon with every Linux platform package side by side in
//    node_modules; the generated loader must pick the arm64 package of the root's libc.
const consumer = join(WORK, 'consumer')
layOutConsumer(consumer, packages.filter((p) => p.os?.includes('linux')))
for (const libc of ['glibc', 'musl'] as const) {
  for (const node of nodes[libc]) {
    const { seen, error } = await runProbe(inArm64Root(libc, [node.bin, 'probe.cjs'], { binds, cwd: consumer }), { env: rootEnv() })
    check(
      `user path, arm64 ${libc} Node.js ${node.version}`,
      seen?.libc === libc && seen.target === TARGETS[libc] && seen.digest === HELLO_DIGEST,
      seen ? `loaded ${seen.target}, buildInfo().libc = ${seen.libc}` : error,
    )
  }
}

// 4. Negative control: the x64 glibc binary where the arm64 glibc one belongs. The audit must
//    say wrong CPU, the emulated loader must refuse it, and this harness must report the suite
//    as failed. The suite runs in a copy of the package (it imports itself by name).
{
  const x64 = byTriple('x86_64-unknown-linux-gnu')
  const arm = byTriple(TARGETS.glibc)
  const x64Binary = join(ADDON_DIR, x64.binary)
  if (!existsSync(x64Binary)) await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- --target x86_64-unknown-linux-gnu`
  const wrong = join(WORK, 'wrong-cpu')
  mkdirSync(join(wrong, 'npm'), { recursive: true })
  mkdirSync(join(wrong, 'node_modules'))
  for (const file of addonFiles(manifest)) copyFileSync(join(ADDON_DIR, file), join(wrong, file))
  cpSync(join(ADDON_DIR, '__test__'), join(wrong, '__test__'), { recursive: true })
  // Its node_modules: the repository's, except that the addon's name leads to this copy.
  const scopeName = manifest.name.split('/')
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== scopeName[0] && !entry.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', entry), join(wrong, 'node_modules', entry))
  }
  mkdirSync(join(wrong, 'node_modules', ...scopeName.slice(0, -1)), { recursive: true })
  symlinkSync(wrong, join(wrong, 'node_modules', ...scopeName))
  copyFileSync(x64Binary, join(wrong, arm.binary))
  // The audit reads the label from the package the file sits in.
  cpSync(join(NPM_DIR, arm.dir), join(wrong, 'npm', arm.dir), { recursive: true })
  copyFileSync(x64Binary, join(wrong, 'npm', arm.dir, arm.binary))
  const audit = await auditBinaryFile(join(wrong, 'npm', arm.dir))
  check(
    'control: the audit catches an x64 binary in the arm64 package',
    audit.verdict === 'error' && audit.problems.some((p) => /wrong CPU/.test(p)),
    audit.problems.find((p) => /CPU/.test(p)) ?? `verdict ${audit.verdict}`,
  )
  const node = nodes.glibc.at(-1)
  if (!node) throw new Error('no arm64 glibc Node.js was provisioned')
  const load = `try { process.dlopen({ exports: {} }, process.argv.at(-1)); console.log('LOADED') } catch (e) { console.log(e.message) }`
  writeFileSync(join(wrong, 'load.cjs'), load)
  const loaded = (await $({ quiet: true, nothrow: true, env: rootEnv() })`${inArm64Root('glibc', [node.bin, 'load.cjs', join(wrong, arm.binary)], { binds, cwd: wrong })}`).stdout.trim()
  check('control: the emulated arm64 loader refuses the x64 binary', loaded !== 'LOADED' && loaded.length > 0, loaded)
  const result = await runSuite('glibc', node, wrong)
  const counts = runnerCounts(result, avaCounts)
  // The package's error (main.js) names the binary that failed.
  const failedLine = `${arm.binary} next to the loader failed to load`
  const named = result.output.includes(failedLine)
  check(
    'control: the suite fails with the x64 binary in place',
    !result.ok && counts.failed > 0 && named,
    `${counts.passed} passed, ${counts.failed} failed${named ? `: "${failedLine}"` : ''}`,
  )
}

finish('test:arm64', rows, checks, started, unreleasedTable())

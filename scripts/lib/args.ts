// Command-line flags for every script: node:util's parseArgs, strict, with one way to refuse bad
// input. An unknown option, a missing value or a stray argument stops the script with exit code 2,
// the reason and the script's usage line, before it does anything.
import { parseArgs, type ParseArgsConfig } from 'node:util'

import { bad } from './log.js'

/** Stops with a usage error: the reason (which names the fix), the usage line, exit code 2. */
export function usageError(reason: string, usage: string): never {
  bad(reason)
  console.error(`  usage: ${usage}`)
  process.exit(2)
}

/** parseArgs' error, in the words a person who typed the command needs. */
function describe(error: Error & { code?: string }, takesOptions: boolean): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? ''
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}${takesOptions ? '' : ': this command takes no options'}`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}: this command takes ${takesOptions ? 'options only' : 'no arguments'}`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '--target <value>' argument missing" or "Option '--dry-run' does not take an argument"
      return /does not take/.test(error.message) ? `${quoted} takes no value` : `${quoted.split(' ')[0]} needs a value`
    default:
      return error.message
  }
}

/**
 * The script's flags, parsed strictly (parseArgs' default; positionals only where the config
 * allows them); any problem is a usage error with `usage`.
 */
export function parseFlags<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config)
  } catch (error) {
    return usageError(describe(error as Error & { code?: string }, Object.keys(config.options ?? {}).length > 0), usage)
  }
}

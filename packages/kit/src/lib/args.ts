// Command-line parsing for every command, on node:util's parseArgs: unknown options, missing
// values and values given to flags become usage errors with a plain message (parseArgs's own
// messages suggest quoting that does not apply here).
import { parseArgs, type ParseArgsConfig } from 'node:util'

import { UsageError } from './errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>
  positionals: string[]
}

/** Parses `args` against `options`; throws UsageError naming the first wrong argument. */
export function parseCommandLine(args: string[], options: Options, allowPositionals = true): Parsed {
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true })
  for (const token of tokens) {
    if (token.kind === 'option-terminator') break
    if (token.kind === 'positional' && !allowPositionals) throw new UsageError(`unexpected argument ${token.value}`)
    if (token.kind !== 'option') continue
    const option = options[token.name]
    if (!option) throw new UsageError(`unknown option ${token.rawName}`)
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`)
    if (option.type === 'boolean' && token.inlineValue) throw new UsageError(`${token.rawName} takes no value`)
  }
  const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true })
  return { values: values as Parsed['values'], positionals }
}

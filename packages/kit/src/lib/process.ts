// Runs a program with an argument array (never through a shell) and collects its output.
import { spawn } from 'node:child_process'

import { CommandError } from './errors.js'

export interface ExecOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Return a failed result instead of throwing. */
  nothrow?: boolean
  /** Bytes for the program's standard input. */
  input?: string
}

export interface ExecResult {
  exitCode: number | null
  stdout: string
  stderr: string
}

/** Runs `argv` and resolves with its exit code and output; throws when it fails (unless `nothrow`). */
export function exec(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const [command = '', ...args] = argv
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? 'ignore' : 'pipe'
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [stdin, 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'ENOENT' ? `${command} is not installed (not found on PATH)` : `${command} could not start: ${error.message}`
      if (options.nothrow) resolve({ exitCode: null, stdout: '', stderr: message })
      else reject(new CommandError(message, null, ''))
    })
    child.on('close', (code) => {
      const result = { exitCode: code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
      if (code === 0 || options.nothrow) resolve(result)
      else reject(new CommandError(`${argv.join(' ')} failed with exit code ${code}: ${result.stderr.trim() || '(no error output)'}`, code, result.stderr))
    })
    if (child.stdin) {
      // A program that exits without reading its input is not an error of ours.
      child.stdin.on('error', () => {})
      child.stdin.end(options.input)
    }
  })
}

/** The path of `tool` on PATH, or undefined. */
export async function which(tool: string): Promise<string | undefined> {
  const result = await exec(['sh', '-c', 'command -v "$1"', 'sh', tool], { nothrow: true })
  return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined
}

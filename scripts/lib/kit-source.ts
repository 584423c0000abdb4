// Loaded into every script before it runs (SCRIPT_NODE_ARGS, and each npm script that runs
// TypeScript): the import `@napi-kit/cli` resolves to the kit's sources in packages/kit/src
// while this repository has them, so a script never runs against a stale packages/kit/dist.
// Without packages/kit (the published package installed in its place) nothing is registered,
// and the import resolves as for anyone else: to the compiled package in node_modules.
import { existsSync } from 'node:fs'
import { register } from 'node:module'

const source = new URL('../../packages/kit/src/index.ts', import.meta.url)
if (existsSync(source)) {
  // Resolution hooks run in a thread of their own, so they are passed as a module of their own.
  // The kit's entry is handed on to the next resolver (tsx's), which also loads TypeScript.
  const hooks = `export async function resolve(specifier, context, next) {
  return next(specifier === '@napi-kit/cli' ? ${JSON.stringify(source.href)} : specifier, context)
}`
  register(`data:text/javascript,${encodeURIComponent(hooks)}`)
}

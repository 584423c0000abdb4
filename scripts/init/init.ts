// `npm run init`: makes a copy of the template yours. Rewrites every identifier listed in
// scripts/lib/identity.ts (npm scope and package, platform packages, binary name, crates, Rust
// identifiers, environment variables, repository, README title), moves packages/<binary>,
// resets versions to 0.0.0 and the changelogs, removes what only the template needs, and
// prints what it changed. A second run needs --force.
//
//   npm run init -- --name @acme/fast-thing [--binary fast-thing] [--repo acme/fast-thing] [--dry-run] [--force]
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

import { bad, info, ok, table } from '../lib/log.js'
import {
  CURRENT,
  cutTemplateOnly,
  identifiers,
  INITIALISED,
  isKept,
  projectFiles,
  rewrite,
  TEMPLATE_ONLY_FILES,
  TEMPLATE_ONLY_SCRIPTS,
  validate,
} from '../lib/identity.js'
import { parseFlags, usageError } from '../lib/args.js'
import { ROOT } from '../lib/paths.js'
import { crateEdition, rustfmtSource } from '../lib/rust.js'

const usage = 'npm run init -- --name <npm name> [--binary <name>] [--repo <owner/name>] [--dry-run] [--force]'
const { values: flags } = parseFlags(usage, {
  options: {
    name: { type: 'string' },
    binary: { type: 'string' },
    repo: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  },
})

// Wrong input is a usage error (exit code 2), with the reason and a command that works.
if (flags.name === undefined) usageError('--name is required: the npm package users will install, e.g. --name @acme/fast-thing', usage)
const checked = validate(flags)
if (!checked.ok) {
  for (const problem of checked.problems) bad(problem)
  console.error(`  Try: npm run init -- ${checked.suggestion}`)
  process.exit(2)
}
const to = checked.identity
if (INITIALISED && !flags.force) {
  bad(
    `this copy is already initialised as ${CURRENT.name} (binary ${CURRENT.binary}, repository ${CURRENT.repo}); ` +
      `to rename it to ${to.name}, run again with --force`,
  )
  process.exit(1)
}

const ids = identifiers(CURRENT, to)
const dryRun = flags['dry-run']

interface Change {
  file: string
  to?: string
  removed?: boolean
  replaced: number
  notes: string[]
}

const collator = new Intl.Collator('en')
const isChangelog = (file: string) => basename(file) === 'CHANGELOG.md'
const isPendingChangeset = (file: string) => dirname(file) === '.changeset' && file.endsWith('.md') && basename(file) !== 'README.md'

/** Sets a package.json's version to 0.0.0 and drops template-only scripts. */
function editPackageJson(text: string, file: string, notes: string[]): string {
  const json = JSON.parse(text) as { version?: string; scripts?: Record<string, string> }
  let changed = false
  if (json.version !== undefined && json.version !== '0.0.0') {
    notes.push(`version ${json.version} → 0.0.0`)
    json.version = '0.0.0'
    changed = true
  }
  if (file === 'package.json' && json.scripts) {
    for (const script of TEMPLATE_ONLY_SCRIPTS) {
      if (script in json.scripts) {
        delete json.scripts[script]
        notes.push(`script ${script} removed`)
        changed = true
      }
    }
  }
  return changed ? `${JSON.stringify(json, null, 2)}\n` : text
}

/** The workspace's own entries at 0.0.0, keys in npm's order (they sort differently once renamed). */
function editPackageLock(text: string, notes: string[]): string {
  const lock = JSON.parse(text) as { version?: string; packages?: Record<string, { version?: string; link?: boolean }> }
  if (lock.version !== undefined) lock.version = '0.0.0'
  const packages = lock.packages ?? {}
  for (const [key, entry] of Object.entries(packages)) {
    if (!key.startsWith('node_modules/') && key !== '' && entry.version !== undefined && entry.version !== '0.0.0') {
      notes.push(`${key} ${entry.version} → 0.0.0`)
      entry.version = '0.0.0'
    }
  }
  if (packages[''] && 'version' in packages['']) packages[''].version = '0.0.0'
  // npm names a workspace's entry only when its name is not its folder's: `packages/x` is "x".
  const addon = packages[`packages/${to.binary}`] as Record<string, unknown> | undefined
  if (addon) {
    const { name: _, ...rest } = addon
    packages[`packages/${to.binary}`] = to.name === to.binary ? rest : { name: to.name, ...rest }
  }
  lock.packages = Object.fromEntries(Object.entries(packages).toSorted(([a], [b]) => collator.compare(a, b)))
  const out = `${JSON.stringify(lock, null, 2)}\n`
  return out
}

const field = (block: string, key: string) => new RegExp(`^${key} = "([^"]*)"`, 'm').exec(block)?.[1] ?? ''
/** Cargo orders packages by name, then version, then source. */
const lockKey = (block: string) => [field(block, 'name'), field(block, 'version'), field(block, 'source')]

/** Workspace crates (no `source`) at 0.0.0; packages and dependency lists in Cargo's order. */
function editCargoLock(text: string, notes: string[]): string {
  const [head = '', ...blocks] = text.split(/\n(?=\[\[package\]\]\n)/)
  const edited = blocks.map((raw) => {
    const block = raw.replace(/\n*$/, '\n')
    let out = block
    if (!/^source = /m.test(block) && field(block, 'version') !== '0.0.0') {
      notes.push(`${field(block, 'name')} ${field(block, 'version')} → 0.0.0`)
      out = out.replace(/^version = "[^"]*"/m, 'version = "0.0.0"')
    }
    return out.replace(/^dependencies = \[\n([\s\S]*?)\]/m, (_, list: string) => {
      const deps = list.split('\n').filter(Boolean).toSorted()
      return `dependencies = [\n${deps.join('\n')}\n]`
    })
  })
  edited.sort((a, b) => {
    const [ka, kb] = [lockKey(a), lockKey(b)]
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] ?? '') < (kb[i] ?? '') ? -1 : 1
    return 0
  })
  return `${[head.replace(/\n*$/, '\n'), ...edited].join('\n').replace(/\n+$/, '')}\n`
}

// 1. Plan every change in memory.
const addonVersion = (JSON.parse(readFileSync(join(ROOT, 'packages', CURRENT.binary, 'package.json'), 'utf8')) as { version: string })
  .version
const changes: Change[] = []
const writes = new Map<string, string>()
for (const file of projectFiles(ROOT).filter((f) => !isKept(f))) {
  const path = join(ROOT, file)
  if (TEMPLATE_ONLY_FILES.includes(file) || isChangelog(file) || isPendingChangeset(file)) {
    changes.push({ file, removed: true, replaced: 0, notes: [isChangelog(file) ? 'changelog' : isPendingChangeset(file) ? 'pending changeset' : 'template only'] })
    continue
  }
  const before = readFileSync(path, 'utf8')
  const notes: string[] = []
  const cut = cutTemplateOnly(before, file)
  if (cut.count > 0) notes.push(`${cut.count} template-only block${cut.count > 1 ? 's' : ''} removed`)
  const renamed = rewrite(cut.text, ids)
  let text = renamed.text
  if (basename(file) === 'package.json') text = editPackageJson(text, file, notes)
  if (file === 'package-lock.json') text = editPackageLock(text, notes)
  if (file === 'Cargo.lock') text = editCargoLock(text, notes)
  if (basename(file) === 'Cargo.toml' && /^version = "(?!0\.0\.0")[^"]*"/m.test(text)) {
    text = text.replace(/^version = "[^"]*"/m, 'version = "0.0.0"')
    notes.push('version → 0.0.0')
  }
  // The generated loader checks the platform package's version against the addon's.
  if (file.startsWith('packages/') && basename(file) === 'index.js' && addonVersion !== '0.0.0') {
    text = text.replaceAll(`!== '${addonVersion}'`, `!== '0.0.0'`).replaceAll(`expected ${addonVersion} but`, 'expected 0.0.0 but')
  }
  if (file === 'scripts/lib/identity.ts') text = text.replace(/^export const INITIALISED = false$/m, 'export const INITIALISED = true')
  const newFile = rewrite(file, ids).text
  if (text !== before || newFile !== file) {
    changes.push({ file, to: newFile === file ? undefined : newFile, replaced: renamed.count, notes })
    if (text !== before) writes.set(path, text)
  }
}

// Renamed Rust files as rustfmt lays them out: a longer or differently sorted name moves or
// wraps its `use` lines (`npm test` runs cargo fmt --check).
const planned = (file: string) => {
  const path = join(ROOT, file)
  return writes.get(path) ?? (existsSync(path) ? readFileSync(path, 'utf8') : undefined)
}
for (const change of changes) {
  const path = join(ROOT, change.file)
  const text = writes.get(path)
  if (text === undefined || !change.file.endsWith('.rs')) continue
  let formatted: string
  try {
    formatted = rustfmtSource(text, crateEdition(change.file, planned), dirname(path))
  } catch (error) {
    bad(`${change.file}: ${error instanceof Error ? error.message : String(error)}; nothing was written`)
    process.exit(1)
  }
  if (formatted !== text) {
    writes.set(path, formatted)
    change.notes.push('formatted with rustfmt')
  }
}

// Folders and files whose names change (packages/<binary>), deepest first so parents move last.
const moves = new Map<string, string>()
for (const change of changes) {
  if (!change.to) continue
  const from = change.file.split('/')
  const into = change.to.split('/')
  if (into.length !== from.length) throw new Error(`${change.file} would move to ${change.to}, another depth; rename it by hand first`)
  for (let depth = from.length; depth > 0; depth--) {
    const a = from.slice(0, depth).join('/')
    const b = [...from.slice(0, depth - 1), into[depth - 1]].join('/')
    if (a !== b) moves.set(a, b)
  }
}
const ordered = [...moves].toSorted(([a], [b]) => b.split('/').length - a.split('/').length)
const clashes = ordered.filter(([, b]) => existsSync(join(ROOT, b)))
if (clashes.length > 0) {
  bad(`cannot move ${clashes.map(([a, b]) => `${a} to ${b}`).join(', ')}: the target exists; move or delete it first`)
  process.exit(1)
}

// 2. What changes, then (unless --dry-run) change it.
console.log(`${dryRun ? 'would rename' : 'renaming'} ${CURRENT.name} → ${to.name}\n`)
console.log(
  table(
    ['kind', 'from', 'to'],
    ids.map((id) => [id.kind, id.from, id.to === '' ? '(removed)' : id.to]),
  ),
)
console.log('')
console.log(
  table(
    ['file', 'change', 'names', 'notes'],
    changes.map((c) => [c.to ?? c.file, c.removed ? 'removed' : c.to ? 'moved' : 'rewritten', c.replaced, c.notes.join('; ')]),
  ),
)
for (const [a, b] of ordered.toReversed()) info(`${a} → ${b}`)
const total = changes.reduce((n, c) => n + c.replaced, 0)
const removed = changes.filter((c) => c.removed).length
console.log('')
if (dryRun) {
  ok(`--dry-run: ${changes.length} files would change (${total} names, ${removed} file${removed === 1 ? '' : 's'} removed); nothing was written`)
  process.exit(0)
}

for (const [path, text] of writes) writeFileSync(path, text)
for (const change of changes) if (change.removed) rmSync(join(ROOT, change.file))
for (const [a, b] of ordered) {
  mkdirSync(dirname(join(ROOT, b)), { recursive: true })
  renameSync(join(ROOT, a), join(ROOT, b))
}
ok(`${changes.length} files changed: ${total} names replaced, ${moves.size} paths moved, ${removed} file${removed === 1 ? '' : 's'} removed`)
info(`${to.name}: binary ${to.binary}.<platform>.node, crates ${to.binary}-core, -alloc, -node, repository github.com/${to.repo}`)
const next: Array<[string, string]> = [
  ['npm install && npm run build', 'links the renamed package, builds and loads the addon'],
  ['npm test', 'everything that runs on this machine'],
]
if (!existsSync(join(ROOT, '.git'))) {
  next.push(['git init && git add -A && git commit -m "Start from the template"', 'then npm test compares the generated loader and types with committed copies too'])
}
info('packages/kit is left as it is: it is @napi-kit/cli, the napi-kit command these scripts call (audit, run, release), not part of your addon')
info('  to use the published package instead (the scripts import only its public API): rm -rf packages/kit && npm install --save-dev @napi-kit/cli')
info('  (npm run test:kit, npm run generate:musl-symbols, npm run generate:wasm-imports, npm run generate:bun-trusted and npm run pins:update test and maintain the kit itself: remove them with it)')
console.log('\nNext:')
for (const [command, why] of next) info(`${command}\n      ${why}`)

// The names this repository goes by, and the one list of identifiers derived from them.
// `npm run init` (scripts/init/init.ts) rewrites every identifier of CURRENT into the new names,
// this file included, so CURRENT always says what the copy is called now; the degit test
// (scripts/init/test-init.ts) searches a renamed copy for any identifier left over. A new kind of
// name (a workflow, a crate, a variable) is added to `identifiers()` and nowhere else.
import { builtinModules } from 'node:module'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface Identity {
  /** The npm package users install, `@scope/name` or `name`; platform packages are `<name>-<platform>`. */
  name: string
  /** The `.node` file stem (`<binary>.<platform>.node`), the crates' prefix, the folder `packages/<binary>`. */
  binary: string
  /** The GitHub repository, `owner/name`. */
  repo: string
  /** README's title. */
  title: string
}

/** What this copy is called now. */
export const CURRENT: Identity = {
  name: '@napi-kit/hashkit',
  binary: 'hashkit',
  repo: 'napi-kit/hashkit',
  title: 'hashkit: a napi-rs v3 starter kit whose musl binaries load',
}

/** False in the template; `npm run init` sets it, and refuses to run again without --force. */
export const INITIALISED = false

export type Kind =
  | 'README title'
  | 'npm package'
  | 'repo slug'
  | 'Rust ident'
  | 'crate prefix'
  | 'env prefix'
  | 'type prefix'
  | 'binary'

export interface Identifier {
  kind: Kind
  from: string
  to: string
  /** Where it appears, for the list init prints. */
  where: string
  /**
   * Only where the text around it says so (`before` and `after` the match); elsewhere the next
   * identifier of the same spelling applies. Set when one spelling has two meanings: an unscoped
   * copy whose npm name is its binary name.
   */
  when?: (before: string, after: string) => boolean
}

const scopeOf = (name: string) => (name.startsWith('@') ? name.slice(1, name.indexOf('/')) : undefined)
const ownerOf = (repo: string) => repo.slice(0, repo.indexOf('/'))
/** `fast-thing` → `fast_thing`: the Rust identifier form. */
export const snake = (binary: string) => binary.replaceAll('-', '_')
/** `fast-thing` → `FAST_THING`: the environment variable form. */
export const upper = (binary: string) => snake(binary).toUpperCase()
/** `fast-thing` → `FastThing`: the type name form. */
export const pascal = (binary: string) =>
  binary
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')

/**
 * Every template identifier, each with its kind and its value in the new identity. Longer
 * identifiers win where two overlap (the npm name `@scope/name` before the repository
 * `owner/name` before the binary `name`), and each place is rewritten once.
 */
export function identifiers(from: Identity, to: Identity): Identifier[] {
  const list: Identifier[] = [
    { kind: 'README title', from: from.title, to: to.title, where: 'README.md, first line' },
    { kind: 'npm package', from: from.name, to: to.name, where: 'package.json files, imports, platform packages `<name>-<platform>`, the loader' },
    { kind: 'repo slug', from: from.repo, to: to.repo, where: 'repository URLs, the degit line' },
    { kind: 'Rust ident', from: `${snake(from.binary)}_`, to: `${snake(to.binary)}_`, where: '`use <binary>_core`, `<binary>_alloc`, `lib<binary>_node.so`' },
    { kind: 'crate prefix', from: `${from.binary}-`, to: `${to.binary}-`, where: 'crates `<binary>-core`, `-alloc`, `-node`, the root package `<binary>-monorepo`, temporary folders' },
    { kind: 'env prefix', from: upper(from.binary), to: upper(to.binary), where: '`<BINARY>_CACHE_DIR`, `<BINARY>_TARGET`, `<BINARY>_DEBIAN_MIRROR` …' },
    { kind: 'type prefix', from: pascal(from.binary), to: pascal(to.binary), where: 'type and class names' },
    { kind: 'binary', from: from.binary, to: to.binary, where: '`<binary>.<platform>.node`, `packages/<binary>`, prose' },
    { kind: 'Rust ident', from: snake(from.binary), to: snake(to.binary), where: 'the binary name as a Rust identifier' },
  ]
  // The scope and the owner are rewritten as parts of the name and the repository only: named
  // alone they are common words (the examples' `@acme/…`) that a later rename would hit too.
  if (from.name === from.binary) {
    // One word is both the npm name and the binary (an unscoped copy): the npm name where the text
    // says it is a package name, the binary elsewhere. `<binary>-` would hide `<name>-<platform>`;
    // the binary followed by "-" says the same.
    const name = list.find((id) => id.kind === 'npm package')
    if (name) name.when = isPackageNameAt
    return unique(list.filter((id) => id.kind !== 'crate prefix' && !(id.kind === 'README title' && id.from === from.name)))
  }
  return unique(list)
}

/**
 * The first of two identical spellings decides (the template's binary and Rust ident coincide),
 * unless it applies only in some places (`when`): then the next one applies in the others.
 */
const unique = (list: Identifier[]) => {
  const seen = new Set<string>()
  return list.filter((id) => {
    if (id.from === '' || seen.has(id.from)) return false
    if (!id.when) seen.add(id.from)
    return true
  })
}

/** Where a platform package's name goes on: `<name>-linux-x64-gnu`, `<name>-<platform>`. */
const PLATFORM_SUFFIX = /^-(?:<platform>|(?:android|darwin|freebsd|linux|openharmony|wasm32|win32)-)/
/**
 * Text that names an npm package next: imports, manifests, workspace flags, the lockfile, a path
 * in node_modules, the package's load error ("Cannot load <name>: …").
 */
const PACKAGE_BEFORE = /(?:\bfrom |\brequire\(|\bimport\(|"name": |"packageName": |\bname: |\btitle: )["']$|node_modules\/$|(?:-w |--workspace[= ]|--filter=|\bnpm (?:install|i) |\bbuild of |\bCannot load )$|^# $|\n# $/
/** A package name as a key: `"<name>": minor` (a changeset), `'<name>': …` (an object). */
const KEY_AFTER = /^["']: /
/** A package's own things, in the load error's words: "in <name>'s repository". */
const POSSESSIVE_AFTER = /^'s repository\b/

/** Whether the match between `before` and `after` is an npm package name (not the binary). */
export function isPackageNameAt(before: string, after: string): boolean {
  const tail = before.slice(-40)
  if (PLATFORM_SUFFIX.test(after)) return true
  // `<binary>-core`, `<binary>-monorepo`, `<binary>_core`, `<binary>.linux-x64-gnu.node`
  if (/^[-_.][a-z0-9<*]/.test(after)) return false
  if (PACKAGE_BEFORE.test(tail)) return true
  if (/["']$/.test(tail) && KEY_AFTER.test(after)) return true
  if (POSSESSIVE_AFTER.test(after)) return true
  // Prose names the package in backticks: "the binary for `<name>`".
  return tail.endsWith('`') && after.startsWith('`')
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `s` as a whole word: not inside a longer word (camelCase and `lib<name>` count as word starts). */
const wholeWord = (s: string) => {
  // An all-caps form (`<BINARY>_TARGET`) is no part of a longer word in any case (a binary "arm" is not in "ARMv8").
  if (/^[A-Z0-9_]+$/.test(s) && /[A-Z]/.test(s)) return `(?<![A-Za-z0-9])${escape(s)}(?![A-Za-z0-9])`
  const first = s.charAt(0)
  const last = s.charAt(s.length - 1)
  const before = /[a-z0-9]/.test(first)
    ? '(?<=^|[^A-Za-z0-9]|(?:^|[^A-Za-z0-9])lib)'
    : /[A-Z]/.test(first)
      ? '(?<![A-Z0-9])'
      : ''
  const after = /[a-z0-9]/.test(last) ? '(?![a-z0-9])' : /[A-Z]/.test(last) ? '(?![A-Z0-9])' : ''
  return `${before}${escape(s)}${after}`
}

/**
 * One regular expression for all identifiers, longest first. Names are matched as whole words:
 * the binary in `<binary>_core` or `packages/<binary>`, not inside a longer word; camelCase and
 * `lib<name>` (cargo's file names) count as word starts.
 */
export function identifierPattern(ids: Identifier[]): RegExp {
  const spellings = [...new Set(ids.map((id) => id.from))].toSorted((a, b) => b.length - a.length)
  return new RegExp(spellings.map(wholeWord).join('|'), 'g')
}

/** Rewrites every identifier in `text`; returns the new text and how many places changed. */
export function rewrite(text: string, ids: Identifier[]): { text: string; count: number } {
  let count = 0
  const out = text.replace(identifierPattern(ids), (match: string, offset: number) => {
    const before = text.slice(Math.max(0, offset - 120), offset)
    // Inside a lockfile's base64 checksum (`"integrity": "sha512-…"`) any short word can occur.
    if (/\bsha(?:1|256|384|512)-[A-Za-z0-9+/]*$/.test(before)) return match
    count++
    const after = text.slice(offset + match.length, offset + match.length + 80)
    const id = ids.find((c) => c.from === match && (!c.when || c.when(before, after)))
    return id?.to ?? match
  })
  return { text: out, count }
}

/**
 * The lowercase words a leftover scan looks for, case-insensitively: every identifier of `id`
 * contains one of them.
 */
export function leftoverWords(id: Identity): string[] {
  const words = [id.binary, snake(id.binary), ownerOf(id.repo), scopeOf(id.name) ?? ''].map((w) => w.toLowerCase())
  return [...new Set(words)].filter((w) => w !== '' && !words.some((other) => other !== w && other !== '' && w.includes(other)))
}

// ---- Validation of init's input -------------------------------------------------------------

const RUST_KEYWORDS = new Set(
  'as async await break const continue crate do dyn else enum extern false final fn for gen if impl in let loop macro match mod move mut override priv pub ref return self static struct super trait true try type typeof unsafe unsized use virtual where while yield abstract become box'.split(
    ' ',
  ),
)
// Names Windows refuses as file stems, so `<binary>.win32-x64-msvc.node` could not exist.
const WINDOWS_RESERVED = new Set(['con', 'prn', 'aux', 'nul', ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`])])
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine']

/** Why `name` is not a valid name for a new npm package (empty when it is). */
export function npmNameProblems(name: string): string[] {
  const problems: string[] = []
  if (name.length === 0) return ['it is empty']
  if (name.length > 214) problems.push(`it is ${name.length} characters long (npm allows 214)`)
  if (name.trim() !== name) problems.push('it has spaces around it')
  if (name !== name.toLowerCase()) problems.push('it has uppercase letters (npm names are lowercase)')
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name)
  if (name.startsWith('@') && !scoped) problems.push('a scoped name is @scope/name, with one slash')
  const parts = scoped ? [scoped[1] ?? '', scoped[2] ?? ''] : name.startsWith('@') ? [] : [name]
  for (const part of parts) {
    if (part.startsWith('.') || part.startsWith('_')) problems.push(`"${part}" starts with "${part[0]}"`)
    if (encodeURIComponent(part) !== part) problems.push(`"${part}" has characters that are not URL-safe`)
    else if (/[~'!()*]/.test(part)) problems.push(`"${part}" has one of ~'!()* (not allowed in new packages)`)
  }
  if (!scoped && (builtinModules.includes(name) || ['node_modules', 'favicon.ico'].includes(name))) {
    problems.push(`"${name}" is a Node.js core module or reserved name`)
  }
  return [...new Set(problems)]
}

/** Why `binary` cannot be the binary name and crate prefix (empty when it can). */
export function binaryProblems(binary: string): string[] {
  const problems: string[] = []
  if (binary.length === 0) return ['it is empty']
  if (binary.length > 64) problems.push(`it is ${binary.length} characters long (at most 64)`)
  if (/^[0-9]/.test(binary)) {
    problems.push(`the crate ${binary}-core would start with a digit, which Cargo refuses, and ${snake(binary)}_core is no Rust identifier`)
  }
  if (!/^[a-z0-9_-]+$/.test(binary)) {
    problems.push('it may hold only lowercase letters, digits, "-" and "_" (it becomes a file name, crate names and Rust identifiers)')
  } else if (/^[-_]|[-_]$|[-_]{2}/.test(binary)) {
    problems.push('"-" and "_" may only separate words')
  }
  if (WINDOWS_RESERVED.has(binary)) problems.push(`Windows does not allow a file named ${binary}.win32-x64-msvc.node`)
  for (const crate of ['core', 'alloc', 'node']) {
    const ident = `${snake(binary)}_${crate}`
    if (RUST_KEYWORDS.has(ident)) problems.push(`${ident} is a Rust keyword`)
  }
  if (RUST_KEYWORDS.has(snake(binary))) problems.push(`${snake(binary)} is a Rust keyword`)
  return [...new Set(problems)]
}

/** GitHub's limits: an owner (user or organisation) has at most 39 characters, a repository 100. */
const OWNER_MAX = 39
const REPO_NAME_MAX = 100

/** Why `repo` is not a GitHub `owner/name` (empty when it is). */
export function repoProblems(repo: string): string[] {
  const parts = repo.split('/')
  if (parts.length !== 2) return ['it is not owner/name, as in github.com/owner/name']
  const [owner = '', name = ''] = parts
  const problems: string[] = []
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(owner)) problems.push(`the owner "${owner}" may hold only letters, digits and "-", and cannot start with "-"`)
  if (owner.length > OWNER_MAX) problems.push(`the owner has ${owner.length} characters (GitHub allows ${OWNER_MAX})`)
  if (!/^[A-Za-z0-9._-]+$/.test(name)) problems.push(`the repository name "${name}" may hold only letters, digits, ".", "-" and "_"`)
  else if (name === '.' || name === '..') problems.push('the repository name cannot be . or ..')
  if (name.length > REPO_NAME_MAX) problems.push(`the repository name has ${name.length} characters (GitHub allows ${REPO_NAME_MAX})`)
  return problems
}

/** A valid `owner/name` near `owner` and `name`. */
export function suggestRepo(owner: string, name: string): string {
  const goodOwner =
    owner
      .replace(/[^A-Za-z0-9-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+/, '')
      .slice(0, OWNER_MAX)
      .replace(/-+$/, '') || 'your-github-name'
  const cut = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, REPO_NAME_MAX)
  return `${goodOwner}/${cut === '' || cut === '.' || cut === '..' ? 'my-addon' : cut}`
}

/** One part of an npm name made valid. */
const clean = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '')
    .replace(/-{2,}/g, '-') || 'my-addon'

/** A valid npm name near `name`: lowercase, URL-safe, no leading dot or underscore. */
export function suggestName(name: string): string {
  const scoped = /^@([^/]*)\/(.*)$/.exec(name.trim())
  const suggestion = scoped ? `@${clean(scoped[1] ?? '')}/${clean((scoped[2] ?? '').replaceAll('/', '-'))}` : clean(name.replaceAll('/', '-'))
  if (!scoped && builtinModules.includes(suggestion)) return `${suggestion}-addon`
  return suggestion.slice(0, 214)
}

/** A valid binary name near `binary`: digits in front spelt out, other characters made "-". */
export function suggestBinary(binary: string): string {
  let s = binary
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .replace(/[-_]{2,}/g, '-')
  const digits = /^[0-9]+/.exec(s)?.[0] ?? ''
  if (digits) s = [...digits].map((d) => DIGITS[Number(d)]).join('-') + (s.length > digits.length ? `-${s.slice(digits.length).replace(/^[-_]/, '')}` : '')
  s = s.slice(0, 64).replace(/[-_]+$/, '') || 'addon'
  if (WINDOWS_RESERVED.has(s) || RUST_KEYWORDS.has(snake(s))) s = `${s}-addon`
  return s
}

export type Validated = { ok: true; identity: Identity } | { ok: false; problems: string[]; suggestion: string }

/**
 * Checks init's input and derives the whole identity from it: the binary defaults to the
 * name without its scope, the repository to `<scope>/<name>`. A refusal carries a suggestion
 * (the flags of a command init accepts) that keeps what was valid.
 */
export function validate(input: { name?: string; binary?: string; repo?: string }): Validated {
  const name = input.name ?? ''
  const problems: string[] = []
  const nameProblems = npmNameProblems(name)
  problems.push(...nameProblems.map((p) => `--name ${JSON.stringify(name)} is not a valid npm package name: ${p}`))
  const goodName = nameProblems.length === 0 ? name : suggestName(name)
  const unscoped = goodName.slice(goodName.indexOf('/') + 1)
  const scope = scopeOf(goodName)

  const binary = input.binary ?? unscoped
  const fromName = input.binary === undefined ? ' (from --name; choose another with --binary)' : ''
  problems.push(...binaryProblems(binary).map((p) => `the binary name ${JSON.stringify(binary)}${fromName} cannot be used: ${p}`))
  const goodBinary = binaryProblems(binary).length === 0 ? binary : suggestBinary(binary)

  if (input.repo === undefined && scope === undefined) {
    problems.push('--repo is needed with an unscoped name: the GitHub owner/name the package links to')
  }
  const derivedRepo = `${scope ?? 'your-github-name'}/${unscoped}`
  const repo = input.repo ?? derivedRepo
  const repoLabel = input.repo === undefined ? `the repository ${JSON.stringify(repo)} (from --name; choose another with --repo)` : `--repo ${JSON.stringify(repo)}`
  problems.push(...repoProblems(repo).map((p) => `${repoLabel} cannot be used: ${p}`))
  const [owner = '', repoName = ''] = repo.includes('/') ? repo.split('/') : [scope ?? '', unscoped]
  const goodRepo = repoProblems(repo).length === 0 ? repo : suggestRepo(owner, repoName)

  if (problems.length > 0) {
    const parts = [`--name ${goodName}`]
    if (goodBinary !== unscoped) parts.push(`--binary ${goodBinary}`)
    if (input.repo !== undefined || scope === undefined || goodRepo !== `${scope}/${unscoped}`) parts.push(`--repo ${goodRepo}`)
    return { ok: false, problems, suggestion: parts.join(' ') }
  }
  return { ok: true, identity: { name, binary, repo, title: name } }
}

/** The flags of a suggestion (`--name x --binary y`), as init's parser reads them. */
export function suggestionFlags(suggestion: string): { name?: string; binary?: string; repo?: string } {
  const words = suggestion.split(' ')
  const get = (flag: string) => (words.includes(flag) ? words[words.indexOf(flag) + 1] : undefined)
  return { name: get('--name'), binary: get('--binary'), repo: get('--repo') }
}

// ---- The files init rewrites and the degit test searches -----------------------------------

/**
 * Folders init leaves as they are: tools that keep their own name in every copy. The leftover
 * scan skips them too.
 */
export const KEPT_DIRS = ['packages/kit']
export const isKept = (file: string) => KEPT_DIRS.some((dir) => file === dir || file.startsWith(`${dir}/`))

/** The kit's command, which is also its cache folder's name. */
const KIT_COMMAND = 'napi-kit'
/**
 * The kit's own names, kept in every copy like packages/kit itself: its npm name, its command
 * (but not the same word before a slash, the template's GitHub owner), its cache folder and its
 * variables.
 */
export const KIT_NAMES = new RegExp(
  `@${KIT_COMMAND}/cli\\b|\\.cache/${KIT_COMMAND}\\b|(?<![@\\w-])${KIT_COMMAND}(?![\\w/-])|\\bNAPI_KIT_[A-Z_]+`,
  'g',
)

/** Never read or rewritten: installs, build output, caches, git's own files. */
export const SKIPPED_DIRS = new Set(['node_modules', 'target', '.git', '.cache', '.turbo', 'dist'])
const SKIPPED_FILE = /\.(node|tgz|so|dylib|dll|o|a)$/

/** Every text file of the project under `root`, relative to it, sorted. */
export function projectFiles(root: string): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path)
      } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name) && !readFileSync(path).includes(0)) {
        files.push(relative(root, path))
      }
    }
  }
  walk(root)
  return files.toSorted()
}

// ---- What only the template needs ------------------------------------------------------------

/** Files that exist for the template only: init deletes them. */
export const TEMPLATE_ONLY_FILES = ['scripts/init/test-init.ts']
/** npm scripts of the root package.json that exist for the template only. */
export const TEMPLATE_ONLY_SCRIPTS = ['test:init']
/**
 * Blocks that exist for the template only, in any file: from a comment line holding the start
 * marker to one holding the end marker, both included (`# >>>`, `// >>>` or `<!-- >>>`).
 */
export const TEMPLATE_ONLY_BLOCK = /^[ \t]*(?:#|\/\/|<!--)[ \t]*>>> template only\b.*\n[\s\S]*?^[ \t]*(?:#|\/\/|<!--)[ \t]*<<< template only\b.*\n/gm
const UNCLOSED = /^[ \t]*(?:#|\/\/|<!--)[ \t]*(?:>>>|<<<) template only\b/m

/** `text` without its template-only blocks; throws when a marker has no partner. */
export function cutTemplateOnly(text: string, file: string): { text: string; count: number } {
  let count = 0
  const out = text.replace(TEMPLATE_ONLY_BLOCK, () => {
    count++
    return ''
  })
  if (UNCLOSED.test(out)) throw new Error(`${file}: a "template only" marker has no partner; pair each >>> line with a <<< line`)
  return { text: out, count }
}

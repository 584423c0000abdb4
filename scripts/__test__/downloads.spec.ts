// Every download in the repository goes through a pinned path: each place in the code that
// fetches something (npm pack/install, npx, pip, cargo/go install, curl, wget, fetch(), apt,
// rustup, docker, a workflow's `uses:`) is found here and must be one of SITES below, which says
// per site why what it fetches is pinned and verified (the kit's pin file, a lockfile, go.sum,
// apt's signed archive, a loopback registry...). A new or moved download site fails with its
// file:line until it goes through a pinned path and is listed with its reason.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { ROOT } from '../lib/paths.js'

/** A command line that downloads (the tool and what it does), as a shell or zx runs it. */
const COMMAND = String.raw`(?:npm\s+(?:pack|install|i|ci|add|exec|x|update)\b|npx\s|pip3?\s+(?:download|install)\b|python3?\s+-m\s+pip\s+(?:download|install)\b|cargo\s+(?:install|binstall)\b|go\s+(?:install|get)\b|curl\s|wget\s|rustup\s+(?:target|component|toolchain)\s+(?:add|install)\b|apt(?:-get)?\s+(?:install|download)\b|docker\s+(?:run|pull)\b)`
/** The same as an argv array: ['npm', 'pack', …], [...pip, 'download', …], ['apt-get', …, 'download', …]. */
const ARGV = String.raw`\[\s*(?:'(?:npm|pnpm|yarn|bun)'\s*,[^\]]*?'(?:pack|install|i|ci|add|exec|x|update)'|'(?:npx|bunx|curl|wget)'|'(?:pip3?|python3?)'\s*,[^\]]*?'(?:download|install)'|\.\.\.[\w.]+\s*,\s*'(?:install|add|download|pack|ci)'|'cargo'\s*,\s*'(?:install|binstall)'|'go'\s*,\s*'(?:install|get)'|'rustup'\s*,\s*'(?:target|component|toolchain)'|'apt(?:-get)?'\s*,[^\]]*?'(?:install|download)'|'docker'\s*,\s*'(?:run|pull)')`

/** What an interpolated tool (`${go} install`, `${pip} download`) does that downloads. */
const VERB = String.raw`(?:install|add|download|pack|ci|get)\b`

interface Site {
  file: string
  line: number
  text: string
}

/** The download sites in `text` (the file `file`, relative to the repository). */
function downloadSites(file: string, text: string): Site[] {
  const script = /\.(?:ya?ml)$|(?:^|\/)\.ci\/run$|\.sh$/.test(file)
  const sites: Site[] = []
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim()
    // Comments describe, they do not run.
    if (script ? trimmed.startsWith('#') : /^(?:\/\/|\*|\/\*)/.test(trimmed)) return
    const code = script ? raw.replace(/\s#\s.*$/, '') : raw.replace(/\s\/\/\s.*$/, '')
    const found = script
      ? new RegExp(String.raw`(?:^|[\s;&|(]|run:\s*)${COMMAND}`).test(code) || /^\s*-?\s*uses:\s/.test(code)
      : // A zx template that starts with the command, an argv array, fetch(), or a shell string:
        // the second of a [label, command] pair that a script runs, or sh(dir, 'command').
        new RegExp(String.raw`\$(?:\([^\`]*\))?\`(?:\$\{[^}]*\}\s*)*(?:${COMMAND}|\$\{[^}]*\}\s+${VERB})|${ARGV}|\b(?:npm|pnpm|yarn|bun|pip)\(\s*\[\s*'${VERB}'|,\s*['\`]${COMMAND}[^'\`]*['\`]\s*\]|\bsh\([^,]*,\s*['\`]${COMMAND}|\bfetch\(`).test(code)
    if (found) sites.push({ file, line: i + 1, text: trimmed })
  })
  return sites
}

/** The files that can download: the scripts, the packages' sources and scripts, CI. */
function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const path = `${dir}/${e.name}`
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : walk(path)
      return /\.(?:ts|mts|js|mjs|sh)$/.test(e.name) ? [path] : []
    })
  const packages = readdirSync(join(ROOT, 'packages'))
    .flatMap((p) => ['src', 'scripts', '__test__'].map((d) => `packages/${p}/${d}`))
    .filter((d) => existsSync(join(ROOT, d)))
  const workflows = readdirSync(join(ROOT, '.github', 'workflows')).map((f) => `.github/workflows/${f}`)
  return [...walk('scripts'), ...packages.flatMap(walk), '.ci/run', ...workflows].filter((f) => f !== 'scripts/__test__/downloads.spec.ts')
}


/** A download site the repository has, and why what it fetches is pinned and verified. */
interface Listed {
  file: string
  /** Matches the site's line. */
  site: RegExp
  why: string
  /** Where the reason can be read in the file itself, it must be there. */
  proof?: RegExp
}

const LOCKFILE = "installs from the lockfile next to it: npm checks every package's integrity recorded there"
const LOOPBACK = 'the test registry: Verdaccio on 127.0.0.1 (scripts/lib/verdaccio.ts), holding the packages this repository publishes to it'
const LOCAL = 'packs or installs a local folder or tarball: nothing is downloaded'
const LOCAL_BIN = 'runs the executable npm installed from the lockfile (node_modules/.bin): npx downloads nothing then'
const RUSTUP = "a component of the installed Rust toolchain's exact release: rustup checks it against the SHA-256 in that release's manifest"

const SITES: Listed[] = [
  // The pinned paths themselves (packages/kit/src/pins, the kit's pin file).
  { file: 'packages/kit/src/pins/npm.ts', site: /'npm', 'pack'/, why: 'npmTarball: the pinned version, checked against the pinned integrity on download and on every use', proof: /^(?=[\s\S]*cachedIntact\(tarball)(?=[\s\S]*checkDownload\(join\(work, packed\))/ },
  { file: 'packages/kit/src/pins/pypi.ts', site: /\.\.\.pip, 'download'/, why: 'pipDownload: --require-hashes with the pinned SHA-256; each caller checks the file again', proof: /'--require-hashes'/ },
  { file: 'scripts/lib/cross.ts', site: /pip'\)\} install/, why: 'installs only the verified wheels (pypiWheels): --no-index --find-links, --require-hashes', proof: /--no-index --no-deps --find-links \$\{WHEELS\} --require-hashes/ },
  { file: 'scripts/lib/cross.ts', site: /rustup target add/, why: RUSTUP },
  { file: 'scripts/lint/workflows.ts', site: /\$\{go\} install/, why: "actionlint at the exact ACTIONLINT_VERSION: go checks every module against go.sum and the checksum database", proof: /ACTIONLINT_VERSION = '\d+\.\d+\.\d+'/ },
  { file: 'packages/kit/src/roots/debian.ts', site: /'apt-get'.*'download'/, why: "Debian's packages: apt checks each against the archive's signed Release file" },
  // Lockfiles.
  { file: 'scripts/lib/tools.ts', site: /npm ci/, why: `tools/<name>: ${LOCKFILE}`, proof: /package-lock\.json/ },
  // >>> template only: npm run init deletes test-init.ts, and these lines with it
  { file: 'scripts/init/test-init.ts', site: /npm install/, why: `a copy of this repository: ${LOCKFILE}` },
  { file: 'scripts/init/test-init.ts', site: /'npx ava'/, why: LOCAL_BIN },
  // <<< template only
  { file: '.ci/run', site: /npm ci/, why: `the repository: ${LOCKFILE}` },
  { file: 'scripts/bench/clone-green.ts', site: /'npm', 'install'/, why: `a fresh clone of the repository, as README's Quick start installs it: ${LOCKFILE}` },
  { file: 'scripts/test/kit.ts', site: /'install', '--(lockfile-only|mode=update-lockfile)'/, why: "pnpm, yarn and bun write a lockfile only (no package is installed or run) for the exact @node-rs/xxhash the pins hold; the tarballs scan then fetches are checked against that lockfile's integrity", proof: /'@node-rs\/xxhash': ADDON_PIN\.version/ },
  { file: '.ci/run', site: /rustup component add/, why: RUSTUP },
  { file: '.github/workflows/ci.yml', site: /npm ci/, why: `the repository: ${LOCKFILE}` },
  { file: '.github/workflows/ci.yml', site: /rustup component add/, why: RUSTUP },
  { file: '.github/workflows/ci.yml', site: /apt-get install .*shellcheck/, why: "the runner's Ubuntu package: apt checks it against the archive's signed Release file" },
  { file: '.github/workflows/ci.yml', site: /apt-get install .*debian-archive-keyring/, why: "the runner's Ubuntu package (the keyring the musl root's Debian packages are checked with): apt checks it against the archive's signed Release file" },
  {
    file: '.github/workflows/ci.yml',
    site: /docker run .*"\$IMAGE"/,
    why: 'NOT pinned by digest: the official node:<major>-slim and -alpine images by tag, pulled on GitHub runners only (nothing local runs them); pinning them needs their digests from Docker Hub',
  },
  { file: '.github/workflows/release.yml', site: /npm ci/, why: `the repository: ${LOCKFILE}` },
  // test:kit installs a real published addon.
  { file: 'scripts/test/kit.ts', site: /npm\(\['install', (tarball, )?ADDON/, why: 'the addon at its pinned version; the lockfile npm writes is checked against the pinned integrity of it and its platform packages', proof: /lockedAsPinned\(/ },
  { file: 'scripts/test/kit.ts', site: /npm pack --silent --pack-destination/, why: LOCAL },
  { file: 'scripts/test/kit.ts', site: /npm install --save-dev \$\{tarball\}/, why: LOCAL },
  { file: 'scripts/test/kit.ts', site: /'npx ava /, why: LOCAL_BIN },
  // Local packing, the test registry on loopback.
  { file: 'scripts/__test__/audit.spec.ts', site: /npm pack --silent --pack-destination/, why: LOCAL },
  { file: 'packages/kit/src/release/checks.ts', site: /'npm', 'pack'/, why: `the user's own package folder: ${LOCAL}` },
  { file: 'scripts/test/release.ts', site: /fetch\(`\$\{registry\.url\}/, why: LOOPBACK },
  { file: 'scripts/test/release.ts', site: /'install'/, why: LOOPBACK },
  { file: 'scripts/lib/release-faults.ts', site: /fetch\(/, why: LOOPBACK },
  { file: 'scripts/lib/verdaccio.ts', site: /fetch\(`\$\{url\}/, why: LOOPBACK },
  // Metadata, never run.
  { file: 'packages/kit/scripts/update-pins.ts', site: /fetch\(`https:\/\/pypi\.org\/pypi\//, why: 'pins:update reads the digests it pins from PyPI; nothing it fetches is run' },
  { file: 'packages/kit/src/scan/registry.ts', site: /fetch\(/, why: "scan reads a package's registry metadata; nothing it fetches is run" },
  { file: 'packages/kit/src/scan/fetch.ts', site: /fetch\(url\)/, why: "scan fetches the tarballs of the user's lockfile, checks each against the lockfile's integrity and only reads it", proof: /does not match the lockfile's integrity/ },
]

const listed = (s: Site) => SITES.find((l) => l.file === s.file && l.site.test(s.text))
const where = (s: Site) => `${s.file}:${s.line}: ${s.text}`
const ALL = sourceFiles().flatMap((f) => downloadSites(f, readFileSync(join(ROOT, f), 'utf8')))
const isUses = (s: Site) => /^-?\s*uses:/.test(s.text)

test('every download site in the repository goes through a pinned path and says how', (t) => {
  const unlisted = ALL.filter((s) => !isUses(s) && !listed(s)).map(where)
  t.deepEqual(unlisted, [], 'download these through the kit\'s pins (npmTarball, unpackNpmTarball, pypiWheels; packages/kit/src/pins/wanted.ts, npm run pins:update), then list the site in SITES with the reason')
  for (const l of SITES.filter((x) => x.proof)) t.true(l.proof?.test(readFileSync(join(ROOT, l.file), 'utf8')), `${l.file} does not show ${l.proof}, so its reason does not hold: ${l.why}`)
})

test('every listed site is still there (a stale entry would hide a new site on its line)', (t) => {
  const stale = SITES.filter((l) => !ALL.some((s) => s.file === l.file && l.site.test(s.text))).map((l) => `${l.file}: ${l.site}`)
  t.deepEqual(stale, [])
  t.true(ALL.length >= SITES.length, `${ALL.length} sites found`)
})

test('every action a workflow uses is pinned to a commit (or is a workflow of this repository)', (t) => {
  const uses = ALL.filter(isUses)
  t.true(uses.length > 0, 'no uses: found: the check looks at nothing')
  t.deepEqual(uses.filter((s) => !/uses:\s*(?:[\w.-]+\/[\w./-]+@[0-9a-f]{40}\b|\.\/)/.test(s.text)).map(where), [])
})

test('a planted download of each kind is found and reported with its file and line; comments and messages are not', (t) => {
  const planted = [
    "await $({ quiet: true })`npm pack --silent left-pad@1`",
    "await $`${go} install example.com/tool@latest`",
    "await exec(['npm', 'install', 'left-pad'])",
    "await exec([...pip, 'download', 'requests'])",
    "await exec(['python3', '-m', 'pip', 'install', 'requests'])",
    "await exec(['curl', '-fsSLO', 'https://example.com/node.tar.gz'])",
    "const r = await fetch('https://example.com/node.tgz')",
    "await sh(dir, 'npx create-thing')",
    "await npm(['install', 'left-pad@1'], dir)",
  ]
  const text = ['// npm pack left-pad (a comment)', "check('npm install in the fresh copy', ok)", " * curl https://example.com (a doc comment)", ...planted].join('\n')
  const found = downloadSites('scripts/lib/planted.ts', text)
  t.deepEqual(found.map((s) => s.line), planted.map((_, i) => i + 4))
  t.deepEqual(found.filter((s) => !listed(s)).map(where), planted.map((p, i) => `scripts/lib/planted.ts:${i + 4}: ${p}`))
  const shell = downloadSites('.ci/run', '# curl https://example.com\nstep fetch curl -fsSLO https://example.com/x.tgz\nstep install npm ci')
  t.deepEqual(shell.map((s) => s.line), [2, 3])
  t.is(shell.filter((s) => !listed(s)).map(where).join(), '.ci/run:2: step fetch curl -fsSLO https://example.com/x.tgz')
})

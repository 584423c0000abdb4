// The release checks of a WebAssembly platform package (napi.targets' wasm32-wasip1-threads):
// it ships its .wasm and the loaders napi build writes beside it, so each must be staged and
// packed, `files` must cover them, its labels are cpu wasm32 with no os and no libc, and its
// runtime dependencies must be kept. Each case is a minimal napi-rs project in a temporary
// folder, planned with the real `npm pack` and nothing uploaded; every refusal has its case.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import test from 'ava'

import { type Check, planRelease, WASI_RUNTIME_DEPENDENCIES } from '../src/release/checks.js'
import { platformPackages, readAddonManifest } from '../src/release/manifest.js'

const home = mkdtempSync(join(tmpdir(), 'napi-kit-release-wasm-'))
test.after.always(() => rmSync(home, { recursive: true, force: true }))

const ADDON = 'some-addon'
const TRIPLE = 'wasm32-wasip1-threads'
const BUILD_FIX = `npm run build -- --release --target ${TRIPLE}`

interface Project {
  addonDir: string
  npmDir: string
  /** The WebAssembly package's package.json. */
  wasmJson: string
  /** What the WebAssembly package ships, from platformPackages. */
  files: string[]
  name: string
}

/** A project with one WebAssembly target, built (the .wasm and its loaders next to the loader); `change` breaks it. */
function project(label: string, change: (p: Project) => void = () => {}): Project {
  const root = join(home, label)
  const addonDir = join(root, 'addon')
  const npmDir = join(addonDir, 'npm')
  mkdirSync(addonDir, { recursive: true })
  writeFileSync(join(addonDir, 'package.json'), JSON.stringify({ name: ADDON, version: '1.0.0', main: 'index.js', files: ['index.js'], napi: { binaryName: ADDON, targets: [TRIPLE] } }))
  writeFileSync(join(addonDir, 'index.js'), 'module.exports = {}\n')
  const [wasm] = platformPackages(readAddonManifest(addonDir))
  if (!wasm) throw new Error('platformPackages gave no package for the WebAssembly target')
  // The module's first bytes are WebAssembly's magic and version; the loaders only need to exist.
  writeFileSync(join(addonDir, wasm.binary), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]))
  for (const file of wasm.files.filter((f) => f !== wasm.binary)) writeFileSync(join(addonDir, file), `// ${file}\n`)
  mkdirSync(join(npmDir, wasm.dir), { recursive: true })
  const wasmJson = join(npmDir, wasm.dir, 'package.json')
  // As napi create-npm-dirs writes it.
  writeFileSync(
    wasmJson,
    JSON.stringify({
      name: wasm.name,
      version: '1.0.0',
      cpu: ['wasm32'],
      main: wasm.main,
      files: wasm.files,
      dependencies: { '@napi-rs/wasm-runtime': '^1.0.0', '@emnapi/core': '1.11.3', '@emnapi/runtime': '1.11.3' },
    }),
  )
  const p = { addonDir, npmDir, wasmJson, files: wasm.files, name: wasm.name }
  change(p)
  return p
}

const editJson = (file: string, edit: (json: Record<string, unknown>) => Record<string, unknown>) => writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)))

async function plan(p: Project) {
  const stageDir = mkdtempSync(join(home, 'stage-'))
  const result = await planRelease({ addonDir: p.addonDir, npmDir: p.npmDir, stageDir, onlyPresent: true, cwd: p.addonDir })
  const find = (check: string): Check | undefined => result.checks.find((c) => c.pkg === p.name && c.check === check)
  return { result, find, stageDir }
}

test('the WebAssembly package is staged and packed with its .wasm and every loader; labels and dependencies pass', async (t) => {
  const p = project('complete')
  const { result, find, stageDir } = await plan(p)
  t.is(p.files.length, 6)
  t.like(find('name, os, cpu, libc'), { ok: true, detail: 'wasm32, no os, no libc' })
  t.like(find('loaders'), { ok: true })
  t.like(find('dependencies'), { ok: true, detail: '@napi-rs/wasm-runtime@^1.0.0, @emnapi/core@1.11.3, @emnapi/runtime@1.11.3' })
  t.like(find('npm pack'), { ok: true })
  const staged = result.platforms[0]
  t.deepEqual(staged?.files, [...p.files, 'package.json'].toSorted())
  for (const file of p.files) t.true(existsSync(join(stageDir, 'wasm32-wasi', file)), `${file} is staged`)
  t.deepEqual(WASI_RUNTIME_DEPENDENCIES, ['@napi-rs/wasm-runtime', '@emnapi/core', '@emnapi/runtime'])
})

test('a .wasm without wasi-worker.mjs beside it is refused, naming the file and the build that writes it', async (t) => {
  const p = project('no-worker', (q) => rmSync(join(q.addonDir, 'wasi-worker.mjs')))
  const { result, find } = await plan(p)
  const loaders = find('loaders')
  t.false(loaders?.ok)
  t.regex(loaders?.detail ?? '', /^no wasi-worker\.mjs in \.\/ beside some-addon\.wasm32-wasi\.wasm: napi build writes it with the \.wasm/)
  t.true(loaders?.fix?.includes(BUILD_FIX), loaders?.fix)
  t.false(result.ok)
  // The files that are there are still packed and checked.
  t.like(find('npm pack'), { ok: true })
})

test('loaders are taken from the folder the .wasm is in: a .wasm in npm/<dir>/ needs its loaders there too', async (t) => {
  const p = project('wasm-in-npm-dir', (q) => writeFileSync(join(q.npmDir, 'wasm32-wasi', 'some-addon.wasm32-wasi.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])))
  const { find } = await plan(p)
  const loaders = find('loaders')
  t.false(loaders?.ok)
  t.regex(loaders?.detail ?? '', /^no some-addon\.wasi\.cjs, some-addon\.wasi\.d\.cts, some-addon\.wasi-browser\.js, wasi-worker\.mjs, wasi-worker-browser\.mjs in npm\/wasm32-wasi\/ beside/)
})

test('a files list without a loader, a missing runtime dependency and an os label are each refused with the fix', async (t) => {
  const p = project('broken-package-json', (q) =>
    editJson(q.wasmJson, (json) => ({
      ...json,
      os: ['linux'],
      files: (json.files as string[]).filter((f) => f !== 'wasi-worker-browser.mjs'),
      dependencies: { '@napi-rs/wasm-runtime': '^1.0.0', '@emnapi/runtime': '1.11.3' },
    })),
  )
  const { find } = await plan(p)
  t.like(find('name, os, cpu, libc'), { ok: false, detail: `npm/wasm32-wasi/package.json says ${p.name} [["linux"],["wasm32"],null], napi.targets gives ${p.name} [null,["wasm32"],null]` })
  const deps = find('dependencies')
  t.false(deps?.ok)
  t.is(deps?.detail, '"dependencies" lacks @emnapi/core: the WebAssembly loader cannot load without them')
  t.regex(deps?.fix ?? '', /^add them to "dependencies" in npm\/wasm32-wasi\/package\.json/)
  const packed = find('npm pack')
  t.false(packed?.ok)
  t.regex(packed?.detail ?? '', /^the tarball would leave out wasi-worker-browser\.mjs /)
  t.regex(packed?.fix ?? '', /^add "wasi-worker-browser\.mjs" to "files" in npm\/wasm32-wasi\/package\.json/)
})

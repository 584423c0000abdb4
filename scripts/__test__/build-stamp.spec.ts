import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import test from 'ava'

import { stampPath, staleBinary, writeBuildStamp } from '../lib/build-stamp.js'
import { ADDON_DIR } from '../lib/paths.js'

test('a binary counts as built from the current sources only while it matches its stamp', (t) => {
  const binary = join(ADDON_DIR, `stamp-spec-${process.pid}.node`)
  t.teardown(() => {
    rmSync(binary, { force: true })
    rmSync(stampPath(binary), { force: true })
  })
  t.is(staleBinary(binary), 'it is missing')
  writeFileSync(binary, 'the build turbo ran')
  t.is(staleBinary(binary), 'no build stamp says which build it is')
  writeBuildStamp(binary)
  t.is(staleBinary(binary), undefined)
  // An edit and its revert: turbo's cache hit restores this stamp while another build's binary stays.
  writeFileSync(binary, 'the build of an edit since reverted')
  t.is(staleBinary(binary), 'it is the output of another build (other sources or another profile)')
})

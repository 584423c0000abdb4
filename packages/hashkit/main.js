// The package entry, written by hand. It requires the loader that `napi build` generates
// (index.js) unchanged and exports the same API, described by the generated index.d.ts.
//
// When no binary loads, the generated loader throws "Cannot find native binding", which names
// neither this platform nor the package it looked for. This file throws instead one error that
// says what was detected, what was expected, why it failed and the command that fixes it
// (load-error.js, read only then; code ERR_NAPI_KIT_NO_BINDING, the loader's error as `cause`).
//
// One export is not the loader's own: `hash` with no options, or with a known `algorithm` and
// nothing else, calls the binding's hot path (`__hash`, one plain Node-API function per
// algorithm; see crates/node/src/fast.rs), because reading an option costs about a nanosecond
// here and about a microsecond through Node-API. Any other options go to the binding's
// complete `hash`, which reads and checks them and throws every error: this file decides
// nothing that the binding would decide otherwise, and throws nothing itself.
'use strict'

let binding
try {
  binding = require('./index.js')
} catch (error) {
  throw require('./load-error.js').explainLoadError(error, __dirname)
}

/** Each algorithm's hot-path function, by the algorithm's name. */
const HOT_PATH = new Map(Object.entries(binding.__hash))
/** The default algorithm's, as the binding defines the default. */
const hotDefault = HOT_PATH.get(new binding.Hasher().algorithm)

/**
 * The hot-path function for `options`, or undefined when the binding must read them. Only
 * `algorithm` may be enumerable (own or inherited: the binding refuses any other own key, and
 * reads `algorithm` and `seed` through the prototype chain), `seed` must be undefined even when
 * not enumerable, and the algorithm must be known (a Map key: no prototype names).
 */
function hotPathFor(options) {
  for (const key in options) {
    if (key !== 'algorithm') return undefined
  }
  if (options.seed !== undefined) return undefined
  const algorithm = options.algorithm
  return algorithm === undefined ? hotDefault : HOT_PATH.get(algorithm)
}

/** See `hash` in index.d.ts. */
function hash(input, options) {
  if (options === undefined || options === null) return hotDefault(input)
  const hot = typeof options === 'object' ? hotPathFor(options) : undefined
  return hot === undefined ? binding.hash(input, options) : hot(input)
}

// Every export of the loader, by name, so that `import { … }` sees them (Node.js finds the
// names of a CommonJS module by reading these assignments). A test fails when one is missing.
exports.Hasher = binding.Hasher
exports.buildInfo = binding.buildInfo
exports.hash = hash
exports.hashAsync = binding.hashAsync
exports.panicForTesting = binding.panicForTesting
exports.__napiBindingTarget = binding.__napiBindingTarget

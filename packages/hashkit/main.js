// The package entry, written by hand. It requires the loader that `napi build` generates
// (index.js) unchanged and exports the same API, described by the generated index.d.ts.
//
// When no binary loads, the generated loader throws "Cannot find native binding", which names
// neither this platform nor the package it looked for. This file throws instead one error that
// says what was detected, what was expected, why it failed and the command that fixes it
// (load-error.js, read only then; code ERR_NAPI_KIT_NO_BINDING, the loader's error as `cause`).
'use strict'

let binding
try {
  binding = require('./index.js')
} catch (error) {
  throw require('./load-error.js').explainLoadError(error, __dirname)
}

// Every export of the loader, by name, so that `import { … }` sees them (Node.js finds the
// names of a CommonJS module by reading these assignments). A test fails when one is missing.
exports.Hasher = binding.Hasher
exports.buildInfo = binding.buildInfo
exports.hash = binding.hash
exports.hashAsync = binding.hashAsync
exports.panicForTesting = binding.panicForTesting
exports.__napiBindingTarget = binding.__napiBindingTarget

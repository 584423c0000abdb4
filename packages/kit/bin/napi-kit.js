#!/usr/bin/env node
// The napi-kit command: the compiled CLI (src/cli.ts, built by tsc into dist/).
import '../dist/cli.js'

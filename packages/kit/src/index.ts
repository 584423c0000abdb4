// The programmatic API, for tools that audit binaries or run commands per target themselves.
// Everything a tool built on the kit needs is exported here; nothing else is public.

// The audit: binaries, folders and npm tarballs.
export { auditBinary, type BinaryFacts, type BinaryReport, DEFAULT_GLIBC_FLOOR, type Expectation, type Finding, linuxTriple, type Severity, tripleFor } from './audit/checks.js'
export { ElfError, type ElfInfo, isElf, parseElf } from './audit/elf.js'
export { type AuditInput, type AuditOptions, auditFiles, auditPaths, collectBinaries, defaultPaths, findAddons, targetFromName } from './audit/files.js'
export { MUSL_LIBC_SYMBOLS } from './audit/musl-symbols.generated.js'
export { isWasm, parseWasm, WasmError, type WasmExport, type WasmImport, type WasmInfo, type WasmKind, type WasmLimits, type WasmSection } from './audit/wasm.js'
export { auditWasm, flavorFromName, type WasiFlavor, type WasmExpectation, wasiTriple } from './audit/wasm-checks.js'
export { WASM_RUNTIME_EMNAPI, WASM_RUNTIME_IMPORTS } from './audit/wasm-imports.generated.js'
export { readTarball, TarError, type TarEntry } from './audit/tar.js'

// The roots: a real Node.js of another libc or CPU, provisioned from Debian's archive.
export { arm64Root, arm64Unsupported, inArm64Root, type Libc, provisionArm64Root } from './roots/arm64.js'
export { rootEnv } from './roots/chroot.js'
export { debianPackages, unpackDeb } from './roots/debian.js'
export { inMuslRoot, MUSL_LOADER, muslLibcSymbols, type MuslNode, muslRoot, muslRootEnv, muslRootUnsupported, provisionMuslRoot, type RootNode } from './roots/musl.js'
export { RUN_TARGETS, type RunTarget } from './roots/targets.js'
export { providedMajors, unreleasedMajors } from './roots/node-wheels.js'

// The pins: every artifact the kit and its repository download, at an exact version and digest,
// checked on every use (pins/pins.generated.ts, written by `npm run pins:update`).
export { integrityOfFile, sha256File } from './pins/hash.js'
export { npmNotPinned, type NpmPin, npmPin, npmPinnedLines, npmPinOf, npmTarball, unpackNpmTarball } from './pins/npm.js'
export { NPM_PINS, PYPI_PINS } from './pins/pins.generated.js'
export { type PypiPin, pypiPinnedVersion, pypiPinsOf, pypiRequirement, pypiWheels } from './pins/pypi.js'

// The release: a napi-rs project's platform packages, their checks and their uploads.
export { type Check, filesCheck, findBinary, optionalDependenciesCheck, planRelease, type ReleaseOptions, type ReleasePlan, type StagedPackage, versionCheck } from './release/checks.js'
export { type AddonManifest, isWasiTarget, parseTarget, type PlatformPackage, platformPackages, readAddonManifest, releaseOptionalDependencies } from './release/manifest.js'
export { lockRelease } from './release/lock.js'
export { cannotPublish, provenanceAvailable, PublishError, publishedState, publishTarball, registryChecks, registryHas, tarballIntegrity, transientFailure } from './release/publish.js'
export { configuredRegistry, registryUnreachable, registryUrl } from './release/registry.js'

// Shared by the commands and by tools built on them.
export { CACHE_ENV, cacheDir } from './lib/cache.js'
export { CommandError, UsageError } from './lib/errors.js'
export { ensureOnce } from './lib/lock.js'
export { bad, bytes, info, ok, seconds, table, timed } from './lib/log.js'
export { runtimeGlibc } from './lib/runtime.js'

// The scan: will an app's native dependencies load where it is deployed?
export { type ScanOptions, type ScanResult, scanLockfile, type TargetResult } from './scan/scan.js'
export { parseTargets, SCAN_TARGET_NAMES, type ScanTarget } from './scan/targets.js'
export type { PackageVerdict } from './scan/verdict.js'

//! The Node-API face of `hashkit-core`. Each export checks its arguments (see `args`),
//! calls one `*_impl` function shared by its sync and async forms, and maps errors once
//! (see `error`). The doc comments here become the JSDoc in `index.d.ts`.

use hashkit_alloc as _;

mod args;
mod error;
pub mod fast;

use hashkit_core::{Algorithm, Hasher as CoreHasher, Hex, Params};
use napi::bindgen_prelude::{AsyncTask, JavaScriptClassExt, Result, This};
use napi::{Env, JsString, Task, Unknown};
use napi_derive::napi;

use args::OwnedInput;
use error::ArgError;

/// The one computation behind `hash` and `hashAsync`.
fn hash_impl(params: Params, bytes: &[u8]) -> Hex {
    hashkit_core::hash(params, bytes).hex()
}

/// Hex digits as a JavaScript string; Latin-1 creation skips UTF-8 decoding (hex is ASCII).
fn js_hex<'env>(env: &'env Env, hex: &Hex) -> Result<JsString<'env>> {
    env.create_string_latin1(hex.as_bytes())
}

/// Hashes a string (as UTF-8) or the bytes of a Buffer or Uint8Array, read in place
/// without a copy. Returns the digest as lowercase hex in canonical byte order, the
/// string `xxhsum` prints.
///
/// Throws a `TypeError` (code `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`) for input
/// or options of the wrong type or an unknown algorithm, and a `RangeError` (code
/// `ERR_OUT_OF_RANGE`) for a seed the algorithm cannot take.
///
/// @example
/// hash('hello') // '9555e8555c62dcfd'
/// hash(Buffer.from('hello'), { algorithm: 'xxh3-128', seed: 42n })
#[napi(
    catch_unwind,
    ts_args_type = "input: string | Uint8Array, options?: HashOptions | undefined | null"
)]
pub fn hash<'env>(
    env: &'env Env,
    input: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<JsString<'env>> {
    let params = args::options(options.as_ref()).map_err(|e| e.throw(env))?;
    let input = args::input(&input).map_err(|e| e.throw(env))?;
    js_hex(env, &hash_impl(params, input.as_bytes()))
}

/// Options for `hash`, `hashAsync` and `new Hasher()`.
// Only the TypeScript interface is generated: `args::options` reads the object itself, so
// that every wrong property is reported by name.
#[napi(object, object_from_js = false, object_to_js = false)]
pub struct HashOptions {
    /// `'xxh3'` (default, 64-bit), `'xxh3-128'`, `'xxh64'` or `'xxh32'`.
    #[napi(ts_type = "'xxh3' | 'xxh3-128' | 'xxh64' | 'xxh32'")]
    pub algorithm: Option<String>,
    /// An integer from 0 to 2^64 - 1 (0 to 2^32 - 1 for xxh32); a bigint above
    /// `Number.MAX_SAFE_INTEGER`. Default 0.
    #[napi(ts_type = "number | bigint")]
    pub seed: Option<f64>,
}

/// The background work of `hashAsync`.
pub struct HashTask {
    params: Params,
    input: OwnedInput,
}

#[napi]
impl Task for HashTask {
    type Output = Hex;
    type JsValue = String;

    fn compute(&mut self) -> Result<Self::Output> {
        // A panic must not cross the libuv thread boundary: it would abort Node.js.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            hash_impl(self.params, self.input.as_bytes())
        }))
        .map_err(error::from_panic)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(output.as_str().to_owned())
    }
}

/// `hash` on a libuv worker thread. Resolves to the same string `hash` returns, for the
/// bytes as they were when it was called. Argument errors are thrown synchronously,
/// exactly as `hash` throws them.
///
/// A Buffer or Uint8Array is copied before the call returns, because JavaScript could
/// transfer its ArrayBuffer away while the task waits: the caller may change, reuse or
/// transfer it at once. The copy costs the calling thread about 1.3 to 2 ms per 16 MiB
/// (about what `hash` takes for XXH3 in place), so for Buffers the worker thread pays off
/// with the slower algorithms and with several inputs hashed in parallel. A view of a
/// SharedArrayBuffer, which can be neither transferred nor detached, is read in place with
/// no copy; changing it before the promise settles may give a torn digest, never a crash.
#[napi(
    catch_unwind,
    ts_args_type = "input: string | Uint8Array, options?: HashOptions | undefined | null"
)]
pub fn hash_async(
    env: &Env,
    input: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<AsyncTask<HashTask>> {
    let params = args::options(options.as_ref()).map_err(|e| e.throw(env))?;
    let input = args::owned_input(&input).map_err(|e| e.throw(env))?;
    Ok(AsyncTask::new(HashTask { params, input }))
}

/// A streaming hasher: `update()` it with chunks as they arrive, read `digest()` at any
/// point. The digest of the chunks equals `hash()` of their concatenation.
///
/// @example
/// const hasher = new Hasher({ algorithm: 'xxh64' })
/// for await (const chunk of stream) hasher.update(chunk)
/// hasher.digest()
#[napi]
pub struct Hasher {
    inner: CoreHasher,
}

#[napi]
impl Hasher {
    /// Starts an empty stream with the given algorithm and seed.
    ///
    /// Throws a `TypeError` (code `ERR_CONSTRUCT_CALL_REQUIRED`) when called without `new`.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "options?: HashOptions | undefined | null"
    )]
    pub fn new(env: &Env, this: This<'_>, options: Option<Unknown<'_>>) -> Result<Self> {
        // Without `new`, `this` is the caller's receiver (globalThis for a plain call), which
        // would be wrapped as a Hasher: refuse it as JavaScript's own classes do.
        if !Hasher::instance_of(env, &this)? {
            return Err(ArgError::Construct { class: "Hasher" }.throw(env));
        }
        let params = args::options(options.as_ref()).map_err(|e| e.throw(env))?;
        Ok(Hasher {
            inner: CoreHasher::new(params),
        })
    }

    /// Feeds one chunk (a string as UTF-8, or a Buffer or Uint8Array read in place) and
    /// returns the hasher, so calls can be chained.
    #[napi(
        catch_unwind,
        ts_args_type = "input: string | Uint8Array",
        ts_return_type = "this"
    )]
    pub fn update<'scope>(
        &mut self,
        env: &Env,
        this: This<'scope>,
        input: Unknown<'_>,
    ) -> Result<This<'scope>> {
        let input = args::input(&input).map_err(|e| e.throw(env))?;
        self.inner.update(input.as_bytes());
        Ok(this)
    }

    /// The digest of everything fed so far, as lowercase hex. The hasher stays usable.
    #[napi(catch_unwind)]
    pub fn digest<'env>(&self, env: &'env Env) -> Result<JsString<'env>> {
        js_hex(env, &self.inner.digest().hex())
    }

    /// Forgets every chunk fed so far; algorithm and seed stay.
    #[napi(catch_unwind)]
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// How many bytes were fed since construction or the last `reset()`.
    #[napi(getter)]
    pub fn bytes_hashed(&self) -> f64 {
        // f64 holds every integer up to 2^53 bytes (8 PiB) exactly.
        self.inner.bytes_hashed() as f64
    }

    /// The algorithm this hasher was created with.
    #[napi(getter, ts_return_type = "'xxh3' | 'xxh3-128' | 'xxh64' | 'xxh32'")]
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().name()
    }
}

/// Which native binary is running: tests use it to prove the loader picked the binary built
/// for this platform and libc.
#[napi(object)]
pub struct BuildInfo {
    /// The Rust target triple it was compiled for, e.g. `x86_64-unknown-linux-musl`.
    pub target: String,
    /// `process.platform` naming: `'linux'`, `'darwin'` or `'win32'`; `'wasi'` for the
    /// WebAssembly build, which runs on any of them.
    pub platform: String,
    /// `process.arch` naming: `'x64'` or `'arm64'`; `'wasm32'` for the WebAssembly build.
    pub arch: String,
    /// The C library it links: `'glibc'`, `'musl'`, `'msvc'`, `'system'` on macOS, or
    /// `'wasi'` (wasi-libc) for the WebAssembly build.
    #[napi(ts_type = "'glibc' | 'musl' | 'msvc' | 'system' | 'wasi'")]
    pub libc: String,
    /// The addon crate's version.
    pub version: String,
    /// Whether debug assertions are compiled in (a debug build).
    pub debug_assertions: bool,
    /// The algorithms this build offers.
    pub algorithms: Vec<String>,
}

/// Describes the native binary that was loaded.
#[napi(catch_unwind)]
pub fn build_info() -> BuildInfo {
    let libc = if cfg!(target_env = "musl") {
        "musl"
    } else if cfg!(all(target_os = "linux", target_env = "gnu")) {
        "glibc"
    } else if cfg!(target_env = "msvc") {
        "msvc"
    } else if cfg!(target_os = "wasi") {
        "wasi"
    } else {
        "system"
    };
    // napi-rs names the WebAssembly target's platform `wasi` (its package: `<name>-wasm32-wasi`).
    let platform = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        _ if cfg!(target_os = "wasi") => "wasi",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "ia32",
        other => other,
    };
    BuildInfo {
        target: env!("HASHKIT_TARGET").to_owned(),
        platform: platform.to_owned(),
        arch: arch.to_owned(),
        libc: libc.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        debug_assertions: cfg!(debug_assertions),
        algorithms: Algorithm::ALL.iter().map(|a| a.name().to_owned()).collect(),
    }
}

/// Panics inside Rust on purpose. It exists to prove, in this package's tests, that a Rust
/// panic reaches JavaScript as an `Error` carrying the panic message, and Node.js keeps running;
/// remove it together with its test if your API should not carry it.
#[napi(catch_unwind)]
pub fn panic_for_testing(message: String) {
    // The point of this function: clippy's "no panics in exports" rule is waived here only.
    #[allow(clippy::panic)]
    {
        panic!("{message}");
    }
}

//! The hot path of `hash`: one plain Node-API callback per algorithm.
//!
//! A `#[napi]` function pays for napi-rs's argument glue on every call (a callback-info
//! struct, a native-borrow scope allocated on the heap, thread-local bookkeeping): about 1,200
//! instructions, more than a call that hashes 64 bytes needs in all. For the call users make
//! millions of times, this module registers callbacks that make three Node-API calls on the
//! common path: `napi_get_cb_info` for the one argument, `napi_get_value_string_utf8` into a
//! stack buffer (or `napi_get_typedarray_info` for a Buffer) and `napi_create_string_latin1`
//! for the digest. The algorithm is not an argument: each callback is created with its
//! algorithm's index as its `data`, which `napi_get_cb_info` hands back at no cost.
//!
//! Any other input (a long string, a wrong type) goes through the same [`args::input`] that
//! `hash` uses and throws the same [`ArgError`]s, so the two cannot disagree on what they
//! accept or on how they refuse it.
//!
//! They are exported as `__hash`, an object with one function per algorithm name and no
//! types: `main.js`, the package entry, calls them when the options are plain (none, or a
//! known `algorithm` and nothing else) and calls the complete `hash` for everything else.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::ptr;

use hashkit_core::{Algorithm, Params};
use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object, Result, Uint8ArraySlice};
use napi::{Env, Error, JsError, Status, Unknown, sys};
use napi_derive::napi;

use crate::args;
use crate::error;

/// Strings up to this many UTF-8 bytes (minus 4) are read on the stack, as `args::input` does.
const STACK_TEXT: usize = 128;

/// The callback behind each `__hash` function: Node-API's entry point, and the boundary
/// where every failure becomes a JavaScript exception, once.
unsafe extern "C" fn hash_callback(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // A panic must not unwind into Node.js: it becomes a JavaScript Error, as everywhere else.
    // SAFETY: Node-API calls this callback with its own env and callback info, on the thread
    // that owns the env, which is all `hash_call` requires.
    match std::panic::catch_unwind(|| unsafe { hash_call(env, info) }) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => throw(env, *err),
        Err(panic) => throw(env, error::from_panic(panic)),
    }
}

/// Throws `err`, unless it stands for an exception already pending (an `ArgError` thrown by
/// `args`), and returns what the callback returns then.
#[cold]
fn throw(env: sys::napi_env, err: Error) -> sys::napi_value {
    // SAFETY: `env` is the env of the callback being handled, on its JavaScript thread.
    // `throw_into` throws nothing when the error's exception is already pending, and throws
    // `err` as an Error otherwise.
    unsafe { JsError::from(err).throw_into(env) };
    ptr::null_mut()
}

/// A call's result. The error is boxed: a `napi::Error` is several words wide, and moving
/// it through every return on the path that never fails cost more than the hashing.
type CallResult = std::result::Result<sys::napi_value, Box<Error>>;

/// A failed Node-API call, built only when one fails.
#[cold]
fn node_api_failed(what: &str) -> Box<Error> {
    Box::new(Error::new(Status::GenericFailure, what))
}

/// `__hash[name](input)`: the hex digest of `input`, as `hash` reads it, with the callback's
/// algorithm and seed 0.
///
/// # Safety
///
/// `env` and `info` must be those of a Node-API callback being handled, on the env's thread.
unsafe fn hash_call(env: sys::napi_env, info: sys::napi_callback_info) -> CallResult {
    let mut argc = 1;
    let mut input = ptr::null_mut();
    let mut data = ptr::null_mut();
    // SAFETY: `info` is the info of the call being handled; Node-API writes at most `argc` (1)
    // value into `input` (`undefined` when the call passed none) and the function's data.
    let status = unsafe {
        sys::napi_get_cb_info(env, info, &mut argc, &mut input, ptr::null_mut(), &mut data)
    };
    if status != sys::Status::napi_ok {
        return Err(node_api_failed("the arguments could not be read"));
    }
    // `data` is not a pointer: it carries the index `register_hot_path` created it with.
    let algorithm = Algorithm::ALL
        .get(data as usize)
        .copied()
        .ok_or_else(|| node_api_failed("no algorithm for this function"))?;
    let params = Params::seedless(algorithm);

    let mut text = [MaybeUninit::<u8>::uninit(); STACK_TEXT];
    // SAFETY: `input` was returned by Node-API for this call's env, while it is handled.
    let digest = match unsafe { read_common(env, input, &mut text) } {
        Some(Common::Text(bytes)) => hashkit_core::hash(params, bytes),
        Some(Common::Bytes(bytes)) => hashkit_core::hash(params, &bytes),
        None => {
            // SAFETY: `input` was returned by Node-API for this call's env.
            let value = unsafe { Unknown::from_raw_unchecked(env, input) };
            let input = args::input(&value).map_err(|e| Box::new(e.throw(&Env::from(env))))?;
            hashkit_core::hash(params, input.as_bytes())
        }
    };
    let hex = digest.hex();
    let mut out = ptr::null_mut();
    // SAFETY: `hex` is ASCII (valid Latin-1) of the given length; `out` is read only on success.
    let status = unsafe {
        sys::napi_create_string_latin1(
            env,
            hex.as_bytes().as_ptr().cast(),
            hex.as_bytes().len() as isize,
            &mut out,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(node_api_failed("the digest string could not be created"));
    }
    Ok(out)
}

/// Input in one of the two common shapes, read with one Node-API call.
enum Common<'a> {
    /// A short string's UTF-8, in the caller's stack buffer.
    Text(&'a [u8]),
    /// A Buffer or Uint8Array, read in place.
    Bytes(Uint8ArraySlice<'a>),
}

/// Reads `value` when it is a string of at most `STACK_TEXT - 4` UTF-8 bytes (into `text`) or
/// a Uint8Array; `None` for everything else, which [`args::input`] then reads or refuses.
/// No `napi_typeof` first: the string read itself answers `napi_string_expected` for
/// anything that is not a string.
///
/// # Safety
///
/// `value` must be a live handle of `env`, read during the callback that received it (the
/// bytes of a Uint8Array are borrowed for that long).
unsafe fn read_common<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
    text: &'a mut [MaybeUninit<u8>; STACK_TEXT],
) -> Option<Common<'a>> {
    let mut len = 0;
    // SAFETY: `value` is a live handle of this call's env; Node-API writes at most
    // `STACK_TEXT - 1` bytes and a NUL into `text`, and the number of bytes into `len`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(env, value, text.as_mut_ptr().cast(), STACK_TEXT, &mut len)
    };
    match status {
        // A cut string stops at a character boundary, at most 3 bytes short of the
        // `STACK_TEXT - 1` that fit: a shorter result is the whole string.
        sys::Status::napi_ok if len + 4 < STACK_TEXT => {
            // SAFETY: Node-API initialised the first `len` bytes of `text`.
            Some(Common::Text(unsafe {
                std::slice::from_raw_parts(text.as_ptr().cast(), len)
            }))
        }
        // SAFETY: `value` is a live handle of this call's env; napi-rs's conversion checks
        // that it is a Uint8Array (a Buffer is one) and answers `Err` for anything else.
        sys::Status::napi_string_expected => {
            unsafe { Uint8ArraySlice::from_napi_value(env, value) }
                .ok()
                .map(Common::Bytes)
        }
        _ => None,
    }
}

/// Adds `__hash` to the module's exports, after the `#[napi]` exports are registered: an
/// object whose property for each algorithm name is that algorithm's hot-path function.
#[napi(module_exports)]
pub fn register_hot_path(mut exports: Object, env: Env) -> Result<()> {
    let mut functions = Object::new(&env)?;
    for (index, algorithm) in Algorithm::ALL.into_iter().enumerate() {
        let mut function = ptr::null_mut();
        // SAFETY: the name is valid UTF-8 of the given length, `hash_callback` has the
        // signature Node-API expects, `data` is an integer that is never dereferenced, and
        // `function` is read only on success.
        let status = unsafe {
            sys::napi_create_function(
                env.raw(),
                c"hash".as_ptr(),
                c"hash".count_bytes() as isize,
                Some(hash_callback),
                index as *mut c_void,
                &mut function,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(Error::new(
                Status::GenericFailure,
                format!("the hot path of {algorithm} could not be created"),
            ));
        }
        // SAFETY: `function` was just created in this env.
        functions.set_named_property(algorithm.name(), unsafe {
            Unknown::from_raw_unchecked(env.raw(), function)
        })?;
    }
    exports.set_named_property("__hash", functions)
}

//! Turns JavaScript arguments into core types, checking each one and naming it when it is
//! wrong. Byte input of a synchronous call is read in place (no copy); strings are copied
//! once, as UTF-8; input for another thread is copied (see [`OwnedInput`]).

use hashkit_core::{Algorithm, Error as CoreError, Params};
use napi::bindgen_prelude::{
    BigInt, FromNapiValue, JsObjectValue, Object, Uint8Array, Uint8ArraySlice,
};
use napi::sys;
use napi::{JsValue, Unknown, ValueType};

use crate::error::ArgError;

/// What `input` may be, as the TypeScript signature says.
pub const INPUT_TYPES: &str = "of type string or an instance of Buffer or Uint8Array";

/// Strings up to this many UTF-8 bytes (minus 4) are converted on the stack, not the heap.
const STACK_TEXT: usize = 128;

/// Hash input borrowed from JavaScript for the length of a synchronous call.
pub enum Input<'env> {
    /// A short JavaScript string, copied as UTF-8 into a stack buffer.
    Short([u8; STACK_TEXT], usize),
    /// A JavaScript string, copied as UTF-8.
    Text(String),
    /// A Buffer or Uint8Array, read in place.
    Bytes(Uint8ArraySlice<'env>),
}

impl Input<'_> {
    /// The bytes to hash.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Input::Short(buf, len) => &buf[..*len],
            Input::Text(text) => text.as_bytes(),
            Input::Bytes(bytes) => bytes,
        }
    }
}

/// Hash input for a background thread, in one of the two forms no JavaScript code can take
/// away while the thread reads it.
///
/// A reference to an ordinary Buffer or Uint8Array would not be enough: JavaScript may transfer
/// its ArrayBuffer (`postMessage`, `structuredClone(…, { transfer })`) while the task waits for a
/// thread, and the transferred memory can then be freed and reused under the reader. Such bytes
/// are copied on the JavaScript thread before the call returns. A SharedArrayBuffer can be
/// neither transferred nor detached, and growing one never moves it, so a view of one stays
/// valid for as long as the task holds a reference to it: those bytes are read in place.
pub enum OwnedInput {
    /// A string as UTF-8, or the bytes of a view of an ordinary ArrayBuffer, copied.
    Copied(Vec<u8>),
    /// A view of a SharedArrayBuffer, kept alive by this reference and read in place.
    Shared(Uint8Array),
}

impl OwnedInput {
    /// The bytes to hash.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            OwnedInput::Copied(bytes) => bytes,
            OwnedInput::Shared(view) => view,
        }
    }
}

/// Converts a value with napi-rs's own conversion, after the caller checked its type.
fn convert<T: FromNapiValue>(value: &Unknown<'_>) -> Option<T> {
    // SAFETY: `value` is a live handle of the current call's env, which is all that
    // `from_napi_value` requires; a value of another type yields `Err`, not UB.
    unsafe { T::from_napi_value(value.value().env, value.raw()) }.ok()
}

fn input_type_error(value: &Unknown<'_>) -> ArgError {
    ArgError::Type {
        name: "input",
        expected: INPUT_TYPES,
        received: describe(value),
    }
}

/// Reads `input` for a synchronous call.
pub fn input<'env>(value: &Unknown<'env>) -> Result<Input<'env>, ArgError> {
    match value.get_type() {
        Ok(ValueType::String) => match stack_utf8::<STACK_TEXT>(value) {
            Some((buf, len)) => Some(Input::Short(buf, len)),
            None => convert::<String>(value).map(Input::Text),
        },
        // napi-rs checks that the object is a Uint8Array (a Buffer is one) while converting.
        Ok(ValueType::Object) => convert::<Uint8ArraySlice>(value).map(Input::Bytes),
        _ => None,
    }
    .ok_or_else(|| input_type_error(value))
}

/// Reads `input` for a call that finishes on another thread: see [`OwnedInput`].
pub fn owned_input(value: &Unknown<'_>) -> Result<OwnedInput, ArgError> {
    if views_shared_memory(value)
        && let Some(view) = convert::<Uint8Array>(value)
    {
        return Ok(OwnedInput::Shared(view));
    }
    input(value).map(|input| {
        OwnedInput::Copied(match input {
            Input::Short(buf, len) => buf[..len].to_vec(),
            Input::Text(text) => text.into_bytes(),
            Input::Bytes(bytes) => bytes.to_vec(),
        })
    })
}

/// Whether `value` is a Uint8Array whose buffer is a SharedArrayBuffer. A typed array's buffer
/// is either an ArrayBuffer or a SharedArrayBuffer, and `napi_is_arraybuffer` is false only for
/// the latter. Anything else (not a Uint8Array, any failed call) answers `false`: a copy.
fn views_shared_memory(value: &Unknown<'_>) -> bool {
    let env = value.value().env;
    let mut is_typed_array = false;
    let mut kind = sys::TypedarrayType::int8_array;
    let mut length = 0;
    let mut data = std::ptr::null_mut();
    let mut buffer = std::ptr::null_mut();
    let mut offset = 0;
    let mut is_array_buffer = true;
    // SAFETY: `value` is a live handle of the current call's env; each out-pointer points to a
    // local of the type Node-API writes, and `buffer` is read only after the call succeeded.
    unsafe {
        sys::napi_is_typedarray(env, value.raw(), &mut is_typed_array) == sys::Status::napi_ok
            && is_typed_array
            && sys::napi_get_typedarray_info(
                env,
                value.raw(),
                &mut kind,
                &mut length,
                &mut data,
                &mut buffer,
                &mut offset,
            ) == sys::Status::napi_ok
            && kind == sys::TypedarrayType::uint8_array
            && sys::napi_is_arraybuffer(env, buffer, &mut is_array_buffer) == sys::Status::napi_ok
            && !is_array_buffer
    }
}

/// Reads the optional `options` object, `{ algorithm?: Algorithm, seed?: number | bigint }`,
/// into checked parameters (default: xxh3, seed 0).
pub fn options(value: Option<&Unknown<'_>>) -> Result<Params, ArgError> {
    let Some(value) = value else {
        return Ok(Params::default());
    };
    let object = match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Null) => return Ok(Params::default()),
        Ok(ValueType::Object) => convert::<Object>(value),
        _ => None,
    }
    .ok_or_else(|| ArgError::Type {
        name: "options",
        expected: "of type object",
        received: describe(value),
    })?;

    reject_unknown_keys(&object)?;
    let algorithm = match property(value, c"algorithm") {
        None => Algorithm::default(),
        Some(value) => algorithm(&value)?,
    };
    let seed = match property(value, c"seed") {
        None => 0,
        Some(value) => seed(&value)?,
    };
    Params::new(algorithm, seed).map_err(|err| ArgError::Range {
        name: "options.seed",
        reason: err.to_string(),
    })
}

/// The properties `options` may have, in the order error messages list them.
const OPTION_KEYS: [&str; 2] = ["algorithm", "seed"];

/// Refuses any enumerable property other than [`OPTION_KEYS`]: a misspelt key would otherwise
/// fall back to a default and silently change every digest. Names are compared on the stack;
/// a string is allocated only for the error message.
fn reject_unknown_keys(object: &Object<'_>) -> Result<(), ArgError> {
    let unreadable = || ArgError::Value {
        name: "options",
        reason: "Its property names could not be read".to_owned(),
    };
    let keys = own_keys(object).ok_or_else(unreadable)?;
    let count = keys
        .get_array_length_unchecked()
        .map_err(|_| unreadable())?;
    for index in 0..count {
        let key = keys
            .get_element::<Unknown>(index)
            .map_err(|_| unreadable())?;
        let known = short_string(&key)
            .is_some_and(|(buf, len)| OPTION_KEYS.iter().any(|k| k.as_bytes() == &buf[..len]));
        if !known {
            let key = convert::<String>(&key).ok_or_else(unreadable)?;
            return Err(ArgError::Value {
                name: "options",
                reason: format!(
                    "Unknown property \"{key}\": use \"{}\" or \"{}\"",
                    OPTION_KEYS[0], OPTION_KEYS[1]
                ),
            });
        }
    }
    Ok(())
}

/// The object's own enumerable string keys (numbers as strings), as an array. Own keys only:
/// collecting the prototype chain's as well would cost more than the rest of the call.
fn own_keys<'env>(object: &Object<'env>) -> Option<Object<'env>> {
    let env = object.value().env;
    let mut raw = std::ptr::null_mut();
    // SAFETY: `object` is a live object of the current call's env; `raw` is read only when
    // Node-API reports success, and is then an array of this env.
    unsafe {
        (sys::napi_get_all_property_names(
            env,
            object.raw(),
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut raw,
        ) == sys::Status::napi_ok)
            .then(|| Object::from_raw(env, raw))
    }
}

/// A string value's UTF-8 bytes, read into a stack buffer of `N` bytes, when they certainly
/// fit; `None` for longer strings and for values that are not strings.
fn stack_utf8<const N: usize>(value: &Unknown<'_>) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    let mut len = 0;
    // SAFETY: `value` is a live handle of the current call's env; Node-API writes at most
    // `N - 1` bytes and a NUL into `buf` and the number of bytes into `len`. A value that is
    // not a string makes it return `napi_string_expected`, which answers `None`.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            value.value().env,
            value.raw(),
            buf.as_mut_ptr().cast(),
            N,
            &mut len,
        )
    };
    // A cut string stops at a character boundary, at most 3 bytes short of the `N - 1` that
    // fit: a shorter result is the whole string.
    (status == sys::Status::napi_ok && len + 4 < N).then_some((buf, len))
}

/// [`stack_utf8`] for names: none of the option or algorithm names is this long.
fn short_string(value: &Unknown<'_>) -> Option<([u8; 16], usize)> {
    stack_utf8::<16>(value)
}

/// A property's value, or `None` when it is missing or `undefined`. The name is a C string
/// literal, so no key is allocated per call.
fn property<'env>(object: &Unknown<'env>, name: &std::ffi::CStr) -> Option<Unknown<'env>> {
    let env = object.value().env;
    let mut raw = std::ptr::null_mut();
    // SAFETY: `object` is a live handle of an object of the current call's env, `name` is
    // NUL-terminated, and `raw` is read only when Node-API reports success.
    let status =
        unsafe { sys::napi_get_named_property(env, object.raw(), name.as_ptr(), &mut raw) };
    if status != sys::Status::napi_ok {
        return None;
    }
    // SAFETY: Node-API returned `raw` as a live value of this env.
    let value = unsafe { Unknown::from_raw_unchecked(env, raw) };
    (!matches!(value.get_type(), Ok(ValueType::Undefined))).then_some(value)
}

fn algorithm(value: &Unknown<'_>) -> Result<Algorithm, ArgError> {
    // The common case, a valid name, is matched without allocating.
    if let Some((buf, len)) = short_string(value)
        && let Some(found) = Algorithm::ALL
            .into_iter()
            .find(|a| a.name().as_bytes() == &buf[..len])
    {
        return Ok(found);
    }
    let name = match value.get_type() {
        Ok(ValueType::String) => convert::<String>(value),
        _ => None,
    }
    .ok_or_else(|| ArgError::Type {
        name: "options.algorithm",
        expected: "of type string",
        received: describe(value),
    })?;
    name.parse().map_err(|err: CoreError| ArgError::Value {
        name: "options.algorithm",
        reason: err.to_string(),
    })
}

const SEED_RANGE: &str = "It must be an integer from 0 to 18446744073709551615";

fn seed(value: &Unknown<'_>) -> Result<u64, ArgError> {
    let out_of_range = || ArgError::Range {
        name: "options.seed",
        reason: format!("{SEED_RANGE}. Received {}", display_value(value)),
    };
    match value.get_type() {
        Ok(ValueType::Number) => {
            let n = convert::<f64>(value).ok_or_else(out_of_range)?;
            // Above 2^53 a number no longer holds every integer: ask for a bigint there.
            const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
            if n.fract() == 0.0 && (0.0..=MAX_SAFE).contains(&n) {
                Ok(n as u64)
            } else {
                Err(ArgError::Range {
                    name: "options.seed",
                    reason: format!(
                        "{SEED_RANGE} (a bigint above Number.MAX_SAFE_INTEGER). Received {}",
                        display_value(value)
                    ),
                })
            }
        }
        Ok(ValueType::BigInt) => {
            let big = convert::<BigInt>(value).ok_or_else(out_of_range)?;
            let low = big.words.first().copied().unwrap_or(0);
            let high_is_zero = big.words.iter().skip(1).all(|w| *w == 0);
            if !high_is_zero || (big.sign_bit && low != 0) {
                return Err(out_of_range());
            }
            Ok(low)
        }
        _ => Err(ArgError::Type {
            name: "options.seed",
            expected: "of type number or bigint",
            received: describe(value),
        }),
    }
}

/// Describes a received value the way Node.js's `ERR_INVALID_ARG_TYPE` does:
/// `type number (42)`, `type string ('abc')`, `an instance of Int16Array`, `null`.
pub fn describe(value: &Unknown<'_>) -> String {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined".to_owned(),
        Ok(ValueType::Null) => "null".to_owned(),
        Ok(ValueType::Function) => "function".to_owned(),
        Ok(ValueType::Object) => match constructor_name(value) {
            Some(name) => format!("an instance of {name}"),
            None => "an object without a constructor".to_owned(),
        },
        Ok(ValueType::Symbol) => "type symbol".to_owned(),
        Ok(kind) => format!("type {} ({})", type_name(kind), display_value(value)),
        Err(_) => "a value of unknown type".to_owned(),
    }
}

fn type_name(kind: ValueType) -> &'static str {
    match kind {
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::BigInt => "bigint",
        _ => "value",
    }
}

/// A short rendering of a primitive: `42`, `'abc'`, `1n`, `true`. Long strings are cut.
fn display_value(value: &Unknown<'_>) -> String {
    match value.get_type() {
        Ok(ValueType::String) => {
            let text = convert::<String>(value).unwrap_or_default();
            if text.chars().count() > 25 {
                let cut: String = text.chars().take(25).collect();
                format!("'{cut}...'")
            } else {
                format!("'{text}'")
            }
        }
        Ok(ValueType::BigInt) => format!("{}n", coerce_to_string(value)),
        _ => coerce_to_string(value),
    }
}

fn coerce_to_string(value: &Unknown<'_>) -> String {
    value
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned())
        .unwrap_or_else(|_| "?".to_owned())
}

fn constructor_name(value: &Unknown<'_>) -> Option<String> {
    let object = convert::<Object>(value)?;
    let constructor = object.get_named_property::<Unknown>("constructor").ok()?;
    if !matches!(constructor.get_type(), Ok(ValueType::Function)) {
        return None;
    }
    // A function is an object, so its `name` can be read through the object view.
    let name = convert::<Object>(&constructor)?
        .get_named_property::<String>("name")
        .ok()?;
    (!name.is_empty()).then_some(name)
}

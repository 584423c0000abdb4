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

/// Hash input borrowed from JavaScript for the length of a synchronous call.
pub enum Input<'env> {
    /// A JavaScript string, copied as UTF-8.
    Text(String),
    /// A Buffer or Uint8Array, read in place.
    Bytes(Uint8ArraySlice<'env>),
}

impl Input<'_> {
    /// The bytes to hash.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
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
        Ok(ValueType::String) => convert::<String>(value).map(Input::Text),
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
    let algorithm = match property(&object, "algorithm") {
        None => Algorithm::default(),
        Some(value) => algorithm(&value)?,
    };
    let seed = match property(&object, "seed") {
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
/// fall back to a default and silently change every digest.
fn reject_unknown_keys(object: &Object<'_>) -> Result<(), ArgError> {
    let unreadable = || ArgError::Value {
        name: "options",
        reason: "Its property names could not be read".to_owned(),
    };
    let keys = object.get_property_names().map_err(|_| unreadable())?;
    let count = keys
        .get_array_length_unchecked()
        .map_err(|_| unreadable())?;
    for index in 0..count {
        let key = keys
            .get_element::<String>(index)
            .map_err(|_| unreadable())?;
        if !OPTION_KEYS.contains(&key.as_str()) {
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

/// A property's value, or `None` when it is missing or `undefined`.
fn property<'env>(object: &Object<'env>, name: &str) -> Option<Unknown<'env>> {
    object
        .get_named_property::<Unknown>(name)
        .ok()
        .filter(|v| !matches!(v.get_type(), Ok(ValueType::Undefined)))
}

fn algorithm(value: &Unknown<'_>) -> Result<Algorithm, ArgError> {
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

//! Turns JavaScript arguments into core types, checking each one and naming it when it is
//! wrong. Byte input is read in place (no copy); strings are copied once, as UTF-8.

use hashkit_core::{Algorithm, Error as CoreError, Params};
use napi::bindgen_prelude::{
    BigInt, FromNapiValue, JsObjectValue, Object, Uint8Array, Uint8ArraySlice,
};
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

/// Hash input kept alive while a background thread reads it.
pub enum OwnedInput {
    /// A JavaScript string, copied as UTF-8.
    Text(String),
    /// A reference to the caller's Buffer or Uint8Array: its bytes are read in place.
    Bytes(Uint8Array),
}

impl OwnedInput {
    /// The bytes to hash.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            OwnedInput::Text(text) => text.as_bytes(),
            OwnedInput::Bytes(bytes) => bytes,
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

/// Reads `input` for a call that finishes on another thread.
pub fn owned_input(value: &Unknown<'_>) -> Result<OwnedInput, ArgError> {
    match value.get_type() {
        Ok(ValueType::String) => convert::<String>(value).map(OwnedInput::Text),
        Ok(ValueType::Object) => convert::<Uint8Array>(value).map(OwnedInput::Bytes),
        _ => None,
    }
    .ok_or_else(|| input_type_error(value))
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

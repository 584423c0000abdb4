//! Every error the binding raises is built here, once: the JavaScript class, the `code`
//! property and the message. Nothing else in this crate decides how an error looks to
//! JavaScript, and nothing in it calls `unwrap` or `expect`.

use napi::{Env, Error, Status};

/// Why a call was refused, in terms of the JavaScript arguments.
#[derive(Debug)]
pub enum ArgError {
    /// An argument or property has the wrong JavaScript type: a `TypeError` with code
    /// `ERR_INVALID_ARG_TYPE`, worded as Node.js's own APIs word it.
    Type {
        /// `"input"` or `"options.seed"`, as the caller would name it.
        name: &'static str,
        /// What was expected, e.g. `"of type string or an instance of Buffer or Uint8Array"`.
        expected: &'static str,
        /// What was received, from [`crate::args::describe`].
        received: String,
    },
    /// The type is right but the value is not accepted: a `TypeError` with code
    /// `ERR_INVALID_ARG_VALUE`.
    Value {
        /// The argument or property name.
        name: &'static str,
        /// Why the value is refused, with what would be accepted.
        reason: String,
    },
    /// A class constructor called without `new`: a `TypeError` with code
    /// `ERR_CONSTRUCT_CALL_REQUIRED`, as JavaScript's own classes refuse it.
    Construct {
        /// The class, e.g. `"Hasher"`.
        class: &'static str,
    },
    /// A number outside the accepted range: a `RangeError` with code `ERR_OUT_OF_RANGE`.
    Range {
        /// The argument or property name.
        name: &'static str,
        /// Why the value is refused, with the accepted range.
        reason: String,
    },
}

impl ArgError {
    fn message(&self) -> String {
        match self {
            ArgError::Type {
                name,
                expected,
                received,
            } => format!("{} must be {expected}. Received {received}", subject(name)),
            ArgError::Value { name, reason } => format!("{} is invalid. {reason}", subject(name)),
            ArgError::Range { name, reason } => {
                format!("{} is out of range. {reason}", subject(name))
            }
            ArgError::Construct { class } => format!(
                "Class constructor {class} cannot be invoked without 'new': call new {class}(…)"
            ),
        }
    }

    /// Throws this error into JavaScript and returns the `napi::Error` that tells the
    /// generated glue an exception is already pending.
    pub fn throw(self, env: &Env) -> Error {
        let message = self.message();
        let thrown = match self {
            ArgError::Type { .. } => env.throw_type_error(&message, Some("ERR_INVALID_ARG_TYPE")),
            ArgError::Value { .. } => env.throw_type_error(&message, Some("ERR_INVALID_ARG_VALUE")),
            ArgError::Range { .. } => env.throw_range_error(&message, Some("ERR_OUT_OF_RANGE")),
            ArgError::Construct { .. } => {
                env.throw_type_error(&message, Some("ERR_CONSTRUCT_CALL_REQUIRED"))
            }
        };
        match thrown {
            Ok(()) => Error::new(Status::PendingException, message),
            // Throwing failed (another exception was already pending): let the glue throw
            // a plain Error with the same message rather than lose it.
            Err(_) => Error::new(Status::InvalidArg, message),
        }
    }
}

fn subject(name: &str) -> String {
    if name.contains('.') {
        format!("The \"{name}\" property")
    } else {
        format!("The \"{name}\" argument")
    }
}

/// Converts a caught panic payload into the error an async task rejects with: an `Error`
/// whose message is the panic message and whose `code` is `GenericFailure`.
/// (Synchronous exports use `#[napi(catch_unwind)]`, which does the same.)
pub fn from_panic(payload: Box<dyn std::any::Any + Send>) -> Error {
    let reason = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
    Error::new(Status::GenericFailure, reason)
}

//! Typed parsing of what Slack and Discord send the intake (pure; verify the signature first):
//! Slack Events API bodies and slash-command forms, Discord interactions. A bad body gives a
//! [`ParseError`] naming the missing or malformed field — the intake answers 400 with it.

pub mod discord;
pub mod slack;

use serde_json::Value;

/// Why a webhook body was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("body is not JSON: {0}")]
    Json(String),
    #[error("body is not a form: {0}")]
    Form(String),
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("field {field} must be {expected}")]
    Invalid {
        field: &'static str,
        expected: &'static str,
    },
}

/// The JSON object of a body.
pub(crate) fn json_object(body: &[u8]) -> Result<Value, ParseError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(ParseError::Json("expected an object".into()))
    }
}

/// A required string field (numbers are not strings).
pub(crate) fn req_str(v: &Value, key: &str, field: &'static str) -> Result<String, ParseError> {
    match v.get(key) {
        None | Some(Value::Null) => Err(ParseError::Missing(field)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ParseError::Invalid {
            field,
            expected: "a string",
        }),
    }
}

/// An optional string field; present but not a string is an error.
pub(crate) fn opt_str(
    v: &Value,
    key: &str,
    field: &'static str,
) -> Result<Option<String>, ParseError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ParseError::Invalid {
            field,
            expected: "a string",
        }),
    }
}

/// A required object field.
pub(crate) fn req_obj<'a>(
    v: &'a Value,
    key: &str,
    field: &'static str,
) -> Result<&'a Value, ParseError> {
    match v.get(key) {
        None | Some(Value::Null) => Err(ParseError::Missing(field)),
        Some(o @ Value::Object(_)) => Ok(o),
        Some(_) => Err(ParseError::Invalid {
            field,
            expected: "an object",
        }),
    }
}

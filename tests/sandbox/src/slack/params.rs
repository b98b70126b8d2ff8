//! Slack request parameters as Slack reads them: query string, form body or JSON body, all
//! merged into one bag; and the token check (`Authorization: Bearer` or a `token` parameter).

use http::HeaderMap;
use serde_json::{Map, Value};

/// The merged parameters of one Web API call.
#[derive(Debug, Default)]
pub(crate) struct Params(pub Map<String, Value>);

/// A parameter that was present but unusable: answered as `invalid_arguments`.
#[derive(Debug)]
pub(crate) struct BadParam(pub String);

impl Params {
    /// Query parameters first, then the body (form or JSON, by content type; form when unsure).
    pub fn parse(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Self, BadParam> {
        let mut m = Map::new();
        let form = |text: &[u8], m: &mut Map<String, Value>| -> Result<(), BadParam> {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(text)
                .map_err(|e| BadParam(format!("malformed form body: {e}")))?;
            for (k, v) in pairs {
                m.insert(k, Value::String(v));
            }
            Ok(())
        };
        if let Some(q) = query {
            form(q.as_bytes(), &mut m)?;
        }
        let ct = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.starts_with("application/json") {
            if !body.iter().all(u8::is_ascii_whitespace) {
                match serde_json::from_slice::<Value>(body) {
                    Ok(Value::Object(o)) => m.extend(o),
                    Ok(_) => return Err(BadParam("JSON body must be an object".into())),
                    Err(e) => return Err(BadParam(format!("malformed JSON body: {e}"))),
                }
            }
        } else if !body.is_empty() {
            form(body, &mut m)?;
        }
        Ok(Params(m))
    }

    /// The caller's token, if any (header wins over the `token` parameter).
    pub fn token<'a>(&'a self, headers: &'a HeaderMap) -> Option<&'a str> {
        let from_header = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        from_header.or_else(|| self.str("token").filter(|t| !t.is_empty()))
    }

    /// A string parameter (numbers taken as text); empty strings count as absent.
    pub fn str(&self, k: &str) -> Option<&str> {
        match self.0.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s),
            _ => None,
        }
    }

    /// A string parameter, numbers included (JSON bodies may send `"ts": 1776507900.000100`).
    pub fn text(&self, k: &str) -> Option<String> {
        match self.0.get(k) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// An integer parameter.
    pub fn int(&self, k: &str) -> Result<Option<i64>, BadParam> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| BadParam(format!("{k}: '{s}' is not a number"))),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| BadParam(format!("{k}: {n} is not an integer"))),
            Some(other) => Err(BadParam(format!("{k}: expected a number, got {other}"))),
        }
    }

    /// A boolean parameter (`true`/`1`; Slack's own parsing).
    pub fn bool(&self, k: &str) -> bool {
        match self.0.get(k) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => matches!(s.as_str(), "true" | "1" | "True" | "TRUE"),
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// A JSON-valued parameter (`blocks`, `attachments`): a JSON string in forms, a value in JSON.
    pub fn json(&self, k: &str) -> Result<Option<Value>, BadParam> {
        match self.0.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s)
                .map(Some)
                .map_err(|e| BadParam(format!("{k}: not valid JSON: {e}"))),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// The parameters as sent, without the token (what [`crate::Posted::request`] keeps).
    pub fn without_token(&self) -> Value {
        let mut m = self.0.clone();
        m.remove("token");
        Value::Object(m)
    }
}

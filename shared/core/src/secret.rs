//! A secret string whose `Debug` and `Display` never show the value.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A credential (token, signing secret, key). Printing it shows `[redacted]`.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself; call only where it is sent or used for a signature.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the value is empty (an unset credential).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// Why a secret could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Not configured at all (the variable is unset or empty).
    #[error("{0} is not configured")]
    Missing(String),
    /// Configured as a Secrets Manager ARN that could not be read (retry later).
    #[error("cannot read secret {name}: {reason}")]
    Unavailable { name: String, reason: String },
}

/// A future returned by [`SecretSource::get`].
pub type SecretFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, SecretError>> + Send + 'a>>;

/// Where a credential comes from: a literal value, or a store (Secrets Manager) read with a
/// refresh TTL so that rotation takes effect without a restart.
pub trait SecretSource: Send + Sync + fmt::Debug {
    /// The current value.
    fn get(&self) -> SecretFuture<'_>;
}

impl SecretSource for Secret {
    fn get(&self) -> SecretFuture<'_> {
        let v = self.clone();
        Box::pin(async move { Ok(v) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("xoxb-very-secret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "xoxb-very-secret");
    }
}

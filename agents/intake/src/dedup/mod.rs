//! Delivery dedup: one small trait ([`Dedup`]) — an atomic "claim this key unless someone
//! already holds it" with a TTL — and its two stores: DynamoDB ([`DynamoDedup`], a conditional
//! put) and an embedded file that survives a restart ([`EmbeddedDedup`], redb).
//!
//! Keys name a delivery, never an attempt: `slack#<channel>#<ts>`,
//! `discord#<channel>#<interaction id>`, `alertmanager#<groupKey>#<fingerprints hash>` (see
//! [`keys`]). A retry, a replay and a concurrent duplicate all find the key taken.

mod dynamo;
mod embedded;

pub use dynamo::DynamoDedup;
pub use embedded::EmbeddedDedup;

use jiff::Timestamp;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long a delivery is remembered.
pub const TTL: Duration = Duration::from_secs(24 * 3600);

/// The store could not answer; the caller answers 503 so the platform retries later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DedupError {
    /// The store is down or refused the call: retry later.
    #[error("dedup store unavailable: {0}")]
    Unavailable(String),
    /// The store cannot be opened or used at all (path, permissions, table): fix the setup.
    #[error("dedup store unusable: {0}")]
    Config(String),
}

/// A future of a claim.
pub type ClaimFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, DedupError>> + Send + 'a>>;

/// Remembers deliveries.
pub trait Dedup: Send + Sync + fmt::Debug {
    /// Claims `key` at `now` for `ttl`: `true` when this call is the first (go on), `false`
    /// when the key is already held and not expired (a duplicate). Atomic: of any number of
    /// concurrent claims of one key exactly one gets `true`.
    fn claim<'a>(&'a self, key: &'a str, now: Timestamp, ttl: Duration) -> ClaimFuture<'a>;
}

/// Dedup keys.
pub mod keys {
    use sha2::{Digest, Sha256};

    /// A Slack message delivery.
    pub fn slack(channel: &str, ts: &str) -> String {
        format!("slack#{channel}#{ts}")
    }

    /// A Discord interaction (or message) delivery.
    pub fn discord(channel: &str, id: &str) -> String {
        format!("discord#{channel}#{id}")
    }

    /// An Alertmanager group notification: its group key and the set of firing alerts (order
    /// does not matter).
    pub fn alertmanager(group_key: &str, fingerprints: &[String]) -> String {
        let mut fps: Vec<&str> = fingerprints.iter().map(String::as_str).collect();
        fps.sort_unstable();
        fps.dedup();
        let digest = Sha256::digest(fps.join(",").as_bytes());
        let short = hex::encode(&digest[..8]);
        format!("alertmanager#{group_key}#{short}")
    }

    /// "Paused" was already said in this thread.
    pub fn paused(platform: &str, channel: &str, thread: &str) -> String {
        format!("paused#{platform}#{channel}#{thread}")
    }
}

/// Seconds since the epoch of `now + ttl` (saturating).
pub(crate) fn expiry(now: Timestamp, ttl: Duration) -> i64 {
    now.as_second()
        .saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX))
}

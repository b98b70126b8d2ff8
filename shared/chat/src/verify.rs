//! Request signatures (pure): Slack v0 (HMAC-SHA256 over `v0:{ts}:{body}`) and Discord
//! (Ed25519 over `{timestamp}{body}`), both with a 300 s replay window either way, constant-time
//! comparison, and a typed error for every malformed input — never a panic.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// How far a request's timestamp may be from now, either way, in seconds.
pub const REPLAY_WINDOW_SECS: i64 = 300;

/// Slack's signature header.
pub const SLACK_SIGNATURE: &str = "x-slack-signature";
/// Slack's timestamp header.
pub const SLACK_TIMESTAMP: &str = "x-slack-request-timestamp";
/// Discord's signature header.
pub const DISCORD_SIGNATURE: &str = "x-signature-ed25519";
/// Discord's timestamp header.
pub const DISCORD_TIMESTAMP: &str = "x-signature-timestamp";

/// Why a request is rejected (answer 401; the message names the problem).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    #[error("malformed timestamp header (expected Unix seconds)")]
    MalformedTimestamp,
    #[error("stale request: timestamp is {skew_secs} s from now (allowed: {REPLAY_WINDOW_SECS} s)")]
    Stale { skew_secs: i64 },
    #[error("malformed signature header")]
    MalformedSignature,
    #[error("signature does not match")]
    Mismatch,
    /// Our own key is unusable (empty signing secret, malformed public key): a configuration
    /// error, not the caller's.
    #[error("verification key is unusable: {0}")]
    BadKey(&'static str),
}

type HmacSha256 = Hmac<Sha256>;

/// Parses a timestamp header and checks it is within the replay window of `now`.
fn fresh(header: &'static str, ts: Option<&str>, now: Timestamp) -> Result<(), SigError> {
    let ts = ts.ok_or(SigError::MissingHeader(header))?.trim();
    if ts.is_empty() || ts.len() > 12 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SigError::MalformedTimestamp);
    }
    let secs: i64 = ts.parse().map_err(|_| SigError::MalformedTimestamp)?;
    let skew = now.as_second().saturating_sub(secs);
    if skew.abs() > REPLAY_WINDOW_SECS {
        return Err(SigError::Stale { skew_secs: skew });
    }
    Ok(())
}

fn slack_mac(secret: &str, ts: &str, body: &[u8]) -> Result<HmacSha256, SigError> {
    if secret.is_empty() {
        return Err(SigError::BadKey("the Slack signing secret is empty"));
    }
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|_| SigError::BadKey("the Slack signing secret is unusable"))?;
    mac.update(b"v0:");
    mac.update(ts.as_bytes());
    mac.update(b":");
    mac.update(body);
    Ok(mac)
}

/// Verifies a Slack request: `X-Slack-Request-Timestamp` (`timestamp`), `X-Slack-Signature`
/// (`signature`, `v0=<hex>`) over the raw body, at `now`.
pub fn verify_slack(
    signing_secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: Timestamp,
) -> Result<(), SigError> {
    fresh(SLACK_TIMESTAMP, timestamp, now)?;
    let sig = signature
        .ok_or(SigError::MissingHeader(SLACK_SIGNATURE))?
        .trim();
    let hex_sig = sig
        .strip_prefix("v0=")
        .ok_or(SigError::MalformedSignature)?;
    if hex_sig.len() != 64 {
        return Err(SigError::MalformedSignature);
    }
    let expected = hex::decode(hex_sig).map_err(|_| SigError::MalformedSignature)?;
    let ts = timestamp.unwrap_or_default().trim();
    slack_mac(signing_secret, ts, body)?
        .verify_slice(&expected)
        .map_err(|_| SigError::Mismatch)
}

/// Signs a Slack request the way Slack does: the `X-Slack-Signature` value (`v0=<hex>`).
pub fn sign_slack(signing_secret: &str, timestamp: &str, body: &[u8]) -> Result<String, SigError> {
    let mac = slack_mac(signing_secret, timestamp, body)?;
    Ok(format!("v0={}", hex::encode(mac.finalize().into_bytes())))
}

/// Verifies a Discord interaction: `X-Signature-Ed25519` (`signature`, hex) and
/// `X-Signature-Timestamp` (`timestamp`) over the raw body, with the application's public key
/// (hex), at `now`.
pub fn verify_discord(
    public_key_hex: &str,
    signature: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
    now: Timestamp,
) -> Result<(), SigError> {
    let key = discord_key(public_key_hex)?;
    fresh(DISCORD_TIMESTAMP, timestamp, now)?;
    let sig = signature
        .ok_or(SigError::MissingHeader(DISCORD_SIGNATURE))?
        .trim();
    let mut bytes = [0u8; 64];
    hex::decode_to_slice(sig, &mut bytes).map_err(|_| SigError::MalformedSignature)?;
    let sig = Signature::from_bytes(&bytes);
    let ts = timestamp.unwrap_or_default().trim();
    let mut msg = Vec::with_capacity(ts.len() + body.len());
    msg.extend_from_slice(ts.as_bytes());
    msg.extend_from_slice(body);
    key.verify_strict(&msg, &sig)
        .map_err(|_| SigError::Mismatch)
}

fn discord_key(public_key_hex: &str) -> Result<VerifyingKey, SigError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(public_key_hex.trim(), &mut bytes)
        .map_err(|_| SigError::BadKey("the Discord public key is not 64 hex digits"))?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| SigError::BadKey("the Discord public key is not a valid Ed25519 key"))
}

/// Signs requests as Discord does (for the demo, dev tools and tests): an Ed25519 key from a
/// 32-byte seed.
pub struct DiscordSigner(SigningKey);

impl std::fmt::Debug for DiscordSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DiscordSigner")
            .field(&self.public_key_hex())
            .finish()
    }
}

impl DiscordSigner {
    /// The key whose secret seed is `seed`.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// The public key, hex (what `DISCORD_PUBLIC_KEY` holds).
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    /// The `X-Signature-Ed25519` value for `timestamp` and `body`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut msg = Vec::with_capacity(timestamp.len() + body.len());
        msg.extend_from_slice(timestamp.as_bytes());
        msg.extend_from_slice(body);
        hex::encode(self.0.sign(&msg).to_bytes())
    }
}

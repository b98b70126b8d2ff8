//! Exposes `sremesh_chat::verify` to other languages (the Python cross-checks against
//! `slack_sdk` and PyNaCl): reads one JSON request on stdin, prints `ok` or `error: <reason>`.
//!
//! ```json
//! {"platform": "slack", "secret": "…", "headers": {"X-Slack-Request-Timestamp": "…",
//!  "X-Slack-Signature": "v0=…"}, "body": "…", "now": 1776507900}
//! {"platform": "discord", "public_key": "<hex>", "headers": {"X-Signature-Ed25519": "…",
//!  "X-Signature-Timestamp": "…"}, "body": "…", "now": 1776507900}
//! ```
//! Exit status: 0 accepted, 1 rejected, 2 unusable input.

use serde::Deserialize;
use sremesh_chat::verify::{
    DISCORD_SIGNATURE, DISCORD_TIMESTAMP, SLACK_SIGNATURE, SLACK_TIMESTAMP, verify_discord,
    verify_slack,
};
use std::collections::BTreeMap;
use std::io::Read;
use std::process::ExitCode;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    /// `slack` or `discord`.
    platform: String,
    /// Slack signing secret.
    #[serde(default)]
    secret: String,
    /// Discord application public key (hex).
    #[serde(default)]
    public_key: String,
    /// Header names are matched case-insensitively.
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// The raw body (UTF-8).
    body: String,
    /// Unix seconds.
    now: i64,
}

fn main() -> ExitCode {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    let req: Request = match serde_json::from_str(&input) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bad request JSON: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(now) = jiff::Timestamp::from_second(req.now) else {
        eprintln!("now {} is out of range", req.now);
        return ExitCode::from(2);
    };
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let body = req.body.as_bytes();
    let verdict = match req.platform.as_str() {
        "slack" => verify_slack(
            &req.secret,
            header(SLACK_TIMESTAMP),
            header(SLACK_SIGNATURE),
            body,
            now,
        ),
        "discord" => verify_discord(
            &req.public_key,
            header(DISCORD_SIGNATURE),
            header(DISCORD_TIMESTAMP),
            body,
            now,
        ),
        other => {
            eprintln!("unknown platform '{other}' (slack or discord)");
            return ExitCode::from(2);
        }
    };
    match verdict {
        Ok(()) => {
            println!("ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::from(1)
        }
    }
}

//! Network access revoked before connections failed: a security-group rule (or a network ACL
//! entry) removed on the port the target's failing connections go to (`…:5432` in a connect
//! timeout), shortly before they began.

use super::super::Input;
use super::super::patterns::Pattern;
use super::{LOOK_BACK, SLACK};
use crate::trail::TrailEvent;
use regex::Regex;
use std::sync::LazyLock;

/// Signatures of a connection that could not be made or was cut.
const CONNECTION_FAILURES: &[&str] = &[
    "unreachable",
    "timeout",
    "connection_refused",
    "connection_reset",
];

/// `host:5432` / `10.0.0.1:5432` / `]:5432`: the port a line connects to.
static PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9\]]:(\d{2,5})\b").expect("static regex"));

/// True for a call that takes network access away.
fn revokes_access(e: &TrailEvent) -> bool {
    (e.name.starts_with("Revoke") && e.name.contains("SecurityGroup"))
        || e.name == "DeleteNetworkAclEntry"
}

/// The port ranges the call's rules cover (`fromPort` / `toPort`, `portRange.from` / `.to`).
pub(super) fn port_ranges(e: &TrailEvent) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut from: Option<u32> = None;
    for (path, v) in &e.params {
        let key = path.rsplit('.').next().unwrap_or(path).to_ascii_lowercase();
        let parent = path.rsplit('.').nth(1).unwrap_or("").to_ascii_lowercase();
        let Ok(n) = v.parse::<u32>() else { continue };
        if key == "fromport" || (parent == "portrange" && key == "from") {
            from = Some(n);
        } else if key == "toport" || (parent == "portrange" && key == "to") {
            out.push((from.take().unwrap_or(n), n));
        }
    }
    out
}

/// The revocations, each with the first connection failure of the target to a port it covers
/// that began after it (within the look-back), and that port.
pub(super) fn revoked<'a>(
    input: &'a Input,
    mutating: &[&'a TrailEvent],
) -> Vec<(&'a TrailEvent, &'a Pattern, u32)> {
    let mut out = Vec::new();
    for e in mutating.iter().copied().filter(|e| revokes_access(e)) {
        let ranges = port_ranges(e);
        let hit = input
            .patterns
            .iter()
            .filter(|p| {
                p.on_target
                    && p.signature
                        .is_some_and(|s| CONNECTION_FAILURES.contains(&s.id))
                    && e.at <= p.onset + SLACK
                    && p.onset.duration_since(e.at) <= LOOK_BACK
            })
            .filter_map(|p| {
                PORT.captures_iter(&p.example.line)
                    .filter_map(|c| c[1].parse::<u32>().ok())
                    .find(|port| ranges.iter().any(|(a, b)| (*a..=*b).contains(port)))
                    .map(|port| (p, port))
            })
            .min_by_key(|(p, _)| p.onset);
        if let Some((p, port)) = hit {
            out.push((e, p, port));
        }
    }
    out
}

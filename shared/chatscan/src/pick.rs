//! Which channels a scan reads, in which order: the request's (the alert's own first), the
//! watched ones, then the bot's own — those named like the alert's service or namespace first,
//! then where changes are announced, then where incidents are discussed — up to the cap.

use crate::message::Channel;
use crate::scan::{ScanRequest, ScanSettings};
use crate::targets::{Strength, Targets};

/// The channels to read: the request's, the watched ones, then (when nothing is watched or
/// nothing was asked) the bot's own — those whose names match the alert or read like context
/// channels (`#deploys`, `#incidents`) first — capped at `max_channels`.
pub(crate) fn pick(req: &ScanRequest, set: &ScanSettings, known: &[Channel]) -> Vec<Channel> {
    let named = |id: &str| {
        known
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .unwrap_or_else(|| Channel::id_only(id))
    };
    let mut out: Vec<Channel> = Vec::new();
    let push = |c: Channel, out: &mut Vec<Channel>| {
        if !c.id.trim().is_empty() && !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    };
    for id in req.channels.iter().chain(&set.watch_channels) {
        push(named(id), &mut out);
    }
    if req.channels.is_empty() || set.watch_channels.is_empty() {
        let mut fill: Vec<&Channel> = known.iter().collect();
        fill.sort_by_key(|c| priority(&req.targets, c));
        for c in fill {
            push(c.clone(), &mut out);
        }
    }
    out.truncate(set.max_channels.max(1));
    out
}

/// Channel names where changes are announced, then where incidents are discussed.
const CHANGE_CHANNELS: &[&str] = &["deploy", "release", "change", "rollout", "cicd", "ci-cd"];
const INCIDENT_CHANNELS: &[&str] = &[
    "incident", "ops", "sre", "oncall", "on-call", "alert", "infra", "platform", "status", "eng",
    "prod",
];

fn priority(targets: &Targets, c: &Channel) -> u8 {
    let name = c.name.as_deref().unwrap_or("").to_ascii_lowercase();
    let about = targets
        .best_hit(&name.replace(['-', '_'], " "))
        .is_some_and(|h| h.strength <= Strength::Scope);
    let named = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if about {
        0
    } else if named(CHANGE_CHANNELS) {
        1
    } else if named(INCIDENT_CHANNELS) {
        2
    } else {
        3
    }
}

//! The resources the target's failures name — in its error lines (ARNs, `s3://`, queue URLs,
//! `bucket=`) and in CloudTrail's own failed calls by its identity — with when they began.

use super::super::Input;
use super::super::patterns::{is_errorish, on_target};
use crate::discovery::{KeywordKind, contains_token};
use crate::trail::{TrailEvent, named_in};
use jiff::Timestamp;
use std::collections::BTreeMap;

/// The failures that name one resource.
#[derive(Debug, Clone)]
pub(super) struct Failing {
    /// When they began (the earliest seen, the preceding window included).
    pub(super) onset: Timestamp,
    pub(super) count: usize,
    pub(super) service: Option<String>,
    /// The first failure, in words.
    pub(super) first: String,
    /// CloudTrail's own failed calls on it.
    pub(super) denied: Vec<String>,
}

/// Counts one failure naming `name`.
fn note(
    out: &mut BTreeMap<String, Failing>,
    name: &str,
    at: Timestamp,
    service: Option<String>,
    first: &str,
) {
    let e = out.entry(name.to_ascii_lowercase()).or_insert(Failing {
        onset: at,
        count: 0,
        service: service.clone(),
        first: first.to_owned(),
        denied: Vec::new(),
    });
    e.count += 1;
    if at < e.onset {
        e.onset = at;
        e.first = first.to_owned();
    }
    if e.service.is_none() {
        e.service = service;
    }
}

/// Resources named by the target's failures: in its error lines, and in CloudTrail calls that
/// failed for its identity.
pub(super) fn failing(input: &Input) -> BTreeMap<String, Failing> {
    let mut out: BTreeMap<String, Failing> = BTreeMap::new();
    let recs = input
        .baseline_records
        .iter()
        .flatten()
        .chain(input.records.iter());
    for r in recs.filter(|r| is_errorish(r) && on_target(r, &input.target, &input.groups)) {
        for name in named_in(&r.line) {
            note(&mut out, &name, r.at, r.service.clone(), &r.line);
        }
    }
    let keywords: Vec<&str> = input
        .target
        .keywords
        .iter()
        .filter(|k| {
            matches!(
                k.kind,
                KeywordKind::Workload | KeywordKind::Pod | KeywordKind::Name
            )
        })
        .map(|k| k.text.as_str())
        .collect();
    for e in input.trail.iter().filter(|e| e.error.is_some()) {
        let principal = e.principal.to_ascii_lowercase();
        let who = keywords
            .iter()
            .find(|k| contains_token(&principal, k))
            .map(|k| (*k).to_owned());
        let resources: Vec<String> = e.resources().into_iter().map(|(_, v)| v).collect();
        let known = resources
            .iter()
            .any(|r| out.contains_key(&r.to_ascii_lowercase()));
        if who.is_none() && !known {
            continue;
        }
        let words = denied_words(e);
        for r in resources {
            note(&mut out, &r, e.at, who.clone(), &words);
            if let Some(f) = out.get_mut(&r.to_ascii_lowercase()) {
                f.denied.push(words.clone());
            }
        }
    }
    out
}

/// `AssumeRoleWithWebIdentity AccessDenied for system:serviceaccount:a:b: Not authorized …`.
fn denied_words(e: &TrailEvent) -> String {
    let caller = e
        .principal
        .split(' ')
        .find(|p| p.contains("serviceaccount"))
        .map_or(e.who.as_str(), |p| {
            p.rsplit("sts.amazonaws.com:").next().unwrap_or(p)
        });
    format!(
        "{} {} for {caller}{}",
        e.name,
        e.error.as_deref().unwrap_or("error"),
        e.error_message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    )
}

//! The clue to a Lambda throttled because the account's concurrency ran out
//! (`ConcurrentInvocationLimitExceeded`): which other function holds it, as a concurrency
//! report line gathered beside the throttles says (`by function: backfill=981, resize=17`).

use super::{Clue, at_line, records};
use crate::analyzers::Input;
use crate::analyzers::patterns::Pattern;
use crate::query::hhmm;
use regex::Regex;
use sremesh_core::text::truncate;
use std::sync::LazyLock;

/// The account's (not a reserved) concurrency exhausted.
static ACCOUNT_LIMIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[^a-z])concurrentinvocationlimitexceeded|account'?s? concurrency")
        .expect("static regex")
});
/// A breakdown of concurrent executions per function.
static BY_FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)concurren\w*.*?\bby function\b\W*(.+)").expect("static regex")
});
static PAIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([A-Za-z0-9_-]+)\s*[=:]\s*(\d+)").expect("static regex"));
static LIMIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\blimit\W+(\d+)").expect("static regex"));

/// The function holding most of the account's concurrency, other than the throttled ones
/// (those the alert names), from the last breakdown gathered up to the pattern's last line.
pub fn holder(input: &Input, lead: &Pattern) -> Option<Clue> {
    if !ACCOUNT_LIMIT.is_match(&lead.example.line) {
        return None;
    }
    let throttled = |f: &str| {
        input
            .target
            .keywords
            .iter()
            .any(|k| k.text.eq_ignore_ascii_case(f))
    };
    let (r, name, count) = records(input)
        .into_iter()
        .filter(|r| r.at <= lead.last)
        .rev()
        .find_map(|r| {
            let list = BY_FUNCTION.captures(&r.line)?;
            let top = PAIR
                .captures_iter(list.get(1)?.as_str())
                .filter_map(|c| Some((c[1].to_owned(), c[2].parse::<u64>().ok()?)))
                .filter(|(f, _)| !throttled(f))
                .max_by_key(|(_, n)| *n)?;
            Some((r, top.0, top.1))
        })?;
    let of = LIMIT
        .captures(&r.line)
        .map(|c| format!(" of {}", &c[1]))
        .unwrap_or_default();
    Some(Clue {
        clause: format!(
            "the account's concurrency held by {name} ({count}{of} concurrent executions at {} UTC)",
            hhmm(r.at)
        ),
        evidence: vec![truncate(
            &format!("concurrency held by {name}: {}", at_line(r)),
            300,
        )],
    })
}

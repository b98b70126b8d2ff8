//! `client_gone_endpoint`: requests to an endpoint we removed on purpose, answered `410 Gone`
//! (`signals::NOISE`'s `gone_endpoint`: an access-log line of ours). Not a failure of ours: a
//! finding with no category, quoting the status, the path and — when one or a few clients
//! account for every such request — who still calls it.

use super::Input;
use super::patterns::on_target;
use crate::discovery::{KeywordKind, contains_token};
use crate::query::hhmm;
use regex::Regex;
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity, signals};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// At most this many distinct clients count as "a few": they are named, and the finding is
/// `info`.
pub const FEW_CLIENTS: usize = 3;

static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bmethod"?\s*[=:]\s*"?([a-z]+)\b|"([A-Z]+) /"#).expect("static regex")
});
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:path|uri|url|request_uri|route)"?\s*[=:]\s*"?(/[^\s"?]*)|"[A-Z]+ (/[^\s"?]*)"#,
    )
    .expect("static regex")
});
static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:client_?id|client|consumer_?id|consumer|api_?key_?id|caller)"?\s*[=:]\s*"?([a-z0-9][a-z0-9_.:@-]*)"#)
        .expect("static regex")
});

struct Hits<'a> {
    method: Option<String>,
    lines: Vec<&'a crate::records::LogRecord>,
    clients: BTreeSet<String>,
    /// Lines that name no client.
    anonymous: usize,
}

/// Who answered: the record's service, else the alert's workload its stream or line names.
fn service_of(r: &crate::records::LogRecord, input: &Input) -> Option<String> {
    r.service.clone().or_else(|| {
        let stream = r.stream.to_ascii_lowercase();
        let line = r.line.to_ascii_lowercase();
        input
            .target
            .keywords
            .iter()
            .filter(|k| matches!(k.kind, KeywordKind::Workload | KeywordKind::Name))
            .find(|k| contains_token(&stream, &k.text) || contains_token(&line, &k.text))
            .map(|k| k.text.clone())
    })
}

fn first_group(re: &Regex, line: &str) -> Option<String> {
    let c = re.captures(line)?;
    c.iter()
        .skip(1)
        .flatten()
        .next()
        .map(|m| m.as_str().to_owned())
}

pub fn analyze(input: &Input) -> Vec<Finding> {
    let mut by: BTreeMap<(Option<String>, String), Hits<'_>> = BTreeMap::new();
    for r in input
        .records
        .iter()
        .filter(|r| signals::noise(&r.line) == Some("gone_endpoint"))
        .filter(|r| on_target(r, &input.target, &input.groups))
    {
        let Some(path) = first_group(&PATH, &r.line) else {
            continue;
        };
        let h = by
            .entry((service_of(r, input), path))
            .or_insert_with(|| Hits {
                method: None,
                lines: Vec::new(),
                clients: BTreeSet::new(),
                anonymous: 0,
            });
        h.method = h
            .method
            .take()
            .or_else(|| first_group(&METHOD, &r.line).map(|m| m.to_ascii_uppercase()));
        match first_group(&CLIENT, &r.line) {
            Some(c) => {
                h.clients.insert(c);
            }
            None => h.anonymous += 1,
        }
        h.lines.push(r);
    }
    by.into_iter()
        .filter_map(|((service, path), h)| finding(input, service, &path, &h))
        .collect()
}

fn finding(input: &Input, service: Option<String>, path: &str, h: &Hits<'_>) -> Option<Finding> {
    let first = h.lines.iter().min_by_key(|r| r.at)?;
    let last = h.lines.iter().max_by_key(|r| r.at)?;
    let few = h.anonymous == 0 && h.clients.len() <= FEW_CLIENTS;
    let who = service.clone().unwrap_or_else(|| first.group.clone());
    let method = h
        .method
        .as_deref()
        .map(|m| format!("{m} "))
        .unwrap_or_default();
    let from = if few {
        let names: Vec<&str> = h.clients.iter().map(String::as_str).collect();
        format!(", all from {} client(s): {}", names.len(), names.join(", "))
    } else {
        format!(", from {} client(s) or more", h.clients.len().max(1))
    };
    let title = truncate(
        &format!(
            "{who}: 410 Gone answered on {method}{path} ×{} ({}–{} UTC){from} — a removed endpoint, answered by design, not a failure",
            h.lines.len(),
            hhmm(first.at),
            hhmm(last.at)
        ),
        300,
    );
    let evidence = vec![
        truncate(
            &format!(
                "{} at {} UTC: {}",
                last.stream,
                hhmm(last.at),
                last.line.trim()
            ),
            300,
        ),
        format!("log group: {}", first.group),
    ];
    let id = format!("client_gone_endpoint:{}:{who}:{path}", first.group);
    let mut f = Finding::new(
        id,
        "client_gone_endpoint",
        if few { Severity::Info } else { Severity::Low },
        title,
    )
    .with_evidence(evidence)
    .with_resource(format!("log-group:{}", first.group))
    .at(first.at)
    .with_link(input.link(
        &[&first.group],
        "fields @timestamp, @message, @logStream\n| filter @message like \"410\"",
    ))
    .with_attr("status", 410)
    .with_attr("path", path.to_owned())
    .with_attr("count", h.lines.len())
    .with_attr("client_count", h.clients.len())
    .with_attr("few_clients", few)
    .with_attr("log_group", first.group.clone())
    .with_attr("first_seen", first.at.to_string())
    .with_attr("last_seen", last.at.to_string());
    if few {
        f = f.with_attr("clients", h.clients.iter().cloned().collect::<Vec<_>>());
    }
    if let Some(m) = &h.method {
        f = f.with_attr("method", m.clone());
    }
    if let Some(s) = service {
        f = f.with_service(s);
    }
    Some(f)
}

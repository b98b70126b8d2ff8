//! `provider_incident`: a provider's status post (a status page feed, an AWS Health event) in
//! the window — or still open from before it — that is about what the alert is about: the same
//! region or location, product family or distinctive words. Context that can make an alert
//! external (the provider's problem, or a false alarm of its monitoring); never a cause of ours.
//! A notice naming an affected resource that one of our own alarms fires on in the window is
//! about us too, whatever the alert's words: the alert may be a person's vague report.
//! An open incident in the window that shares nothing with the alert is still reported, as
//! `matches_alert: false` at info severity: the master may find the provider named in our own
//! failures (a payment provider's host in the errors), which the chat cannot see.

use super::Input;
use crate::evidence::{cap_lines, line, minutes_before, relative, slug};
use crate::message::ChatMessage;
use crate::provider::{StatusPost, affected_resources, overlap, status_post};
use crate::vocab::{is_alert_like, is_resolved};
use sremesh_core::text::{contains_word, truncate};
use sremesh_core::{Finding, Severity};

/// Longest quote of a status post in a title.
const QUOTE: usize = 220;
/// How long before the provider's first post an alarm on an affected resource still counts.
const ALARM_LEAD_SECS: i64 = 30 * 60;

/// One of our alarms, firing between shortly before the provider's first post and the alert,
/// that names a resource the provider says is affected: (the alarm, the resource).
fn corroborating_alarm<'m>(
    input: &'m Input,
    first: &ChatMessage,
    affected: &[String],
) -> Option<(&'m ChatMessage, String)> {
    let from = first.at.as_second() - ALARM_LEAD_SECS;
    input
        .messages
        .iter()
        .filter(|m| m.is_bot && m.at.as_second() >= from && m.at <= input.alert_time)
        .filter(|m| {
            is_alert_like(&m.text) && !is_resolved(&m.text) && status_post(&m.text, true).is_none()
        })
        .find_map(|m| {
            affected
                .iter()
                .find(|r| contains_word(&m.text, r))
                .map(|r| (m, r.clone()))
        })
}

pub(super) fn analyze(input: &Input) -> Vec<Finding> {
    if input.alert_text.trim().is_empty() {
        return Vec::new();
    }
    // One incident per status link (or per provider and channel without one), oldest first.
    let mut incidents: Vec<(String, Vec<(&ChatMessage, StatusPost)>)> = Vec::new();
    for m in &input.messages {
        let Some(post) = status_post(&m.text, m.is_bot) else {
            continue;
        };
        let key = post
            .url
            .clone()
            .unwrap_or_else(|| format!("{}|{}", post.provider, m.channel));
        match incidents.iter_mut().find(|(k, _)| *k == key) {
            Some((_, posts)) => posts.push((m, post)),
            None => incidents.push((key, vec![(m, post)])),
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    for (_, posts) in incidents {
        let (latest, latest_post) = &posts[posts.len() - 1];
        if latest_post.is_resolved() && latest.at < input.window.start {
            continue;
        }
        let (first, first_post) = &posts[0];
        let text: Vec<&str> = posts.iter().map(|(m, _)| m.text.as_str()).collect();
        let shared = overlap(&input.alert_text, &text.join("\n"), &first_post.provider);
        let affected = affected_resources(&text.join("\n"));
        let alarm = corroborating_alarm(input, first, &affected);
        let unmatched = !shared.matches() && alarm.is_none();
        // Unmatched, only an incident still open and begun within the window is worth a line.
        if unmatched && (latest_post.is_resolved() || first.at < input.window.start) {
            continue;
        }
        let mut f = finding(
            input,
            &posts,
            first,
            first_post,
            latest,
            latest_post,
            &shared,
        );
        if unmatched {
            f.severity = Severity::Info;
        }
        f = f.with_attr("matches_alert", !unmatched);
        out.push(match alarm {
            Some(a) => corroborated(input, f, &affected, a),
            None => f,
        });
    }
    out
}

fn quote(text: &str) -> String {
    let plain = crate::words::plain(text, false).replace(['*', '_', '`'], "");
    format!(
        "“{}”",
        truncate(crate::evidence::one_line(&plain).trim(), QUOTE)
    )
}

fn finding(
    input: &Input,
    posts: &[(&ChatMessage, StatusPost)],
    first: &ChatMessage,
    first_post: &StatusPost,
    latest: &ChatMessage,
    latest_post: &StatusPost,
    shared: &crate::provider::Overlap,
) -> Finding {
    let resolved = latest_post.is_resolved();
    let mut title = format!(
        "Provider incident: {} status “{}” {} ({}, {}): {}",
        first_post.provider,
        latest_post.status,
        relative(input.alert_time, first.at),
        input.channels.label(&first.channel),
        first.author,
        quote(&first.text),
    );
    if !std::ptr::eq(first, latest) {
        title.push_str(&format!(
            "; last update {}",
            relative(input.alert_time, latest.at)
        ));
    }
    if shared.matches() {
        title.push_str(&format!(
            " — shares with the alert: {}",
            shared.list().join(", ")
        ));
    }
    let evidence = cap_lines(
        posts
            .iter()
            .map(|(m, _)| line(&input.channels, m))
            .collect(),
        "update(s)",
    );
    let mut f = Finding::new(
        format!("provider_incident:{}", slug(&first_post.provider)),
        "provider_incident",
        if resolved {
            Severity::Info
        } else {
            Severity::Low
        },
        title,
    )
    .with_evidence(evidence)
    .with_resource(format!("channel:{}", first.channel))
    .at(first.at)
    .with_attr("provider", first_post.provider.clone())
    .with_attr("status", latest_post.status.clone())
    .with_attr("resolved", resolved)
    .with_attr("shared", shared.list())
    .with_attr("places", shared.places.clone())
    .with_attr("families", shared.families.clone())
    .with_attr("words", shared.words.clone())
    .with_attr("same_vendor", shared.same_vendor)
    .with_attr("count", posts.len())
    .with_attr("source", first.author.clone())
    .with_attr("channel", input.channels.label(&first.channel))
    .with_attr(
        "minutes_before_alert",
        minutes_before(input.alert_time, first.at),
    );
    if let Some(u) = &first_post.url {
        f = f.with_attr("url", u.clone()).with_link(u.clone());
    } else if let Some(l) = &first.link {
        f = f.with_link(l.clone());
    }
    f
}

/// `f` told with the alarm of ours on a resource the provider says is affected.
fn corroborated(
    input: &Input,
    mut f: Finding,
    affected: &[String],
    (alarm, resource): (&ChatMessage, String),
) -> Finding {
    f.title.push_str(&format!(
        " — affected resource {resource}, alarming in {} {}: {}",
        input.channels.label(&alarm.channel),
        relative(input.alert_time, alarm.at),
        quote(&alarm.text)
    ));
    f.evidence.push(line(&input.channels, alarm));
    f.with_attr("affected", affected.to_vec())
        .with_attr("corroborated_by", resource)
}

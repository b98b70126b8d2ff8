//! `provider_incident`: a provider's status post (a status page feed, an AWS Health event) in
//! the window — or still open from before it — that is about what the alert is about: the same
//! region or location, product family or distinctive words. Context that can make an alert
//! external (the provider's problem, or a false alarm of its monitoring); never a cause of ours.

use super::Input;
use crate::evidence::{cap_lines, line, minutes_before, relative, slug};
use crate::message::ChatMessage;
use crate::provider::{StatusPost, overlap, status_post};
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity};

/// Longest quote of a status post in a title.
const QUOTE: usize = 220;

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
        if !shared.matches() {
            continue;
        }
        out.push(finding(
            input,
            &posts,
            first,
            first_post,
            latest,
            latest_post,
            &shared,
        ));
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
    title.push_str(&format!(
        " — shares with the alert: {}",
        shared.list().join(", ")
    ));
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

//! Containers that never start: `image_pull` (tag not found vs auth vs registry) and
//! `config_missing` (a missing ConfigMap, Secret or key).

use super::{Ctx, Hit, state};
use crate::analyzers::facts;
use regex::Regex;
use sremesh_core::{Category, Finding};
use std::sync::LazyLock;

/// What an image pull failure message says about the cause.
pub fn pull_cause(message: &str) -> (&'static str, Option<Category>) {
    let m = message.to_ascii_lowercase();
    let any = |ws: &[&str]| ws.iter().any(|w| m.contains(w));
    if any(&[
        "invalidimagename",
        "invalid reference format",
        "couldn't parse image",
    ]) {
        ("invalid_name", Some(Category::ConfigurationError))
    } else if any(&[
        "not found",
        "manifest unknown",
        "notfound",
        "does not exist",
        "no such manifest",
    ]) {
        ("not_found", Some(Category::ConfigurationError))
    } else if any(&[
        "unauthorized",
        "authentication required",
        "no basic auth credentials",
        "pull access denied",
        "forbidden",
        "denied",
        "401",
        "403",
    ]) {
        ("auth", Some(Category::ConfigurationError))
    } else if any(&[
        "i/o timeout",
        "dial tcp",
        "no such host",
        "connection refused",
        "tls handshake",
        "timeout",
        "503",
        "502",
        "eof",
        "toomanyrequests",
        "429",
    ]) {
        ("registry", Some(Category::Infrastructure))
    } else {
        ("unknown", None)
    }
}

pub(super) fn image_pull(x: &Ctx, sts: &[Hit]) -> Option<Finding> {
    const REASONS: &[&str] = &[
        "ImagePullBackOff",
        "ErrImagePull",
        "InvalidImageName",
        "ErrImageNeverPull",
        "RegistryUnavailable",
    ];
    let hits: Vec<Hit> = sts
        .iter()
        .copied()
        .filter(|(_, c)| facts::waiting(c).is_some_and(|(r, _)| REASONS.contains(&r)))
        .collect();
    let (_, first_cs) = *hits.first()?;
    let (waiting, wmsg) = facts::waiting(first_cs).unwrap_or_default();
    let mut messages = vec![wmsg.to_owned()];
    let mut ev = Vec::new();
    let mut first = None;
    let mut last = None;
    for (p, _) in &hits {
        for e in
            x.s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
        {
            let msg = facts::event_message(e);
            let pull = msg.contains("pull") || msg.contains("Pull") || msg.contains("image");
            if pull && (facts::is_warning(e) || facts::event_reason(e) == "BackOff") {
                messages.push(msg.to_owned());
                if ev.len() < 5 {
                    ev.push(facts::event_line(e));
                }
                last = last.max(facts::event_last(e));
                first = match (first, facts::event_first(e)) {
                    (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    let (cause, category) = pull_cause(&messages.join("\n"));
    let image = first_cs.image.clone();
    let phrase = match cause {
        "not_found" => "not found",
        "auth" => "pull unauthorized (registry credentials or permissions)",
        "registry" => "registry unreachable",
        "invalid_name" => "is not a valid image reference",
        _ => "cannot be pulled",
    };
    let title = format!("{} {waiting}: image {image} {phrase}", x.who(&hits));
    for (p, c) in hits.iter().take(3) {
        ev.push(format!("{}: {}", facts::pod_name(p), state(c)));
    }
    let mut f = x
        .finding("image_pull", x.severity(), title, &hits)
        .with_evidence(ev)
        .with_attr("image", image)
        .with_attr("cause", cause);
    if let Some(c) = category {
        f = f.with_category(c);
    }
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    if let Some(t) = first {
        f = f.at(t);
    }
    Some(f)
}

static MISSING_OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(configmap|secret)s? "([^"]+)" not found"#).expect("static regex")
});
static MISSING_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)couldn't find key (\S+) in (ConfigMap|Secret) ([\w./-]+)")
        .expect("static regex")
});

/// The object (and key) a CreateContainerConfigError message names: (kind, name, key).
pub fn missing_object(message: &str) -> Option<(String, String, Option<String>)> {
    if let Some(c) = MISSING_KEY.captures(message) {
        let obj = c[3].rsplit('/').next().unwrap_or(&c[3]).to_owned();
        return Some((c[2].to_ascii_lowercase(), obj, Some(c[1].to_owned())));
    }
    MISSING_OBJECT
        .captures(message)
        .map(|c| (c[1].to_ascii_lowercase(), c[2].to_owned(), None))
}

pub(super) fn config_missing(x: &Ctx, sts: &[Hit]) -> Option<Finding> {
    let hits: Vec<Hit> = sts
        .iter()
        .copied()
        .filter(|(_, c)| {
            facts::waiting(c).is_some_and(|(r, m)| {
                r == "CreateContainerConfigError"
                    || (r == "CreateContainerError" && missing_object(m).is_some())
            })
        })
        .collect();
    let (_, first_cs) = *hits.first()?;
    let (waiting, wmsg) = facts::waiting(first_cs).unwrap_or_default();
    let mut messages = vec![wmsg.to_owned()];
    let mut ev = Vec::new();
    let mut first = None;
    let mut last = None;
    for (p, _) in &hits {
        for e in
            x.s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
                .filter(|e| facts::is_warning(e))
        {
            messages.push(facts::event_message(e).to_owned());
            if ev.len() < 4 {
                ev.push(format!("{}: {}", facts::pod_name(p), facts::event_line(e)));
            }
            last = last.max(facts::event_last(e));
            first = match (first, facts::event_first(e)) {
                (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                (a, b) => a.or(b),
            };
        }
    }
    let found = messages.iter().find_map(|m| missing_object(m));
    let what = match &found {
        Some((kind, name, Some(key))) => format!("key {key} missing in {kind} \"{name}\""),
        Some((kind, name, None)) => format!("{kind} \"{name}\" not found"),
        None => sremesh_core::text::truncate(
            messages
                .iter()
                .find(|m| !m.is_empty())
                .map_or("", |m| m.as_str()),
            120,
        ),
    };
    let title = format!("{} {waiting}: {what}", x.who(&hits));
    for (p, c) in hits.iter().take(3) {
        ev.push(format!("{}: {}", facts::pod_name(p), state(c)));
    }
    let mut f = x
        .finding("config_missing", x.severity(), title, &hits)
        .with_category(Category::ConfigurationError)
        .with_evidence(ev);
    if let Some((kind, name, key)) = found {
        f = f.with_attr("kind", kind).with_attr("object", name);
        if let Some(k) = key {
            f = f.with_attr("key", k);
        }
    }
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    if let Some(t) = first {
        f = f.at(t);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_causes() {
        let cases = [
            (
                "failed to pull and unpack image \"x:v2\": failed to resolve reference: x:v2: not found",
                "not_found",
            ),
            (
                "rpc error: code = Unknown desc = failed to pull: 401 Unauthorized",
                "auth",
            ),
            (
                "pull access denied for x, repository does not exist or may require 'docker login'",
                "not_found",
            ),
            ("dial tcp 52.1.2.3:443: i/o timeout", "registry"),
            ("Error: InvalidImageName", "invalid_name"),
            ("something else", "unknown"),
        ];
        for (m, want) in cases {
            assert_eq!(pull_cause(m).0, want, "{m}");
        }
    }

    #[test]
    fn missing_objects() {
        let cases = [
            (
                "Error: configmap \"notification-svc-templates\" not found",
                Some(("configmap", "notification-svc-templates", None)),
            ),
            (
                "Error: secret \"db-creds\" not found",
                Some(("secret", "db-creds", None)),
            ),
            (
                "couldn't find key DATABASE_URL in Secret billing/billing-api-secrets",
                Some(("secret", "billing-api-secrets", Some("DATABASE_URL"))),
            ),
            (
                "Error: container has runAsNonRoot and image will run as root",
                None,
            ),
        ];
        for (m, want) in cases {
            let got = missing_object(m);
            let got = got
                .as_ref()
                .map(|(k, n, key)| (k.as_str(), n.as_str(), key.as_deref()));
            assert_eq!(got, want, "{m}");
        }
    }
}

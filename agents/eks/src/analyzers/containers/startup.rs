//! Containers that never start: `image_pull` (tag not found vs auth vs rate limit vs registry,
//! with the literal decisive text of the pull error) and
//! `config_missing` (a missing ConfigMap, Secret or key).

use super::{Ctx, Hit, state};
use crate::analyzers::facts;
use regex::Regex;
use sremesh_core::{Category, Finding};
use std::sync::LazyLock;

/// The decisive phrases of an image pull failure, by cause, most specific first: a registry
/// refusing for volume (429) is not an auth problem even though its message suggests
/// authenticating, and a missing tag is not an outage.
const PULL_CAUSES: &[(&str, Option<Category>, &str)] = &[
    (
        "invalid_name",
        Some(Category::ConfigurationError),
        r"(?i)invalidimagename|invalid reference format|couldn't parse image",
    ),
    (
        "rate_limited",
        Some(Category::DependencyFailure),
        r"(?i)toomanyrequests|too many requests|pull rate limit|rate limit(?:ed)?|\b429\b",
    ),
    (
        "not_found",
        Some(Category::ConfigurationError),
        r"(?i)not found|manifest unknown|notfound|does not exist|no such manifest|name unknown",
    ),
    (
        "auth",
        Some(Category::ConfigurationError),
        r"(?i)unauthorized|authentication required|no basic auth credentials|pull access denied|forbidden|denied|\b40[13]\b",
    ),
    (
        "registry",
        Some(Category::Infrastructure),
        r"(?i)i/o timeout|no such host|connection refused|tls handshake|timeout|timed out|dial tcp|\b50[234]\b|\beof\b|connection reset|network is unreachable",
    ),
];

static PULL_PATTERNS: LazyLock<Vec<(&'static str, Option<Category>, Regex)>> =
    LazyLock::new(|| {
        PULL_CAUSES
            .iter()
            .map(|(c, cat, re)| (*c, *cat, Regex::new(re).expect("static regex")))
            .collect()
    });

/// What an image pull failure message says about the cause.
pub fn pull_cause(message: &str) -> (&'static str, Option<Category>) {
    PULL_PATTERNS
        .iter()
        .find(|(_, _, re)| re.is_match(message))
        .map_or(("unknown", None), |(c, cat, _)| (*c, *cat))
}

/// The literal part of a pull failure message that says why (`429 Too Many Requests - Server
/// message: toomanyrequests: You have reached your pull rate limit…`, `dial tcp 1.2.3.4:443:
/// i/o timeout`): from the `: `-separated segment holding the last decisive phrase (and up to
/// two short segments before it, which name what failed) to the end, at most 170 characters.
pub fn pull_detail(message: &str) -> Option<String> {
    let (cause, _) = pull_cause(message);
    let re = &PULL_PATTERNS.iter().find(|(c, _, _)| *c == cause)?.2;
    // The last decisive phrase: boilerplate (`code = NotFound desc = …`) comes first.
    let at = re.find_iter(message).last()?.start();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(message.match_indices(": ").map(|(i, _)| i + 2))
        .collect();
    let mut seg = starts.iter().rposition(|s| *s <= at).unwrap_or(0);
    let mut from = starts[seg];
    // Short segments just before it say what failed (`dial tcp: lookup reg on …: no such
    // host`, `429 Too Many Requests - Server message: toomanyrequests: …`): up to two.
    if at - from < 40 {
        for _ in 0..2 {
            if seg == 0 || from - starts[seg - 1] > 60 {
                break;
            }
            seg -= 1;
            from = starts[seg];
        }
    }
    let text = message[from..].trim();
    (!text.is_empty()).then(|| sremesh_core::text::truncate(text, 170))
}

/// True when an event is about `container` (or names no container).
fn about_container(e: &k8s_openapi::api::core::v1::Event, container: &str) -> bool {
    e.involved_object
        .field_path
        .as_deref()
        .and_then(|f| f.split_once('{'))
        .is_none_or(|(_, c)| c.trim_end_matches('}') == container)
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
    let mut messages: Vec<String> = hits
        .iter()
        .filter_map(|(_, c)| facts::waiting(c).map(|(_, m)| m.to_owned()))
        .collect();
    // (says why, line): the events that carry the cause first.
    let mut lines: Vec<(bool, String)> = Vec::new();
    let mut first = None;
    let mut last = None;
    for (p, _) in &hits {
        for e in
            x.s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
                .filter(|e| about_container(e, x.container))
        {
            let msg = facts::event_message(e);
            let pull = msg.contains("pull") || msg.contains("Pull") || msg.contains("image");
            if pull && (facts::is_warning(e) || facts::event_reason(e) == "BackOff") {
                messages.push(msg.to_owned());
                let why = pull_cause(msg).0 != "unknown";
                // The decisive part of a long message, not its first 300 characters.
                let l = match pull_detail(msg).filter(|_| msg.chars().count() > 200) {
                    Some(d) => facts::line(format!(
                        "{}: ×{} {}: … {d}{}",
                        facts::pod_name(p),
                        facts::event_count(e),
                        facts::event_reason(e),
                        facts::event_last(e)
                            .map(|t| format!(" (last {})", facts::hms(t)))
                            .unwrap_or_default()
                    )),
                    None => facts::event_line(e),
                };
                if !lines.iter().any(|(_, x)| *x == l) {
                    lines.push((why, l));
                }
                last = last.max(facts::event_last(e));
                first = match (first, facts::event_first(e)) {
                    (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    lines.sort_by_key(|(why, _)| !why);
    let mut ev: Vec<String> = lines.into_iter().take(4).map(|(_, l)| l).collect();
    if !wmsg.is_empty() && !messages.iter().any(|m| m == wmsg) {
        messages.push(wmsg.to_owned());
    }
    // The message that carries the cause (a back-off says nothing about it).
    let decisive = messages
        .iter()
        .find(|m| pull_cause(m).0 != "unknown")
        .cloned();
    let (cause, category) = decisive.as_deref().map_or(("unknown", None), pull_cause);
    let detail = decisive.as_deref().and_then(pull_detail);
    let image = first_cs.image.clone();
    let phrase = match cause {
        "not_found" => "not found",
        "auth" => "pull unauthorized (registry credentials or permissions)",
        "rate_limited" => "pull rate-limited by the registry",
        "registry" => "registry unreachable",
        "invalid_name" => "is not a valid image reference",
        _ => "cannot be pulled",
    };
    let mut title = format!("{} {waiting}: image {image} {phrase}", x.who(&hits));
    if let Some(d) = &detail {
        title.push_str(&format!(" — \"{d}\""));
    }
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
    if let Some(d) = detail {
        f = f.with_attr("detail", d);
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
            (
                "failed to copy: unexpected status from GET request to https://quay.example/v2/ops/agent/manifests/3.2: 429 Too Many Requests",
                "rate_limited",
            ),
            (
                "toomanyrequests: Rate exceeded. You may authenticate to raise the limit",
                "rate_limited",
            ),
            (
                "pulling from host ghcr.example failed with status code [manifests 1.4]: 403 Forbidden",
                "auth",
            ),
            (
                "failed to resolve reference \"r.example/a@sha256:4290aa4291\": unexpected EOF",
                "registry",
            ),
            ("Back-off pulling image \"busybox:1.36\"", "unknown"),
        ];
        for (m, want) in cases {
            assert_eq!(pull_cause(m).0, want, "{m}");
        }
    }

    /// The title quotes the part of a pull error that says why, not its boilerplate head.
    #[test]
    fn pull_details() {
        let cases = [
            (
                "failed to pull and unpack image \"quay.example/ops/agent:3.2\": failed to copy: httpReadSeeker: failed open: unexpected status code https://quay.example/v2/ops/agent/manifests/sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0: 429 Too Many Requests - Server message: toomanyrequests: pull quota exhausted for anonymous users",
                Some(
                    "429 Too Many Requests - Server message: toomanyrequests: pull quota exhausted",
                ),
            ),
            (
                "failed to do request: Head \"https://reg.internal/v2/app/manifests/v9\": dial tcp: lookup reg.internal on 10.0.0.2:53: no such host",
                Some("dial tcp: lookup reg.internal on 10.0.0.2:53: no such host"),
            ),
            (
                "rpc error: code = NotFound desc = failed to pull and unpack image \"r.example/app:v9\": failed to resolve reference \"r.example/app:v9\": r.example/app:v9: not found",
                Some(
                    "failed to resolve reference \"r.example/app:v9\": r.example/app:v9: not found",
                ),
            ),
            ("Back-off pulling image \"x:1\"", None),
        ];
        for (m, want) in cases {
            let got = pull_detail(m);
            match want {
                Some(w) => assert!(
                    got.as_deref().is_some_and(|g| g.starts_with(w)),
                    "{m}: got {got:?}"
                ),
                None => assert_eq!(got, None, "{m}"),
            }
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

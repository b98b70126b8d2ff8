//! Small text helpers shared by analyzers, scanners and renderers.

/// True when `needle` occurs in `haystack` as a whole word (or phrase), ASCII case-insensitive.
///
/// A boundary is any character that is not alphanumeric or `_`, or the start/end of the text:
/// `error` matches "an error." but not "errorless".
pub fn contains_word(haystack: &str, needle: &str) -> bool {
    find_word(haystack, needle).is_some()
}

/// Byte offset of the first whole-word occurrence of `needle` (ASCII case-insensitive).
pub fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let hay = haystack.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(pos) = hay[from..].find(&needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = hay[..start].chars().next_back().is_none_or(|c| !is_word(c))
            || !needle.chars().next().is_some_and(is_word);
        let after_ok = hay[end..].chars().next().is_none_or(|c| !is_word(c))
            || !needle.chars().next_back().is_some_and(is_word);
        if before_ok && after_ok {
            return Some(start);
        }
        // Advance by one character (not byte) to stay on a char boundary.
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// Shortens `s` to at most `max` characters, ending with `…` when cut. Never splits a char.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    out
}

/// The first line of `s`, trimmed.
pub fn first_line(s: &str) -> &str {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// The service names a `CamelCase` alert name may start with, as kebab-case prefixes of two or
/// more of its words (`CollabGateway5xxRate` → `collab-gateway`, `collab-gateway-5xx`,
/// `collab-gateway-5xx-rate`): alert rules are often named after their service. Empty for a
/// token that is not `CamelCase` with at least two words.
pub fn camel_prefixes(token: &str) -> Vec<String> {
    if token.len() < 6
        || !token.starts_with(|c: char| c.is_ascii_uppercase())
        || !token.bytes().all(|b| b.is_ascii_alphanumeric())
        || !token.bytes().any(|b| b.is_ascii_lowercase())
    {
        return Vec::new();
    }
    let chars: Vec<char> = token.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            None => false,
            Some(p) => {
                (c.is_ascii_uppercase()
                    && (p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase()
                            && next.is_some_and(|n| n.is_ascii_lowercase()))))
                    || (c.is_ascii_digit() && p.is_ascii_alphabetic())
            }
        };
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    (2..=parts.len().min(4))
        .map(|n| parts[..n].join("-"))
        .collect()
}

/// Slack `<url|label>` and Discord/Markdown `[label](url)` links.
static LABELLED_LINK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"<https?://[^|>\s]*\|([^>]*)>|\[([^\]]*)\]\(https?://[^)\s]*\)")
        .expect("static regex")
});

/// The text with every labelled chat link replaced by its label: a PagerDuty or Grafana post
/// often names the service only in a link's label (`<https://…|#4471 checkout p99 > 250ms>`),
/// which a reader that drops links would lose. Bare links are left as they are.
pub fn link_labels(text: &str) -> std::borrow::Cow<'_, str> {
    LABELLED_LINK.replace_all(text, |c: &regex::Captures<'_>| {
        c.get(1)
            .or_else(|| c.get(2))
            .map_or(String::new(), |m| m.as_str().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn camel_case_alert_names_give_their_service_prefixes() {
        for (token, want) in [
            (
                "CollabGateway5xxRate",
                &[
                    "collab-gateway",
                    "collab-gateway-5xx",
                    "collab-gateway-5xx-rate",
                ][..],
            ),
            (
                "PaymentsAPIHighLatency",
                &[
                    "payments-api",
                    "payments-api-high",
                    "payments-api-high-latency",
                ][..],
            ),
            (
                "KubePodCrashLooping",
                &["kube-pod", "kube-pod-crash", "kube-pod-crash-looping"][..],
            ),
            ("Watchdog", &[][..]),
            ("checkout-api", &[][..]),
            ("HTTP", &[][..]),
        ] {
            assert_eq!(camel_prefixes(token), want, "{token}");
        }
    }

    #[test]
    fn link_labels_keep_the_label_and_leave_bare_links() {
        for (input, want) in [
            (
                "<https://x.pagerduty.com/incidents/Q2|#4471 [prod] fraud-scorer p99> fired",
                "#4471 [prod] fraud-scorer p99 fired",
            ),
            (
                "see [checkout-api errors](https://grafana.example/d/abc?x=1) now",
                "see checkout-api errors now",
            ),
            (
                "bare <https://grafana.example/d/abc> and https://a.b/c stay",
                "bare <https://grafana.example/d/abc> and https://a.b/c stay",
            ),
            ("no links at all", "no links at all"),
        ] {
            assert_eq!(link_labels(input), want, "{input}");
        }
    }

    #[test]
    fn whole_word_matching() {
        let cases = [
            ("an error occurred", "error", true),
            ("errorless run", "error", false),
            ("ERROR: boom", "error", true),
            ("connection refused", "connection refused", true),
            ("my_error", "error", false),
            ("exit code 137.", "exit code 137", true),
            ("exit code 1370", "exit code 137", false),
            (
                "payments-api-7f9dd8b6c4-x7gr9 restarted",
                "payments-api",
                true,
            ),
            ("", "x", false),
            ("x", "", false),
        ];
        for (hay, needle, want) in cases {
            assert_eq!(contains_word(hay, needle), want, "{hay:?} / {needle:?}");
        }
    }

    #[test]
    fn truncate_marks_cuts() {
        assert_eq!(truncate("hello", 10), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(first_line("\n  first \nsecond"), "first");
    }

    proptest! {
        #[test]
        fn word_search_never_panics(h in ".{0,64}", n in ".{0,8}") {
            let _ = contains_word(&h, &n);
            let t = truncate(&h, 5);
            prop_assert!(t.chars().count() <= 5);
        }
    }
}

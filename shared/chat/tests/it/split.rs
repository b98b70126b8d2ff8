//! Splitting: a table of exact cases, reports at the real limits, and properties — every part
//! within the limit, every input line present in order (long ones as consecutive pieces), code
//! fences closed and reopened, never a panic.

use super::sample_report;
use proptest::prelude::*;
use sremesh_chat::render::{DISCORD_LIMIT, SLACK_LIMIT, split, width};
use sremesh_chat::{Dialect, Render};

/// `split(text, limit) == expected`.
fn check(text: &str, limit: usize, expected: &[&str]) {
    assert_eq!(split(text, limit), expected, "split({text:?}, {limit})");
}

#[test]
fn split_table() {
    let ten = |c: char| c.to_string().repeat(10);
    let lines: Vec<String> = ('a'..='h').map(ten).collect();
    let eight = lines.join("\n"); // 8 lines of 10: 87 chars
    check("short", 64, &["short"]);
    check("  \n \n", 64, &[]);
    check(
        &eight,
        64,
        &[
            "aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\ndddddddddd\neeeeeeeeee\n(1/2)",
            "ffffffffff\ngggggggggg\nhhhhhhhhhh\n(2/2)",
        ],
    );
    // A fence open at the split is closed, then reopened with its language.
    let fenced = format!("intro\n```rust\n{}\n```\nafter", lines[..5].join("\n"));
    check(
        &fenced,
        64,
        &[
            "intro\n```rust\naaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n```\n(1/2)",
            "```rust\ndddddddddd\neeeeeeeeee\n```\nafter\n(2/2)",
        ],
    );
    // A line without whitespace is broken at character boundaries; nothing is lost.
    let long = "é".repeat(120);
    let parts = split(&long, 64);
    assert_eq!(parts.len(), 3);
    let joined: String = parts
        .iter()
        .map(|p| p.rsplit_once('\n').unwrap().0)
        .collect();
    assert_eq!(joined, long);
    // With whitespace, it breaks after a space.
    let words = "word ".repeat(30);
    let parts = split(words.trim_end(), 64);
    assert!(parts[0].starts_with("word word"));
    assert!(parts[0].split('\n').next().unwrap().ends_with("word "));
    // Blank lines are not carried to the top of a part.
    let spaced = format!("{}\n\n\n{}", "x".repeat(50), "y".repeat(50));
    check(
        &spaced,
        64,
        &[
            &format!("{}\n(1/2)", "x".repeat(50)),
            &format!("{}\n(2/2)", "y".repeat(50)),
        ],
    );
}

/// The output lines of `parts`, numbering lines removed.
fn output_lines(parts: &[String]) -> Vec<&str> {
    let numbered = parts.len() > 1;
    parts
        .iter()
        .flat_map(|p| {
            let body = if numbered {
                p.rsplit_once('\n').map_or(p.as_str(), |(b, _)| b)
            } else {
                p.as_str()
            };
            body.split('\n')
        })
        .collect()
}

/// Every part fits; every non-blank input line appears in order — whole if it fits a part,
/// else as consecutive pieces — with only blank lines and fence lines between.
pub fn assert_lossless(text: &str, limit: usize) {
    let parts = split(text, limit);
    let limit = limit.max(sremesh_chat::render::MIN_LIMIT);
    for p in &parts {
        assert!(width(p) <= limit, "part of {} > {limit}: {p:?}", width(p));
        assert!(!p.trim().is_empty(), "blank part");
    }
    let out = output_lines(&parts);
    let skippable = |s: &str| s.trim().is_empty() || s.trim_start().starts_with("```");
    let mut k = 0;
    for line in text.split('\n') {
        if line.trim().is_empty() {
            continue;
        }
        if width(line) + 31 <= limit {
            let j = (k..out.len())
                .find(|&j| out[j] == line)
                .unwrap_or_else(|| panic!("line {line:?} lost (from output line {k}): {parts:#?}"));
            assert!(
                out[k..j].iter().all(|s| skippable(s)),
                "{line:?}: lines out of order"
            );
            k = j + 1;
        } else {
            // Broken lines are compared without whitespace (a piece may end or start with it).
            let compact = |s: &str| s.split_whitespace().collect::<String>();
            let whole = compact(line);
            let mut rest = whole.as_str();
            while !rest.is_empty() {
                let j = (k..out.len())
                    .find(|&j| !compact(out[j]).is_empty() && rest.starts_with(&compact(out[j])))
                    .unwrap_or_else(|| panic!("piece {rest:?} lost: {parts:#?}"));
                assert!(
                    out[k..j].iter().all(|s| skippable(s)),
                    "{rest:?}: pieces out of order"
                );
                rest = &rest[compact(out[j]).len()..];
                k = j + 1;
            }
        }
    }
}

/// A report long enough to need several parts on Discord and on Slack.
fn long_report(findings: usize) -> sremesh_core::Report {
    let mut r = sample_report();
    let f = r.evidence[0].findings[0].clone();
    r.evidence[0].findings = (0..findings)
        .map(|i| {
            let mut f = f.clone();
            f.id = format!("oom:{i}");
            f.title = format!("pod-{i} OOMKilled (exit code 137)");
            f.evidence = (0..8)
                .map(|j| format!("pod-{i} evidence {j} {}", "x".repeat(200)))
                .collect();
            f
        })
        .collect();
    r
}

#[test]
fn reports_split_at_the_real_limits_lose_nothing() {
    let cases = [
        (Dialect::Discord, DISCORD_LIMIT, 5, 5..40),
        (Dialect::Slack, SLACK_LIMIT, 40, 2..4),
        (Dialect::Slack, 2_000, 5, 5..40),
    ];
    for (d, limit, findings, expected_parts) in cases {
        let text = long_report(findings).render(d);
        assert_lossless(&text, limit);
        let n = split(&text, limit).len();
        assert!(expected_parts.contains(&n), "{d:?} at {limit}: {n} parts");
    }
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z ]{0,40}",
        1 => "[a-z]{60,400}",
        1 => "([a-z]{1,12} ){5,80}",
        1 => Just("```".to_owned()),
        1 => Just("```rust".to_owned()),
        1 => "[é🔥✅ a-z]{0,150}",
        1 => Just(String::new()),
    ]
}

fn arbitrary_report() -> impl Strategy<Value = sremesh_core::Report> {
    (
        "\\PC{0,300}",
        prop::collection::vec(
            ("\\PC{0,200}", prop::collection::vec("\\PC{0,400}", 0..10)),
            0..12,
        ),
        "[\\PC\n]{0,500}",
    )
        .prop_map(|(alert, findings, summary)| {
            let mut r = sample_report();
            r.alert_text = alert;
            r.summary = summary;
            let f = r.evidence[0].findings[0].clone();
            r.evidence[0].findings = findings
                .into_iter()
                .map(|(title, evidence)| {
                    let mut f = f.clone();
                    f.title = title;
                    f.evidence = evidence;
                    f
                })
                .collect();
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_text_splits_without_loss(lines in prop::collection::vec(line_strategy(), 0..60), limit in 40usize..400) {
        assert_lossless(&lines.join("\n"), limit);
    }

    #[test]
    fn arbitrary_reports_split_without_loss(r in arbitrary_report(), limit in prop_oneof![Just(DISCORD_LIMIT), 64usize..600]) {
        for d in [Dialect::Discord, Dialect::Slack] {
            assert_lossless(&r.render(d), limit);
        }
    }

    #[test]
    fn split_never_panics(s in any::<String>(), limit in 0usize..200) {
        let parts = split(&s, limit);
        let limit = limit.max(sremesh_chat::render::MIN_LIMIT);
        prop_assert!(parts.iter().all(|p| width(p) <= limit));
    }
}

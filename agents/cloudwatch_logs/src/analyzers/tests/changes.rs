//! Changes an application announces in its log: parsed from JSON, logfmt and plain lines with
//! the flag's name and transition, reported as `change_logged` context (medium when errors
//! followed it), and never for failed changes, periodic reloads or other services.

use super::*;
use crate::analyzers::changes::{ChangeKind, parse};

type Parsed = Option<(
    ChangeKind,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
)>;

#[test]
fn change_lines_are_parsed() {
    use ChangeKind::*;
    let cases: &[(&str, Parsed)] = &[
        (
            r#"{"level":"info","msg":"feature flag updated","flagKey":"checkout-v3","previous":"off","current":"on"}"#,
            Some((Flag, Some("checkout-v3"), Some("off"), Some("on"))),
        ),
        (
            r#"level=info msg="flag changed" flag=new-search old=false new=true"#,
            Some((Flag, Some("new-search"), Some("false"), Some("true"))),
        ),
        (
            r#"2026-01-09 10:00:01 INFO Feature flag "beta-pricing" was enabled"#,
            Some((Flag, Some("beta-pricing"), None, Some("on"))),
        ),
        (
            "unleash: flag promo-banner toggled from true to false",
            Some((Flag, Some("promo-banner"), Some("true"), Some("false"))),
        ),
        (
            "INFO configuration reloaded from /etc/app/config.yaml",
            Some((Config, Some("/etc/app/config.yaml"), None, None)),
        ),
        (
            r#"{"level":"info","msg":"config reloaded","file":"/etc/gw/routes.yaml"}"#,
            Some((Config, Some("/etc/gw/routes.yaml"), None, None)),
        ),
        (
            "ERROR failed to reload config: yaml: line 3: bad indent",
            None,
        ),
        (
            r#"{"msg":"flag update failed","flag":"x","error":"timeout"}"#,
            None,
        ),
        (r#"{"msg":"quote","flag.new-pricing":false}"#, None),
        ("GET /flags 200 3ms", None),
    ];
    for (line, want) in cases {
        let got = parse(line).map(|c| (c.kind, c.subject, c.from, c.to));
        let want = want.map(|(k, s, f, t)| {
            (
                k,
                s.map(str::to_owned),
                f.map(str::to_owned),
                t.map(str::to_owned),
            )
        });
        assert_eq!(got, want, "{line}");
    }
}

/// `(what, window lines as (minutes before the alert, pod, line), baseline lines, expected
/// change findings as (severity, subject, title words))`.
type ChangeCase = (
    &'static str,
    Vec<(i64, &'static str, &'static str)>,
    Vec<(i64, &'static str, &'static str)>,
    Vec<(Severity, Option<&'static str>, &'static str)>,
);

#[test]
fn changes_are_reported_as_context() {
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let api2 = "orders-api-5c9d7b8f6-zz9x1";
    let cart = "cart-api-7d9e8f1a2b-c8m2q";
    let flip =
        r#"{"level":"info","msg":"flag updated","flag":"split-payments","old":false,"new":true}"#;
    let crash = "panic: runtime error: invalid memory address or nil pointer dereference";
    let reload = "INFO config reloaded";
    let cases: Vec<ChangeCase> = vec![
        (
            "a flag flipped just before a crash: medium, named, with its transition",
            vec![
                (20, api, flip),
                (20, api2, flip),
                (18, api, crash),
                (10, api, crash),
            ],
            vec![],
            vec![(
                Severity::Medium,
                Some("split-payments"),
                "feature flag split-payments changed false → true at 10:10 UTC, 20 min before the alert",
            )],
        ),
        (
            "a flag flipped with nothing after it: low",
            vec![(20, api, flip)],
            vec![],
            vec![(Severity::Low, Some("split-payments"), "errors")],
        ),
        (
            "a flip before the window matters when errors followed it",
            vec![(15, api, crash), (5, api, crash)],
            vec![(40, api, flip)],
            vec![(
                Severity::Medium,
                Some("split-payments"),
                "errors began 25 min later",
            )],
        ),
        (
            "... and not when none did",
            vec![],
            vec![(40, api, flip)],
            vec![],
        ),
        (
            "a periodic reload seen before the window too is routine",
            vec![(20, api, reload), (5, api, reload)],
            vec![(50, api, reload), (35, api, reload)],
            vec![],
        ),
        (
            "another service's change is not the target's",
            vec![(20, cart, flip)],
            vec![],
            vec![],
        ),
    ];
    for (what, window, baseline, expected) in cases {
        let r = |(min, pod, line): (i64, &str, &str)| {
            LogRecord::parse(CI, "s", at(min), &ci(pod, "orders", line))
        };
        let input = input(
            &[candidate(CI, false)],
            window.into_iter().map(r).collect(),
            Some(baseline.into_iter().map(r).collect()),
        );
        let got: Vec<Finding> = run(&input)
            .into_iter()
            .filter(|f| f.kind == "change_logged")
            .collect();
        assert_eq!(got.len(), expected.len(), "{what}: {got:#?}");
        for (f, (sev, subject, words)) in got.iter().zip(&expected) {
            assert_eq!(f.severity, *sev, "{what}");
            assert_eq!(f.category, None, "{what}");
            assert_eq!(
                f.attributes.get("subject").and_then(|v| v.as_str()),
                *subject,
                "{what}"
            );
            if *words == "errors" {
                assert!(!f.title.contains("errors began"), "{what}: {}", f.title);
            } else {
                assert!(f.title.contains(words), "{what}: {}", f.title);
            }
            assert_eq!(
                f.attributes.get("change").and_then(|v| v.as_str()),
                Some("flag")
            );
            assert!(f.attributes.contains_key("at"), "{what}");
        }
    }
}

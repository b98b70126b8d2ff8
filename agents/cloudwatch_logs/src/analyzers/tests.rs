//! The analyzers over hand-made inputs: which findings, kinds and categories come out, and how
//! lines are rendered for titles, links and categories.

use super::render::literal;
use super::*;
use crate::discovery::KeywordKind;
use jiff::SignedDuration;
use sremesh_core::{Category, Severity, signals};

const ALERT: &str = "2026-04-18T10:30:00Z";

fn at(min_before_alert: i64) -> Timestamp {
    ALERT
        .parse::<Timestamp>()
        .unwrap()
        .checked_sub(SignedDuration::from_mins(min_before_alert))
        .unwrap()
}

fn ci(pod: &str, ns: &str, log: &str) -> String {
    serde_json::json!({"log": log, "kubernetes": {"pod_name": pod, "namespace_name": ns}})
        .to_string()
}

const CI: &str = "/aws/containerinsights/prod/application";

fn candidate(name: &str, dedicated: bool) -> Candidate {
    Candidate {
        name: name.into(),
        score: 1,
        matched: vec![],
        dedicated,
        stored_bytes: None,
    }
}

/// An input for the `orders-api` workload in cluster `prod`.
fn input(groups: &[Candidate], window: Vec<LogRecord>, baseline: Option<Vec<LogRecord>>) -> Input {
    let mut t = Target::default();
    t.add("orders-api", KeywordKind::Workload);
    t.add("prod", KeywordKind::Cluster);
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    let mut i = Input::new(at(0), w, "eu-west-1".into(), t);
    i.groups = groups.to_vec();
    i.records = window;
    i.baseline_records = baseline;
    i.finish()
}

/// `(kind, category, severity, title contains)` of each finding, in order.
type Expected = Vec<(&'static str, Option<Category>, Severity, &'static str)>;

fn check(what: &str, input: &Input, expected: Expected) {
    let got = run(input);
    let summary: Vec<String> = got
        .iter()
        .map(|f| format!("{} {:?} {:?} {}", f.kind, f.category, f.severity, f.title))
        .collect();
    assert_eq!(got.len(), expected.len(), "{what}: {summary:#?}");
    for (f, (kind, cat, sev, words)) in got.iter().zip(&expected) {
        assert_eq!(
            (f.kind.as_str(), f.category, f.severity),
            (*kind, *cat, *sev),
            "{what}: {summary:#?}"
        );
        assert!(
            f.title.contains(words),
            "{what}: {:?} not in {}",
            words,
            f.title
        );
    }
}

#[test]
fn findings_by_case() {
    let r =
        |min, pod: &str, line: &str| LogRecord::parse(CI, "s", at(min), &ci(pod, "orders", line));
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let other = "cart-api-5c9d7b8f6-4kd9s";
    let too_many = "ERROR db connect failed: sorry, too many clients already";
    let statsd = "ERROR Unable to send metrics to statsd:9125: Connection refused";
    let shared = [candidate(CI, false)];
    let cases: Vec<(&str, Input, Expected)> = vec![
        (
            "a new signature on the target is a cause",
            input(
                &shared,
                vec![r(5, api, too_many), r(3, api, too_many)],
                Some(vec![]),
            ),
            vec![(
                "log_pattern",
                Some(Category::ResourceExhaustion),
                Severity::Critical,
                "too many clients",
            )],
        ),
        (
            "constant noise is reported low and without a category",
            input(
                &shared,
                vec![r(20, api, statsd), r(5, api, statsd)],
                Some(vec![r(50, api, statsd), r(40, api, statsd)]),
            ),
            vec![
                ("log_pattern", None, Severity::Low, "steady noise, not new"),
                ("logs_quiet", None, Severity::Info, "only 1 steady pattern"),
            ],
        ),
        (
            "another service with the same signature corroborates, it is no separate cause",
            input(
                &shared,
                vec![r(5, api, too_many), r(4, other, too_many)],
                Some(vec![]),
            ),
            vec![(
                "log_pattern",
                Some(Category::ResourceExhaustion),
                Severity::Critical,
                "orders-api",
            )],
        ),
        (
            "another service's own new error is context without a category",
            input(
                &shared,
                vec![r(4, other, "ERROR NullPointerException in cart")],
                Some(vec![]),
            ),
            vec![
                ("log_pattern", None, Severity::Low, "not the alert's target"),
                (
                    "logs_quiet",
                    None,
                    Severity::Info,
                    "No error lines about the alert's target",
                ),
            ],
        ),
        (
            "without a baseline the signature still counts",
            input(&shared, vec![r(5, api, too_many)], None),
            vec![(
                "log_pattern",
                Some(Category::ResourceExhaustion),
                Severity::Critical,
                "preceding window not available",
            )],
        ),
        (
            "errors that stopped long before the alert are no cause",
            input(
                &shared,
                vec![r(25, api, too_many), r(24, api, too_many)],
                Some(vec![]),
            ),
            vec![(
                "log_pattern",
                Some(Category::ResourceExhaustion),
                Severity::Critical,
                "too many clients",
            )]
            .into_iter()
            .take(0)
            .chain([
                ("log_pattern", None, Severity::Low, "errors that stopped"),
                (
                    "logs_quiet",
                    None,
                    Severity::Info,
                    "errors stopped at 10:06 UTC",
                ),
            ])
            .collect(),
        ),
        (
            "no group matched",
            input(&[], vec![], None),
            vec![(
                "no_log_groups",
                None,
                Severity::Info,
                "likely not in CloudWatch",
            )],
        ),
    ];
    for (what, i, expected) in cases {
        check(what, &i, expected);
    }
}

#[test]
fn the_corroborating_service_is_named_in_the_evidence() {
    let r = |min, pod: &str| {
        LogRecord::parse(
            CI,
            "s",
            at(min),
            &ci(pod, "x", "Error: getaddrinfo ENOTFOUND db.internal"),
        )
    };
    let i = input(
        &[candidate(CI, false)],
        vec![
            r(3, "orders-api-5c9d7b8f6-4kd9s"),
            r(2, "coredns-5c9d7b8f6-4kd9s"),
        ],
        Some(vec![]),
    );
    let f = &run(&i)[0];
    assert_eq!(f.category, Some(Category::Infrastructure));
    assert!(
        f.evidence.iter().any(|e| e.starts_with("also in coredns:")),
        "{:?}",
        f.evidence
    );
    assert_eq!(f.attributes["signature"], "dns_failure");
    assert_eq!(f.attributes["baseline_count"], 0);
    assert!(
        f.link
            .as_deref()
            .unwrap_or_default()
            .contains("getaddrinfo")
    );
}

#[test]
fn lambda_timeouts_errors_and_memory() {
    let g = "/aws/lambda/pay-hook";
    let r = |min, line: &str| LogRecord::parse(g, "2026/04/18/[$LATEST]ab", at(min), line);
    let mut i = input(
        &[candidate(g, true)],
        vec![
            r(
                6,
                "2026-04-18T10:24:00.000Z 6b0d549b-6f03-475a-9600-a35a099950d8 Task timed out after 6.01 seconds",
            ),
            r(
                3,
                "2026-04-18T10:27:00.000Z 6b0d549b-6f03-475a-9600-a35a099950d9 Task timed out after 6.01 seconds",
            ),
            r(
                2,
                "2026-04-18T10:28:00.000Z\tabc\tERROR\tInvoke Error \t{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: abc Error: Runtime exited with error: signal: killed\"}",
            ),
        ],
        Some(vec![]),
    );
    i.lambda.insert(
        "pay-hook".into(),
        (
            LambdaStats {
                invocations: 9.0,
                p50_ms: Some(6006.0),
                max_ms: Some(6008.0),
                max_memory_mb: Some(512.0),
                memory_size_mb: Some(512.0),
            },
            Some(LambdaStats {
                invocations: 4.0,
                p50_ms: Some(240.0),
                max_ms: Some(260.0),
                max_memory_mb: Some(120.0),
                memory_size_mb: Some(512.0),
            }),
        ),
    );
    // The runtime kill's REPORT line (an error query row) says the memory ran out.
    i.records.push(r(
        2,
        "REPORT RequestId: abc\tDuration: 2590.31 ms\tBilled Duration: 2591 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\tStatus: error\tError Type: Runtime.OutOfMemory",
    ));
    let i = i.finish();
    let got = run(&i);
    let timeout = got
        .iter()
        .find(|f| f.kind == "lambda_timeout")
        .expect("a timeout finding");
    assert_eq!(timeout.category, Some(Category::DependencyFailure));
    assert_eq!(timeout.attributes["timeout_seconds"], 6.01);
    assert!(
        timeout
            .evidence
            .iter()
            .any(|e| e.contains("p50 6006 ms") && e.contains("before: 4 invocations, p50 240 ms")),
        "{:?}",
        timeout.evidence
    );
    let oom = got
        .iter()
        .find(|f| f.kind == "lambda_error")
        .expect("an error finding");
    assert_eq!(
        (oom.category, oom.severity),
        (Some(Category::ResourceExhaustion), Severity::Critical),
        "{}",
        oom.title
    );
    assert!(oom.title.contains("Runtime.ExitError"), "{}", oom.title);
    assert!(oom.title.contains("Runtime.OutOfMemory"), "{}", oom.title);
    let text = oom.text();
    for literal in [
        "Max Memory Used: 512 MB",
        "Error Type: Runtime.OutOfMemory",
        "Runtime exited with error: signal: killed",
    ] {
        assert!(
            text.contains(literal),
            "{literal:?} not in {:#?}",
            oom.evidence
        );
    }
    assert!(oom.evidence.iter().all(|e| e.chars().count() <= 300));
}

#[test]
fn display_lines_and_snippets() {
    let cases = [
        (
            r#"{"level":"error","msg":"PUT /v1/cart 503","table":"cart-sessions","err":"ProvisionedThroughputExceededException"}"#,
            "PUT /v1/cart 503 — ProvisionedThroughputExceededException (table=cart-sessions)",
        ),
        (
            "2026-04-13T08:44:05.002Z\ta170b338-3926-4059-b28c-105d1fb17c23\tERROR\tInvoke Error \t{\"errorType\":\"UpstreamError\",\"errorMessage\":\"acmebank 504\"}",
            "ERROR Invoke Error — UpstreamError: acmebank 504",
        ),
        ("plain ERROR line", "plain ERROR line"),
        ("prefix {not json}", "prefix {not json}"),
    ];
    for (line, want) in cases {
        assert_eq!(display_line(line), want);
    }
    let long = format!("{} sorry, too many clients already", "x ".repeat(100));
    let sig = signals::classify(&long);
    let s = snippet(&long, sig, 80);
    assert!(s.starts_with('…') && s.contains("too many clients"), "{s}");
    assert!(s.chars().count() <= 81);
}

#[test]
fn link_literals_find_the_line_again() {
    let sig = signals::classify("FATAL:  sorry, too many clients already");
    assert_eq!(
        literal("FATAL:  sorry, too many clients already", sig).as_deref(),
        Some("too many clients")
    );
    assert_eq!(
        literal("\"quoted\" /path/ value=abcdefgh", None).as_deref(),
        Some("value=abcdefgh")
    );
}

mod changes;
mod clues;
mod context;
mod evidence;
mod throttle_gone;
mod titles;

/// One queue message failing on every delivery is a poison message (bad data); many messages
/// failing the same way is the handler's defect.
#[test]
fn one_message_failing_every_delivery_is_a_poison_message() {
    let g = "/aws/lambda/label-consumer";
    let line = |id: &str| {
        format!(
            r#"{{"level":"ERROR","message":"failed to build label","messageId":"{id}","error":"KeyError: 'postal_code'"}}"#
        )
    };
    let r = |min, id: &str| LogRecord::parse(g, "2026/04/18/[$LATEST]ab", at(min), &line(id));
    let crash = |records: Vec<LogRecord>| {
        let i = input(&[candidate(g, true)], records, Some(vec![]));
        run(&i)
            .into_iter()
            .find(|f| f.title.contains("KeyError"))
            .unwrap_or_else(|| panic!("no finding for the KeyError"))
    };
    let poison = crash(
        (0..4)
            .map(|n| r(20 - 5 * n, "b7e4c2a0-5d1f-4f7e-9a43"))
            .collect(),
    );
    assert_eq!(poison.category, Some(Category::DataQuality), "{poison:#?}");
    assert!(
        poison.title.contains("b7e4c2a0-5d1f-4f7e-9a43") && poison.title.contains("poison"),
        "{}",
        poison.title
    );
    let many = crash(vec![
        r(20, "b7e4c2a0-5d1f-4f7e-9a43"),
        r(15, "c8f5d3b1-6e2a-4a8f-0b54"),
        r(10, "d9a6e4c2-7f3b-4b9a-1c65"),
        r(5, "b7e4c2a0-5d1f-4f7e-9a43"),
    ]);
    assert_eq!(many.category, Some(Category::CodeDefect), "{many:#?}");
}

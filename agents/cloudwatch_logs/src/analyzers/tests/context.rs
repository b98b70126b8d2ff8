//! What surrounds a pattern: errors that stopped when their pods were replaced by a rollout, the
//! same message redelivered (a poison message), the node whose own logs carry the same
//! signature, two errors sharing a long preamble kept apart, and known noise left out.

use super::*;
use crate::analyzers::{Activity, SourceActivity};

fn activity(rows: &[(&str, i64, i64, u64)]) -> Activity {
    rows.iter()
        .map(|(pod, first, last, lines)| {
            (
                (CI.to_owned(), (*pod).to_owned()),
                SourceActivity {
                    first: at(*first),
                    last: at(*last),
                    lines: *lines,
                },
            )
        })
        .collect()
}

/// `(what, error lines as (minutes before the alert, pod), activity, expected trend,
/// replaced-by pods)`.
type StopCase = (
    &'static str,
    Vec<(i64, &'static str)>,
    Vec<(&'static str, i64, i64, u64)>,
    &'static str,
    Vec<&'static str>,
);

#[test]
fn errors_stop_when_their_pods_are_replaced() {
    let old_a = "web-6b7c8d9f5a-q9l4s";
    let old_b = "web-6b7c8d9f5a-zt5kx";
    let new_a = "web-7d9e8f1a2b-c8m2q";
    let line = r#"{"level":"error","msg":"render failed","err":"TypeError: Cannot read properties of null (reading 'name')"}"#;
    let cases: Vec<StopCase> = vec![
        (
            "only old pods wrote it, they went quiet, the new ones kept logging: stopped",
            vec![(28, old_a), (18, old_b), (7, old_b)],
            vec![(old_a, 40, 28, 20), (old_b, 40, 7, 20), (new_a, 9, 1, 12)],
            "stopped",
            vec![new_a],
        ),
        (
            "the old pods are still logging: not stopped",
            vec![(28, old_a), (18, old_b), (7, old_b)],
            vec![(old_a, 40, 1, 40), (old_b, 40, 7, 20), (new_a, 9, 1, 12)],
            "new",
            vec![],
        ),
        (
            "the new pods wrote it too: not stopped",
            vec![(28, old_a), (7, old_b), (5, new_a)],
            vec![(old_a, 40, 28, 20), (old_b, 40, 7, 20), (new_a, 9, 1, 12)],
            "new",
            vec![],
        ),
        (
            "too recent to tell: not stopped",
            vec![(28, old_a), (2, old_b)],
            vec![(old_a, 40, 28, 20), (old_b, 40, 2, 20), (new_a, 9, 0, 12)],
            "new",
            vec![],
        ),
    ];
    for (what, errors, act, trend, replaced) in cases {
        let mut t = Target::default();
        t.add("web", KeywordKind::Workload);
        let w = TimeWindow {
            start: at(30),
            end: at(-5),
        };
        let mut i = Input::new(at(0), w, "eu-west-1".into(), t);
        i.groups = vec![candidate(CI, false)];
        i.records = errors
            .iter()
            .map(|(min, pod)| LogRecord::parse(CI, "s", at(*min), &ci(pod, "web", line)))
            .collect();
        i.baseline_records = Some(Vec::new());
        i.activity = Some(activity(&act));
        let i = i.finish();
        let f = run(&i)
            .into_iter()
            .find(|f| f.kind == "log_pattern")
            .unwrap_or_else(|| panic!("{what}: no log_pattern"));
        assert_eq!(
            f.attributes.get("trend").and_then(|v| v.as_str()),
            Some(trend),
            "{what}: {}",
            f.title
        );
        let got: Vec<&str> = f
            .attributes
            .get("replaced_by")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(got, replaced, "{what}");
        if trend == "stopped" {
            assert_eq!((f.category, f.severity), (None, Severity::Low), "{what}");
            assert!(f.title.contains("newer pods"), "{what}: {}", f.title);
            assert_eq!(
                f.attributes.get("last_seen").and_then(|v| v.as_str()),
                Some(at(7).to_string().as_str()),
                "{what}"
            );
        }
    }
}

#[test]
fn poison_messages_are_named_by_their_redeliveries() {
    const FN: &str = "/aws/lambda/ledger-consumer";
    let line = |n: u32| {
        format!(
            "[ERROR]\t2026-04-18T10:00:00.000Z\tabc\tFailed to process message m-1: ValidationError: amount must be positive ApproximateReceiveCount={n}"
        )
    };
    let recs: Vec<LogRecord> = (1..=4)
        .map(|n| LogRecord::parse(FN, "s", at(20 - i64::from(n) * 3), &line(n)))
        .collect();
    let i = input(&[candidate(FN, true)], recs, Some(vec![]));
    let f = run(&i)
        .into_iter()
        .find(|f| f.kind == "lambda_error")
        .expect("a lambda_error");
    assert_eq!(f.category, Some(Category::DataQuality));
    assert!(f.title.contains("amount must be positive"), "{}", f.title);
    assert_eq!(
        f.attributes
            .get("max_receive_count")
            .and_then(|v| v.as_u64()),
        Some(4)
    );
    assert!(
        f.evidence.iter().any(|e| e.contains("poison message")),
        "{:?}",
        f.evidence
    );
    assert!(f.attributes.contains_key("first_seen"));
}

#[test]
fn a_nodes_own_logs_name_the_node() {
    const HOST: &str = "/aws/containerinsights/prod/host";
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let reject = r#"{"level":"warn","msg":"auth failed","error":"token used before issued"}"#;
    let chrony = "Apr 18 09:40:00 node-7 chronyd[51]: Can't synchronise: no selectable sources";
    let app = |min| LogRecord::parse(CI, "s", at(min), &ci(api, "orders", reject));
    let host = |min| LogRecord::parse(HOST, "node-7-host.messages", at(min), chrony);
    let i = input(
        &[candidate(CI, false), candidate(HOST, false)],
        vec![app(12), app(4), host(10)],
        Some(vec![host(45)]),
    );
    let got = run(&i);
    let f = got
        .iter()
        .find(|f| f.attributes.get("signature").and_then(|v| v.as_str()) == Some("clock_skew"))
        .expect("a clock_skew finding");
    assert_eq!(f.category, Some(Category::Infrastructure));
    assert!(f.title.contains("chronyd on node-7"), "{}", f.title);
    assert!(f.title.contains("used before issued"), "{}", f.title);
    assert_eq!(
        f.attributes.get("nodes"),
        Some(&serde_json::json!(["node-7"]))
    );
    assert!(f.evidence.iter().any(|e| e.starts_with("on node node-7")));
    // The node's pattern is told inside the target's finding, not as a separate one.
    assert_eq!(
        got.iter()
            .filter(|f| f.kind == "log_pattern" && f.service.as_deref() == Some("chronyd"))
            .count(),
        0
    );
}

#[test]
fn long_preambles_do_not_merge_different_errors_and_noise_is_left_out() {
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let prefix = format!(
        "ERROR 1 --- [worker-1] c.e.Writer : batch {} failed: ",
        "x".repeat(220)
    );
    let ro = format!("{prefix}ERROR: cannot execute INSERT in a read-only transaction");
    let fd = format!("{prefix}java.io.IOException: Too many open files");
    let hangup = "http: TLS handshake error from 10.0.0.7:41000: EOF";
    let r = |min, line: &str| LogRecord::parse(CI, "s", at(min), &ci(api, "orders", line));
    let i = input(
        &[candidate(CI, false)],
        vec![r(10, &ro), r(8, &fd), r(6, hangup), r(5, hangup)],
        Some(vec![]),
    );
    let sigs: Vec<&str> = i
        .patterns
        .iter()
        .filter_map(|p| p.signature.map(|s| s.id))
        .collect();
    assert_eq!(i.patterns.len(), 2, "{:?}", i.patterns);
    assert!(
        sigs.contains(&"db_read_only") && sigs.contains(&"fd_exhausted"),
        "{sigs:?}"
    );
}

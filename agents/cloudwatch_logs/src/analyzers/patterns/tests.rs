//! Clustering and the baseline comparison, table-driven over hand-made records.

use super::*;
use crate::analyzers::SourceActivity;

const ALERT: &str = "2026-04-18T10:30:00Z";

fn at(min_before_alert: i64) -> Timestamp {
    ALERT
        .parse::<Timestamp>()
        .unwrap()
        .checked_sub(SignedDuration::from_mins(min_before_alert))
        .unwrap()
}

fn rec(min_before_alert: i64, line: &str) -> LogRecord {
    LogRecord::parse(
        "/app/orders-api",
        "orders-api-5c9d7b8f6-4kd9s",
        at(min_before_alert),
        line,
    )
}

fn target() -> Target {
    let mut t = Target::default();
    t.add("orders-api", KeywordKind::Workload);
    t
}

/// `check(window, baseline, expected)`: one pattern per expected `(count, baseline, trend)`,
/// most frequent first.
fn check(
    window: &[LogRecord],
    baseline: Option<&[LogRecord]>,
    expected: &[(usize, Option<usize>, Trend)],
) {
    let ps = cluster(window, baseline, at(65), &target(), &[], at(0), None);
    let got: Vec<(usize, Option<usize>, Trend)> =
        ps.iter().map(|p| (p.count, p.baseline, p.trend)).collect();
    assert_eq!(
        got,
        expected,
        "{:#?}",
        ps.iter().map(|p| &p.key).collect::<Vec<_>>()
    );
}

/// What it is, the window, the baseline, and the expected patterns.
type Case = (
    &'static str,
    Vec<LogRecord>,
    Option<Vec<LogRecord>>,
    Vec<(usize, Option<usize>, Trend)>,
);

#[test]
fn trends() {
    let boom = |m| {
        rec(
            m,
            "ERROR request 8f1c2b3a-1111-2222-3333-444455556666 failed after 31ms",
        )
    };
    let noise = |m| {
        rec(
            m,
            "ERROR Unable to send metrics to statsd:9125: Connection refused",
        )
    };
    let cases: Vec<Case> = vec![
        (
            "absent before: new",
            vec![boom(5), boom(3), boom(1)],
            Some(vec![]),
            vec![(3, Some(0), Trend::New)],
        ),
        (
            "ids and numbers are folded into one pattern",
            vec![
                boom(5),
                rec(
                    2,
                    "ERROR request 0a1b2c3d-aaaa-bbbb-cccc-ddddeeeeffff failed after 5000ms",
                ),
            ],
            Some(vec![]),
            vec![(2, Some(0), Trend::New)],
        ),
        (
            "as often before: steady noise",
            vec![noise(20), noise(10), noise(2)],
            Some(vec![noise(50), noise(40), noise(35)]),
            vec![(3, Some(3), Trend::Steady)],
        ),
        (
            "3× and 5 more: surging",
            (1..=8).map(boom).collect(),
            Some(vec![boom(40), boom(50)]),
            vec![(8, Some(2), Trend::Surging)],
        ),
        (
            "3× but fewer than 5 more: steady",
            vec![boom(1), boom(2), boom(3)],
            Some(vec![boom(40)]),
            vec![(3, Some(1), Trend::Steady)],
        ),
        (
            "new, then silent for 19 minutes before the alert: stopped",
            vec![boom(21), boom(20), boom(19)],
            Some(vec![]),
            vec![(3, Some(0), Trend::Stopped)],
        ),
        (
            "a sparse new pattern (every 8 min) quiet for 9 min is still going",
            vec![boom(25), boom(17), boom(9)],
            Some(vec![]),
            vec![(3, Some(0), Trend::New)],
        ),
        (
            "began 37 min before the alert, inside the baseline: new since its onset",
            vec![boom(29), boom(21), boom(12), boom(6), boom(2)],
            Some(vec![boom(37)]),
            vec![(5, Some(1), Trend::New)],
        ),
        (
            "began in the baseline and repeating fast: new, however often it came since",
            (1..=20).map(boom).collect(),
            Some((31..=45).map(boom).collect()),
            vec![(20, Some(15), Trend::New)],
        ),
        (
            "there from the first minutes of the baseline: steady",
            vec![noise(29), noise(8)],
            Some(vec![noise(63), noise(42)]),
            vec![(2, Some(2), Trend::Steady)],
        ),
        (
            "sparse noise (every ~40 min) first seen 7 min in: steady",
            vec![noise(20)],
            Some(vec![noise(58)]),
            vec![(1, Some(1), Trend::Steady)],
        ),
        (
            "no baseline: unknown",
            vec![boom(1)],
            None,
            vec![(1, None, Trend::Unknown)],
        ),
        (
            "info and debug lines are not errors; lines without error words neither",
            vec![
                rec(1, "INFO request completed in 12ms"),
                rec(2, "GET /healthz 200"),
                rec(3, "DEBUG retrying timeout=5s"),
            ],
            Some(vec![]),
            vec![],
        ),
    ];
    for (what, window, baseline, expected) in cases {
        eprintln!("case: {what}");
        check(&window, baseline.as_deref(), &expected);
    }
}

#[test]
fn a_pattern_is_only_stopped_when_its_whole_failure_stopped() {
    // Two shapes of the same signature (pool exhausted): the older one alone would look
    // stopped, but the failure goes on.
    let window = vec![
        rec(
            25,
            "ERROR Knex: Timeout acquiring a connection. The pool is probably full. POST /v1/orders",
        ),
        rec(
            24,
            "ERROR Knex: Timeout acquiring a connection. The pool is probably full. POST /v1/orders",
        ),
        rec(
            1,
            "ERROR Knex: Timeout acquiring a connection. The pool is probably full. GET /v1/orders/x",
        ),
    ];
    let ps = cluster(&window, Some(&[]), at(65), &target(), &[], at(0), None);
    assert_eq!(ps.len(), 2);
    assert!(ps.iter().all(|p| p.trend == Trend::New), "{ps:#?}");
}

/// `(first, last, lines)` of one source, minutes before the alert.
type Source = (&'static str, i64, i64, u64);

/// What it is, the error line, its sources' activity, the expected trend and `silent`.
type StopCase = (
    &'static str,
    &'static str,
    Option<Vec<Source>>,
    Trend,
    Option<bool>,
);

/// What a stopped failure's sources did afterwards decides between recovered and ended.
#[test]
fn a_failure_that_ended_its_process_is_not_a_recovery() {
    let pod = "orders-api-5c9d7b8f6-4kd9s";
    let next_pod = "orders-api-5c9d7b8f6-9zzzz";
    let other = "cart-api-5c9d7b8f6-4kd9s";
    let fatal = "FATAL lost broker connection, exiting";
    let plain = "ERROR request failed";
    let cases: Vec<StopCase> = vec![
        (
            "the same pod kept logging afterwards: recovered",
            plain,
            Some(vec![(pod, 60, 1, 40)]),
            Trend::Stopped,
            Some(false),
        ),
        (
            "a replacement pod of the same workload kept logging: recovered",
            plain,
            Some(vec![(pod, 30, 20, 5), (next_pod, 19, 1, 30)]),
            Trend::Stopped,
            Some(false),
        ),
        (
            "a busy pod went silent after the error: the run ended, the cause stays",
            plain,
            Some(vec![(pod, 60, 20, 80)]),
            Trend::Ended,
            Some(true),
        ),
        (
            "a job's pods logged their start and the traceback, then nothing: ended",
            "KeyError: 'tax_region'",
            Some(vec![(pod, 21, 20, 2)]),
            Trend::Ended,
            Some(true),
        ),
        (
            "a pod that wrote only a fatal line, long ago: ended",
            fatal,
            Some(vec![(pod, 20, 20, 1)]),
            Trend::Ended,
            Some(true),
        ),
        (
            "a pod that wrote only one plain error line: cannot tell",
            plain,
            Some(vec![(pod, 20, 20, 1)]),
            Trend::Stopped,
            None,
        ),
        (
            "a sparse logger (every 25 min) quiet for 20 min: cannot tell",
            plain,
            Some(vec![(pod, 70, 20, 3)]),
            Trend::Stopped,
            None,
        ),
        (
            "another workload logging says nothing about this one",
            plain,
            Some(vec![(pod, 21, 20, 2), (other, 60, 1, 90)]),
            Trend::Ended,
            Some(true),
        ),
        (
            "activity unknown: stopped, recovery not claimed",
            plain,
            None,
            Trend::Stopped,
            None,
        ),
    ];
    for (what, line, sources, trend, silent) in cases {
        let window = vec![rec(21, line), rec(20, line)];
        let activity: Option<Activity> = sources.map(|ss| {
            ss.into_iter()
                .map(|(origin, first, last, lines)| {
                    (
                        ("/app/orders-api".to_owned(), origin.to_owned()),
                        SourceActivity {
                            first: at(first),
                            last: at(last),
                            lines,
                        },
                    )
                })
                .collect()
        });
        let ps = cluster(
            &window,
            Some(&[]),
            at(65),
            &target(),
            &[],
            at(0),
            activity.as_ref(),
        );
        assert_eq!((ps[0].trend, ps[0].silent), (trend, silent), "{what}");
        assert_eq!(ps[0].trend.is_active(), trend == Trend::Ended, "{what}");
    }
}

#[test]
fn lines_are_on_target_by_group_pod_namespace_or_text() {
    let ci = "/aws/containerinsights/c/application";
    let envelope = |pod: &str, ns: &str, log: &str| {
        format!(r#"{{"log":"{log}","kubernetes":{{"pod_name":"{pod}","namespace_name":"{ns}"}}}}"#)
    };
    let mut t = target();
    t.add("orders", KeywordKind::Namespace);
    t.add("c", KeywordKind::Cluster);
    let cases = [
        (envelope("orders-api-5c9d7b8f6-4kd9s", "x", "ERROR a"), true),
        (
            envelope("orders-worker-5c9d7b8f6-4kd9s", "orders", "ERROR b"),
            true,
        ),
        (
            envelope(
                "web-5c9d7b8f6-4kd9s",
                "web",
                "ERROR upstream orders-api down",
            ),
            true,
        ),
        (
            envelope("web-5c9d7b8f6-4kd9s", "web", "ERROR upstream cart-api down"),
            false,
        ),
    ];
    for (msg, want) in cases {
        let r = LogRecord::parse(ci, "s", at(1), &msg);
        assert_eq!(on_target(&r, &t, &[]), want, "{msg}");
    }
    // Without line-level keywords every line is the target's.
    let r = LogRecord::parse(
        ci,
        "s",
        at(1),
        &envelope("web-5c9d7b8f6-4kd9s", "web", "ERROR x"),
    );
    assert!(on_target(&r, &Target::default(), &[]));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_lines_never_panic(lines in proptest::collection::vec("\\PC{0,120}", 0..20)) {
            let window: Vec<LogRecord> = lines.iter().enumerate().map(|(i, l)| rec(i as i64, l)).collect();
            let ps = cluster(&window, Some(&window), at(65), &target(), &[], at(0), None);
            let total: usize = ps.iter().map(|p| p.count).sum();
            prop_assert!(total <= window.len());
        }
    }
}

/// A warning that data was bent to fit counts only when the alert is about wrong data, and
/// never "recovers" by going quiet: the data it wrote stays wrong. Other errors still stop.
#[test]
fn coerced_data_outlasts_its_lines() {
    let coerced = r#"{"level":"WARN","msg":"lenient decimal parse applied","supplier":"acme","rows_affected":38127}"#;
    let boom = "ERROR request failed after 31ms";
    let cases: &[(&str, bool, &str, &[Trend])] = &[
        (
            "about data: quiet for 20 min, still new",
            true,
            coerced,
            &[Trend::New],
        ),
        (
            "not about data: a warning is not a failure",
            false,
            coerced,
            &[],
        ),
        (
            "an ordinary error quiet for 20 min stopped",
            true,
            boom,
            &[Trend::Stopped],
        ),
    ];
    for (what, about_data, line, want) in cases {
        let mut t = target();
        t.about_data = *about_data;
        let window = [rec(21, line)];
        let ps = cluster(&window, Some(&[]), at(65), &t, &[], at(0), None);
        let got: Vec<Trend> = ps.iter().map(|p| p.trend).collect();
        assert_eq!(got, *want, "{what}");
    }
}

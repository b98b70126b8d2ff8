//! What findings say: verbatim evidence keeping the decisive part, signatures taken from the
//! application's own (error) line, unknown errors surfaced, and runs that ended keeping their
//! cause while recovered ones do not.

use super::*;

/// `check_verbatim(line, max, must keep)`: evidence lines are verbatim, at most `max`
/// characters, and keep the signature's match and its clause.
fn check_verbatim(line: &str, max: usize, keeps: &[&str]) {
    let got = super::render::verbatim(line, signals::classify(line), max);
    assert!(got.chars().count() <= max, "{got}");
    assert!(!got.contains('\t'), "{got}");
    for k in keeps {
        assert!(got.contains(k), "{k:?} lost from {got:?}");
    }
}

#[test]
fn evidence_keeps_the_decisive_part_of_long_lines() {
    let long_prefix = format!(
        "2026-05-08 15:19:30.771  WARN 1 --- [C-1] o.a.k.c.NetworkClient : [Consumer clientId=c-1, groupId=g] {} Connection to node 2 (b-2.msk.example:9098)",
        "x".repeat(200)
    );
    let kafka = format!("{long_prefix} could not be established. Broker may not be available.");
    let cases: Vec<(&str, usize, Vec<&str>)> = vec![
        (
            "ERROR short line: connection refused",
            300,
            vec!["ERROR short line: connection refused"],
        ),
        (
            kafka.as_str(),
            300,
            vec!["could not be established. Broker may not be available."],
        ),
        (
            "REPORT RequestId: 1\tDuration: 2590.31 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\tStatus: error\tError Type: Runtime.OutOfMemory",
            300,
            vec!["Max Memory Used: 512 MB", "Runtime.OutOfMemory"],
        ),
    ];
    for (line, max, keeps) in cases {
        check_verbatim(line, max, &keeps);
    }
}

/// `(Container Insights message, signature, category, literal that must be in the evidence)`.
type SignatureCase = (String, &'static str, Category, &'static str);

/// The application's own line (unwrapped from the Container Insights envelope; for a
/// multi-line event its error line) decides the signature, and the finding carries it with a
/// verbatim example.
#[test]
fn signatures_flow_from_the_inner_line_to_the_finding() {
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let cases: Vec<SignatureCase> = vec![
        (
            ci(
                api,
                "orders",
                "2026-05-08 15:19:30.771  WARN 1 --- [C-1] o.a.k.c.NetworkClient : Connection to node 2 (b-2.orders-msk:9098) could not be established. Broker may not be available.",
            ),
            "unreachable",
            Category::DependencyFailure,
            "Broker may not be available",
        ),
        (
            ci(
                api,
                "orders",
                "[2026-05-25 10:30:00,330: WARNING/ForkPoolWorker-1] partner PUT https://api.partner.example/v2/x -> 429 Too Many Requests (Retry-After: 60)",
            ),
            "rate_limited",
            Category::DependencyFailure,
            "429 Too Many Requests",
        ),
        (
            ci(
                api,
                "orders",
                r#"{"level":50,"msg":"session write failed","err":{"type":"ReplyError","message":"OOM command not allowed when used memory > 'maxmemory'."}}"#,
            ),
            "datastore_full",
            Category::ResourceExhaustion,
            "OOM command not allowed",
        ),
        (
            ci(
                api,
                "orders",
                "Traceback (most recent call last):\n  File \"/app/rows.py\", line 27, in format_row\n    x = inv[\"tax_region\"]\nKeyError: 'tax_region'",
            ),
            "code_defect",
            Category::CodeDefect,
            "KeyError: 'tax_region'",
        ),
        (
            ci(
                api,
                "orders",
                "2026-05-06 08:00:41.733 ERROR 1 --- [refresh] c.a.Refresher : catalog refresh failed\njava.lang.OutOfMemoryError: Java heap space",
            ),
            "oom",
            Category::ResourceExhaustion,
            "java.lang.OutOfMemoryError: Java heap space",
        ),
    ];
    for (message, sig, category, literal) in cases {
        let recs = vec![
            LogRecord::parse(CI, "s", at(6), &message),
            LogRecord::parse(CI, "s", at(2), &message),
        ];
        let i = input(&[candidate(CI, false)], recs, Some(vec![]));
        let got = run(&i);
        let f = got
            .iter()
            .find(|f| f.kind == "log_pattern")
            .unwrap_or_else(|| panic!("{sig}: no finding in {got:#?}"));
        assert_eq!(f.attributes["signature"], sig, "{message}");
        assert_eq!(f.category, Some(category), "{message}");
        assert!(
            f.evidence.iter().any(|e| e.contains(literal)),
            "{literal:?} not verbatim in {:#?}",
            f.evidence
        );
    }
}

/// A new error no signature knows is still surfaced, for its service, with the literal line.
#[test]
fn an_unknown_new_error_is_surfaced_with_its_line() {
    let line = "ERROR ledger reconciliation mismatch for batch 7781";
    let recs = vec![
        LogRecord::parse(
            CI,
            "s",
            at(6),
            &ci("orders-api-5c9d7b8f6-4kd9s", "orders", line),
        ),
        LogRecord::parse(
            CI,
            "s",
            at(2),
            &ci("orders-api-5c9d7b8f6-4kd9s", "orders", line),
        ),
    ];
    let i = input(&[candidate(CI, false)], recs, Some(vec![]));
    let f = &run(&i)[0];
    assert_eq!((f.kind.as_str(), f.category), ("log_pattern", None));
    assert_eq!(f.service.as_deref(), Some("orders-api"));
    assert!(f.title.contains("new error pattern"), "{}", f.title);
    assert!(
        f.evidence.iter().any(|e| e.contains(line)),
        "{:?}",
        f.evidence
    );
}

/// A run that failed and then logged nothing more keeps its cause; the same error on a
/// service that kept logging afterwards is a recovery.
#[test]
fn an_ended_run_keeps_its_cause_a_recovered_one_does_not() {
    let pod = "invoice-export-29641290-8kq2n";
    let line = "KeyError: 'tax_region'";
    let recs = vec![
        LogRecord::parse(CI, "s", at(21), &ci(pod, "batch", line)),
        LogRecord::parse(CI, "s", at(20), &ci(pod, "batch", line)),
    ];
    let mut t = Target::default();
    t.add("invoice-export", KeywordKind::Workload);
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    for (last_line, ended) in [(at(20), true), (at(2), false)] {
        let mut i = Input::new(at(0), w, "eu-west-1".into(), t.clone());
        i.groups = vec![candidate(CI, false)];
        i.records = recs.clone();
        i.baseline_records = Some(vec![]);
        i.activity = Some(Activity::from([(
            (CI.to_owned(), pod.to_owned()),
            SourceActivity {
                first: at(22),
                last: last_line,
                lines: 3,
            },
        )]));
        let got = run(&i.finish());
        let f = got
            .iter()
            .find(|f| f.kind == "log_pattern")
            .expect("a pattern finding");
        if ended {
            assert_eq!(f.category, Some(Category::CodeDefect), "{}", f.title);
            assert!(
                f.title.contains("the run ended on this error"),
                "{}",
                f.title
            );
            assert_eq!(f.attributes["ended"], true);
            assert!(!got.iter().any(|f| f.kind == "logs_quiet"));
        } else {
            assert_eq!(f.category, None, "{}", f.title);
            assert!(f.title.contains("recovered"), "{}", f.title);
            let quiet = got.iter().find(|f| f.kind == "logs_quiet").expect("quiet");
            assert_eq!(quiet.attributes["recovered"], true);
        }
        for a in ["onset", "last_seen", "trend"] {
            assert!(
                f.attributes.contains_key(a),
                "{a} missing: {:?}",
                f.attributes
            );
        }
    }
}

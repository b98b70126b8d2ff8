//! A throttled Lambda seen from its callers (and who holds the account's concurrency), and
//! removed endpoints answering 410 Gone: context, never a failure category.

use super::*;

const FN_GROUP: &str = "/aws/lambda/image-resize";
const WEB: &str = "/app/web";
const REPORT: &str = "/ops/concurrency";

fn lambda_input(window: Vec<LogRecord>) -> Input {
    let mut t = Target::default();
    t.add("image-resize", KeywordKind::Workload);
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    let mut i = Input::new(at(0), w, "eu-west-1".into(), t);
    i.groups = vec![
        candidate(FN_GROUP, true),
        candidate(WEB, false),
        candidate(REPORT, false),
    ];
    i.records = window;
    i.baseline_records = Some(Vec::new());
    i.finish()
}

fn caller(min: i64, function: &str, reason: &str) -> LogRecord {
    let line = serde_json::json!({"level": "error", "msg": "invoke failed",
        "name": "TooManyRequestsException", "message": "Rate Exceeded.",
        "Reason": reason, "function": function});
    LogRecord::parse(WEB, "web-1", at(min), &line.to_string())
}

fn report(min: i64) -> LogRecord {
    LogRecord::parse(
        REPORT,
        "eu-west-1",
        at(min),
        "ConcurrentExecutions (account) Maximum=1000 of limit 1000; by function: image-resize=600, backfill=390, auth=10",
    )
}

/// `(what, window, the target's throttling finding expected, words in it, words not in it)`.
type Case = (
    &'static str,
    Vec<LogRecord>,
    bool,
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn a_throttled_function_is_read_in_its_callers_lines() {
    const ACCOUNT: &str = "ConcurrentInvocationLimitExceeded";
    const RESERVED: &str = "ReservedFunctionConcurrentInvocationLimitExceeded";
    let cases: Vec<Case> = vec![
        (
            "the account's concurrency, held by another function",
            vec![
                caller(6, "image-resize", ACCOUNT),
                caller(3, "image-resize", ACCOUNT),
                report(4),
            ],
            true,
            &[
                "TooManyRequestsException",
                ACCOUNT,
                "held by backfill (390 of 1000",
            ],
            &[],
        ),
        (
            "no breakdown gathered: the throttle alone",
            vec![
                caller(6, "image-resize", ACCOUNT),
                caller(3, "image-resize", ACCOUNT),
            ],
            true,
            &["TooManyRequestsException", ACCOUNT],
            &["held by"],
        ),
        (
            "the function's own reserved concurrency: nobody else holds it",
            vec![
                caller(6, "image-resize", RESERVED),
                caller(3, "image-resize", RESERVED),
                report(4),
            ],
            true,
            &[RESERVED],
            &["held by"],
        ),
        (
            "another function's throttles are not the target's",
            vec![
                caller(6, "thumbs", ACCOUNT),
                caller(3, "thumbs", ACCOUNT),
                report(4),
            ],
            false,
            &[],
            &[],
        ),
    ];
    for (what, window, expected, words, absent) in cases {
        let got = run(&lambda_input(window));
        let hit = got.iter().find(|f| {
            f.category == Some(Category::ResourceExhaustion)
                && f.attributes.get("signature").and_then(|s| s.as_str()) == Some("throttling")
        });
        assert_eq!(hit.is_some(), expected, "{what}: {got:#?}");
        let Some(f) = hit else { continue };
        let text = format!("{} {}", f.title, f.evidence.join(" "));
        for w in words {
            assert!(text.contains(w), "{what}: {w:?} not in {text}");
        }
        for w in absent {
            assert!(!text.contains(w), "{what}: {w:?} in {text}");
        }
    }
}

fn access(min: i64, path: &str, status: u16, client: &str) -> LogRecord {
    let line = format!(
        r#"level=INFO msg="request" method=GET path={path} status={status} client_id={client}"#
    );
    LogRecord::parse(
        CI,
        "s",
        at(min),
        &ci("orders-api-5c9d7b8f6-4kd9s", "orders", &line),
    )
}

/// `(what, window, expected (severity, path, clients) of the 410 finding, an error pattern
/// expected too)`.
type GoneCase = (
    &'static str,
    Vec<LogRecord>,
    Option<(Severity, &'static str, Option<Vec<&'static str>>)>,
    bool,
);

#[test]
fn removed_endpoints_answering_410_are_context_not_failures() {
    let many: Vec<LogRecord> = (0..5)
        .map(|i| access(10 - i, "/v1/items", 410, &format!("c{i}")))
        .collect();
    let cases: Vec<GoneCase> = vec![
        (
            "one client still calling a removed endpoint",
            vec![
                access(9, "/v1/quotes", 410, "sbx_1"),
                access(4, "/v1/quotes", 410, "sbx_1"),
            ],
            Some((Severity::Info, "/v1/quotes", Some(vec!["sbx_1"]))),
            false,
        ),
        (
            "many clients: not named, low",
            many,
            Some((Severity::Low, "/v1/items", None)),
            false,
        ),
        (
            "a dependency answering us 410 is an error of ours",
            vec![LogRecord::parse(
                CI,
                "s",
                at(5),
                &ci(
                    "orders-api-5c9d7b8f6-4kd9s",
                    "orders",
                    "ERROR upstream returned status=410 for rates",
                ),
            )],
            None,
            true,
        ),
        (
            "other statuses are not removals",
            vec![access(9, "/v1/quotes", 404, "sbx_1")],
            None,
            false,
        ),
    ];
    let groups = [candidate(CI, false)];
    for (what, window, expected, pattern) in cases {
        let got = run(&input(&groups, window, Some(Vec::new())));
        let gone = got.iter().find(|f| f.kind == "client_gone_endpoint");
        let summary = |g: &Finding| {
            let a = &g.attributes;
            let clients: Option<Vec<String>> = a.get("clients").and_then(|c| {
                c.as_array().map(|v| {
                    v.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
            });
            (
                g.category,
                g.severity,
                a.get("status").and_then(|s| s.as_u64()),
                a.get("path").and_then(|p| p.as_str()).map(str::to_owned),
                clients,
            )
        };
        let want = expected.map(|(sev, path, clients)| {
            (
                None,
                sev,
                Some(410),
                Some(path.to_owned()),
                clients.map(|c| c.iter().map(|s| (*s).to_owned()).collect()),
            )
        });
        assert_eq!(gone.map(summary), want, "{what}: {got:#?}");
        if let Some(g) = gone {
            assert!(g.title.contains("410 Gone"), "{what}: {}", g.title);
        }
        let patterns = got.iter().any(|f| f.kind == "log_pattern");
        assert_eq!(patterns, pattern, "{what}: {got:#?}");
    }
}

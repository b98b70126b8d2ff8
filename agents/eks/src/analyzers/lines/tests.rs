//! Tests of the line readers: rendering, levels, TLS direction, terminal errors (table-driven
//! and proptest).

use super::*;
use proptest::prelude::*;

fn lines(xs: &[(u32, &str)]) -> Vec<LogLine> {
    xs.iter()
        .map(|(sec, text)| LogLine {
            at: Some(
                format!("2026-04-18T11:58:{sec:02}Z")
                    .parse()
                    .expect("valid time"),
            ),
            text: (*text).to_owned(),
        })
        .collect()
}

/// What each run died of: `(log, terminal signature, last line of the final report,
/// reads as fatal)`.
#[test]
fn terminal_errors() {
    type Case = (
        Vec<LogLine>,
        Option<&'static str>,
        Option<&'static str>,
        bool,
    );
    let cases: Vec<Case> = vec![
        (
            lines(&[
                (
                    1,
                    "WARN SQL Error: canceling statement due to statement timeout",
                ),
                (
                    20,
                    "ERROR o.s.boot.SpringApplication : Application run failed",
                ),
                (20, "java.lang.OutOfMemoryError: Java heap space"),
                (
                    20,
                    "\tat java.base/java.util.HashMap.resize(HashMap.java:702)",
                ),
            ]),
            Some("oom"),
            Some("java.lang.OutOfMemoryError: Java heap space"),
            true,
        ),
        (
            lines(&[
                (1, "WARNING urllib3: Read timed out. (read timeout=5)"),
                (9, "Traceback (most recent call last):"),
                (9, "  File \"/app/rows.py\", line 27, in format_row"),
                (9, "    \"region\": inv[\"region\"],"),
                (9, "KeyError: 'region'"),
            ]),
            Some("code_defect"),
            Some("KeyError: 'region'"),
            true,
        ),
        (
            lines(&[
                (
                    1,
                    r#"level=ERROR msg="config: invalid value for DATABASE_URL""#,
                ),
                (1, r#"level=ERROR msg="exiting" code=1"#),
            ]),
            Some("config_error"),
            Some("error exiting [code=1]"),
            false,
        ),
        (
            lines(&[
                (1, "ERROR statsd: connection refused"),
                (2, "INFO shutting down"),
            ]),
            Some("connection_refused"),
            Some("ERROR statsd: connection refused"),
            false,
        ),
        (
            lines(&[(1, "INFO all good"), (2, "INFO bye")]),
            None,
            None,
            false,
        ),
    ];
    for (i, (log, sig, last, fatal)) in cases.into_iter().enumerate() {
        assert_eq!(terminal(&log).map(|h| h.sig.id), sig, "case {i}");
        let block = terminal_block(&log, 3);
        assert_eq!(
            block.last().map(String::as_str),
            last,
            "case {i}: {block:?}"
        );
        assert!(block.len() <= 3, "case {i}");
        assert_eq!(fatal_report(&log), fatal, "case {i}");
    }
    // A traceback's block says where it happened.
    let py = lines(&[
        (9, "Traceback (most recent call last):"),
        (9, "  File \"/app/rows.py\", line 27, in format_row"),
        (9, "    \"region\": inv[\"region\"],"),
        (9, "KeyError: 'region'"),
    ]);
    assert_eq!(
        terminal_block(&py, 3),
        [
            "File \"/app/rows.py\", line 27, in format_row",
            "\"region\": inv[\"region\"],",
            "KeyError: 'region'"
        ]
    );
    // An error long before a clean tail is not what the run died of.
    let mut long = lines(&[(0, "ERROR dial tcp: connection refused")]);
    long.extend((0..30).map(|_| LogLine {
        at: Some("2026-04-18T11:59:30Z".parse().expect("valid time")),
        text: "INFO working".into(),
    }));
    assert!(terminal(&long).is_none());
}

#[test]
fn celery_levels() {
    assert_eq!(
        level("[2026-05-25 10:30:02,334: INFO/ForkPoolWorker-1] Task retry: RateLimited('429')"),
        Some(Level::Quiet)
    );
    assert_eq!(
        level("[2026-05-25 10:30:02,330: WARNING/ForkPoolWorker-1] PUT -> 429"),
        Some(Level::Loud)
    );
    assert_eq!(level("10:30:02,334: something"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn terminal_never_panics(texts in proptest::collection::vec("\\PC{0,80}", 0..20)) {
        let log: Vec<LogLine> = texts.iter().map(|t| LogLine { at: None, text: t.clone() }).collect();
        let _ = terminal(&log);
        prop_assert!(terminal_block(&log, 3).len() <= 3);
        let _ = fatal_report(&log);
    }
}

#[test]
fn json_lines_render_readably() {
    let cases = [
        (
            r#"{"level":"error","msg":"db connect failed","err":"error: sorry, too many clients already","code":"53300"}"#,
            "error db connect failed — error: sorry, too many clients already [code=53300]",
        ),
        (
            r#"{"level":50,"time":1,"msg":"[ioredis] Unhandled error event: Error: connect ETIMEDOUT\n    at TLSSocket"}"#,
            "error [ioredis] Unhandled error event: Error: connect ETIMEDOUT",
        ),
        ("plain   text  line", "plain text line"),
        ("{not json", "{not json"),
    ];
    for (input, want) in cases {
        assert_eq!(render(input), want);
    }
}

#[test]
fn tls_failures_by_direction() {
    let sig = signals::signature("tls_error").unwrap();
    let cases = [
        (
            r#"Post "https://edi.nordfreight.example/api": tls: failed to verify certificate: x509: certificate has expired"#,
            Category::DependencyFailure,
        ),
        (
            "http: TLS handshake error from 10.0.0.1:4242: x509: certificate has expired",
            Category::ConfigurationError,
        ),
    ];
    for (l, want) in cases {
        assert_eq!(category_of(sig, l), want, "{l}");
    }
}

//! Logs Insights evaluation over a fixed event set, with hand-computed expected rows.

use sremesh_sandbox::cloudwatch::insights::{Query, QueryOutput, Record};

/// 2026-04-18T10:20:00Z in ms.
const T0: i64 = 1_776_507_600_000;

const E6: &str = r#"{"log":"GET /pay 500","kubernetes":{"pod_name":"pay-7f9","namespace_name":"payments","container_name":"pay"},"latency":250}"#;
const E7: &str = r#"{"log":"GET /pay 200","kubernetes":{"pod_name":"pay-abc","namespace_name":"payments","container_name":"pay"},"latency":50}"#;

/// (offset ms from T0, stream, message, @ptr)
const EVENTS: [(i64, &str, &str, &str); 7] = [
    (5_000, "api-1", "INFO request ok latency=120", "p1"),
    (40_000, "api-1", "ERROR upstream timeout latency=950", "p2"),
    (70_000, "api-2", "ERROR upstream timeout latency=1010", "p3"),
    (90_000, "api-2", "WARN slow request latency=600", "p4"),
    (179_500, "api-1", "ERROR db timeout latency=30", "p5"),
    (180_000, "api-2", E6, "p6"),
    (181_000, "api-2", E7, "p7"),
];

fn records() -> Vec<Record<'static>> {
    EVENTS
        .iter()
        .map(|&(offset, stream, message, ptr)| Record {
            timestamp_ms: T0 + offset,
            ingestion_time_ms: T0 + offset + 1_000,
            message,
            log_stream: stream,
            log_group: "/app",
            ptr,
        })
        .collect()
}

fn run(query: &str) -> QueryOutput {
    let parsed = Query::parse(query).unwrap_or_else(|e| panic!("{query:?} should parse: {e}"));
    parsed.run(&records(), 1_000)
}

/// Expected rows: each a list of (field, value) in column order.
type Rows<'a> = &'a [&'a [(&'a str, &'a str)]];

#[track_caller]
fn check(query: &str, expected: Rows<'_>) {
    let got = run(query).rows;
    let expected: Vec<Vec<(String, String)>> = expected
        .iter()
        .map(|row| {
            row.iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    assert_eq!(got, expected, "query {query:?}");
}

#[test]
fn stats_count_by_bin_counts_events_per_minute() {
    check(
        "stats count(*) by bin(1m)",
        &[
            &[("bin(1m)", "2026-04-18 10:20:00.000"), ("count(*)", "2")],
            &[("bin(1m)", "2026-04-18 10:21:00.000"), ("count(*)", "2")],
            &[("bin(1m)", "2026-04-18 10:22:00.000"), ("count(*)", "1")],
            &[("bin(1m)", "2026-04-18 10:23:00.000"), ("count(*)", "2")],
        ],
    );
}

#[test]
fn table_of_queries_and_expected_rows() {
    let cases: &[(&str, Rows<'_>)] = &[
        // Regex filter, stats by stream with an alias, sorted by the alias.
        (
            "filter @message like /timeout/ | stats count(*) as n by @logStream | sort n desc",
            &[
                &[("@logStream", "api-1"), ("n", "2")],
                &[("@logStream", "api-2"), ("n", "1")],
            ],
        ),
        // parse glob + avg/max/count: latencies 120, 950, 1010, 600, 30.
        (
            "filter @message like \"latency=\" | parse @message \"latency=*\" as latency \
             | stats avg(latency) as avg_latency, max(latency) as max_l, count(*) as n",
            &[&[("avg_latency", "542"), ("max_l", "1010"), ("n", "5")]],
        ),
        // Nearest-rank median of the same five values.
        (
            "filter @message like \"latency=\" | parse @message \"latency=*\" as l \
             | stats pct(l, 50) as p50",
            &[&[("p50", "600")]],
        ),
        // JSON field discovery with dotted paths; the rows carry @ptr.
        (
            "fields @timestamp, kubernetes.pod_name, log \
             | filter kubernetes.namespace_name = \"payments\" and latency > 100",
            &[&[
                ("@timestamp", "2026-04-18 10:23:00.000"),
                ("kubernetes.pod_name", "pay-7f9"),
                ("log", "GET /pay 500"),
                ("@ptr", "p6"),
            ]],
        ),
        // No fields: @timestamp and @message, newest first; (?i) works; ms are rendered.
        (
            "filter @message like /(?i)error/ | limit 2",
            &[
                &[
                    ("@timestamp", "2026-04-18 10:22:59.500"),
                    ("@message", "ERROR db timeout latency=30"),
                    ("@ptr", "p5"),
                ],
                &[
                    ("@timestamp", "2026-04-18 10:21:10.000"),
                    ("@message", "ERROR upstream timeout latency=1010"),
                    ("@ptr", "p3"),
                ],
            ],
        ),
        // Grouping by a field some records lack: that group has no value and comes last.
        (
            "stats count(*) as c by kubernetes.container_name",
            &[
                &[("kubernetes.container_name", "pay"), ("c", "2")],
                &[("c", "5")],
            ],
        ),
        (
            "fields @logStream | sort @timestamp asc | limit 1",
            &[&[("@logStream", "api-1"), ("@ptr", "p1")]],
        ),
        // parse with a named-group regex, numeric comparison on a parsed string, not (...).
        (
            "parse @message /latency=(?<lat>\\d+)/ \
             | filter lat >= 600 and not (@logStream = \"api-2\") | display @message, lat",
            &[&[
                ("@message", "ERROR upstream timeout latency=950"),
                ("lat", "950"),
                ("@ptr", "p2"),
            ]],
        ),
        (
            "filter @message not like /ERROR/ and ispresent(@message) | stats count(*)",
            &[&[("count(*)", "4")]],
        ),
        (
            "filter @logStream in [\"api-1\"] \
             | stats min(@timestamp) as first, max(@timestamp) as last",
            &[&[
                ("first", "2026-04-18 10:20:05.000"),
                ("last", "2026-04-18 10:22:59.500"),
            ]],
        ),
        // Only the two JSON events have a latency field (250 + 50).
        (
            "stats sum(latency) as total by bin(5m)",
            &[&[("bin(5m)", "2026-04-18 10:20:00.000"), ("total", "300")]],
        ),
        // No records reach stats: no rows.
        ("filter @message like \"nothing\" | stats count(*)", &[]),
        (
            "fields toupper(@logStream) as s | filter s = \"API-2\" \
             | stats count_distinct(@message) as d",
            &[&[("d", "4")]],
        ),
        // Comments, backtick fields, =~, or, case-insensitive keywords.
        (
            "# errors or warnings\nfilter `@message` =~ /^WARN/ OR @message like \"db\" \
             | fields @logStream | sort @timestamp asc",
            &[
                &[("@logStream", "api-2"), ("@ptr", "p4")],
                &[("@logStream", "api-1"), ("@ptr", "p5")],
            ],
        ),
        // Multiple stages in order: stats output can be filtered and sorted again.
        (
            "stats count(*) as n by @logStream | filter n > 3 | sort n asc",
            &[&[("@logStream", "api-2"), ("n", "4")]],
        ),
        // coalesce / isempty / strlen in fields.
        (
            "filter @logStream = \"api-2\" | fields coalesce(log, @message) as line, \
             strlen(@logStream) as len | sort @timestamp asc | limit 2",
            &[
                &[
                    ("line", "ERROR upstream timeout latency=1010"),
                    ("len", "5"),
                    ("@ptr", "p3"),
                ],
                &[
                    ("line", "WARN slow request latency=600"),
                    ("len", "5"),
                    ("@ptr", "p4"),
                ],
            ],
        ),
    ];
    for (query, expected) in cases {
        check(query, expected);
    }
}

#[test]
fn statistics_count_scanned_and_matched_records() {
    let out = run("filter @message like /timeout/ | stats count(*) as n by @logStream");
    assert_eq!(out.records_scanned, 7);
    assert_eq!(out.records_matched, 3);
    let bytes: u64 = EVENTS.iter().map(|e| e.2.len() as u64).sum();
    assert_eq!(out.bytes_scanned, bytes);
}

#[test]
fn the_limit_argument_caps_rows_after_the_query_ran() {
    let parsed = Query::parse("fields @message").expect("valid query");
    assert_eq!(parsed.run(&records(), 3).rows.len(), 3);
    assert_eq!(parsed.run(&records(), 1_000).rows.len(), 7);
}

#[track_caller]
fn check_err(query: &str, expected_in_message: &str) {
    match Query::parse(query) {
        Ok(_) => panic!("query {query:?} should be rejected"),
        Err(e) => {
            assert!(
                e.message.contains(expected_in_message),
                "query {query:?}: error {:?} should mention {expected_in_message:?}",
                e.message
            );
            assert!(
                e.start <= e.end && e.end <= query.len(),
                "span inside the query"
            );
        }
    }
}

#[test]
fn queries_outside_the_subset_are_rejected_saying_what_is_unsupported() {
    let cases = [
        ("", "expected a command"),
        ("fields @message |", "expected a command"),
        (
            "fields @message | dedup @message",
            "command 'dedup' is not supported",
        ),
        (
            "source logGroups(namePrefix: ['/app'])",
            "command 'source' is not supported",
        ),
        ("filter x + 1 > 2", "arithmetic"),
        ("fields latency / 1000", "unterminated /regex/"),
        (
            "stats stddev(x)",
            "stats function 'stddev' is not supported",
        ),
        ("fields abs(x)", "function 'abs' is not supported"),
        (
            "filter @message like /(unclosed/",
            "invalid regular expression",
        ),
        (
            "filter @message like 5",
            "expected /regex/ or \"substring\"",
        ),
        ("stats count(*) by bin(1w)", "unsupported time period"),
        ("parse @message \"a=* b=*\" as a", "has 2 '*' but 1 names"),
        ("parse @message /no named groups/", "named groups"),
        ("limit 0", "limit takes a whole number"),
        ("limit 10001", "limit takes a whole number"),
        ("sort", "expected a field to sort by"),
        ("filter @message like \"open", "unterminated string"),
        ("fields `open", "unterminated `field name`"),
        ("filter a not b", "expected 'like' or 'in' after 'not'"),
        ("filter (a = 1", "expected ')'"),
        ("fields a b", "unexpected text in the fields command"),
        ("stats count(*) by", "expected a value"),
        ("filter a in [1, 2", "',' or ']'"),
        ("filter ispresent(\"x\")", "ispresent() takes a field name"),
        ("filter tolower(a, b) = 1", "wrong number of arguments"),
    ];
    for (query, reason) in cases {
        check_err(query, reason);
    }
}

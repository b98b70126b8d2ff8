//! Property tests: the filter-pattern and Insights parsers never panic, and reject malformed
//! input with an error that says what is wrong and where.

use proptest::prelude::*;
use sremesh_sandbox::cloudwatch::filter_pattern::FilterPattern;
use sremesh_sandbox::cloudwatch::insights::{Query, Record};

const MESSAGES: [&str; 4] = [
    "ERROR upstream timeout latency=950",
    r#"{"level":"error","latency":750,"kubernetes":{"pod_name":"p-1"},"list":[1,"a",null]}"#,
    "",
    "{not json",
];

fn records() -> Vec<Record<'static>> {
    MESSAGES
        .iter()
        .enumerate()
        .map(|(i, message)| Record {
            timestamp_ms: 1_776_507_600_000 + i as i64 * 61_000,
            ingestion_time_ms: 1_776_507_600_000,
            message,
            log_stream: if i % 2 == 0 { "a" } else { "b" },
            log_group: "/g",
            ptr: "p",
        })
        .collect()
}

/// Filter-pattern-shaped text: the characters its grammar cares about.
fn pattern_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "{", "}", "[", "]", "(", ")", "$", ".", "$.level", "$.a[0]", "=", "!=", "<", ">=",
            "&&", "||", "\"", "\\", "%", "?", "-", "*", " ", "ERROR", "42", "IS", "NULL", "NOT",
            "EXISTS", "TRUE", "é",
        ]),
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

/// Insights-shaped text: commands, keywords and punctuation of the language.
fn query_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "fields ",
            "filter ",
            "stats ",
            "sort ",
            "limit ",
            "parse ",
            "display ",
            " | ",
            ", ",
            "(",
            ")",
            "[",
            "]",
            "count(*)",
            "avg(",
            "pct(",
            "bin(5m)",
            "by ",
            "as ",
            " and ",
            " or ",
            "not ",
            " like ",
            " in ",
            "=",
            "!=",
            "<=",
            ">",
            "=~",
            "/x/",
            "/(?<n>\\d+)/",
            "\"a*b\"",
            "'s'",
            "`f f`",
            "@message",
            "@timestamp",
            "latency",
            "kubernetes.pod_name",
            "1",
            "-2",
            "1.5",
            "desc",
            "asc",
            "#c\n",
            "ispresent(",
            "*",
            "é",
        ]),
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn check_pattern(input: &str) {
    match FilterPattern::parse(input) {
        Ok(p) => {
            for m in MESSAGES {
                let _ = p.matches(m);
            }
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            assert!(e.offset <= input.len());
        }
    }
}

fn check_query(input: &str) {
    match Query::parse(input) {
        Ok(q) => {
            let out = q.run(&records(), 100);
            assert!(out.rows.len() <= 100);
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            assert!(
                e.start <= e.end && e.end <= input.len(),
                "{e:?} for {input:?}"
            );
        }
    }
}

proptest! {
    #[test]
    fn filter_pattern_parser_never_panics_on_any_text(input in any::<String>()) {
        check_pattern(&input);
    }

    #[test]
    fn filter_pattern_parser_never_panics_on_pattern_shaped_text(input in pattern_like()) {
        check_pattern(&input);
    }

    #[test]
    fn insights_parser_and_evaluator_never_panic_on_any_text(input in any::<String>()) {
        check_query(&input);
    }

    #[test]
    fn insights_parser_and_evaluator_never_panic_on_query_shaped_text(input in query_like()) {
        check_query(&input);
    }

    #[test]
    fn an_unterminated_quote_is_always_reported(term in "[A-Za-z0-9 _:]{0,20}") {
        let pattern = format!("ERROR \"{term}");
        let err = FilterPattern::parse(&pattern).expect_err("an open quote is malformed");
        prop_assert!(err.message.contains("unterminated"), "{err:?}");
        prop_assert_eq!(err.offset, 6);
    }

    #[test]
    fn an_unsupported_command_is_named_in_the_error(
        command in prop::sample::select(vec!["dedup", "unmask", "pattern", "diff", "unnest", "lookup"]),
        field in "x[a-z]{1,7}", // a leading x keeps it off the keywords (or, and, not, in, as, by…)
    ) {
        let query = format!("fields @message | filter {field} = 1 | {command} {field}");
        let err = Query::parse(&query).expect_err("unsupported command");
        prop_assert!(err.message.contains(&format!("command '{command}'")), "{err:?}");
        prop_assert_eq!(&query[err.start..err.end], command);
    }
}

#[test]
fn deeply_nested_input_is_rejected_not_overflowing_the_stack() {
    let nested_pattern = format!("{{ {}$.a = 1{} }}", "(".repeat(10_000), ")".repeat(10_000));
    let err = FilterPattern::parse(&nested_pattern).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err:?}");
    let nested_query = format!("filter {}a = 1{}", "(".repeat(3_000), ")".repeat(3_000));
    let err = Query::parse(&nested_query).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err:?}");
    let nots = format!("filter {}a = 1", "not ".repeat(2_000));
    let err = Query::parse(&nots).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err:?}");
}

#[test]
fn deeply_nested_function_calls_are_rejected() {
    let calls = format!(
        "filter {}a{} = 1",
        "tolower(".repeat(1_000),
        ")".repeat(1_000)
    );
    let err = Query::parse(&calls).expect_err("too deep");
    assert!(err.message.contains("nested too deeply"), "{err:?}");
}

//! Filter-pattern matching, table-driven: each row is (pattern, message, should match).

use sremesh_sandbox::cloudwatch::filter_pattern::FilterPattern;

#[track_caller]
fn check(pattern: &str, message: &str, expected: bool) {
    let parsed = FilterPattern::parse(pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern:?} should parse: {e}"));
    assert_eq!(
        parsed.matches(message),
        expected,
        "pattern {pattern:?} on message {message:?}"
    );
}

#[test]
fn terms_phrases_alternatives_and_exclusions_match_like_the_service_documents() {
    let cases: &[(&str, &str, bool)] = &[
        // Empty pattern matches everything.
        ("", "anything", true),
        ("   ", "anything", true),
        ("\"\"", "anything", true),
        // A term is a case-sensitive substring (the docs: ERROR matches "ERRORCODE").
        ("ERROR", "[ERROR] A fatal exception has occurred", true),
        ("ERROR", "Exiting with ERRORCODE: -1", true),
        ("ERROR", "error: lower case", false),
        // All terms must appear, in any order.
        (
            "ERROR Exception",
            "[ERROR] Caught IllegalArgumentException",
            true,
        ),
        ("ERROR Exception", "[ERROR] Caught nothing", false),
        ("timeout ERROR", "ERROR upstream timeout", true),
        // A quoted phrase is one substring.
        (
            "\"connection refused\"",
            "dial tcp: connection refused",
            true,
        ),
        ("\"connection refused\"", "refused connection", false),
        (
            "\"ERROR 401\" \"UNAUTHORIZED\"",
            "[ERROR 401] UNAUTHORIZED REQUEST",
            true,
        ),
        ("\"say \\\"hi\\\"\"", "they say \"hi\" here", true),
        // ?term: at least one alternative.
        ("?ERROR ?WARN", "ERROR WARN message", true),
        ("?ERROR ?WARN", "WARN message", true),
        ("?ERROR ?WARN", "INFO message", false),
        // -term: exclusions.
        ("ERROR -WARN", "ERROR message", true),
        ("ERROR -WARN", "ERROR WARN message", false),
        (
            "\"ERROR\" - \"Exiting\"",
            "Exiting with ERRORCODE: -1",
            false,
        ),
        ("\"ERROR\" - \"Exiting\"", "[ERROR] fatal", true),
        ("-DEBUG", "INFO started", true),
        ("-DEBUG", "DEBUG noise", false),
        // Mixed: plain AND (any ?) AND no -.
        (
            "payments ?ERROR ?FATAL -healthz",
            "payments FATAL oom",
            true,
        ),
        ("payments ?ERROR ?FATAL -healthz", "payments INFO ok", false),
        (
            "payments ?ERROR ?FATAL -healthz",
            "payments ERROR /healthz",
            false,
        ),
        // %regex% terms.
        ("%[Ee]rror|[Ff]ail%", "request timed out", false),
        ("%[Ee]rror|[Ff]ail%", "Failure ahead", true),
        ("%^ERROR [0-9]+$%", "ERROR 500", true),
        ("%^ERROR [0-9]+$%", "ERROR 500 again", false),
    ];
    for &(pattern, message, expected) in cases {
        check(pattern, message, expected);
    }
}

#[test]
fn json_patterns_select_compare_and_combine() {
    let doc = r#"{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111",
        "arrayKey":["value","another value"],"objectList":[{"name":"a","id":1},{"name":"b","id":2}],
        "SomeObject":null,"ThisFlag":true,"latency":750,"level":"error",
        "kubernetes":{"pod_name":"payments-api-7f9","namespace_name":"payments"}}"#;
    let cases: &[(&str, bool)] = &[
        (r#"{ $.eventType = "UpdateTrail" }"#, true),
        (r#"{ $.eventType = UpdateTrail }"#, true),
        (r#"{ $.eventType = "updatetrail" }"#, false),
        (r#"{ $.eventType != "UpdateTrail" }"#, false),
        (r#"{ $.sourceIPAddress != 123.123.* }"#, true),
        (r#"{ $.sourceIPAddress = 111.* }"#, true),
        (r#"{ $.eventType = *Trail }"#, true),
        (r#"{ $.eventType = Update*il }"#, true),
        (r#"{ $.eventType = Up*x }"#, false),
        (r#"{ $.arrayKey[0] = "value" }"#, true),
        (r#"{ $.arrayKey[1] = "value" }"#, false),
        (r#"{ $.objectList[1].id = 2 }"#, true),
        (r#"{ $.objectList[1].id > 1.5 }"#, true),
        (r#"{ $.SomeObject IS NULL }"#, true),
        (r#"{ $.ThisFlag IS NULL }"#, false),
        (r#"{ $.SomeOtherObject NOT EXISTS }"#, true),
        (r#"{ $.SomeObject NOT EXISTS }"#, false),
        (r#"{ $.ThisFlag IS TRUE }"#, true),
        (r#"{ $.ThisFlag IS FALSE }"#, false),
        (r#"{ $.latency > 500 }"#, true),
        (r#"{ $.latency >= 750 }"#, true),
        (r#"{ $.latency < 750 }"#, false),
        (r#"{ $.latency <= +750 }"#, true),
        (r#"{ $.latency = 7.5e2 }"#, true),
        (r#"{ $.latency != 750 }"#, false),
        (r#"{ $.level = "error" && $.latency > 500 }"#, true),
        (r#"{ $.level = "warn" || $.latency > 500 }"#, true),
        (r#"{ $.level = "warn" || $.latency > 1000 }"#, false),
        // && binds tighter than ||.
        (
            r#"{ $.level = "error" || $.latency > 1000 && $.level = "warn" }"#,
            true,
        ),
        (
            r#"{ ($.level = "error" || $.latency > 1000) && $.level = "warn" }"#,
            false,
        ),
        (r#"{ $.kubernetes.pod_name = "payments-api-*" }"#, true),
        (r#"{ $.kubernetes.namespace_name = %^pay% }"#, true),
        // An object or array never matches = or !=.
        (r#"{ $.kubernetes = 1 }"#, false),
        (r#"{ $.kubernetes != 1 }"#, false),
        (r#"{ $.arrayKey != "x" }"#, false),
        // A missing field matches neither = nor !=.
        (r#"{ $.missing != "x" }"#, false),
    ];
    for &(pattern, expected) in cases {
        check(pattern, doc, expected);
    }
    // Messages that are not JSON never match a JSON pattern.
    check(r#"{ $.level = "error" }"#, "level=error", false);
    check(r#"{ $.missing NOT EXISTS }"#, "plain text", false);
}

#[track_caller]
fn check_err(pattern: &str, expected_in_message: &str) {
    match FilterPattern::parse(pattern) {
        Ok(_) => panic!("pattern {pattern:?} should be rejected"),
        Err(e) => {
            assert!(
                e.message.contains(expected_in_message),
                "pattern {pattern:?}: error {:?} should mention {expected_in_message:?}",
                e.message
            );
            assert!(e.offset <= pattern.len(), "offset inside the pattern");
        }
    }
}

#[test]
fn malformed_and_unsupported_patterns_are_rejected_with_a_reason() {
    let cases = [
        ("[ip, user, status=404]", "space-delimited"),
        ("\"unterminated", "unterminated quoted string"),
        ("ERROR \"half", "unterminated quoted string"),
        ("?", "must be followed by a term"),
        ("ERROR -", "must be followed by a term"),
        ("%unterminated", "unterminated %regex%"),
        ("%%", "empty %regex%"),
        ("%ERR(OR)?%", "parentheses are not supported"),
        ("%[a-%", "invalid regex"),
        ("{ $.level = \"error\" ", "expected '}'"),
        ("{ level = \"error\" }", "starting with '$'"),
        ("{ $. = 1 }", "property name"),
        ("{ $.a[x] = 1 }", "array index"),
        ("{ $.a ~ 1 }", "expected an operator"),
        ("{ $.a > high }", "need a number"),
        ("{ $.a IS MAYBE }", "NULL, TRUE or FALSE"),
        ("{ $.a NOT THERE }", "EXISTS"),
        ("{ $.a = 1 } trailing", "after the closing"),
        ("{ ($.a = 1 }", "expected ')'"),
        ("{ $.a = }", "expected a value"),
    ];
    for (pattern, reason) in cases {
        check_err(pattern, reason);
    }
}

//! Console deep links: the CloudWatch Logs Insights page with a query, its log groups and an
//! absolute time range filled in, so a human can re-run exactly what a finding rests on.
//!
//! The console keeps its state in the URL fragment in its own encoding: structural tokens
//! `~ ( ) ' $` stay verbatim, and every byte of a value outside `[A-Za-z0-9-._]` becomes `*hh`
//! (lowercase hex), so `/aws/lambda/x` is `*2faws*2flambda*2fx`.

use jiff::Timestamp;
use std::fmt::Write as _;

/// Encodes one value of the console's fragment state.
pub fn encode_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "*{b:02x}");
        }
    }
    out
}

/// `2026-04-18T10:25:00.000Z`: the console's ISO form (millisecond precision, UTC).
pub fn console_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%3fZ").to_string()
}

/// The Logs Insights console URL that runs `query` over `groups` between `start` and `end`.
pub fn insights_url(
    region: &str,
    groups: &[&str],
    query: &str,
    start: Timestamp,
    end: Timestamp,
) -> String {
    let region = encode_value(region);
    let mut sources = String::new();
    for g in groups {
        sources.push_str("~'");
        sources.push_str(&encode_value(g));
    }
    format!(
        "https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:logs-insights\
         $3FqueryDetail$3D~(end~'{end}~start~'{start}~timeType~'ABSOLUTE~tz~'UTC~editorString~'{query}~source~({sources}))",
        end = encode_value(&console_time(end)),
        start = encode_value(&console_time(start)),
        query = encode_value(query),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, expected: &str) {
        assert_eq!(encode_value(value), expected, "{value:?}");
    }

    #[test]
    fn values_keep_only_unreserved_bytes() {
        let cases = [
            ("abc-XYZ_0.9", "abc-XYZ_0.9"),
            ("/aws/lambda/fn", "*2faws*2flambda*2ffn"),
            ("fields @timestamp", "fields*20*40timestamp"),
            ("a|b\nc", "a*7cb*0ac"),
            ("~'()$*", "*7e*27*28*29*24*2a"),
            ("é", "*c3*a9"),
            ("", ""),
        ];
        for (value, expected) in cases {
            check(value, expected);
        }
    }

    #[test]
    fn url_has_the_console_shape() {
        let start: Timestamp = "2026-04-18T09:55:00Z".parse().unwrap();
        let end: Timestamp = "2026-04-18T10:30:00Z".parse().unwrap();
        let url = insights_url(
            "eu-west-1",
            &["/aws/lambda/fn", "/app/x"],
            "fields @message\n| limit 5",
            start,
            end,
        );
        assert_eq!(
            url,
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1\
             #logsV2:logs-insights$3FqueryDetail$3D~(end~'2026-04-18T10*3a30*3a00.000Z\
             ~start~'2026-04-18T09*3a55*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC\
             ~editorString~'fields*20*40message*0a*7c*20limit*205\
             ~source~(~'*2faws*2flambda*2ffn~'*2fapp*2fx))"
        );
    }
}

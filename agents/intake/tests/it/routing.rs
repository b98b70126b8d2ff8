//! `POST /` picks the platform from the request: Slack signature headers (events or commands by
//! content type), Discord's, a bearer token or an Alertmanager-shaped body; else nothing.

use http::HeaderMap;
use sremesh_intake::app::{Route, detect};

/// Header pairs of a case.
type Headers<'a> = &'a [(&'a str, &'a str)];

fn check(headers: Headers, body: &str, expected: Option<Route>) {
    let mut h = HeaderMap::new();
    for (k, v) in headers {
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    assert_eq!(detect(&h, body.as_bytes()), expected, "{headers:?} {body}");
}

#[test]
fn platform_detection() {
    let form = ("content-type", "application/x-www-form-urlencoded");
    let json = ("content-type", "application/json");
    let am = r#"{"version":"4","groupKey":"g","alerts":[]}"#;
    let cases: &[(Headers, &str, Option<Route>)] = &[
        (
            &[("x-slack-signature", "v0=1"), json],
            "{}",
            Some(Route::SlackEvents),
        ),
        (
            &[("X-Slack-Request-Timestamp", "1"), form],
            "command=/x",
            Some(Route::SlackCommands),
        ),
        (
            &[("x-slack-signature", "v0=1")],
            "",
            Some(Route::SlackEvents),
        ),
        (&[("x-signature-ed25519", "ab")], "{}", Some(Route::Discord)),
        (
            &[("x-signature-timestamp", "1")],
            "{}",
            Some(Route::Discord),
        ),
        // Slack's headers win over a body that looks like Alertmanager's.
        (
            &[("x-slack-signature", "v0=1"), json],
            am,
            Some(Route::SlackEvents),
        ),
        (
            &[("authorization", "Bearer t")],
            "anything",
            Some(Route::Alertmanager),
        ),
        (&[json], am, Some(Route::Alertmanager)),
        (&[("authorization", "Basic dTpw")], "{}", None),
        (&[json], r#"{"type":"url_verification"}"#, None),
        (&[], "", None),
    ];
    for (headers, body, expected) in cases {
        check(headers, body, *expected);
    }
}

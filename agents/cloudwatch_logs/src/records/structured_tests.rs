//! An application's JSON line with a `message`: the fields that say what failed join it; a
//! host's journald event stays its message.

use super::*;

/// `check(message, expected line, expected level)`.
fn check(message: &str, line: &str, level: Option<Level>) {
    let at: Timestamp = "2026-04-18T10:00:00Z".parse().unwrap();
    let r = LogRecord::parse("/app/web", "web-1", at, message);
    assert_eq!((r.line.as_str(), r.level), (line, level), "{message}");
}

#[test]
fn structured_fields_join_the_message() {
    let cases = [
        (
            r#"{"level":"error","msg":"resize invoke failed","name":"TooManyRequestsException","message":"Rate Exceeded.","Reason":"ConcurrentInvocationLimitExceeded","$metadata":{"httpStatusCode":429},"function":"image-resize"}"#,
            "resize invoke failed: TooManyRequestsException: Rate Exceeded. (Reason: ConcurrentInvocationLimitExceeded) function=image-resize",
            Some(Level::Error),
        ),
        // Already said in the message: not repeated; prose is not an error name.
        (
            r#"{"level":"warn","name":"ThrottlingException","message":"ThrottlingException: slow down","code":"try again later"}"#,
            "ThrottlingException: slow down",
            Some(Level::Warn),
        ),
        // The error's own text joins the message (a string, or an object's `message`); its
        // code, said there, is not repeated.
        (
            r#"{"level":"error","message":"fx rates refresh failed","error":"getaddrinfo ENOTFOUND fx-feed.int","code":"ENOTFOUND","service":"quote-engine"}"#,
            "fx rates refresh failed: getaddrinfo ENOTFOUND fx-feed.int",
            Some(Level::Error),
        ),
        (
            r#"{"level":50,"message":"charge failed","err":{"type":"Error","message":"connect ECONNREFUSED 10.0.3.4:5432","stack":"Error: connect…"}}"#,
            "charge failed: connect ECONNREFUSED 10.0.3.4:5432",
            None,
        ),
        (
            r#"{"level":"error","message":"upstream failed: timeout after 5s","error":"timeout after 5s"}"#,
            "upstream failed: timeout after 5s",
            Some(Level::Error),
        ),
        // The queue message's id joins too.
        (
            r#"{"level":"ERROR","message":"failed to build label","messageId":"b7e4c2a0-5d1f-4f7e","error":"KeyError: 'postal_code'"}"#,
            "failed to build label: KeyError: 'postal_code' messageId=b7e4c2a0-5d1f-4f7e",
            Some(Level::Error),
        ),
        (
            r#"{"message":"cache warmed","count":3}"#,
            "cache warmed",
            None,
        ),
        // A host's journald event: its message alone.
        (
            r#"{"hostname":"ip-1","systemd_unit":"kubelet.service","message":"E0327 boom","name":"KubeletError"}"#,
            "E0327 boom",
            None,
        ),
    ];
    for (message, line, level) in cases {
        check(message, line, level);
    }
}

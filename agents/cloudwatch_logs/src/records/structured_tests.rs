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

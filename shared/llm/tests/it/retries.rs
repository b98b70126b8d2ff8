//! Retries of one model call: throttling (429 / ThrottlingException) and 5xx are retried
//! with backoff; a 400 never is.

use crate::scripted::{self, Reply, WIRES, Wire, list, text};
use sremesh_llm::{ChatRequest, Message, ProviderError, ToolChoice};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    Answer,
    Throttled,
    Unavailable,
    Rejected,
}

/// Runs one call against `replies` and checks the outcome and how many requests it took.
async fn check(wire: Wire, replies: Vec<Reply>, want: Want, requests: usize) {
    let model = scripted::serve(wire, list(replies)).await;
    let provider = model.provider().await;
    let req = ChatRequest {
        system: "sys".into(),
        messages: vec![Message::user("hello")],
        tools: vec![],
        tool_choice: ToolChoice::Auto,
        max_output_tokens: 64,
    };
    let got = provider.chat(&req, Duration::from_secs(10)).await;
    let ctx = format!("{wire:?} {want:?}: {got:?}");
    match (want, &got) {
        (Want::Answer, Ok(r)) => assert_eq!(r.text(), "ok", "{ctx}"),
        (Want::Throttled, Err(ProviderError::Throttled { attempts, .. })) => {
            assert_eq!(*attempts as usize, requests, "{ctx}")
        }
        (
            Want::Unavailable,
            Err(ProviderError::Unavailable {
                attempts, status, ..
            }),
        ) => {
            assert_eq!(*attempts as usize, requests, "{ctx}");
            assert!(status.is_some_and(|s| s >= 500), "{ctx}");
        }
        (Want::Rejected, Err(ProviderError::Rejected { status, message })) => {
            assert_eq!(*status, Some(400), "{ctx}");
            assert!(message.contains("scripted 400"), "{ctx}");
        }
        _ => panic!("unexpected: {ctx}"),
    }
    assert_eq!(model.requests().len(), requests, "{ctx}");
}

#[tokio::test]
async fn only_throttling_and_server_errors_are_retried() {
    for wire in WIRES {
        let cases: Vec<(Vec<Reply>, Want, usize)> = vec![
            // Throttled twice, then an answer on the third (last allowed) attempt.
            (
                vec![Reply::Status(429), Reply::Status(429), text("ok")],
                Want::Answer,
                3,
            ),
            // A 5xx is retried too.
            (vec![Reply::Status(503), text("ok")], Want::Answer, 2),
            (
                vec![Reply::Status(500), Reply::Status(500), text("ok")],
                Want::Answer,
                3,
            ),
            // Still throttled after every attempt.
            (vec![Reply::Status(429)], Want::Throttled, 3),
            (vec![Reply::Status(500)], Want::Unavailable, 3),
            // A 400 is never retried.
            (vec![Reply::Status(400), text("ok")], Want::Rejected, 1),
        ];
        for (replies, want, requests) in cases {
            check(wire, replies, want, requests).await;
        }
    }
}

/// Retries never outlive the call's timeout.
#[tokio::test]
async fn retries_stay_inside_the_call_timeout() {
    for wire in WIRES {
        let slow_429 = Reply::Delayed(Duration::from_millis(150), Box::new(Reply::Status(429)));
        let model = scripted::serve(wire, list(vec![slow_429])).await;
        let provider = model.provider().await;
        let req = ChatRequest {
            system: String::new(),
            messages: vec![Message::user("hello")],
            tools: vec![],
            tool_choice: ToolChoice::Auto,
            max_output_tokens: 64,
        };
        let started = tokio::time::Instant::now();
        let got = provider.chat(&req, Duration::from_millis(250)).await;
        assert_eq!(
            got,
            Err(ProviderError::Timeout(Duration::from_millis(250))),
            "{wire:?}"
        );
        assert!(started.elapsed() < Duration::from_millis(400));
        assert_eq!(model.requests().len(), 2, "{wire:?}");
    }
}

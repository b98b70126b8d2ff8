//! Delivery against the sandbox's Slack and Discord with injected faults: 429 (Retry-After) and
//! 5xx are retried and every part lands exactly once, in order; other 4xx are returned at once;
//! budgets and attempts are capped; updates grow and shrink in place; one
//! `chat_delivery_retried` event per retry.

use super::{Running, discord, fast_retry, sandbox, slack};
use jiff::Timestamp;
use serde_json::json;
use sremesh_chat::delivery::SUPERSEDED;
use sremesh_chat::render::split;
use sremesh_chat::{ApiError, ChatPlatform, DeliveryError, MessageRef, RetryPolicy, Target};
use sremesh_core::Platform;
use sremesh_sandbox::{Fault, PostAction, Posted, Source};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tracing::span;

/// Counts `chat_delivery_retried` events on this thread while the guard lives.
struct Retries(Arc<AtomicUsize>);

impl tracing::Subscriber for Retries {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, e: &tracing::Event<'_>) {
        if e.metadata().name() == "chat_delivery_retried" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

fn count_retries() -> (Arc<AtomicUsize>, tracing::subscriber::DefaultGuard) {
    let n = Arc::new(AtomicUsize::new(0));
    let guard = tracing::subscriber::set_default(Retries(n.clone()));
    (n, guard)
}

const LIMIT: usize = 150;

fn long_text(tag: &str, lines: usize) -> String {
    (0..lines)
        .map(|i| format!("{tag} line {i:02} of the message, some words"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn now() -> Timestamp {
    "2026-04-18T10:25:00Z".parse().unwrap()
}

/// The platform client (small message limit, `retry`) and the alert's thread as target.
async fn client(
    sb: &Running,
    source: Source,
    retry: RetryPolicy,
) -> (Box<dyn ChatPlatform>, Target) {
    let ten = jiff::SignedDuration::from_mins(10);
    match source {
        Source::Slack => {
            let api = slack(sb);
            let w = api
                .history_window("C0ALERTS", now() - ten, now(), 10)
                .await
                .unwrap();
            let root = w.items.iter().find(|m| m.is_bot()).unwrap().ts.clone();
            let target = Target::channel(Platform::Slack, "C0ALERTS").in_thread(root);
            (
                Box::new(api.with_retry(retry).with_message_limit(LIMIT)),
                target,
            )
        }
        _ => {
            let api = discord(sb);
            let w = api
                .messages_window("1100000000000000001", now() - ten, now(), 10)
                .await
                .unwrap();
            let alert = w.items[0].id.clone();
            let target = Target::channel(Platform::Discord, "1100000000000000001").in_thread(alert);
            (
                Box::new(api.with_retry(retry).with_message_limit(LIMIT)),
                target,
            )
        }
    }
}

fn posts(sb: &Running) -> Vec<Posted> {
    sb.posted()
}

fn patient() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 10,
        ..fast_retry()
    }
}

#[tokio::test]
async fn faults_are_retried_and_every_part_lands_once_in_order() {
    let f = |status: u16, fail_next: u32, error_rate: f64| Fault {
        fail_next,
        error_rate,
        error_status: status,
        retry_after: Some(0),
        ..Fault::default()
    };
    // (source, fault, exact number of retries when deterministic)
    let cases = [
        (Source::Slack, f(429, 2, 0.0), Some(2)),
        (Source::Slack, f(503, 2, 0.0), Some(2)),
        (Source::Slack, f(500, 1, 0.0), Some(1)),
        (Source::Slack, f(429, 0, 0.4), None),
        (Source::Discord, f(429, 2, 0.0), Some(2)),
        (Source::Discord, f(503, 2, 0.0), Some(2)),
        (Source::Discord, f(502, 0, 0.4), None),
    ];
    for (source, fault, retries) in cases {
        let sb = sandbox().await;
        let (chat, target) = client(&sb, source, patient()).await;
        let text = long_text("report", 12);
        let want = split(&text, LIMIT);
        assert!(want.len() >= 3, "the message should need several parts");
        sb.set_faults(source, fault.clone());
        let (n, _guard) = count_retries();
        let refs = chat.post(&target, &text).await.unwrap();
        sb.set_faults(source, Fault::default());
        let got = posts(&sb);
        let texts: Vec<&str> = got.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, want, "{source:?} {fault:?}");
        assert!(
            got.iter()
                .all(|p| p.action == PostAction::Post && p.thread == target.thread)
        );
        let ids: Vec<&str> = got.iter().map(|p| p.id.as_str()).collect();
        let ref_ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ref_ids);
        let retried = n.load(Ordering::SeqCst);
        match retries {
            Some(r) => assert_eq!(retried, r, "{source:?} {fault:?}"),
            None => assert!(retried >= 1, "the random faults never fired"),
        }
        // What each platform was asked, field by field.
        for p in &got {
            match source {
                Source::Slack => {
                    assert_eq!(
                        (&p.request["unfurl_links"], &p.request["unfurl_media"]),
                        (&json!(false), &json!(false))
                    );
                    assert!(p.request.get("link_names").is_none());
                }
                _ => {
                    assert_eq!(p.request["allowed_mentions"], json!({"parse": []}));
                    assert_eq!(
                        p.request["message_reference"]["message_id"],
                        json!(target.thread.clone().unwrap())
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    for source in [Source::Slack, Source::Discord] {
        let sb = sandbox().await;
        let (chat, target) = client(&sb, source, fast_retry()).await;
        sb.set_faults(
            source,
            Fault {
                fail_next: 1,
                error_status: 429,
                retry_after: Some(1),
                ..Fault::default()
            },
        );
        let start = tokio::time::Instant::now();
        chat.notice(&target, "hello").await.unwrap();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(1),
            "{source:?} retried after {waited:?}"
        );
        assert_eq!(posts(&sb).len(), 1);
    }
}

/// A refused delivery: part 1 of n, nothing delivered, `check` on the API error, no retry.
fn assert_refused(e: DeliveryError, check: impl Fn(&ApiError) -> bool) {
    match e {
        DeliveryError::Api {
            part: 1,
            delivered,
            source,
            ..
        } => {
            assert!(delivered.is_empty());
            assert!(check(&source), "{source}");
            assert!(!source.is_retryable());
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn permanent_errors_are_returned_without_retrying() {
    let cases: [(Source, Option<&str>, u16); 5] = [
        (Source::Slack, Some("C0NOPE"), 0),
        (Source::Slack, None, 400),
        (Source::Slack, None, 403),
        (Source::Discord, None, 404),
        (Source::Discord, Some("1100000000000000999"), 0),
    ];
    for (source, channel, status) in cases {
        let sb = sandbox().await;
        let (chat, mut target) = client(&sb, source, fast_retry()).await;
        if let Some(c) = channel {
            target = Target::channel(target.platform, c);
        }
        if status != 0 {
            sb.set_faults(
                source,
                Fault {
                    fail_next: 3,
                    error_status: status,
                    ..Fault::default()
                },
            );
        }
        let (n, _guard) = count_retries();
        let e = chat.post(&target, &long_text("x", 12)).await.unwrap_err();
        match (source, status) {
            (Source::Slack, 0) => {
                assert_refused(e, |a| a.slack_error() == Some("channel_not_found"))
            }
            (Source::Discord, 0) => assert_refused(e, |a| a.discord_code() == Some(10003)),
            _ => assert_refused(
                e,
                |a| matches!(a, ApiError::Permanent { status: s, .. } if *s == status),
            ),
        }
        assert_eq!(n.load(Ordering::SeqCst), 0, "{source:?} {status}: retried");
        if status != 0 {
            assert_eq!(
                sb.faults().get(source).fail_next,
                2,
                "exactly one request was made"
            );
        }
        assert!(posts(&sb).is_empty());
    }
}

type Check = fn(&ApiError) -> bool;

#[tokio::test]
async fn attempts_and_budget_are_capped() {
    let three = RetryPolicy {
        max_attempts: 3,
        ..fast_retry()
    };
    let short = RetryPolicy {
        budget: Duration::from_secs(2),
        ..fast_retry()
    };
    let fault = |status, retry_after| Fault {
        fail_next: 10,
        error_status: status,
        retry_after,
        ..Fault::default()
    };
    // (source, policy, fault, requests made, error check)
    let cases: [(Source, RetryPolicy, Fault, u32, Check); 3] = [
        (Source::Slack, three, fault(503, None), 3, |e| {
            matches!(e, ApiError::Transient { .. })
        }),
        (Source::Discord, three, fault(502, None), 3, |e| {
            matches!(e, ApiError::Transient { .. })
        }),
        (
            Source::Slack,
            short,
            fault(429, Some(30)),
            1,
            |e| matches!(e, ApiError::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(30)),
        ),
    ];
    for (source, policy, fault, requests, check) in cases {
        let sb = sandbox().await;
        let (chat, target) = client(&sb, source, policy).await;
        sb.set_faults(source, fault);
        let start = tokio::time::Instant::now();
        let e = chat.notice(&target, "hello").await.unwrap_err();
        assert!(check(e.api().unwrap()), "{source:?}: {e}");
        assert!(e.api().unwrap().is_retryable());
        assert_eq!(
            sb.faults().get(source).fail_next,
            10 - requests,
            "{source:?}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{source:?} waited {:?}",
            start.elapsed()
        );
    }
}

#[tokio::test]
async fn a_slack_post_that_times_out_is_not_repeated() {
    let sb = sandbox().await;
    let policy = RetryPolicy {
        attempt_timeout: Duration::from_millis(100),
        ..fast_retry()
    };
    let (chat, target) = client(&sb, Source::Slack, policy).await;
    sb.set_faults(
        Source::Slack,
        Fault {
            delay_ms: 400,
            ..Fault::default()
        },
    );
    let (n, _guard) = count_retries();
    let e = chat.notice(&target, "hello").await.unwrap_err();
    assert!(matches!(e.api(), Some(ApiError::Timeout { .. })), "{e}");
    assert_eq!(n.load(Ordering::SeqCst), 0);
    // Whether or not the slow request finished on the server, it was never sent twice.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(posts(&sb).len() <= 1);
}

#[tokio::test]
async fn updates_edit_in_place_and_grow_or_shrink() {
    for source in [Source::Slack, Source::Discord] {
        let sb = sandbox().await;
        let (chat, target) = client(&sb, source, fast_retry()).await;
        let a = long_text("first", 6);
        let b = long_text("second", 14);
        let c = "third, short".to_owned();
        let (pa, pb) = (split(&a, LIMIT), split(&b, LIMIT));
        assert!(
            pa.len() == 2 && pb.len() >= 4,
            "{} / {}",
            pa.len(),
            pb.len()
        );
        let refs = chat.post(&target, &a).await.unwrap();
        let grown = chat.update(&refs, &b).await.unwrap();
        assert_eq!(&grown[..2], &refs[..]);
        let shrunk = chat.update(&grown, &c).await.unwrap();
        assert_eq!(shrunk, grown);
        let got = posts(&sb);
        let log: Vec<(PostAction, &str)> =
            got.iter().map(|p| (p.action, p.text.as_str())).collect();
        let mut want: Vec<(PostAction, &str)> =
            pa.iter().map(|t| (PostAction::Post, t.as_str())).collect();
        want.extend(pb.iter().enumerate().map(|(i, t)| {
            (
                if i < 2 {
                    PostAction::Update
                } else {
                    PostAction::Post
                },
                t.as_str(),
            )
        }));
        want.push((PostAction::Update, c.as_str()));
        want.extend((1..pb.len()).map(|_| (PostAction::Update, SUPERSEDED)));
        assert_eq!(log, want, "{source:?}");
        // Every edit went to a part we posted.
        let ids: Vec<&str> = grown.iter().map(|r: &MessageRef| r.id.as_str()).collect();
        assert!(got.iter().all(|p| ids.contains(&p.id.as_str())));
    }
}

#[tokio::test]
async fn misuse_is_a_typed_error() {
    let sb = sandbox().await;
    let (chat, target) = client(&sb, Source::Slack, fast_retry()).await;
    let wrong = Target::channel(Platform::Discord, "1100000000000000001");
    assert!(matches!(
        chat.post(&wrong, &"hi").await,
        Err(DeliveryError::WrongPlatform { .. })
    ));
    assert!(matches!(
        chat.post(&target, &"  \n ").await,
        Err(DeliveryError::Empty)
    ));
    assert!(matches!(
        chat.update(&[], &"hi").await,
        Err(DeliveryError::Empty)
    ));
    let r = chat.notice(&target, "👋 hi").await.unwrap();
    assert_eq!(
        (r.platform, r.thread.as_ref()),
        (Platform::Slack, target.thread.as_ref())
    );
    assert_eq!(posts(&sb).len(), 1);
}

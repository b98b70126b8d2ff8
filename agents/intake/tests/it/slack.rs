//! Slack through the intake: what a mention investigates (the message, or a thread's parent),
//! the nudge for chatter, bots and ourselves ignored, retries, slash commands, bad input, and a
//! master that is down or hangs.

use crate::harness::*;
use serde_json::Value;
use sremesh_core::Platform;
use std::time::Duration;
use tokio::time::Instant;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// Extra headers of a case.
type Headers<'a> = &'a [(&'a str, &'a str)];

async fn json_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A top-level mention investigates its own message; the context says where to report.
#[tokio::test]
async fn a_top_level_mention_is_investigated_in_its_thread() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    let body = mention(CHANNEL, &m.ts, &m.text, None, "U0CAROL");
    let (status, v) =
        json_of(post_slack(&format!("{}/slack/events", intake.url), &body, JSON).await).await;
    assert_eq!(status, 200, "{v}");
    let got = master.wait_investigations(1).await;
    assert_eq!(got.len(), 1);
    let ctx = &got[0];
    assert_eq!(v["investigation_id"], ctx.investigation_id.as_str());
    assert_eq!(ctx.platform, Some(Platform::Slack));
    assert_eq!(ctx.channel_id.as_deref(), Some(CHANNEL));
    assert_eq!(ctx.message_id.as_deref(), Some(m.ts.as_str()));
    assert_eq!(ctx.thread_id.as_deref(), Some(m.ts.as_str()));
    assert_eq!(ctx.alert_text, m.text);
    assert_eq!(ctx.alert_time, m.at);
    assert_eq!(ctx.scan_channels, vec![CHANNEL.to_owned()]);
    // config.yaml's default window: 30 min before, 5 min after.
    assert_eq!(ctx.window.start, m.at - jiff::SignedDuration::from_mins(30));
    assert_eq!(ctx.window.end, m.at + jiff::SignedDuration::from_mins(5));
}

/// A mention in a thread investigates the thread's parent, read back from Slack.
#[tokio::test]
async fn a_thread_mention_investigates_the_parent() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let parent = slack_msg(&sb, "[FIRING:1] KubePodCrashLooping shop/checkout-api");
    let reply = slack_msg(&sb, "<@U0SREMESH> can you look?");
    let body = mention(CHANNEL, &reply.ts, &reply.text, Some(&parent.ts), "U0ALICE");
    let r = post_slack(&format!("{}/slack/events", intake.url), &body, JSON).await;
    assert_eq!(r.status(), 200);
    let got = master.wait_investigations(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].alert_text, parent.text);
    assert_eq!(got[0].message_id.as_deref(), Some(parent.ts.as_str()));
    assert_eq!(got[0].thread_id.as_deref(), Some(parent.ts.as_str()));
    assert_eq!(got[0].alert_time, parent.at);
}

/// Chatter gets a one-line nudge in its thread and no investigation — judged on the parent's
/// text for a thread mention (the mention's own "investigate" does not count).
#[tokio::test]
async fn chatter_is_nudged_not_investigated() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let top = slack_msg(&sb, "<@U0SREMESH> lol");
    let lunch = slack_msg(&sb, "anyone up for lunch?");
    let in_thread = slack_msg(&sb, "<@U0SREMESH> investigate please");
    let cases = [
        (
            mention(CHANNEL, &top.ts, &top.text, None, "U0ALICE"),
            top.ts.clone(),
        ),
        (
            mention(
                CHANNEL,
                &in_thread.ts,
                &in_thread.text,
                Some(&lunch.ts),
                "U0ALICE",
            ),
            lunch.ts.clone(),
        ),
    ];
    for (body, thread) in cases {
        let (status, v) =
            json_of(post_slack(&format!("{}/slack/events", intake.url), &body, JSON).await).await;
        assert_eq!(
            (status, v["classified"].as_str()),
            (200, Some("chatter")),
            "{v}"
        );
        let nudges: Vec<_> = posts_containing(&sb, "I investigate infrastructure alerts")
            .await
            .into_iter()
            .filter(|p| p.thread.as_deref() == Some(thread.as_str()))
            .collect();
        assert_eq!(nudges.len(), 1, "one nudge in thread {thread}");
    }
    assert!(master.wait_investigations(1).await.is_empty());
}

/// Bot messages and our own are ignored; other event types are acknowledged and ignored.
#[tokio::test]
async fn bots_ourselves_and_other_events_are_ignored() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    let mut from_bot: Value =
        serde_json::from_slice(&mention(CHANNEL, &m.ts, &m.text, None, "U0X")).unwrap();
    from_bot["event"]["bot_id"] = "B0OTHER".into();
    let other_type = serde_json::json!({"type": "event_callback", "event_id": "Ev9",
        "event": {"type": "message", "channel": CHANNEL, "text": "x", "ts": m.ts}});
    let cases = [
        (from_bot.to_string().into_bytes(), "bot_message"),
        (
            mention(CHANNEL, &m.ts, &m.text, None, BOT_USER),
            "own_message",
        ),
        (other_type.to_string().into_bytes(), "event_message"),
    ];
    for (body, reason) in cases {
        let (status, v) =
            json_of(post_slack(&format!("{}/slack/events", intake.url), &body, JSON).await).await;
        assert_eq!((status, v["ignored"].as_str()), (200, Some(reason)), "{v}");
    }
    assert!(master.wait_investigations(1).await.is_empty());
    assert!(sb.posted().is_empty(), "nothing posted for ignored events");
}

/// url_verification, a redelivery (X-Slack-Retry-Num) and bad input.
#[tokio::test]
async fn challenge_retries_and_bad_input() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/slack/events", intake.url);
    let (s, v) = json_of(
        post_slack(
            &url,
            br#"{"type":"url_verification","challenge":"c-123","token":"t"}"#,
            JSON,
        )
        .await,
    )
    .await;
    assert_eq!((s, v["challenge"].as_str()), (200, Some("c-123")));

    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    let body = mention(CHANNEL, &m.ts, &m.text, None, "U0CAROL");
    assert_eq!(post_slack(&url, &body, JSON).await.status(), 200);
    let retry = [
        ("x-slack-retry-num", "1"),
        ("x-slack-retry-reason", "http_timeout"),
    ];
    let (s, v) = json_of(post_slack_with(&url, &body, JSON, &retry).await).await;
    assert_eq!((s, v["duplicate"].as_bool()), (200, Some(true)), "{v}");
    assert_eq!(master.wait_investigations(1).await.len(), 1);

    let cases: &[(&[u8], Headers, &str)] = &[
        (b"not json", &[], "body is not JSON"),
        (br#"{"type":"event_callback","event_id":"E1","event":{"type":"app_mention","ts":"1.2","text":"x"}}"#, &[], "missing field event.channel"),
        (br#"{"type":"event_callback","event":{"type":"app_mention"}}"#, &[], "missing field"),
        (br#"{"type":"event_callback","event_id":"E1","event":{"type":"app_mention","channel":"C1","text":"x","ts":"yesterday"}}"#, &[], "event.ts"),
        (&body, &[("x-slack-retry-num", "many")], "x-slack-retry-num"),
    ];
    for (body, headers, reason) in cases {
        let (s, v) = json_of(post_slack_with(&url, body, JSON, headers).await).await;
        assert_eq!(s, 400, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains(reason),
            "{v} should name {reason}"
        );
    }
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    serde_urlencoded::to_string(pairs).unwrap().into_bytes()
}

/// Slash commands: the snapshot hand-off, /investigate's post and investigation, unknown
/// commands, missing fields.
#[tokio::test]
async fn slash_commands() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/slack/commands", intake.url);
    let base = [
        ("channel_id", CHANNEL),
        ("user_id", "U0ALICE"),
        ("response_url", "https://hooks.slack.com/x"),
    ];
    let cmd = |command: &'static str, text: &'static str, trigger: &'static str| {
        let mut p = base.to_vec();
        p.extend([
            ("command", command),
            ("text", text),
            ("trigger_id", trigger),
        ]);
        form(&p)
    };

    let (s, v) = json_of(post_slack(&url, &cmd("/sre-snapshot", "", "t1"), FORM).await).await;
    assert_eq!((s, v["response_type"].as_str()), (200, Some("ephemeral")));
    assert_eq!(v["text"], "🩺 Capturing status snapshot…");
    let snaps = master.wait_snapshots(1).await;
    assert_eq!(snaps.len(), 1);
    assert_eq!(
        (snaps[0].platform, snaps[0].channel_id.as_deref()),
        (Some(Platform::Slack), Some(CHANNEL))
    );

    let (s, v) =
        json_of(post_slack(&url, &cmd("/investigate", "disk full on db-1", "t2"), FORM).await)
            .await;
    assert_eq!(s, 200);
    assert!(
        v["text"].as_str().unwrap().starts_with("🔎 Investigating"),
        "{v}"
    );
    let posted = posts_containing(&sb, "🔎 Investigating: disk full on db-1").await;
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].thread, None, "posted top-level");
    let got = master.wait_investigations(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].alert_text, "disk full on db-1");
    assert_eq!(got[0].thread_id.as_deref(), Some(posted[0].id.as_str()));

    // The same trigger again (a replay) is not re-run.
    let (_, v) =
        json_of(post_slack(&url, &cmd("/investigate", "disk full on db-1", "t2"), FORM).await)
            .await;
    assert_eq!(v["text"], "Already received.");

    let (_, v) = json_of(post_slack(&url, &cmd("/investigate", "  ", "t3"), FORM).await).await;
    assert_eq!(v["text"], "Usage: /investigate <alert text>");
    let (_, v) = json_of(post_slack(&url, &cmd("/postmortem", "", "t4"), FORM).await).await;
    assert_eq!(v["text"], "Unknown command: /postmortem");
    assert_eq!(master.wait_investigations(1).await.len(), 1);

    let (s, v) =
        json_of(post_slack(&url, &form(&[("command", "/sre-snapshot")]), FORM).await).await;
    assert_eq!(s, 400);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("missing field channel_id"),
        "{v}"
    );
}

/// The master is down, or hangs: Slack still gets its 200 within 3 s, and the thread says why.
#[tokio::test]
async fn master_down_or_hanging_is_answered_in_time_with_a_notice() {
    let (sb, _d) = sandbox().await;
    // A port nobody listens on, and a listener that accepts and never answers.
    let down = format!("http://127.0.0.1:{}/", sremesh_testkit::free_port());
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_url = format!("http://{}/", hang.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hang.accept().await {
            held.push(s);
        }
    });
    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    for master in [down, hang_url] {
        let intake = serve(settings(&sb, &master)).await;
        let before = sb.posted().len();
        let body = mention(CHANNEL, &m.ts, &m.text, None, "U0CAROL");
        let start = Instant::now();
        let (s, v) =
            json_of(post_slack(&format!("{}/slack/events", intake.url), &body, JSON).await).await;
        let took = start.elapsed();
        assert_eq!(s, 200, "{v}");
        assert!(took < Duration::from_secs(3), "answered in {took:?}");
        assert!(v["error"].is_string(), "{v}");
        let notices: Vec<_> = sb.posted()[before..]
            .iter()
            .filter(|p| {
                p.text
                    .starts_with("⚠️ sremesh could not start the investigation: ")
            })
            .cloned()
            .collect();
        assert_eq!(notices.len(), 1, "one notice for master {master}");
        assert_eq!(notices[0].thread.as_deref(), Some(m.ts.as_str()));
        intake.stop().await;
    }
}

/// The kill switch: acknowledged, not investigated, "paused" said once per thread.
#[tokio::test]
async fn paused_acknowledges_and_says_so_once() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let mut s = settings(&sb, &master.url);
    s.paused = true;
    let intake = serve(s).await;
    let parent = slack_msg(&sb, "[FIRING:1] KubePodCrashLooping shop/checkout-api");
    let reply = slack_msg(&sb, "<@U0SREMESH> can you look?");
    let bodies = [
        mention(CHANNEL, &parent.ts, &parent.text, None, "U0ALICE"),
        mention(CHANNEL, &reply.ts, &reply.text, Some(&parent.ts), "U0ALICE"),
    ];
    for body in &bodies {
        let (s, v) =
            json_of(post_slack(&format!("{}/slack/events", intake.url), body, JSON).await).await;
        assert_eq!((s, v["paused"].as_bool()), (200, Some(true)), "{v}");
    }
    let said = posts_containing(&sb, "sremesh is paused").await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(said[0].thread.as_deref(), Some(parent.ts.as_str()));
    assert!(master.wait_investigations(1).await.is_empty());
}

/// Signatures: missing, stale, wrong → 401; a platform not configured → 404.
#[tokio::test]
async fn bad_signatures_are_refused() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/slack/events", intake.url);
    let body = br#"{"type":"url_verification","challenge":"c"}"#;
    let now = jiff::Timestamp::now().as_second();
    let sign = |ts: i64| sremesh_chat::verify::sign_slack(SECRET, &ts.to_string(), body).unwrap();
    let cases: Vec<(Vec<(&str, String)>, &str)> = vec![
        (vec![], "missing header"),
        (
            vec![("x-slack-request-timestamp", now.to_string())],
            "missing header x-slack-signature",
        ),
        (
            vec![
                ("x-slack-request-timestamp", (now - 301).to_string()),
                ("x-slack-signature", sign(now - 301)),
            ],
            "stale",
        ),
        (
            vec![
                ("x-slack-request-timestamp", now.to_string()),
                ("x-slack-signature", sign(now - 1)),
            ],
            "does not match",
        ),
    ];
    for (headers, reason) in cases {
        let mut req = reqwest::Client::new().post(&url).body(body.to_vec());
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let (s, v) = json_of(req.send().await.unwrap()).await;
        assert_eq!(s, 401, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains(reason),
            "{v} should say {reason}"
        );
    }
    let mut bare = settings(&sb, &master.url);
    bare.slack_signing_secret = None;
    let no_slack = serve(bare).await;
    let r = post_slack(&format!("{}/slack/events", no_slack.url), body, JSON).await;
    assert_eq!(r.status(), 404);
}

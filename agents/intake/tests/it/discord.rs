//! Discord through the intake: PING, signatures, deferred slash commands finished through the
//! interaction webhook (sandbox routes), the Lambda mode's immediate answer, and the webhook
//! client against the sandbox.

use crate::harness::*;
use serde_json::{Value, json};
use sremesh_core::Platform;
use sremesh_intake::Mode;
use sremesh_intake::discord::Webhooks;
use sremesh_sandbox::PostAction;
use std::time::Duration;

const APP: &str = "1300000000000000001";

fn command(id: &str, name: &str, text: Option<&str>) -> Value {
    let mut data = json!({"id": "1400000000000000001", "name": name, "type": 1});
    if let Some(t) = text {
        data["options"] = json!([{"name": "text", "type": 3, "value": t}]);
    }
    json!({"type": 2, "id": id, "application_id": APP, "token": format!("tok-{id}"),
        "channel_id": DISCORD_CHANNEL, "guild_id": "1100000000000000000",
        "member": {"user": {"id": "1500000000000000001", "username": "alice"}}, "data": data})
}

/// PING → PONG; tampered or unsigned → 401.
#[tokio::test]
async fn ping_and_signatures() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/discord/interactions", intake.url);
    let r = post_discord(&url, &json!({"type": 1})).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"type": 1}));

    let body = json!({"type": 1}).to_string();
    let ts = jiff::Timestamp::now().as_second().to_string();
    let sig = discord_signer().sign(&ts, body.as_bytes());
    let tampered = body.replace('1', "2");
    let stale = (jiff::Timestamp::now().as_second() - 400).to_string();
    let cases: Vec<(Vec<(&str, String)>, String)> = vec![
        (
            vec![
                ("x-signature-ed25519", sig.clone()),
                ("x-signature-timestamp", ts.clone()),
            ],
            tampered,
        ),
        (vec![("x-signature-timestamp", ts.clone())], body.clone()),
        (
            vec![
                (
                    "x-signature-ed25519",
                    discord_signer().sign(&stale, body.as_bytes()),
                ),
                ("x-signature-timestamp", stale),
            ],
            body.clone(),
        ),
    ];
    for (headers, body) in cases {
        let mut req = reqwest::Client::new().post(&url).body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        assert_eq!(req.send().await.unwrap().status(), 401);
    }
}

async fn edits_of(sb: &sremesh_sandbox::Sandbox, token: &str) -> Vec<sremesh_sandbox::Posted> {
    let channel = format!("webhooks/{APP}/{token}");
    for _ in 0..150 {
        let got: Vec<_> = sb
            .posted()
            .into_iter()
            .filter(|p| p.channel == channel)
            .collect();
        if !got.is_empty() {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Vec::new()
}

/// As a server: commands are deferred (type 5, ephemeral) and finished in the background; the
/// deferred answer is edited through the interaction webhook.
#[tokio::test]
async fn commands_are_deferred_then_followed_up() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/discord/interactions", intake.url);

    let r = post_discord(&url, &command("1600000000000000001", "sre-snapshot", None)).await;
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"type": 5, "data": {"flags": 64}})
    );
    let edits = edits_of(&sb, "tok-1600000000000000001").await;
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].action, edits[0].text.as_str()),
        (PostAction::Update, "🩺 Capturing status snapshot…")
    );
    let snaps = master.wait_snapshots(1).await;
    assert_eq!(
        (snaps[0].platform, snaps[0].channel_id.as_deref()),
        (Some(Platform::Discord), Some(DISCORD_CHANNEL))
    );

    let r = post_discord(
        &url,
        &command("1600000000000000002", "investigate", Some("db-1 disk full")),
    )
    .await;
    assert_eq!(r.json::<Value>().await.unwrap()["type"], 5);
    let edits = edits_of(&sb, "tok-1600000000000000002").await;
    assert!(edits[0].text.starts_with("🔎 Investigating"), "{edits:?}");
    let posted = posts_containing(&sb, "Investigating: db-1 disk full").await;
    assert_eq!(posted.len(), 1, "{:?}", sb.posted());
    assert_eq!(posted[0].channel, DISCORD_CHANNEL);
    let got = master.wait_investigations(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].platform, Some(Platform::Discord));
    assert_eq!(got[0].alert_text, "db-1 disk full");
    assert_eq!(got[0].thread_id.as_deref(), Some(posted[0].id.as_str()));

    // The same interaction again is not re-run; unknown commands and missing text are answered.
    let cases = [
        (
            command("1600000000000000002", "investigate", Some("db-1 disk full")),
            "Already received.",
        ),
        (
            command("1600000000000000003", "postmortem", None),
            "Unknown command: /postmortem",
        ),
        (
            command("1600000000000000004", "investigate", None),
            "Usage: /investigate <alert text>",
        ),
    ];
    for (body, text) in cases {
        let v: Value = post_discord(&url, &body).await.json().await.unwrap();
        assert_eq!(
            (v["type"].as_u64(), v["data"]["content"].as_str()),
            (Some(4), Some(text)),
            "{v}"
        );
    }
    assert_eq!(master.wait_investigations(1).await.len(), 1);
}

/// Under Lambda nothing runs after the answer: the work is done first and answered (type 4).
#[tokio::test]
async fn lambda_mode_answers_at_once() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let mut s = settings(&sb, &master.url);
    s.mode = Mode::Lambda;
    let intake = serve(s).await;
    let v: Value = post_discord(
        &format!("{}/discord/interactions", intake.url),
        &command("1600000000000000009", "sre-snapshot", None),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["type"], 4);
    assert_eq!(v["data"]["content"], "🩺 Capturing status snapshot…");
    assert_eq!(v["data"]["flags"], 64);
    assert_eq!(master.wait_snapshots(1).await.len(), 1);
}

/// The webhook client against the sandbox's interaction routes.
#[tokio::test]
async fn webhook_client_posts_and_edits() {
    let (sb, _d) = sandbox().await;
    let hooks = Webhooks::new(&sb.endpoints().discord, Duration::from_secs(2)).unwrap();
    let v = hooks
        .follow_up(APP, "tok-a", "hello <@1> @everyone", true)
        .await
        .unwrap();
    assert_eq!(
        (v["content"].as_str(), v["flags"].as_u64()),
        (Some("hello <@1> @everyone"), Some(64))
    );
    hooks.edit_original(APP, "tok-a", "edited").await.unwrap();
    let posted = sb.posted();
    assert_eq!(posted.len(), 2);
    assert_eq!(
        (posted[0].action, posted[0].channel.as_str()),
        (PostAction::Post, "webhooks/1300000000000000001/tok-a")
    );
    assert_eq!(posted[0].request["allowed_mentions"], json!({"parse": []}));
    assert_eq!(
        (
            posted[1].action,
            posted[1].id.as_str(),
            posted[1].text.as_str()
        ),
        (PostAction::Update, "@original", "edited")
    );
    let e = hooks
        .edit_original(APP, "../../channels/1", "x")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not a valid path segment"), "{e}");
    let e = hooks.follow_up(APP, "tok-a", "", false).await.unwrap_err();
    assert!(
        e.to_string().contains("50006"),
        "empty content refused like Discord: {e}"
    );
}

//! The Slack Web API as reqwest (and so any Slack client) sees it.

use super::{http, start_fixture};
use serde_json::{Value, json};
use sremesh_sandbox::PostAction;

/// POSTs a form-encoded call with a bot token.
async fn call(base: &str, method: &str, form: &[(&str, &str)]) -> Value {
    http()
        .post(format!("{base}/{method}"))
        .bearer_auth("xoxb-test")
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn history_pages_newest_first_with_cursor_reading_each_message_once() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().slack;
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let mut form = vec![("channel", "C0ALERTS"), ("limit", "2")];
        if !cursor.is_empty() {
            form.push(("cursor", &cursor));
        }
        let r = call(base, "conversations.history", &form).await;
        assert_eq!(r["ok"], true, "{r}");
        pages += 1;
        for m in r["messages"].as_array().unwrap() {
            seen.push(m["ts"].as_str().unwrap().to_string());
        }
        cursor = r["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(r["has_more"], !cursor.is_empty());
        if cursor.is_empty() {
            break;
        }
    }
    // Thread replies are not in the channel history, as on Slack.
    assert_eq!(
        seen,
        [
            "1776507900.000000",
            "1776507600.000001",
            "1776507600.000000",
            "1776507300.000000",
            "1776506700.000000"
        ]
    );
    assert_eq!(pages, 3);

    let check = |form: Vec<(&'static str, &'static str)>, want: &'static [&'static str]| async move {
        let mut f = vec![("channel", "C0ALERTS")];
        f.extend(form.iter().copied());
        let r = call(base, "conversations.history", &f).await;
        let got: Vec<&str> = r["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["ts"].as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{form:?}");
    };
    check(
        vec![("oldest", "1776507300.000000")],
        &[
            "1776507900.000000",
            "1776507600.000001",
            "1776507600.000000",
        ],
    )
    .await;
    check(
        vec![
            ("oldest", "1776507300.000000"),
            ("inclusive", "true"),
            ("latest", "1776507600.000000"),
        ],
        &["1776507600.000000", "1776507300.000000"],
    )
    .await;
    check(vec![("latest", "1776507300")], &["1776506700.000000"]).await;
}

#[tokio::test]
async fn a_thread_parent_shows_its_replies_and_replies_reads_them() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().slack;
    let h = call(
        base,
        "conversations.history",
        &[
            ("channel", "C0ALERTS"),
            ("oldest", "1776507299"),
            ("latest", "1776507301"),
        ],
    )
    .await;
    let parent = &h["messages"][0];
    assert_eq!(parent["thread_ts"], "1776507300.000000");
    assert_eq!(parent["reply_count"], 2);
    assert_eq!(parent["bot_id"], "B0ALERTMGR");
    let r = call(
        base,
        "conversations.replies",
        &[("channel", "C0ALERTS"), ("ts", "1776507300.000000")],
    )
    .await;
    let texts: Vec<&str> = r["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "[FIRING:1] CheckoutErrorRate high",
            "looking",
            "rolled the config"
        ]
    );
    assert_eq!(r["messages"][1]["parent_user_id"], "U0ALERTMGR");
    let r = call(
        base,
        "conversations.replies",
        &[("channel", "C0ALERTS"), ("ts", "1.000000")],
    )
    .await;
    assert_eq!(r["error"], "thread_not_found");
}

#[tokio::test]
async fn post_message_in_the_alert_thread_then_read_it_back() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().slack;
    let alert = sb.scenario().alert.ts.clone();
    // JSON body, as chat clients often send.
    let r: Value = http()
        .post(format!("{base}/chat.postMessage"))
        .bearer_auth("xoxb-test")
        .json(
            &json!({"channel": "C0ALERTS", "thread_ts": alert, "text": "report v1",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*report*"}}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["ok"], true, "{r}");
    let ts = r["ts"].as_str().unwrap().to_string();
    assert!(ts.as_str() > alert.as_str(), "{ts} after {alert}");
    assert_eq!(r["message"]["bot_id"], "B0SREMESH");
    assert_eq!(r["message"]["user"], "U0SREMESH");

    let u = call(
        base,
        "chat.update",
        &[("channel", "C0ALERTS"), ("ts", &ts), ("text", "report v2")],
    )
    .await;
    assert_eq!(u["ok"], true, "{u}");
    let replies = call(
        base,
        "conversations.replies",
        &[("channel", "C0ALERTS"), ("ts", &alert)],
    )
    .await;
    let msgs = replies["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0]["reply_count"], 1);
    assert_eq!(
        (msgs[1]["text"].as_str(), msgs[1]["ts"].as_str()),
        (Some("report v2"), Some(ts.as_str()))
    );
    assert!(msgs[1]["edited"].is_object());
    assert_eq!(msgs[1]["blocks"][0]["type"], "section");

    let posted = sb.posted();
    assert_eq!(posted.len(), 2);
    assert_eq!(
        (
            posted[0].action,
            posted[0].thread.as_deref(),
            posted[0].text.as_str()
        ),
        (PostAction::Post, Some(alert.as_str()), "report v1")
    );
    assert_eq!(
        (
            posted[1].action,
            posted[1].id.as_str(),
            posted[1].text.as_str()
        ),
        (PostAction::Update, ts.as_str(), "report v2")
    );
    assert!(posted[0].request.get("blocks").is_some());

    // The control API shows the same.
    let via_http: Vec<Value> = http()
        .get(format!("{}/_sandbox/posted", base.trim_end_matches("/api")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(via_http.len(), 2);
    assert_eq!(via_http[1]["action"], "update");
}

#[tokio::test]
async fn slack_errors_come_back_as_ok_false_codes() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().slack;
    let check = |method: &'static str,
                 form: Vec<(&'static str, &'static str)>,
                 error: &'static str| async move {
        let r = call(base, method, &form).await;
        assert_eq!(
            (r["ok"].as_bool(), r["error"].as_str()),
            (Some(false), Some(error)),
            "{method} {form:?}: {r}"
        );
    };
    check(
        "conversations.history",
        vec![("channel", "C0NOPE")],
        "channel_not_found",
    )
    .await;
    check(
        "conversations.history",
        vec![("channel", "C0ALERTS"), ("cursor", "garbage")],
        "invalid_cursor",
    )
    .await;
    check(
        "conversations.history",
        vec![("channel", "C0ALERTS"), ("limit", "lots")],
        "invalid_arguments",
    )
    .await;
    check("chat.postMessage", vec![("channel", "C0ALERTS")], "no_text").await;
    check(
        "chat.postMessage",
        vec![("channel", "C0NOPE"), ("text", "x")],
        "channel_not_found",
    )
    .await;
    check(
        "chat.update",
        vec![
            ("channel", "C0ALERTS"),
            ("ts", "1776507900.000000"),
            ("text", "x"),
        ],
        "cant_update_message",
    )
    .await;
    check(
        "chat.update",
        vec![("channel", "C0ALERTS"), ("ts", "1.000000"), ("text", "x")],
        "message_not_found",
    )
    .await;

    // No token, no service.
    let r: Value = http()
        .post(format!("{base}/auth.test"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"], "not_authed");
    // A token in the form works too; auth.test names the bot.
    let r: Value = http()
        .post(format!("{base}/auth.test"))
        .form(&[("token", "xoxb-1")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["user_id"].as_str(), r["bot_id"].as_str()),
        (Some("U0SREMESH"), Some("B0SREMESH"))
    );
    // GET with query parameters, as some clients send reads.
    let r: Value = http()
        .get(format!("{base}/conversations.info?channel=C0DEPLOYS"))
        .bearer_auth("x")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["channel"]["name"], "deploys");
    let r = call(base, "users.conversations", &[("limit", "1")]).await;
    assert_eq!(r["channels"].as_array().unwrap().len(), 1);
    assert!(
        r["response_metadata"]["next_cursor"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
    assert!(sb.posted().is_empty());
}

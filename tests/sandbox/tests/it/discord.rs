//! The Discord REST API as a bot client sees it.

use super::{http, start_fixture};
use serde_json::{Value, json};
use sremesh_sandbox::PostAction;

const CH: &str = "1100000000000000001";

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = http()
        .get(format!("{base}{path}"))
        .header("authorization", "Bot test")
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn contents(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn messages_page_with_before_after_around_and_limit() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().discord;
    let (_, all) = get(base, &format!("/channels/{CH}/messages")).await;
    // Newest first; the scenario has five messages in this channel.
    assert_eq!(
        contents(&all),
        [
            "paging db team",
            "still crashing",
            "rolled back config",
            "on it",
            "checkout error rate high"
        ]
    );
    let id = |i: usize| all[i]["id"].as_str().unwrap().to_string();

    let check = |query: String, want: &'static [&'static str]| async move {
        let (status, v) = get(base, &format!("/channels/{CH}/messages?{query}")).await;
        assert_eq!(status, 200, "{query}: {v}");
        assert_eq!(contents(&v), want, "{query}");
    };
    check("limit=2".into(), &["paging db team", "still crashing"]).await;
    check(
        format!("limit=2&before={}", id(1)),
        &["rolled back config", "on it"],
    )
    .await;
    check(format!("before={}", id(4)), &[]).await;
    check(
        format!("limit=2&after={}", id(4)),
        &["rolled back config", "on it"],
    )
    .await;
    check(format!("after={}", id(0)), &[]).await;
    check(
        format!("limit=3&around={}", id(2)),
        &["still crashing", "rolled back config", "on it"],
    )
    .await;

    // Reading the whole channel backwards with `before` sees every message exactly once.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let q = match &before {
            Some(b) => format!("limit=2&before={b}"),
            None => "limit=2".into(),
        };
        let (_, page) = get(base, &format!("/channels/{CH}/messages?{q}")).await;
        let page = page.as_array().unwrap().clone();
        if page.is_empty() {
            break;
        }
        seen.extend(
            page.iter()
                .map(|m| m["content"].as_str().unwrap().to_string()),
        );
        before = page.last().map(|m| m["id"].as_str().unwrap().to_string());
    }
    assert_eq!(seen, contents(&all));

    let (status, v) = get(base, &format!("/channels/{CH}/messages?limit=101")).await;
    assert_eq!((status, v["code"].as_u64()), (400, Some(50035)));
    assert!(v["errors"]["limit"]["_errors"][0]["code"].is_string());
    let (status, v) = get(base, &format!("/channels/{CH}/messages?before=abc")).await;
    assert_eq!((status, v["code"].as_u64()), (400, Some(50035)));
}

#[tokio::test]
async fn post_a_reply_then_read_it_back_and_edit_it() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().discord;
    let (_, all) = get(base, &format!("/channels/{CH}/messages?limit=1")).await;
    let newest = all[0]["id"].as_str().unwrap().to_string();
    let r = http()
        .post(format!("{base}/channels/{CH}/messages"))
        .header("authorization", "Bot test")
        .json(
            &json!({"content": "report v1", "message_reference": {"message_id": newest},
            "allowed_mentions": {"parse": []}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let m: Value = r.json().await.unwrap();
    let id = m["id"].as_str().unwrap().to_string();
    assert!(id.parse::<u64>().unwrap() > newest.parse::<u64>().unwrap());
    assert_eq!(m["author"]["bot"], true);
    assert_eq!(m["message_reference"]["message_id"], newest.as_str());
    assert_eq!(m["referenced_message"]["content"], "paging db team");

    let (status, back) = get(base, &format!("/channels/{CH}/messages/{id}")).await;
    assert_eq!((status, back["content"].as_str()), (200, Some("report v1")));
    let (_, latest) = get(base, &format!("/channels/{CH}/messages?after={newest}")).await;
    assert_eq!(contents(&latest), ["report v1"]);

    let r = http()
        .patch(format!("{base}/channels/{CH}/messages/{id}"))
        .header("authorization", "Bot test")
        .json(&json!({"content": "report v2"}))
        .send()
        .await
        .unwrap();
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["content"], "report v2");
    assert!(edited["edited_timestamp"].is_string());

    let posted = sb.posted();
    assert_eq!(posted.len(), 2);
    assert_eq!(
        (posted[0].action, posted[0].thread.as_deref()),
        (PostAction::Post, Some(newest.as_str()))
    );
    assert_eq!(
        (posted[1].action, posted[1].text.as_str()),
        (PostAction::Update, "report v2")
    );
}

#[tokio::test]
async fn discord_errors_have_discord_shapes() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().discord;
    let post = |body: Value, auth: Option<&'static str>| {
        let mut req = http()
            .post(format!("{base}/channels/{CH}/messages"))
            .json(&body);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (s, v) = post(json!({"content": "x".repeat(2001)}), Some("Bot t")).await;
    assert_eq!((s, v["code"].as_u64()), (400, Some(50035)), "{v}");
    assert_eq!(
        v["errors"]["content"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );
    let (s, _) = post(json!({"content": "x".repeat(2000)}), Some("Bot t")).await;
    assert_eq!(s, 200);
    let (s, v) = post(json!({"content": ""}), Some("Bot t")).await;
    assert_eq!((s, v["code"].as_u64()), (400, Some(50006)));
    let (s, v) = post(
        json!({"content": "x", "message_reference": {"message_id": "1"}}),
        Some("Bot t"),
    )
    .await;
    assert_eq!((s, v["code"].as_u64()), (400, Some(50035)));
    let (s, v) = post(json!({"content": "x"}), None).await;
    assert_eq!(
        (s, v),
        (401, json!({"message": "401: Unauthorized", "code": 0}))
    );
    let (s, _) = post(json!({"content": "x"}), Some("Bearer t")).await;
    assert_eq!(s, 401);

    let (s, v) = get(base, "/channels/42/messages").await;
    assert_eq!((s, v["code"].as_u64()), (404, Some(10003)));
    let (s, v) = get(base, &format!("/channels/{CH}/messages/42")).await;
    assert_eq!((s, v["code"].as_u64()), (404, Some(10008)));
    let (_, all) = get(base, &format!("/channels/{CH}/messages?limit=100")).await;
    let not_ours = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["author"]["bot"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = http()
        .patch(format!("{base}/channels/{CH}/messages/{not_ours}"))
        .header("authorization", "Bot t")
        .json(&json!({"content": "hijack"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    let (_, me) = get(base, "/users/@me").await;
    assert_eq!(me["bot"], true);
    let (_, guilds) = get(base, "/users/@me/guilds").await;
    assert_eq!(guilds[0]["id"], "1100000000000000000");
    let (_, chans) = get(base, "/guilds/1100000000000000000/channels").await;
    assert_eq!(chans[0]["name"], "alerts");
    let (s, v) = get(base, "/guilds/9/channels").await;
    assert_eq!((s, v["code"].as_u64()), (404, Some(10004)));
}

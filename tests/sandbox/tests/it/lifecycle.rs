//! Start-up products (endpoints, kubeconfig), live mode, and shutdown.

use super::{http, start_fixture, start_with};
use serde_json::Value;

#[tokio::test]
async fn endpoints_serialize_as_the_design_sandbox_object_and_kubeconfig_points_home() {
    let sb = start_fixture().await;
    let e = sb.endpoints();
    let v = serde_json::to_value(e).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "cloudwatch_logs",
            "discord",
            "kubeconfig",
            "kubernetes",
            "slack"
        ]
    );
    assert!(e.slack.starts_with("http://127.0.0.1:") && e.slack.ends_with("/api"));
    assert!(e.discord.ends_with("/api/v10"));
    let kc = std::fs::read_to_string(&e.kubeconfig).unwrap();
    assert!(
        kc.contains(&format!("server: \"{}\"", e.kubernetes)),
        "{kc}"
    );
    assert!(kc.contains("current-context: \"shop-prod-eks\""), "{kc}");
    assert!(e.kubeconfig.is_absolute());
    let over_http: Value = http()
        .get(format!("{}/_sandbox/endpoints", e.kubernetes))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http, v);
}

#[tokio::test]
async fn live_mode_moves_the_world_to_the_present() {
    let before = jiff::Timestamp::now();
    let sb = start_with(|o| o.live = true).await;
    let after = jiff::Timestamp::now();
    let now = sb.scenario().now;
    let slack = jiff::SignedDuration::from_secs(1);
    assert!(
        now >= before.checked_sub(slack).unwrap() && now <= after.checked_add(slack).unwrap(),
        "{now}"
    );
    // Object timestamps moved with it: the crash-looping pod was created 23 minutes ago.
    let pod: Value = http()
        .get(format!(
            "{}/api/v1/namespaces/shop/pods/checkout-api-5d9c7b8f6-abcde",
            sb.endpoints().kubernetes
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: jiff::Timestamp = pod["metadata"]["creationTimestamp"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        now.duration_since(created),
        jiff::SignedDuration::from_mins(23)
    );
    // And the alert's ts is the present.
    let ts = sremesh_scenario::ids::slack_ts_time(&sb.scenario().alert.ts).unwrap();
    assert_eq!(ts, now);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let sb = start_fixture().await;
    let url = format!("{}/version", sb.endpoints().kubernetes);
    assert_eq!(
        http().get(&url).send().await.unwrap().status().as_u16(),
        200
    );
    let super::Running { sandbox, _dir } = sb;
    sandbox.shutdown().await;
    assert!(http().get(&url).send().await.is_err());
}

#[tokio::test]
async fn a_scenario_without_sources_answers_as_an_empty_account() {
    sremesh_core::tls::ensure_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let text = "schema: sremesh/scenario/v1\nid: empty\ntitle: t\nnow: 2026-04-18T10:25:00Z\nalert: {platform: slack, channel: C1, user: U1, text: hi}\n";
    let s = sremesh_scenario::load_str("empty.yaml", text).unwrap();
    let sb = sremesh_sandbox::start(s, sremesh_sandbox::Options::new(dir.path()))
        .await
        .unwrap();
    let e = sb.endpoints();
    let pods: Value = http()
        .get(format!("{}/api/v1/pods", e.kubernetes))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pods["items"], serde_json::json!([]));
    let guilds: Value = http()
        .get(format!("{}/users/@me/guilds", e.discord))
        .header("authorization", "Bot t")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(guilds, serde_json::json!([]));
    let h: Value = http()
        .post(format!("{}/conversations.history", e.slack))
        .bearer_auth("x")
        .form(&[("channel", "C1")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["messages"][0]["text"], "hi"); // only the alert
    let r = http()
        .post(format!("{}/", e.cloudwatch_logs))
        .header("x-amz-target", "Logs_20140328.DescribeLogGroups")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    let groups: Value = r.json().await.unwrap();
    assert_eq!(groups["logGroups"], serde_json::json!([]));
    sb.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn waiting_for_posts_times_out_on_the_clock_when_nothing_is_posted() {
    let sb = start_fixture().await;
    let got = sb
        .wait_for_posts(1, std::time::Duration::from_secs(30))
        .await;
    assert!(got.is_empty());
}

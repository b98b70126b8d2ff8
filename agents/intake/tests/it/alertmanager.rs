//! Alertmanager through the intake: a firing group is posted top-level (Alertmanager's default
//! Slack title) and investigated in that post's thread with its labels; resolved groups and
//! repeats are not investigated; the bearer token is enforced.

use crate::harness::*;
use serde_json::{Value, json};
use sremesh_core::{Platform, Secret};
use sremesh_intake::ChatTarget;
use std::sync::Arc;

fn notification(status: &str, fingerprints: &[&str]) -> Value {
    let alerts: Vec<Value> = fingerprints
        .iter()
        .enumerate()
        .map(|(i, fp)| json!({
            "status": status,
            "labels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "severity": "critical",
                "pod": format!("checkout-api-{i}")},
            "annotations": {"summary": "Pods crash looping", "description": format!("pod {i} restarted 5 times")},
            "startsAt": format!("2026-04-18T10:2{i}:00Z"), "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus/graph", "fingerprint": fp,
        }))
        .collect();
    json!({
        "version": "4", "groupKey": "{}:{alertname=\"KubePodCrashLooping\"}", "truncatedAlerts": 0,
        "status": status, "receiver": "sremesh",
        "groupLabels": {"alertname": "KubePodCrashLooping"},
        "commonLabels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "severity": "critical"},
        "commonAnnotations": {"summary": "Pods crash looping"},
        "externalURL": "http://alertmanager:9093", "alerts": alerts,
    })
}

async fn post(url: &str, body: &Value, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(url).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Firing → summary posted top-level, investigation in its thread; a repeat of the same group
/// (same firing set) is a duplicate; resolved is acknowledged only.
#[tokio::test]
async fn firing_groups_are_posted_and_investigated_once() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/alertmanager", intake.url);
    let firing = notification("firing", &["aaa111", "bbb222"]);
    let (s, v) = post(&url, &firing, None).await;
    assert_eq!(s, 200, "{v}");
    let posted = posts_containing(&sb, "[FIRING:2]").await;
    assert_eq!(posted.len(), 1);
    assert_eq!(
        (posted[0].channel.as_str(), posted[0].thread.as_deref()),
        (CHANNEL, None)
    );
    let lines: Vec<&str> = posted[0].text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "[FIRING:2] KubePodCrashLooping (shop critical)",
            "*Summary:* Pods crash looping"
        ]
    );
    let got = master.wait_investigations(1).await;
    assert_eq!(got.len(), 1);
    let ctx = &got[0];
    assert_eq!(ctx.thread_id.as_deref(), Some(posted[0].id.as_str()));
    assert_eq!(ctx.message_id.as_deref(), Some(posted[0].id.as_str()));
    assert!(
        ctx.alert_text.starts_with("[FIRING:2] KubePodCrashLooping"),
        "{}",
        ctx.alert_text
    );
    assert_eq!(
        ctx.labels.get("alertname").map(String::as_str),
        Some("KubePodCrashLooping")
    );
    assert_eq!(
        ctx.labels.get("namespace").map(String::as_str),
        Some("shop")
    );
    assert_eq!(
        ctx.alert_time,
        "2026-04-18T10:20:00Z".parse().unwrap(),
        "the earliest startsAt"
    );

    // Same group, same alerts in another order: a repeat. Resolved: acknowledged only.
    let (_, v) = post(&url, &notification("firing", &["bbb222", "aaa111"]), None).await;
    assert_eq!(v["duplicate"], true);
    let (_, v) = post(&url, &notification("resolved", &["aaa111", "bbb222"]), None).await;
    assert_eq!(v["ignored"], "resolved");
    assert_eq!(master.wait_investigations(1).await.len(), 1);
    assert_eq!(posts_containing(&sb, "FIRING").await.len(), 1);

    // A new alert joining the group is a new notification.
    let (_, v) = post(
        &url,
        &notification("firing", &["aaa111", "bbb222", "ccc333"]),
        None,
    )
    .await;
    assert!(v["investigation_id"].is_string(), "{v}");
    assert_eq!(master.wait_investigations(2).await.len(), 2);
}

/// With `ALERTMANAGER_TOKEN`, a missing or wrong bearer token is refused; `/` routes by it.
#[tokio::test]
async fn bearer_token_is_enforced() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let mut s = settings(&sb, &master.url);
    s.alertmanager_token = Some(Arc::new(Secret::new("am-token")));
    s.alertmanager_target = Some(ChatTarget {
        platform: Platform::Discord,
        channel: DISCORD_CHANNEL.into(),
    });
    let intake = serve(s).await;
    let url = format!("{}/alertmanager", intake.url);
    let body = notification("firing", &["f1"]);
    let cases = [(None, 401), (Some("nope"), 401), (Some("am-token"), 200)];
    for (token, status) in cases {
        assert_eq!(post(&url, &body, token).await.0, status, "token {token:?}");
    }
    // Through `/`, detected by the bearer token alone (a body that is not Alertmanager's → 400).
    let (s, v) = post(
        &format!("{}/", intake.url),
        &json!({"hello": 1}),
        Some("am-token"),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("not an Alertmanager webhook"),
        "{v}"
    );
    let posted = posts_containing(&sb, "FIRING:1").await;
    assert_eq!(
        (posted.len(), posted[0].channel.as_str()),
        (1, DISCORD_CHANNEL)
    );
    assert!(
        posted[0].text.contains("**Summary:** Pods crash looping"),
        "{}",
        posted[0].text
    );
    assert_eq!(master.wait_investigations(1).await.len(), 1);
}

/// Bad payloads are 400s naming the problem; no target configured is a 404.
#[tokio::test]
async fn bad_payloads() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve(settings(&sb, &master.url)).await;
    let url = format!("{}/alertmanager", intake.url);
    let mut v3 = notification("firing", &["f"]);
    v3["version"] = json!("3");
    let mut no_key = notification("firing", &["f"]);
    no_key.as_object_mut().unwrap().remove("groupKey");
    let mut bad_status = notification("firing", &["f"]);
    bad_status["status"] = json!("exploded");
    let mut bad_label = notification("firing", &["f"]);
    bad_label["commonLabels"]["x"] = json!(5);
    let cases = [
        (v3, "unsupported Alertmanager webhook version '3'"),
        (no_key, "missing field `groupKey`"),
        (bad_status, "unknown variant `exploded`"),
        (bad_label, "invalid type: integer `5`"),
        (json!([1, 2]), "not an Alertmanager webhook"),
    ];
    for (body, reason) in cases {
        let (s, v) = post(&url, &body, None).await;
        assert_eq!(s, 400, "{v}");
        assert!(
            v["error"].as_str().unwrap().contains(reason),
            "{v} should say {reason}"
        );
    }
    let mut s = settings(&sb, &master.url);
    s.alertmanager_target = None;
    let untargeted = serve(s).await;
    let (s, v) = post(
        &format!("{}/alertmanager", untargeted.url),
        &notification("firing", &["f"]),
        None,
    )
    .await;
    assert_eq!(s, 404, "{v}");
    assert!(master.wait_investigations(1).await.is_empty());
}

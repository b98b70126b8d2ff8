//! Dedup: 50 concurrent deliveries of one event start exactly one investigation — with the
//! embedded store and with DynamoDB (moto) — expired keys count as absent in both stores, and
//! the embedded store remembers across a restart of the real binary.

use crate::harness::*;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use jiff::{SignedDuration, Timestamp};
use sremesh_intake::{Dedup, DynamoDedup, EmbeddedDedup};
use std::sync::Arc;
use std::time::Duration;

/// A moto server on a free loopback port (killed on drop) and a DynamoDB client for it, with a
/// fresh table `pk` (S).
async fn moto_table() -> (sremesh_testkit::Child, DynamoDedup) {
    let (child, url) = sremesh_testkit::moto_server().await.unwrap();
    let conf = sremesh_aws::sdk_config(
        sremesh_aws::CallPolicy {
            max_attempts: 1,
            ..Default::default()
        },
        Some("us-east-1"),
    )
    .await;
    let client = Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&conf)
            .endpoint_url(url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .build(),
    );
    client
        .create_table()
        .table_name("sremesh-dedup")
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    (child, DynamoDedup::new(client, "sremesh-dedup"))
}

/// Claims through the trait: first wins, repeats lose, an expired key is free again.
async fn check_ttl(store: &dyn Dedup) {
    let t0: Timestamp = "2026-04-18T10:25:00Z".parse().unwrap();
    let ttl = Duration::from_secs(24 * 3600);
    let later = |h: i64| t0 + SignedDuration::from_hours(h);
    let cases = [
        ("slack#C1#1.1", t0, true),
        ("slack#C1#1.1", t0, false),
        ("slack#C1#1.1", later(23), false),
        ("slack#C1#1.2", later(23), true),
        ("slack#C1#1.1", later(25), true),
        ("slack#C1#1.1", later(26), false),
    ];
    for (key, at, fresh) in cases {
        assert_eq!(
            store.claim(key, at, ttl).await.unwrap(),
            fresh,
            "{key} at {at}"
        );
    }
}

#[tokio::test]
async fn expired_keys_count_as_absent() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = EmbeddedDedup::open(&dir.path().join("d.redb")).unwrap();
    check_ttl(&embedded).await;
    // Expired keys are pruned as new ones are claimed.
    let t: Timestamp = "2026-05-01T00:00:00Z".parse().unwrap();
    for i in 0..3 {
        embedded
            .claim(&format!("k{i}"), t, Duration::from_secs(1))
            .await
            .unwrap();
    }
    assert_eq!(
        embedded.len().unwrap(),
        3,
        "the two expired slack keys were pruned"
    );
    embedded
        .claim(
            "fresh",
            t + SignedDuration::from_secs(10),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(embedded.len().unwrap(), 1, "k0..k2 pruned");
    let (_moto, dynamo) = moto_table().await;
    check_ttl(&dynamo).await;
}

/// 50 deliveries of the same event at once → one investigation.
async fn fifty_at_once(dedup: Arc<dyn Dedup>) {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let intake = serve_with(settings(&sb, &master.url), dedup).await;
    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    let body = mention(CHANNEL, &m.ts, &m.text, None, "U0CAROL");
    let url = format!("{}/slack/events", intake.url);
    let sends = (0..50).map(|i| {
        let (url, body) = (url.clone(), body.clone());
        async move {
            let retry = i.to_string();
            let extra: Vec<(&str, &str)> = if i == 0 {
                vec![]
            } else {
                vec![("x-slack-retry-num", &retry)]
            };
            post_slack_with(&url, &body, "application/json", &extra)
                .await
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let got = master.wait_investigations(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(master.investigations().len(), 1);
}

#[tokio::test]
async fn fifty_concurrent_deliveries_one_investigation_embedded() {
    let dir = tempfile::tempdir().unwrap();
    fifty_at_once(Arc::new(
        EmbeddedDedup::open(&dir.path().join("d.redb")).unwrap(),
    ))
    .await;
}

#[tokio::test]
async fn fifty_concurrent_deliveries_one_investigation_dynamodb() {
    let (_moto, dynamo) = moto_table().await;
    fifty_at_once(Arc::new(dynamo)).await;
}

/// The real binary with the embedded store: a delivery made before a restart is a duplicate
/// after it.
#[tokio::test]
async fn the_embedded_store_remembers_across_a_restart() {
    let (sb, _d) = sandbox().await;
    let master = FakeMaster::start().await;
    let dir = tempfile::tempdir().unwrap();
    let m = slack_msg(
        &sb,
        "<@U0SREMESH> payments-api p99 latency spike on checkout",
    );
    let body = mention(CHANNEL, &m.ts, &m.text, None, "U0CAROL");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let port = sremesh_testkit::free_port();
        let mut child = sremesh_testkit::spawn(
            tokio::process::Command::new(env!("CARGO_BIN_EXE_sremesh-intake"))
                .env_clear()
                .env("INTAKE_PORT", port.to_string())
                .env("MASTER_AGENT_URL", &master.url)
                .env("SLACK_SIGNING_SECRET", SECRET)
                .env("SLACK_BOT_TOKEN", "xoxb-test")
                .env("SLACK_API_URL", &sb.endpoints().slack)
                .env("DEDUP_PATH", dir.path().join("dedup.redb"))
                .env(
                    "SREMESH_CONFIG",
                    sremesh_testkit::workspace_root().join("config.yaml"),
                )
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::null()),
        )
        .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        wait_healthy(&url).await;
        let r = post_slack(&format!("{url}/slack/events"), &body, "application/json").await;
        answers.push(r.json::<serde_json::Value>().await.unwrap());
        // Killed (a crash, not a clean stop): a claim is durable once answered.
        child.0.kill().await.unwrap();
    }
    assert!(answers[0]["investigation_id"].is_string(), "{answers:?}");
    assert_eq!(answers[1]["duplicate"], true, "{answers:?}");
    assert_eq!(master.wait_investigations(1).await.len(), 1);
}

pub async fn wait_healthy(url: &str) {
    sremesh_core::tls::ensure_crypto_provider();
    for _ in 0..500 {
        if let Ok(r) = reqwest::get(format!("{url}/healthz")).await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{url}/healthz did not answer within 10 s");
}

//! Secrets Manager through the real SDK path against a local moto server: an ARN resolves to
//! its value, rotation shows after the TTL, an unknown ARN is a named error, a store that goes
//! away leaves the last good value in service; literals are returned as they are.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::config::Credentials;
use sremesh_aws::secrets::{CachePolicy, SecretsManagerSource, secret_source, secret_source_with};
use sremesh_aws::{CallPolicy, sdk_config};
use sremesh_core::{SecretError, SecretSource};
use std::time::Duration;

/// A moto server on a free loopback port (killed on drop) and a client pointed at it.
async fn moto() -> (sremesh_testkit::Child, Client) {
    let (child, url) = sremesh_testkit::moto_server().await.unwrap();
    let conf = sdk_config(
        CallPolicy {
            max_attempts: 1,
            ..CallPolicy::default()
        },
        Some("us-east-1"),
    )
    .await;
    let client = Client::from_conf(
        aws_sdk_secretsmanager::config::Builder::from(&conf)
            .endpoint_url(url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .build(),
    );
    (child, client)
}

fn no_ttl() -> CachePolicy {
    CachePolicy {
        ttl: Duration::ZERO,
        retry_after_failure: Duration::ZERO,
        ..CachePolicy::default()
    }
}

#[tokio::test]
async fn arns_resolve_through_secrets_manager() {
    let (mut moto, client) = moto().await;
    let created = client
        .create_secret()
        .name("sremesh/slack-bot-token")
        .secret_string("xoxb-first")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap().to_owned();
    assert!(arn.starts_with("arn:aws:secretsmanager:us-east-1:"));

    // The default policy caches for 5 minutes; a zero TTL sees the rotation at once.
    let cached = secret_source_with(&arn, &client);
    let fresh = SecretsManagerSource::new(client.clone(), &arn, no_ttl());
    assert_eq!(cached.get().await.unwrap().expose(), "xoxb-first");
    assert_eq!(fresh.get().await.unwrap().expose(), "xoxb-first");
    client
        .put_secret_value()
        .secret_id(&arn)
        .secret_string("xoxb-rotated")
        .send()
        .await
        .unwrap();
    assert_eq!(cached.get().await.unwrap().expose(), "xoxb-first");
    assert_eq!(fresh.get().await.unwrap().expose(), "xoxb-rotated");

    // An ARN that does not exist is a named, retry-later error.
    let missing = arn.replace("slack-bot-token", "nope");
    let e = SecretsManagerSource::new(client.clone(), &missing, no_ttl())
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, SecretError::Unavailable { name, reason } if *name == missing && reason.contains("ResourceNotFound")),
        "{e}"
    );

    // The store goes away: the last good value stays in service (within max staleness).
    moto.0.kill().await.unwrap();
    assert_eq!(fresh.get().await.unwrap().expose(), "xoxb-rotated");
    let never_read = SecretsManagerSource::new(client.clone(), &arn, no_ttl());
    assert!(matches!(
        never_read.get().await,
        Err(SecretError::Unavailable { .. })
    ));
}

#[tokio::test]
async fn literals_are_their_own_value() {
    for v in ["xoxb-literal", "", "arn:aws:ssm:us-east-1:1:parameter/x"] {
        assert_eq!(secret_source(v).get().await.unwrap().expose(), v);
    }
}

//! The EKS path: DescribeCluster against moto, and a client built from an EKS endpoint + CA with
//! the STS token layer, reading the sandbox's API server.

use aws_sdk_eks::config::Credentials;
use aws_sdk_eks::types::VpcConfigRequest;
use sremesh_aws::{CallPolicy, sdk_config};
use sremesh_eks::client::{self, ClusterAccess, ConnectError, TokenSource};
use std::sync::Arc;
use std::time::Duration;

async fn moto() -> (sremesh_testkit::Child, aws_sdk_eks::Client) {
    let (child, url) = sremesh_testkit::moto_server().await.unwrap();
    let conf = sdk_config(
        CallPolicy {
            max_attempts: 1,
            ..CallPolicy::default()
        },
        Some("us-east-1"),
    )
    .await;
    let client = aws_sdk_eks::Client::from_conf(
        aws_sdk_eks::config::Builder::from(&conf)
            .endpoint_url(url)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .build(),
    );
    (child, client)
}

fn token() -> Arc<TokenSource> {
    Arc::new(TokenSource::new(
        "payments-prod-eks",
        "us-east-1",
        aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )),
    ))
}

/// DescribeCluster gives the endpoint and CA; an unknown cluster and a CA that is not a
/// certificate are named errors.
#[tokio::test]
async fn describe_cluster_against_moto() {
    sremesh_core::tls::ensure_crypto_provider();
    let (_moto, eks) = moto().await;
    eks.create_cluster()
        .name("payments-prod-eks")
        .role_arn("arn:aws:iam::123456789012:role/eks-cluster")
        .resources_vpc_config(
            VpcConfigRequest::builder()
                .subnet_ids("subnet-0a1b2c3d")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let access = client::describe_cluster(&eks, "payments-prod-eks")
        .await
        .unwrap();
    assert!(
        access.endpoint.starts_with("https://") && access.endpoint.contains(".eks.amazonaws.com"),
        "{access:?}"
    );
    assert!(!access.ca_data.is_empty());

    let err = client::describe_cluster(&eks, "nope").await.unwrap_err();
    assert!(
        matches!(&err, ConnectError::Describe { cluster, .. } if cluster == "nope"),
        "{err}"
    );
    assert!(err.transient());

    // moto's CA is random text, not a certificate: building the client says so.
    let err = client::from_eks(
        "payments-prod-eks",
        &access,
        token(),
        Duration::from_secs(5),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ConnectError::Config(m) if m.contains("not a base64 PEM certificate")),
        "{err}"
    );
}

/// A client built the EKS way (endpoint + base64 PEM CA, token layer, read-only layer) reads
/// the API server.
#[tokio::test]
async fn an_eks_built_client_reads_the_api_server() {
    let r = crate::common::start(crate::common::load("oom-recommendation-svc")).await;
    let pem = std::fs::read("/etc/ssl/certs/ca-certificates.crt").expect("a system CA bundle");
    let ca_data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pem);
    let access = ClusterAccess {
        endpoint: r.sandbox.endpoints().kubernetes.clone(),
        ca_data,
    };
    let source = token();
    let kube = client::from_eks(
        "payments-prod-eks",
        &access,
        source.clone(),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    assert_eq!(kube.cluster, "payments-prod-eks");
    let v = kube.version(Duration::from_secs(5)).await.unwrap();
    assert_eq!(v, "v1.30.4-eks-a737599");
    assert_eq!(source.tokens_made(), 1, "one token for the first request");
    kube.version(Duration::from_secs(5)).await.unwrap();
    assert_eq!(source.tokens_made(), 1, "the fresh token is reused");
}

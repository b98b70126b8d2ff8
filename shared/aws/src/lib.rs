//! AWS SDK configuration for every crate that calls AWS.
//!
//! The SDK crates are built with default features off (one hyper, one http, one rustls in the
//! tree), so they need an HTTPS client handed to them: this crate builds it on rustls with the
//! workspace's ring provider. Endpoints, region and credentials come from the SDK's standard
//! sources (`AWS_ENDPOINT_URL[_<SERVICE>]`, `AWS_REGION`, env/profile/IRSA/IMDS credentials) —
//! that is how tests point clients at moto or the sandbox.
//!
//! [`secrets`] resolves credentials held in Secrets Manager (with a refresh TTL).
//!
//! Architecture invariant: no service crate (`aws-sdk-*`) here but Secrets Manager, which every
//! binary that holds a credential needs; each caller depends on exactly the other services it
//! calls.

pub mod secrets;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::time::Duration;

/// Timeouts and retries for one family of calls.
#[derive(Debug, Clone, Copy)]
pub struct CallPolicy {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for a whole operation, retries included.
    pub operation_timeout: Duration,
    /// Attempts in all (1 = never retry; use 1 where a retry could repeat slow work).
    pub max_attempts: u32,
}

impl Default for CallPolicy {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            operation_timeout: Duration::from_secs(20),
            max_attempts: 3,
        }
    }
}

/// Loads the shared SDK config with our HTTPS client, timeouts and retry policy.
///
/// `region` overrides the SDK's region chain. Pass it whenever it is known (binaries read
/// `AWS_REGION` through clap): without it the SDK falls back to the profile and then the EC2
/// metadata service, which is right on AWS and wrong on a laptop.
pub async fn sdk_config(policy: CallPolicy, region: Option<&str>) -> SdkConfig {
    sremesh_core::tls::ensure_crypto_provider();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
    if let Some(r) = region {
        loader = loader.region(aws_config::Region::new(r.to_owned()));
    }
    loader
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(policy.connect_timeout)
                .operation_timeout(policy.operation_timeout)
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(policy.max_attempts.max(1)))
        .load()
        .await
}

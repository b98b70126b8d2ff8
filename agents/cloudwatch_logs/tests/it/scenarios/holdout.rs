//! What the agent must find in the blind hold-out set: the decisive log signal where the logs
//! hold it, and no cause from red herrings, recovered errors or healthy systems.

use super::*;

/// The blind hold-out set (tests/scenarios-holdout): written by someone who never saw the
/// analyzers; the table says what an SRE reading the logs would conclude.
pub(super) fn holdout_table() -> Vec<Case> {
    vec![
        Case {
            id: "s3-accessdenied-statement-exporter",
            must: &[(
                "lambda_error",
                Some(ConfigurationError),
                &["AccessDenied", "s3:PutObject", "new since 08:49"],
            )],
            never: &[CodeDefect, DependencyFailure, ResourceExhaustion, Healthy],
            herrings: &["sending quota"],
        },
        Case {
            id: "lambda-oom-image-resizer",
            must: &[(
                "lambda_error",
                Some(ResourceExhaustion),
                &[
                    "Runtime.OutOfMemory",
                    "Max Memory Used: 512 MB",
                    "signal: killed",
                ],
            )],
            never: &[CodeDefect, DependencyFailure, ConfigurationError, Healthy],
            herrings: &["upload-notifier"],
        },
        Case {
            id: "partner-rate-limit-marketplace-sync",
            must: &[(
                "log_pattern",
                Some(DependencyFailure),
                &[
                    "429 Too Many Requests",
                    "api.marketbridge.example",
                    "marketplace-sync",
                ],
            )],
            never: &[CodeDefect, ConfigurationError, Infrastructure, Healthy],
            herrings: &["slow query"],
        },
        Case {
            id: "kafka-broker-unreachable-fulfillment-consumer",
            must: &[(
                "log_pattern",
                Some(DependencyFailure),
                &[
                    "could not be established. Broker may not be available",
                    "b-2.orders-msk",
                    "fulfillment-consumer",
                ],
            )],
            never: &[CodeDefect, ConfigurationError, Healthy],
            herrings: &["label-printer", "warehouse-api"],
        },
        Case {
            id: "cronjob-keyerror-invoice-export",
            must: &[(
                "log_pattern",
                Some(CodeDefect),
                &["KeyError: 'tax_region'", "invoice-export", "ended"],
            )],
            never: &[DependencyFailure, DataQuality, Healthy],
            herrings: &["ReadTimeoutError"],
        },
        Case {
            id: "redis-maxmemory-session-service",
            must: &[(
                "log_pattern",
                Some(ResourceExhaustion),
                &["OOM command not allowed", "maxmemory", "session-service"],
            )],
            never: &[
                CodeDefect,
                ConfigurationError,
                Infrastructure,
                DependencyFailure,
                Healthy,
            ],
            herrings: &["jwks"],
        },
        Case {
            // The heap OOM is the cause. Known gap: the hourly `statement timeout` warning
            // (a red herring) was last logged 67 min before the alert, just before the
            // history read, so it still reads as new.
            id: "jvm-heap-oom-pricing-engine",
            must: &[(
                "log_pattern",
                Some(ResourceExhaustion),
                &[
                    "java.lang.OutOfMemoryError: Java heap space",
                    "pricing-engine",
                ],
            )],
            never: &[CodeDefect, Healthy],
            herrings: &[],
        },
        Case {
            id: "recovered-node-reboot-shipping-api",
            must: &[("logs_quiet", None, &["recovered", "connection refused"])],
            never: FAILURES,
            herrings: &[],
        },
        quiet("hpa-metrics-server-storefront-web", &[]),
        quiet("load-test-false-alarm-product-api", &["LOADTEST"]),
        quiet("memory-pressure-eviction-catalog-es", &["watermark"]),
        quiet("missing-secret-key-accounts-api", &["loyalty"]),
    ]
}

//! The blind hold-out set (`tests/scenarios-holdout`, written by someone who never saw the
//! analyzers) through the same checks as the library: where the EKS agent has the decisive
//! data, it must show it and raise no false cause. The files stay in their folder; the rows
//! say what an SRE would look for, not what the analyzers happen to print.

use crate::common::*;
use crate::scenarios::{Case, FAILURES, must, run_table};
use sremesh_core::Category::*;

const HOLDOUT: &[Case] = &[
    Case {
        id: "cronjob-keyerror-invoice-export",
        must: &[
            must(
                "job_failed",
                Some(CodeDefect),
                &[
                    "invoice-export-29641290",
                    "BackoffLimitExceeded",
                    "KeyError: 'tax_region'",
                ],
            ),
            must("recent_rollout", None, &["2.7.3", "2.8.0"]),
        ],
        forbid: &[Healthy, DependencyFailure, DataQuality],
        herrings: &["ReadTimeoutError"],
        absent: &["crash_loop"],
    },
    Case {
        id: "jvm-heap-oom-pricing-engine",
        must: &[must(
            "crash_loop",
            Some(ResourceExhaustion),
            &["CrashLoopBackOff", "exit code 1", "Java heap space"],
        )],
        forbid: &[Healthy, CodeDefect, DependencyFailure],
        herrings: &["statement timeout"],
        absent: &["oom_killed"],
    },
    Case {
        id: "hpa-metrics-server-storefront-web",
        must: &[
            must(
                "hpa_unhealthy",
                Some(Infrastructure),
                &[
                    "FailedGetResourceMetric",
                    "ScalingActive=False",
                    "metrics-server",
                ],
            ),
            must(
                "addon_unhealthy",
                Some(Infrastructure),
                &[
                    "metrics-server",
                    "CrashLoopBackOff",
                    "dial tcp 172.20.0.1:443: i/o timeout",
                ],
            ),
        ],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion, DependencyFailure],
        herrings: &["render-worker"],
        absent: &[],
    },
    Case {
        id: "memory-pressure-eviction-catalog-es",
        must: &[
            must("node_pressure", Some(Infrastructure), &["MemoryPressure"]),
            must(
                "evicted",
                Some(Infrastructure),
                &["catalog-es-data-2", "Evicted", "low on resource: memory"],
            ),
        ],
        forbid: &[Healthy, CodeDefect, ConfigurationError, DependencyFailure],
        herrings: &["watermark"],
        absent: &[],
    },
    Case {
        id: "recovered-node-reboot-shipping-api",
        must: &[
            must("target_healthy", Some(Healthy), &["recovered", "rebooted"]),
            must(
                "node_rebooted",
                None,
                &["Rebooted", "ip-10-30-2-88", "boot id"],
            ),
        ],
        forbid: FAILURES,
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "redis-maxmemory-session-service",
        must: &[must(
            "log_signature",
            Some(ResourceExhaustion),
            &["OOM command not allowed", "maxmemory"],
        )],
        forbid: &[Healthy, CodeDefect, DependencyFailure, Infrastructure],
        herrings: &["jwks"],
        absent: &[],
    },
    Case {
        id: "missing-secret-key-accounts-api",
        must: &[must(
            "config_missing",
            Some(ConfigurationError),
            &["CreateContainerConfigError", "password", "db-creds"],
        )],
        forbid: &[Healthy, CodeDefect, DependencyFailure],
        herrings: &["loyalty-points"],
        absent: &[],
    },
    Case {
        id: "kafka-broker-unreachable-fulfillment-consumer",
        must: &[must(
            "log_signature",
            Some(DependencyFailure),
            &["could not be established", "b-2.orders-msk"],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError],
        herrings: &["label-printer", "warehouse-api"],
        absent: &[],
    },
    Case {
        id: "partner-rate-limit-marketplace-sync",
        must: &[must(
            "log_signature",
            Some(DependencyFailure),
            &["429 Too Many Requests", "api.marketbridge.example"],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError, Infrastructure],
        herrings: &["slow query"],
        absent: &[],
    },
    Case {
        id: "load-test-false-alarm-product-api",
        must: &[must("target_healthy", Some(Healthy), &["product-api"])],
        forbid: FAILURES,
        herrings: &[],
        absent: &[],
    },
];

/// Every hold-out scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_holdout_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios_in(&holdout_dir()), HOLDOUT, 10).await;
}

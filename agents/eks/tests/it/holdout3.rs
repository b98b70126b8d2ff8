//! The third blind hold-out set (`tests/scenarios-holdout3`): where the EKS agent has the
//! decisive data — a volume stuck on another node, a Job that succeeded on its retry, a CronJob
//! scheduled twice, a drain a PodDisruptionBudget blocks, consumers starved of CPU — it must show
//! it in the words an SRE would search for, and raise no false cause.

use crate::common::*;
use crate::scenarios::{Case, FAILURES, must, run_table};
use sremesh_core::Category::*;

const HOLDOUT3: &[Case] = &[
    Case {
        id: "ebs-multiattach-ledger-pg",
        must: &[must(
            "volume_attach_failed",
            Some(Infrastructure),
            &[
                "Multi-Attach error",
                "ledger-pg-1",
                "vol-0c3f8a1b92d4e7f60",
                "NotReady",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &["v2.14.0"],
        absent: &["target_healthy"],
    },
    Case {
        id: "healthy-backup-job-retried",
        must: &[must(
            "target_healthy",
            Some(Healthy),
            &[
                "pg-nightly-backup-29775000",
                "after a retry",
                "backup finished OK",
            ],
        )],
        forbid: FAILURES,
        herrings: &[],
        absent: &["job_failed"],
    },
    Case {
        id: "cron-double-run-monthly-invoices",
        must: &[must(
            "cronjob_duplicate",
            Some(ConfigurationError),
            &[
                "monthly-invoice-run",
                "billing-jobs",
                "billing/",
                "duplicate key value",
            ],
        )],
        forbid: &[
            Healthy,
            ResourceExhaustion,
            DependencyFailure,
            Infrastructure,
        ],
        herrings: &["CPUUtilization"],
        absent: &[],
    },
    Case {
        id: "pdb-blocks-nodegroup-upgrade",
        must: &[must(
            "drain_blocked",
            Some(ConfigurationError),
            &[
                "checkout-redis",
                "disruption",
                "maxUnavailable: 0",
                "ip-10-50-27-140",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion, DependencyFailure],
        herrings: &["InvalidDiskCapacity", "nodeadm"],
        absent: &[],
    },
    Case {
        id: "kafka-rebalance-cpu-throttle-shipments",
        must: &[must(
            "cpu_starved",
            Some(ResourceExhaustion),
            &["shipment-events-consumer", "300m", "max.poll.interval.ms"],
        )],
        forbid: &[Healthy, DependencyFailure, Infrastructure, CodeDefect],
        herrings: &["patching"],
        absent: &[],
    },
];

/// Every third-hold-out scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_third_holdout_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios_in(&holdout3_dir()), HOLDOUT3, 8).await;
}

//! The second blind hold-out set (`tests/scenarios-holdout2`): where the EKS agent has the
//! decisive data, it must show it — in the words an SRE would search for — and raise no false
//! cause. The rows were written after the analyzers were generalised against their own
//! fixtures; they guard against regressions, they are not what the analyzers were tuned on.

use crate::common::*;
use crate::scenarios::{Case, FAILURES, must, run_table};
use sremesh_core::Category::*;

const HOLDOUT2: &[Case] = &[
    Case {
        id: "service-selector-mismatch-catalog-api",
        must: &[must(
            "service_no_endpoints",
            Some(ConfigurationError),
            &[
                "Service catalog-api",
                "selector",
                "app=catalog-api",
                "no addresses",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion, DependencyFailure],
        herrings: &["elasticsearch"],
        absent: &["target_healthy"],
    },
    Case {
        id: "memory-leak-slow-oom-risk-rules-api",
        must: &[must(
            "oom_killed",
            Some(ResourceExhaustion),
            &["OOMKilled", "exit code 137", "recurring", "1Gi", "rss_mb"],
        )],
        forbid: &[Healthy, ConfigurationError, Infrastructure],
        herrings: &["risk-model-retrain"],
        absent: &["target_healthy"],
    },
    Case {
        id: "dockerhub-rate-limit-thumbnailer",
        must: &[must(
            "image_pull",
            Some(DependencyFailure),
            &["ImagePullBackOff", "toomanyrequests", "pull rate limit"],
        )],
        forbid: &[Healthy, CodeDefect, Infrastructure],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "networkpolicy-blocks-db-payouts-api",
        must: &[must(
            "network_policy_blocks",
            Some(ConfigurationError),
            &[
                "NetworkPolicy",
                "default-deny-egress",
                "10.4.52.17:5432",
                "connection timed out",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion, Infrastructure],
        herrings: &["maintenance"],
        absent: &[],
    },
    Case {
        id: "emfile-fd-leak-edge-gateway",
        must: &[must(
            "log_signature",
            Some(ResourceExhaustion),
            &["too many open files", "oldest", "rlimit_nofile"],
        )],
        forbid: &[Healthy, Infrastructure, DependencyFailure],
        herrings: &["CoreDNS"],
        absent: &[],
    },
    Case {
        id: "eks-control-plane-etcd-latency",
        must: &[must(
            "control_plane_degraded",
            Some(Infrastructure),
            &[
                "kube-apiserver",
                "aws-load-balancer-controller",
                "karpenter",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError, DependencyFailure],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "feature-flag-panic-pricing-engine",
        must: &[must(
            "crash_loop",
            Some(CodeDefect),
            &[
                "CrashLoopBackOff",
                "index out of range",
                "tiered-discounts-v2",
            ],
        )],
        forbid: &[
            Healthy,
            ResourceExhaustion,
            Infrastructure,
            DependencyFailure,
        ],
        herrings: &["vpc-cni"],
        absent: &[],
    },
    Case {
        id: "synthetic-flap-sydney-storefront",
        must: &[must("target_healthy", Some(Healthy), &["storefront"])],
        forbid: FAILURES,
        herrings: &[],
        absent: &[],
    },
];

/// Every second-hold-out scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_second_holdout_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios_in(&holdout2_dir()), HOLDOUT2, 10).await;
}

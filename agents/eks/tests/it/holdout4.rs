//! The fourth blind hold-out set (`tests/scenarios-holdout4`): pods that cannot get an address
//! from the VPC CNI, a load balancer health check on a path the app does not serve, a node
//! Karpenter cannot launch, an init container waiting on a red cluster, a JVM thrashing in full
//! GCs and a Go panic — the EKS agent must show each in the words an SRE would search for.

use crate::common::*;
use crate::scenarios::{Case, must, run_table};
use sremesh_core::Category::*;

const HOLDOUT4: &[Case] = &[
    Case {
        id: "vpc-cni-ip-exhaustion-checkout",
        must: &[must(
            "sandbox_failed",
            Some(ResourceExhaustion),
            &[
                "failed to assign an IP address",
                "InsufficientFreeAddressesInSubnet",
                "subnet-0c41d7a9e2b53f186",
            ],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &[],
        absent: &["target_healthy"],
    },
    Case {
        id: "alb-healthcheck-path-storefront",
        must: &[must(
            "lb_healthcheck_failing",
            Some(ConfigurationError),
            &[
                "healthcheck-path",
                "/healthz",
                "ELB-HealthChecker/2.0",
                "404",
            ],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &["BotControl"],
        absent: &["target_healthy", "target_not_found"],
    },
    Case {
        id: "karpenter-insufficient-gpu-capacity",
        must: &[must(
            "node_launch_failed",
            Some(Infrastructure),
            &["InsufficientInstanceCapacity", "g5.2xlarge", "us-east-1a"],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "init-wait-opensearch-red-catalog",
        must: &[must(
            "init_blocked",
            Some(DependencyFailure),
            &[
                "wait-for-opensearch",
                "cluster health is red",
                "catalog-v7",
                "Init:0/1",
            ],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &["do-not-disrupt"],
        absent: &[],
    },
    Case {
        id: "jvm-gc-death-spiral-recommendations",
        must: &[must(
            "gc_thrashing",
            Some(ResourceExhaustion),
            &["Pause Full", "G1 Compaction Pause", "To-space exhausted"],
        )],
        forbid: &[Healthy, DependencyFailure],
        herrings: &["OOMKilled"],
        absent: &["oom_killed"],
    },
    Case {
        id: "feature-flag-nil-panic-pricing",
        must: &[must(
            "crash_loop",
            Some(CodeDefect),
            &[
                "nil pointer dereference",
                "(*Engine).applyBundle",
                "exit code 2",
            ],
        )],
        forbid: &[Healthy, ResourceExhaustion],
        herrings: &[],
        absent: &[],
    },
];

/// Every fourth-hold-out scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fourth_holdout_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios_in(&holdout4_dir()), HOLDOUT4, 6).await;
}

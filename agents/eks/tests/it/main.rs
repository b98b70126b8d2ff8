//! Integration tests of the EKS agent against the sandbox's Kubernetes API (replay mode), moto
//! for DescribeCluster, and the agent served over A2A.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot set up should panic"
)]

mod common;
mod eks;
mod faults;
mod holdout;
mod holdout2;
mod holdout3;
mod holdout4;
mod holdout5;
mod readonly;
mod scenarios;
mod tools;

//! Integration tests of the intake through its HTTP surface: a real server on loopback, the
//! sandbox for Slack and Discord, a recording fake master (a real A2A server), moto for
//! DynamoDB, and the real binary for the Lambda runtime and restarts.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod alertmanager;
mod dedup;
mod discord;
mod harness;
mod lambda;
mod model_tier;
mod props;
mod routing;
mod slack;

//! Integration tests of the sandbox through real clients on loopback: kube-rs, reqwest speaking
//! Slack and Discord, the control API; plus the selector parsers and the scenario library.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod cloudwatch;
mod cloudwatch_bridge;
mod discord;
mod faults;
mod kube_api;
mod library;
mod lifecycle;
mod selectors;
mod slack;

use sremesh_sandbox::{Options, Sandbox};
use std::path::PathBuf;

/// The sandbox's own test scenario.
pub fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checkout.yaml")
}

/// A running sandbox on the fixture, and the folder holding its kubeconfig.
pub struct Running {
    pub sandbox: Sandbox,
    pub _dir: tempfile::TempDir,
}

impl std::ops::Deref for Running {
    type Target = Sandbox;
    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}

pub async fn start_fixture() -> Running {
    start_with(|_| {}).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Options)) -> Running {
    sremesh_core::tls::ensure_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let scenario = sremesh_scenario::load(&fixture_path()).unwrap();
    let mut opts = Options::new(dir.path());
    tweak(&mut opts);
    let sandbox = sremesh_sandbox::start(scenario, opts).await.unwrap();
    Running { sandbox, _dir: dir }
}

pub fn http() -> reqwest::Client {
    sremesh_core::tls::ensure_crypto_provider();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}

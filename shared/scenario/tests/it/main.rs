//! Integration tests of the scenario loader through its public API.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod bad;
mod good;
mod props;
mod shift;

/// A minimal valid scenario; tests append or replace parts of it.
pub const BASE: &str = "schema: sremesh/scenario/v1
id: base
title: base scenario
now: 2026-04-18T10:25:00Z
alert:
  platform: slack
  channel: C0ALERTS
  user: U0ALERTMGR
  bot: true
  text: alert text
";

/// The sandbox's test fixture (a full scenario exercising every source).
pub fn fixture_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/sandbox/tests/fixtures/checkout.yaml")
}

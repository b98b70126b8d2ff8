//! Every scenario in the library (tests/scenarios/*.yaml) loads, and a sandbox serving it starts
//! and answers `/version` with the scenario's Kubernetes version.

use super::http;
use serde_json::Value;
use std::path::PathBuf;

#[tokio::test]
async fn every_library_scenario_loads_and_serves() {
    sremesh_core::tls::ensure_crypto_provider();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let files = sremesh_scenario::collect(&[dir]).unwrap();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for f in &files {
        let s = match sremesh_scenario::load(f) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        let want = s
            .world
            .kubernetes
            .as_ref()
            .map_or(sremesh_scenario::DEFAULT_K8S_VERSION.to_string(), |k| {
                k.version.clone()
            });
        let tmp = tempfile::tempdir().unwrap();
        let sb = sremesh_sandbox::start(s, sremesh_sandbox::Options::new(tmp.path()))
            .await
            .unwrap();
        let v: Value = http()
            .get(format!("{}/version", sb.endpoints().kubernetes))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["gitVersion"] != want.as_str() {
            failures.push(format!("{}: /version answered {v}", f.display()));
        }
        sb.shutdown().await;
    }
    assert!(
        failures.is_empty(),
        "{} of {} library scenarios failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

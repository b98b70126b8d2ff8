//! Every scenario in the library and the hold-out sets (tests/scenarios*/*.yaml) loads, and a
//! sandbox serving it starts and answers `/version` with the scenario's Kubernetes version.

use super::http;
use serde_json::Value;
use std::path::PathBuf;

#[tokio::test]
async fn every_library_scenario_loads_and_serves() {
    sremesh_core::tls::ensure_crypto_provider();
    // The library and every hold-out set beside it (tests/scenarios*).
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs: Vec<PathBuf> = std::fs::read_dir(&tests)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("scenarios"))
        })
        .collect();
    assert!(dirs.len() >= 2, "{dirs:?}");
    let files = sremesh_scenario::collect(&dirs).unwrap();
    assert!(files.len() >= 72, "{} scenario files", files.len());
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

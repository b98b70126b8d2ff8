//! `sremesh eval` over the scenario library with no model configured: the quality bar (≥ 90 %),
//! the output contract (rows, last line, JSON shape), and clear errors for bad input.

use sremesh_testkit::{bin, workspace_root};
use std::process::Command;

fn sremesh(args: &[&str]) -> std::process::Output {
    Command::new(bin("sremesh"))
        .args(args)
        .current_dir(workspace_root())
        .env_remove("MODEL_ID")
        .output()
        .unwrap()
}

#[test]
fn the_library_passes_at_least_90_percent_without_a_model() {
    let out = sremesh(&["eval", "tests/scenarios", "--json", "--jobs", "2"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let (passed, total) = (
        doc["passed"].as_u64().unwrap(),
        doc["total"].as_u64().unwrap(),
    );
    assert!(total >= 22, "{doc}");
    let failures: Vec<_> = doc["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["passed"] != true)
        .collect();
    assert!(
        passed * 10 >= total * 9,
        "{passed}/{total} passed; failures: {failures:#?}"
    );
    for s in doc["scenarios"].as_array().unwrap() {
        for key in [
            "id",
            "passed",
            "expected_category",
            "got_category",
            "missing_keywords",
            "forbidden_found",
            "missing_evidence",
            "duration_ms",
        ] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
    }
}

#[test]
fn rows_end_with_the_summary_line() {
    let out = sremesh(&[
        "eval",
        "tests/scenarios/oom-recommendation-svc.yaml",
        "tests/scenarios/watchdog-false-alarm.yaml",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    assert_eq!(last, "eval: 2/2 passed", "{text}");
    assert!(
        text.contains("oom-recommendation-svc") && text.contains("pass"),
        "{text}"
    );
}

#[test]
fn bad_input_is_named() {
    let out = sremesh(&["eval", "tests/does-not-exist"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "schema: sremesh/scenario/v1\nid: Bad_Id\n").unwrap();
    let out = sremesh(&["eval", bad.to_str().unwrap(), "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["passed"], 0);
    let err = doc["scenarios"][0]["error"].as_str().unwrap();
    assert!(err.contains("bad.yaml"), "{err}");
}

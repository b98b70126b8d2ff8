//! `sremesh demo` end to end through the intake: the bundled scenario (a Slack mention in the
//! alert's thread) and a Discord scenario (a signed `/investigate`), each ending with a report
//! that names a root cause; and `sremesh dev` writes the endpoints file and stops cleanly.

use sremesh_testkit::{bin, workspace_root};
use std::process::{Command, Stdio};
use std::time::Duration;

fn demo(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("endpoints.json");
    let out = Command::new(bin("sremesh"))
        .arg("demo")
        .args(args)
        .args(["--json", "--endpoints-file", endpoints.to_str().unwrap()])
        .current_dir(workspace_root())
        .env_remove("MODEL_ID")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed: {stderr}");
    assert!(
        stderr.contains("the report reached the alert's thread"),
        "{stderr}"
    );
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&endpoints).unwrap()).unwrap();
    for key in [
        "intake",
        "agents",
        "sandbox",
        "slack_signing_secret",
        "discord_public_key",
    ] {
        assert!(doc.get(key).is_some(), "endpoints file lacks {key}: {doc}");
    }
    for agent in [
        "master",
        "eks",
        "cloudwatch_logs",
        "slack_scanner",
        "discord_scanner",
    ] {
        assert!(
            doc["agents"][agent]
                .as_str()
                .is_some_and(|u| u.starts_with("http://127.0.0.1:")),
            "{doc}"
        );
    }
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn the_bundled_demo_reports_the_bad_rollout_through_a_slack_mention() {
    let report = demo(&[]);
    let top = &report["hypotheses"][0];
    assert_eq!(top["category"], "code_defect", "{top}");
    assert!(
        top["title"].as_str().unwrap().contains("payments-api"),
        "{top}"
    );
    assert_eq!(report["complete"], true);
}

#[test]
fn a_discord_scenario_runs_through_a_signed_interaction() {
    let report = demo(&[
        "--scenario",
        "tests/scenarios/imagepull-bad-tag-search-api.yaml",
    ]);
    assert_eq!(
        report["hypotheses"][0]["category"], "configuration_error",
        "{}",
        report["hypotheses"][0]
    );
}

#[test]
#[allow(
    clippy::disallowed_methods,
    reason = "a synchronous test polling a child process"
)]
fn dev_writes_the_endpoints_file_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("endpoints.json");
    let mut child = Command::new(bin("sremesh"))
        .args(["dev", "--endpoints-file", endpoints.to_str().unwrap()])
        .current_dir(workspace_root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !endpoints.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&endpoints).unwrap()).unwrap();
    let intake = doc["intake"].as_str().unwrap().to_owned();
    let health = Command::new("python3")
        .args([
            "-c",
            &format!(
                "import urllib.request;print(urllib.request.urlopen('{intake}healthz').status)"
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&health.stdout).trim(), "200");
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let stopped = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        child.try_wait().ok().flatten().is_some()
    });
    assert!(stopped, "sremesh dev did not stop within 10 s of SIGTERM");
    // Its children are gone too: the intake no longer answers.
    let after = Command::new("python3")
        .args([
            "-c",
            &format!("import urllib.request;urllib.request.urlopen('{intake}healthz', timeout=1)"),
        ])
        .output()
        .unwrap();
    assert!(
        !after.status.success(),
        "the intake still answers after dev stopped"
    );
}

//! Every binary's arguments parse (clap checks its definitions when `--help` is asked for, so a
//! clash between flattened argument groups fails here rather than at start-up in production).

use sremesh_testkit::bin;
use std::process::Command;

#[test]
fn every_binary_answers_help() {
    let mut names: Vec<String> = sremesh_core::AGENTS
        .iter()
        .filter(|a| a.built)
        .map(|a| a.binary())
        .collect();
    names.extend(["sremesh".to_owned(), "sremesh-intake".to_owned()]);
    for name in names {
        let out = Command::new(bin(&name)).arg("--help").output().unwrap();
        assert!(
            out.status.success(),
            "{name} --help failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("--config"),
            "{name}"
        );
    }
}

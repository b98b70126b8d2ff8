//! config.yaml loading: the repo's own file is valid; each broken file names its problem.

use sremesh_core::config::{LoadError, find_config, load, load_str};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn the_repository_config_is_valid() {
    let loaded = load(&repo_root().join("config.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let c = &loaded.config;
    assert!(c.is_enabled("master"));
    assert_eq!(c.port("eks"), Some(9005));
    assert_eq!(c.port("cloudwatch_logs"), Some(9004));
    assert_eq!(c.investigation.initial_deadline.as_secs(), 60);
    assert_eq!(c.investigation.hard_cutoff.as_secs(), 300);
    assert_eq!(c.investigation.window_before.as_secs(), 30 * 60);
    assert_eq!(
        c.model_for("eks", None),
        None,
        "the default mesh is deterministic"
    );
    assert_eq!(
        c.model_for("eks", Some("openai:llama3")).as_deref(),
        Some("openai:llama3")
    );
    let eks_skills: Vec<_> = loaded
        .skills_for("eks")
        .iter()
        .map(|s| s.tool.as_str())
        .collect();
    assert_eq!(
        eks_skills,
        [
            "gather_eks_state",
            "detect_recent_changes",
            "capture_snapshot"
        ]
    );
    let cost = c
        .cost("us.anthropic.claude-sonnet-4-6", 1_000_000, 100_000)
        .unwrap();
    assert!((cost - 4.5).abs() < 1e-9);
    assert!(c.cost("unknown-model", 10, 10).is_none());
}

#[test]
fn config_is_found_by_flag_then_env_then_walking_up() {
    let root = repo_root();
    let deep = root.join("shared/core/src");
    assert_eq!(
        find_config(None, None, &deep).unwrap(),
        root.join("config.yaml")
    );
    let flag = Path::new("/x/flag.yaml");
    let env = Path::new("/x/env.yaml");
    assert_eq!(find_config(Some(flag), Some(env), &deep).unwrap(), flag);
    assert_eq!(find_config(None, Some(env), &deep).unwrap(), env);
    let empty = tempfile::tempdir().unwrap();
    let err = find_config(None, None, empty.path()).unwrap_err();
    assert!(err.to_string().contains("no config.yaml found"), "{err}");
}

const GOOD: &str = "project: p\nenvironment: e\nagents:\n  master:\n    skills: [investigate_alert]\n  eks:\n    skills: [gather_eks_state]\n";

/// Loads `text` against the repository's skills and expects an error mentioning `want`
/// (and, when given, on line `line`).
fn check(text: &str, want: &str, line: Option<u64>) {
    let root = repo_root();
    let path = Path::new("broken.yaml");
    match load_str(path, text, &root) {
        Ok(_) => panic!("expected an error mentioning {want:?} for:\n{text}"),
        Err(LoadError::Invalid(errors)) => {
            let hit = errors
                .iter()
                .find(|e| e.message.contains(want) || e.to_string().contains(want));
            let hit = hit.unwrap_or_else(|| panic!("no error mentions {want:?}: {errors:#?}"));
            if let Some(line) = line {
                assert_eq!(hit.line, Some(line), "wrong line for {want:?}: {hit}");
            }
            assert!(hit.to_string().starts_with("broken.yaml"), "{hit}");
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

#[test]
fn the_good_minimal_config_loads() {
    load_str(Path::new("good.yaml"), GOOD, &repo_root()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn broken_configs_name_their_problem() {
    let cases: &[(&str, &str, Option<u64>)] = &[
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  ekss: {}\n",
            "unknown agent 'ekss'",
            Some(5),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {enabled: false}\n",
            "master agent cannot be disabled",
            Some(4),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  eks: {}\n",
            "master agent must be listed",
            Some(3),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    port: 9000\n",
            "duplicate port 9000",
            Some(6),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    skills: [no_such_skill]\n",
            "skill 'no_such_skill'",
            Some(6),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    skills: [scan_slack_channels]\n",
            "names tool 'scan_slack_channels', which 'eks' does not register",
            Some(6),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    mcps:\n      - {name: docs, transport: carrier_pigeon, endpoint: x}\n",
            "carrier_pigeon",
            Some(7),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    mcps:\n      - {name: docs, transport: streamable_http, endpoint: 'ftp://x'}\n",
            "must be an http(s) URL",
            Some(7),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    mcps:\n      - {name: docs, transport: stdio, endpoint: npx, auth: 'token:abc'}\n",
            "auth must be 'none' or 'bearer:<ENV_VAR>'",
            Some(7),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    colour: blue\n",
            "colour",
            Some(6),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  prometheus: {}\n",
            "not built in this release",
            Some(5),
        ),
        (
            "project: p\nenvironment: e\ninvestigation:\n  initial_deadline: 90s\n  hard_cutoff: 30s\nagents:\n  master: {}\n",
            "hard_cutoff must not be shorter",
            Some(5),
        ),
        (
            "project: p\nenvironment: e\ninvestigation:\n  window_before: soon\nagents:\n  master: {}\n",
            "window_before",
            Some(4),
        ),
        (
            "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    watch_channels: [C1]\n",
            "only for the chat scanners",
            Some(6),
        ),
        (
            "project: p\nenvironment: e\ninvestigation:\n  initial_deadline: 20s\n  synthesis_timeout: 25s\nagents:\n  master: {}\n",
            "synthesis_timeout plus agent_margin",
            Some(5),
        ),
        ("project: p\nagents:\n  master: {}\n", "environment", None),
        ("project: [unclosed\n", "broken.yaml", None),
        ("", "broken.yaml", None),
    ];
    for (text, want, line) in cases {
        check(text, want, *line);
    }
}

#[test]
fn a_bad_skill_file_is_named_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let skill_dir = dir.path().join("skills/gather_eks_state");
    std::fs::create_dir_all(&skill_dir).unwrap();
    std::fs::write(
        skill_dir.join("SKILL.md"),
        "---\nname: wrong\ndescription: d\ntool: gather_eks_state\n---\n",
    )
    .unwrap();
    let text = "project: p\nenvironment: e\nagents:\n  master: {}\n  eks:\n    skills: [gather_eks_state]\n";
    let err = load_str(Path::new("c.yaml"), text, dir.path())
        .unwrap_err()
        .to_string();
    assert!(err.contains("skills/gather_eks_state/SKILL.md"), "{err}");
    assert!(err.contains("must equal its folder name"), "{err}");
}

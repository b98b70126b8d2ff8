//! Bad files: each error names the file, the key path and the problem.

use super::BASE;
use sremesh_scenario::{ScenarioError, load, load_str};

/// Loads `text` as `bad.yaml` and expects an error line `bad.yaml: <path>: …<needle>…`.
fn check(text: &str, path: &str, needle: &str) {
    let err = match load_str("bad.yaml", text) {
        Ok(_) => panic!("expected an error at {path}, loaded fine:\n{text}"),
        Err(e) => e,
    };
    let shown = err.to_string();
    let prefix = format!("bad.yaml: {path}: ");
    let hit = shown
        .lines()
        .any(|l| l.starts_with(&prefix) && l.contains(needle));
    assert!(
        hit,
        "want a line starting '{prefix}' containing '{needle}', got:\n{shown}"
    );
}

fn with_world(world: &str) -> String {
    format!("{BASE}world:\n{world}")
}

const SLACK: &str = "  slack:\n    channels:\n      - id: C0ALERTS\n        messages:\n";

#[test]
fn top_level_problems_name_their_key() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // (replace, with, path, problem)
        (
            "schema: sremesh/scenario/v1",
            "schema: sremesh/scenario/v2",
            "schema",
            "unsupported schema 'sremesh/scenario/v2'",
        ),
        (
            "schema: sremesh/scenario/v1\n",
            "",
            "schema",
            "required key is missing",
        ),
        ("id: base", "id: Bad_Id", "id", "not a valid id"),
        ("id: base", "id: \"\"", "id", "must not be empty"),
        (
            "title: base scenario\n",
            "",
            "title",
            "required key is missing",
        ),
        (
            "now: 2026-04-18T10:25:00Z",
            "now: yesterday",
            "now",
            "not an RFC 3339 instant",
        ),
        (
            "now: 2026-04-18T10:25:00Z",
            "now: -4m",
            "now",
            "not an RFC 3339 instant",
        ),
        (
            "platform: slack",
            "platform: teams",
            "alert.platform",
            "unknown platform 'teams'",
        ),
        (
            "  text: alert text\n",
            "",
            "alert.text",
            "required key is missing",
        ),
        (
            "  bot: true",
            "  bot: maybe",
            "alert.bot",
            "expected true or false",
        ),
        (
            "  user: U0ALERTMGR",
            "  user: [a]",
            "alert.user",
            "expected a string, found a list",
        ),
    ];
    for (from, to, path, problem) in cases {
        assert!(BASE.contains(from), "case {path}: BASE lacks '{from}'");
        check(&BASE.replacen(from, to, 1), path, problem);
    }
}

#[test]
fn world_problems_name_their_key_path() {
    let cases: Vec<(String, &str, &str)> = vec![
        (
            with_world(&format!(
                "{SLACK}          - {{at: -3m, user: U1, text: a}}\n          - {{at: -2m, user: U1, text: b}}\n          - {{at: -1m, user: U1, text: c}}\n          - {{at: soon, user: U1, text: d}}\n"
            )),
            "world.slack.channels[0].messages[3].at",
            "neither an RFC 3339 instant",
        ),
        (
            with_world(&format!(
                "{SLACK}          - {{at: -3m, user: U1, text: a}}\n          - {{at: -2m, user: U1, text: b, thread: -4m}}\n"
            )),
            "world.slack.channels[0].messages[1].thread",
            "no message at 2026-04-18T10:21:00Z in channel C0ALERTS",
        ),
        (
            with_world(&format!(
                "{SLACK}          - {{at: -3m, user: U1, text: a, thread: -2m}}\n          - {{at: -2m, user: U1, text: b}}\n"
            )),
            "world.slack.channels[0].messages[0].thread",
            "cannot be older",
        ),
        (
            with_world(&format!("{SLACK}          - {{at: -3m, user: U1}}\n")),
            "world.slack.channels[0].messages[0].text",
            "required key is missing",
        ),
        (
            with_world("  slack:\n    channels:\n      - {id: C1}\n      - {id: C1}\n"),
            "world.slack.channels[1].id",
            "listed twice",
        ),
        (
            with_world("  slack:\n    channels: C1\n"),
            "world.slack.channels",
            "expected a list, found a string",
        ),
        (
            with_world(
                "  kubernetes:\n    objects:\n      - {apiVersion: v1, kind: Pod, metadata: {namespace: x}}\n",
            ),
            "world.kubernetes.objects[0].metadata.name",
            "required key is missing",
        ),
        (
            with_world("  kubernetes:\n    objects:\n      - {kind: Pod, metadata: {name: p}}\n"),
            "world.kubernetes.objects[0].apiVersion",
            "required key is missing",
        ),
        (
            with_world(
                "  kubernetes:\n    objects:\n      - {apiVersion: v1, kind: Pod, metadata: {name: p}}\n      - {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
            ),
            "world.kubernetes.objects[1]",
            "listed twice",
        ),
        (
            with_world("  kubernetes:\n    version: latest\n"),
            "world.kubernetes.version",
            "not a Kubernetes version",
        ),
        (
            with_world(
                "  kubernetes:\n    objects:\n      - apiVersion: v1\n        kind: Pod\n        metadata: {name: p}\n        spec: {containers: [{name: a}, {name: b}]}\n    logs:\n      - {pod: p, lines: [x]}\n",
            ),
            "world.kubernetes.logs[0].container",
            "several containers (a, b)",
        ),
        (
            with_world("  kubernetes:\n    logs:\n      - {pod: p, container: c, lines: [[x]]}\n"),
            "world.kubernetes.logs[0].lines[0]",
            "expected a log line",
        ),
        (
            with_world(
                "  cloudwatch_logs:\n    groups:\n      - name: g\n        events:\n          - {at: -1m, message: m}\n",
            ),
            "world.cloudwatch_logs.groups[0].events[0].stream",
            "required key is missing",
        ),
        (
            with_world("  discord:\n    channels:\n      - {id: general}\n"),
            "world.discord.channels[0].id",
            "not a Discord id",
        ),
        (
            with_world(
                "  discord:\n    channels:\n      - id: \"1\"\n        messages:\n          - {at: 2014-01-01T00:00:00Z, author: a, content: c}\n",
            ),
            "world.discord.channels[0].messages[0].at",
            "after 2015-01-01",
        ),
        (
            with_world("  discord: [1]\n"),
            "world.discord",
            "expected a mapping, found a list",
        ),
        (
            format!("{BASE}expect:\n  category: oops\n"),
            "expect.category",
            "unknown category 'oops'",
        ),
        (
            format!("{BASE}expect:\n  required_keywords: [a]\n"),
            "expect.category",
            "required key is missing",
        ),
        (
            format!("{BASE}expect:\n  category: healthy\n  required_evidence: [eks, ekss]\n"),
            "expect.required_evidence[1]",
            "unknown agent id 'ekss'",
        ),
        (
            format!("{BASE}expect:\n  category: healthy\n  forbidden_categories: [unknown, 3]\n"),
            "expect.forbidden_categories[1]",
            "expected a category name",
        ),
    ];
    for (text, path, problem) in &cases {
        check(text, path, problem);
    }
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let text = BASE
        .replace("id: base", "id: BAD")
        .replace("platform: slack", "platform: irc");
    let err = load_str("bad.yaml", &text).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["id", "alert.platform"]);
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let check_syntax = |text: &str, needle: &str| match load_str("bad.yaml", text) {
        Err(e @ ScenarioError::Syntax { .. }) => {
            let s = e.to_string();
            assert!(s.starts_with("bad.yaml") && s.contains(needle), "{s}");
        }
        other => panic!("want a syntax error for {text:?}, got {other:?}"),
    };
    check_syntax("schema: x\nid: [unclosed\ntitle: t\n", "bad.yaml:");
    check_syntax("- a\n- b\n", "expected a mapping at the top, found a list");
    check_syntax("", "expected a mapping at the top");
    check_syntax("just text", "expected a mapping at the top, found a string");
}

#[test]
fn a_missing_file_names_its_path() {
    let err = load(std::path::Path::new("/nonexistent/x.yaml")).unwrap_err();
    assert!(matches!(err, ScenarioError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/x.yaml: cannot read"),
        "{err}"
    );
}

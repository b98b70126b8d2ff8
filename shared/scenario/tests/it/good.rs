//! Good files: what the loader derives (times, Slack ts, threads, snowflakes, log prefixes).

use super::{BASE, fixture_path};
use jiff::{SignedDuration, Timestamp};
use sremesh_core::{Category, Platform};
use sremesh_scenario::{Scenario, collect, load, load_str};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn fixture() -> Scenario {
    load(&fixture_path()).unwrap()
}

#[test]
fn fixture_loads_with_every_source_and_no_warnings() {
    let s = fixture();
    assert_eq!(s.id, "sandbox-fixture-checkout");
    assert_eq!(s.now, ts("2026-04-18T10:25:00Z"));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(s.source.as_deref(), Some(fixture_path().as_path()));
    let k = s.world.kubernetes.as_ref().unwrap();
    assert_eq!(
        (k.cluster.as_str(), k.version.as_str()),
        ("shop-prod-eks", "v1.30.4")
    );
    assert_eq!(k.objects.len(), 9);
    assert_eq!(k.logs.len(), 3);
    let e = s.expect.as_ref().unwrap();
    assert_eq!(e.category, Category::ConfigurationError);
    assert_eq!(
        e.forbidden_categories,
        [Category::Healthy, Category::Unknown]
    );
    assert_eq!(e.required_evidence, ["eks"]);
}

#[test]
fn alert_is_the_newest_message_of_its_slack_channel_with_ts_of_now() {
    let s = fixture();
    assert_eq!(s.alert.platform, Platform::Slack);
    assert_eq!(s.alert.ts, "1776507900.000000");
    assert_eq!(s.alert.message_id, s.alert.ts);
    let ch = &s.world.slack.as_ref().unwrap().channels[0];
    let last = ch.messages.last().unwrap();
    assert_eq!(
        (last.ts.as_str(), last.text.as_str(), last.bot),
        (s.alert.ts.as_str(), s.alert.text.as_str(), true)
    );
}

#[test]
fn slack_ts_are_unique_and_threads_point_at_their_parent() {
    let s = fixture();
    let ch = &s.world.slack.as_ref().unwrap().channels[0];
    let got: Vec<(&str, Option<&str>)> = ch
        .messages
        .iter()
        .map(|m| (m.ts.as_str(), m.thread_ts.as_deref()))
        .collect();
    let parent = "1776507300.000000"; // -10m
    assert_eq!(
        got,
        vec![
            ("1776506700.000000", None), // -20m
            (parent, Some(parent)),      // a thread parent carries its own ts, as in Slack
            ("1776507360.000000", Some(parent)),
            ("1776507420.000000", Some(parent)),
            ("1776507600.000000", None),
            ("1776507600.000001", None), // same instant: bumped by one microsecond
            ("1776507900.000000", None), // the alert, at now
        ]
    );
}

#[test]
fn discord_ids_are_snowflakes_of_their_time() {
    let s = fixture();
    let ch = &s.world.discord.as_ref().unwrap().channels[0];
    assert_eq!(ch.messages[0].id, "1495005470392320000");
    for m in &ch.messages {
        let id: u64 = m.id.parse().unwrap();
        assert_eq!(sremesh_scenario::ids::snowflake_time(id), Some(m.at));
    }
    assert!(ch.messages.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn log_lines_lose_their_rfc3339_prefix_into_at() {
    let s = fixture();
    let k = s.world.kubernetes.as_ref().unwrap();
    let envoy = k.logs.iter().find(|l| l.container == "envoy").unwrap();
    assert_eq!(envoy.lines[0].at, Some(ts("2026-04-18T10:02:05Z")));
    assert_eq!(envoy.lines[0].text, "envoy started");
    assert_eq!(envoy.lines[1].at, None);
    assert!(envoy.lines[1].text.starts_with("upstream connect error"));
    let prev = k.logs.iter().find(|l| l.previous).unwrap();
    assert_eq!(prev.lines.len(), 7);
}

/// `at` expressions: RFC 3339 instants and offsets from `now`.
#[test]
fn at_expressions_resolve_against_now() {
    let now = ts("2026-04-18T10:25:00Z");
    let check = |expr: &str, want: &str| {
        let text = format!(
            "{BASE}world:\n  cloudwatch_logs:\n    groups:\n      - name: g\n        events:\n          - {{at: \"{expr}\", stream: s, message: m}}\n"
        );
        let s = load_str("t.yaml", &text).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let at = s.world.cloudwatch_logs.unwrap().groups[0].events[0].at;
        assert_eq!(at, ts(want), "{expr}");
        let _ = now;
    };
    for (expr, want) in [
        ("-90s", "2026-04-18T10:23:30Z"),
        ("-4m", "2026-04-18T10:21:00Z"),
        ("-2h", "2026-04-18T08:25:00Z"),
        ("+30s", "2026-04-18T10:25:30Z"),
        ("-1h30m", "2026-04-18T08:55:00Z"),
        ("4m ago", "2026-04-18T10:21:00Z"),
        ("-1d", "2026-04-17T10:25:00Z"),
        ("-3d", "2026-04-15T10:25:00Z"),
        ("-1d2h", "2026-04-17T08:25:00Z"),
        ("-1w", "2026-04-11T10:25:00Z"),
        ("now", "2026-04-18T10:25:00Z"),
        ("2026-04-18T10:22:13Z", "2026-04-18T10:22:13Z"),
        ("2026-04-18T12:22:13+02:00", "2026-04-18T10:22:13Z"),
        ("2026-04-18T10:22:13.250Z", "2026-04-18T10:22:13.25Z"),
    ] {
        check(expr, want);
    }
}

#[test]
fn unknown_keys_are_warnings_naming_their_path() {
    let text = format!(
        "{BASE}tags: [x]\nworld:\n  slack:\n    channels:\n      - id: C1\n        topic: t\n        messages:\n          - {{at: -1m, user: U1, text: hi, emoji: x}}\n"
    );
    let s = load_str("t.yaml", &text).unwrap();
    let w = s.warnings.join("\n");
    assert!(w.contains("tags: unknown key"), "{w}");
    assert!(
        w.contains("world.slack.channels[0].topic: unknown key"),
        "{w}"
    );
    assert!(
        w.contains("world.slack.channels[0].messages[0].emoji: unknown key"),
        "{w}"
    );
}

#[test]
fn missing_sources_are_absent_and_the_alert_channel_is_created() {
    let s = load_str("t.yaml", BASE).unwrap();
    assert!(s.world.kubernetes.is_none() && s.world.cloudwatch_logs.is_none());
    assert!(s.world.discord.is_none() && s.expect.is_none());
    let slack = s.world.slack.unwrap();
    assert_eq!(slack.channels.len(), 1);
    assert_eq!(slack.channels[0].id, "C0ALERTS");
    assert_eq!(slack.channels[0].messages.len(), 1);

    let discord = BASE
        .replace("platform: slack", "platform: discord")
        .replace("channel: C0ALERTS", "channel: \"1234567890123456789\"");
    let s = load_str("t.yaml", &discord).unwrap();
    let d = s.world.discord.unwrap();
    assert_eq!(d.guild, sremesh_scenario::DEFAULT_GUILD);
    assert_eq!(d.channels[0].id, "1234567890123456789");
    assert_eq!(d.channels[0].messages[0].id, s.alert.message_id);
    assert_eq!(s.alert.ts, "1776507900.000000");
    assert!(s.world.slack.is_none());
}

#[test]
fn a_kubectl_list_is_flattened_and_a_lone_container_is_inferred_for_logs() {
    let text = format!(
        "{BASE}world:\n  kubernetes:\n    objects:\n      - apiVersion: v1\n        kind: List\n        items:\n          - {{apiVersion: v1, kind: Pod, metadata: {{name: a, namespace: n}}, spec: {{containers: [{{name: app}}]}}}}\n          - {{apiVersion: v1, kind: Pod, metadata: {{name: b}}}}\n    logs:\n      - {{namespace: n, pod: a, lines: [x, 1]}}\n"
    );
    let s = load_str("t.yaml", &text).unwrap();
    let k = s.world.kubernetes.unwrap();
    assert_eq!(k.objects.len(), 2);
    assert_eq!(k.version, sremesh_scenario::DEFAULT_K8S_VERSION);
    assert_eq!(k.logs[0].container, "app");
    assert_eq!(k.logs[0].lines[1].text, "1");
}

#[test]
fn collect_expands_folders_to_sorted_yaml_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.yaml", "a.yml", "c.txt", "0.yaml"] {
        std::fs::write(dir.path().join(name), BASE).unwrap();
    }
    let single = dir.path().join("c.txt");
    let got = collect(&[dir.path().to_path_buf(), single.clone()]).unwrap();
    let names: Vec<String> = got
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["0.yaml", "a.yml", "b.yaml", "c.txt"]);

    let empty = tempfile::tempdir().unwrap();
    let err = collect(&[empty.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no scenario files"), "{err}");
    let err = collect(&[dir.path().join("missing")])
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing: cannot read"), "{err}");
}

#[test]
fn shift_by_zero_is_identity() {
    let s = fixture();
    assert_eq!(s.shifted(SignedDuration::ZERO), s);
}

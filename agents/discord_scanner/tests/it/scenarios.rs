//! Every scenario with Discord data, replayed: the decisive chat context is found (deploys with
//! version and minutes before the alert, CI failures, related alerts on the cluster), red
//! herrings are not reported as related, and no chat finding ever carries a category. Scenarios
//! not in the table (written later) are run too, against the invariants.

use super::*;
use sremesh_core::{AgentStatus, Finding};

/// What one scenario must (and must not) yield.
struct Want {
    id: &'static str,
    /// A finding of `kind` whose text holds every keyword.
    has: &'static [(&'static str, &'static [&'static str])],
    /// `(kind, attribute, JSON value)` on some finding of that kind.
    attrs: &'static [(&'static str, &'static str, &'static str)],
    /// Text no finding may hold (red herrings).
    never: &'static [&'static str],
}

const TABLE: &[Want] = &[
    Want {
        id: "imagepull-bad-tag-search-api",
        has: &[
            (
                "deploy_announced",
                &[
                    "search-api v2.3.1",
                    "16 min before the alert",
                    "new ranking for search",
                ],
            ),
            ("related_alert", &["build #812 failed", "Degraded"]),
        ],
        attrs: &[
            ("deploy_announced", "version", "\"v2.3.1\""),
            ("deploy_announced", "minutes_before_alert", "16"),
            ("related_alert", "count", "2"),
        ],
        never: &["ImageGCFailed", "CPUThrottlingHigh", "game day"],
    },
    Want {
        id: "node-notready-shipping-rabbitmq",
        has: &[(
            "related_alert",
            &["same cluster logistics-prod-euc1", "TargetDown"],
        )],
        attrs: &[("related_alert", "match", "\"cluster\"")],
        never: &["FreeDiskSpaceFailed", "consolidation"],
    },
    Want {
        id: "disk-pressure-eviction-geo-api",
        has: &[
            ("related_alert", &["Pod evictions in routing namespace"]),
            ("human_report", &["geo lookups a bit slow"]),
        ],
        attrs: &[],
        never: &["route-optimizer"],
    },
    Want {
        id: "dynamodb-throttling-cart-api",
        has: &[("change_announced", &["campaign", "cart"])],
        attrs: &[
            ("change_announced", "change", "\"traffic\""),
            ("change_announced", "completed", "false"),
        ],
        never: &["otel", "OBS-530"],
    },
    Want {
        id: "data-quality-order-events-consumer",
        has: &[],
        attrs: &[],
        never: &["v2.8.1", "break the parser"],
    },
    Want {
        id: "cpu-false-alarm-search-indexer",
        has: &[],
        attrs: &[],
        never: &["SRCH-210"],
    },
    Want {
        id: "pending-insufficient-cpu-video-transcoder",
        has: &[],
        attrs: &[],
        never: &["InvalidDiskCapacity"],
    },
    Want {
        id: "tls-expired-carrier-sync",
        has: &[],
        attrs: &[],
        never: &["cert-manager"],
    },
];

fn check(want: Option<&Want>, alert_line: &str, r: &AgentResult) {
    let id = want.map_or("(unknown)", |w| w.id);
    assert_eq!(r.status, AgentStatus::Ok, "{id}: {r:#?}");
    assert!(!r.partial, "{id}: {r:#?}");
    assert!(!r.scanned.is_empty(), "{id}: nothing scanned");
    for f in &r.findings {
        assert!(
            f.category.is_none(),
            "{id}: chat findings never point to a cause: {f:#?}"
        );
        assert!(
            f.evidence.len() <= 8 && f.evidence.iter().all(|l| l.chars().count() <= 300),
            "{id}: {f:#?}"
        );
        assert!(
            !f.evidence.iter().any(|l| l.contains(alert_line)),
            "{id}: the alert itself was reported: {f:#?}"
        );
        // The statsd-style noise a person calls old is only ever an info report.
        if f.attributes.get("noise").is_some_and(|n| n == true) && f.kind == "human_report" {
            assert_eq!(f.severity, sremesh_core::Severity::Info, "{id}: {f:#?}");
        }
    }
    let Some(want) = want else { return };
    let text = |f: &Finding| f.text().to_lowercase();
    for (kind, words) in want.has {
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == *kind
                    && words.iter().all(|w| text(f).contains(&w.to_lowercase()))),
            "{id}: no {kind} with {words:?}: {:#?}",
            r.findings
        );
    }
    for (kind, key, value) in want.attrs {
        let value: serde_json::Value =
            serde_json::from_str(value).expect("the table's values are JSON");
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == *kind && f.attributes.get(*key) == Some(&value)),
            "{id}: no {kind} with {key} = {value}: {:#?}",
            r.findings
        );
    }
    for w in want.never {
        for f in &r.findings {
            assert!(
                !text(f).contains(&w.to_lowercase()),
                "{id}: red herring {w:?} reported: {f:#?}"
            );
        }
    }
}

#[tokio::test]
async fn every_scenario_with_discord_data() {
    let mut ran = 0;
    for path in scenario_files() {
        let s = sremesh_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        if s.world.discord.is_none() {
            continue;
        }
        let want = TABLE.iter().find(|w| w.id == s.id);
        let alert_line =
            sremesh_chatscan::evidence::one_line(s.alert.text.lines().next().unwrap_or(""));
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(&s);
        let sb = sandbox(s, &dir).await;
        let (r, took) = investigate(&agent_for(&sb), ctx, Duration::from_secs(20)).await;
        assert!(took < Duration::from_secs(5), "{took:?}");
        check(want, &alert_line, &r);
        ran += 1;
    }
    assert!(
        ran >= TABLE.len(),
        "only {ran} scenarios with Discord data ran"
    );
}

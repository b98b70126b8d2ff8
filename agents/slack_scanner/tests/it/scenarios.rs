//! Every scenario with Slack data, replayed: the decisive chat context is found (deploys with
//! version and minutes before the alert, migrations, config changes, related alerts), red
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
        id: "bad-rollout-payments-api",
        has: &[
            (
                "deploy_announced",
                &["payments-api v1.8.0", "4 min before the alert"],
            ),
            ("human_report", &["restarts on payments-api"]),
        ],
        attrs: &[
            ("deploy_announced", "version", "\"v1.8.0\""),
            ("deploy_announced", "minutes_before_alert", "4"),
        ],
        never: &["stripe", "search-indexer"],
    },
    Want {
        id: "db-connections-orders-api",
        has: &[
            ("change_announced", &["Migration", "orders db", "backfill"]),
            ("related_alert", &["orders-db-connections-high"]),
        ],
        attrs: &[
            ("change_announced", "change", "\"migration\""),
            ("change_announced", "minutes_before_alert", "23"),
        ],
        never: &[],
    },
    Want {
        id: "code-defect-npe-checkout-api",
        has: &[(
            "deploy_announced",
            &["checkout-api v3.12.0", "15 min before the alert"],
        )],
        attrs: &[("deploy_announced", "minutes_before_alert", "15")],
        never: &["search-api", "checkout is throwing 502s"],
    },
    Want {
        id: "quota-exceeded-checkout-worker",
        has: &[],
        attrs: &[],
        never: &["cart-api", "flash sale"],
    },
    Want {
        id: "readiness-redis-inventory-api",
        has: &[],
        attrs: &[],
        never: &["database", "orders-db", "maintenance"],
    },
    Want {
        id: "dns-resolution-fraud-scorer",
        has: &[],
        attrs: &[],
        never: &["legacy-reports"],
    },
    Want {
        id: "lambda-timeout-payments-webhook",
        has: &[],
        attrs: &[],
        never: &["invoice-pdf-renderer"],
    },
    Want {
        id: "bad-config-database-url-billing-api",
        has: &[
            (
                "change_announced",
                &["billing-api-config", "22 min before the alert"],
            ),
            ("related_alert", &["KubeDeploymentRolloutStuck"]),
        ],
        attrs: &[("change_announced", "change", "\"config\"")],
        never: &["was there a deploy"],
    },
    Want {
        id: "missing-configmap-notification-svc",
        has: &[(
            "deploy_announced",
            &["notification-svc 5.2.0", "19 min before the alert"],
        )],
        attrs: &[("deploy_announced", "count", "2")],
        never: &["ledger-export"],
    },
    Want {
        id: "recovered-orders-worker",
        has: &[
            (
                "change_announced",
                &[
                    "Restart",
                    "orders-rabbitmq",
                    "reported done 17 min before the alert",
                ],
            ),
            ("related_alert", &["OrdersWorkerRestarting"]),
        ],
        attrs: &[("change_announced", "completed", "true")],
        never: &[],
    },
    Want {
        id: "oom-recommendation-svc",
        has: &[
            ("related_alert", &["recommendation-svc p95 latency"]),
            ("human_report", &["recs p95 is spiky"]),
        ],
        attrs: &[("human_report", "noise", "true")],
        never: &["similar-items-v5"],
    },
    Want {
        id: "pvc-unbound-events-clickhouse",
        has: &[("change_announced", &["Scaling", "events-clickhouse"])],
        attrs: &[],
        never: &["gp3-encrypted"],
    },
    Want {
        id: "liveness-wrong-port-ledger-api",
        has: &[(
            "related_alert",
            &["[RESOLVED] KubeDeploymentReplicasMismatch", "resolved"],
        )],
        attrs: &[("related_alert", "resolved", "1")],
        never: &["OOMKilled"],
    },
    Want {
        id: "watchdog-false-alarm",
        has: &[],
        attrs: &[],
        never: &["PLAT-771"],
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
async fn every_scenario_with_slack_data() {
    let mut ran = 0;
    for path in scenario_files() {
        let s = sremesh_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        if s.world.slack.is_none() {
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
        "only {ran} scenarios with Slack data ran"
    );
}

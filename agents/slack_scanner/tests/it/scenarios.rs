//! Every scenario with Slack data, replayed: the decisive chat context is found (deploys with
//! version and minutes before the alert, migrations, config changes, related alerts), red
//! herrings are not reported as related, and no chat finding ever carries a category. Scenarios
//! not in the table (written later) are run too, against the invariants.

use super::*;
use suite::Want;

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

#[tokio::test]
async fn every_scenario_with_slack_data() {
    suite::every_scenario::<P>(TABLE).await;
}

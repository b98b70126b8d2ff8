//! Every scenario with Discord data, replayed: the decisive chat context is found (deploys with
//! version and minutes before the alert, CI failures, related alerts on the cluster), red
//! herrings are not reported as related, and no chat finding ever carries a category. Scenarios
//! not in the table (written later) are run too, against the invariants.

use super::*;
use suite::Want;

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

#[tokio::test]
async fn every_scenario_with_discord_data() {
    suite::every_scenario::<P>(TABLE).await;
}

//! The analyzers over synthetic channels: what is reported (deploys with versions and minutes,
//! changes with their completion, folded related alerts, reports, handling) and what never is
//! (another service's deploy, a human's guess, a cause).

use super::{msg, now};
use jiff::SignedDuration;
use proptest::prelude::*;
use sremesh_chatscan::analyzers::{Input, run};
use sremesh_chatscan::{Channel, ChatMessage, Targets};
use sremesh_core::{AlertContext, Finding, TimeWindow};

const ALERT: &str = "[FIRING:1] KubePodCrashLooping (shop-prod-use1 orders orders-api)\n*Description:* Pod orders/orders-api-5c9f8d7b6-x2k4q is crash-looping on cluster shop-prod-use1.";

fn analyze(alert: &str, messages: &[ChatMessage]) -> Vec<Finding> {
    analyze_with_history(alert, &[], messages)
}

/// [`analyze`], with the alert channel's earlier messages (`alert_history`).
fn analyze_with_history(
    alert: &str,
    history: &[ChatMessage],
    messages: &[ChatMessage],
) -> Vec<Finding> {
    let ctx = AlertContext::from_text(
        alert,
        now(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    let channels = [
        Channel {
            id: "C1".into(),
            name: Some("deploys".into()),
        },
        Channel {
            id: "C2".into(),
            name: Some("orders-eng".into()),
        },
    ];
    let window = TimeWindow::around(
        now(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    run(&Input::new(
        now(),
        window,
        Targets::from_alert(&ctx),
        &channels,
        messages,
    )
    .with_alert(alert, history))
}

/// Findings of `kind` must exist with every keyword in their text; no finding anywhere may
/// contain a `never` word; no finding has a category; evidence stays within the limits.
fn check(
    alert: &str,
    messages: &[ChatMessage],
    want: &[(&str, &[&str])],
    never: &[&str],
) -> Vec<Finding> {
    let found = analyze(alert, messages);
    for (kind, words) in want {
        assert!(
            found.iter().any(|f| f.kind == *kind
                && words
                    .iter()
                    .all(|w| f.text().to_lowercase().contains(&w.to_lowercase()))),
            "no {kind} with {words:?} in {:#?}",
            found
        );
    }
    for f in &found {
        for w in never {
            assert!(
                !f.text().to_lowercase().contains(&w.to_lowercase()),
                "{w:?} reported in {f:#?}"
            );
        }
        assert!(
            f.category.is_none(),
            "chat findings never carry a category: {f:#?}"
        );
        assert!(
            f.evidence.len() <= 8 && f.evidence.iter().all(|l| l.chars().count() <= 300),
            "{f:#?}"
        );
    }
    found
}

#[test]
fn a_deploy_of_the_service_is_found_with_version_and_minutes() {
    let found = check(
        ALERT,
        &[msg(
            "C1",
            4,
            "U0DANA",
            false,
            "deploying orders-api v1.8.0 (refactor) to prod",
        )],
        &[(
            "deploy_announced",
            &["orders-api v1.8.0", "4 min before the alert"],
        )],
        &[],
    );
    let d = &found[0];
    assert_eq!(d.attributes["version"], "v1.8.0");
    assert_eq!(d.attributes["minutes_before_alert"], 4);
    assert_eq!(d.service.as_deref(), Some("orders-api"));
    assert_eq!(d.at, Some(now() - SignedDuration::from_mins(4)));
}

#[test]
fn red_herrings_are_not_reported() {
    check(
        ALERT,
        &[
            msg(
                "C1",
                12,
                "U0KEVIN",
                false,
                "deploying cart-api v4.3.0 to prod (canary first)",
            ),
            msg(
                "C1",
                10,
                "U0LEE",
                false,
                "deploying orders-api-v2 preview 0.1.0",
            ),
            msg(
                "C2",
                6,
                "U0RAJ",
                false,
                "stock lookups failing, is it the database? orders-db had maintenance last night",
            ),
            msg(
                "C2",
                5,
                "U0ELLEN",
                false,
                "was there a deploy of orders-api today?",
            ),
            msg(
                "C2",
                3,
                "U0NINA",
                false,
                "legacy-reports is still crashlooping, alert silenced",
            ),
        ],
        &[],
        &[
            "cart-api",
            "orders-api-v2",
            "was there a deploy",
            "legacy-reports",
        ],
    );
}

#[test]
fn a_guess_at_a_cause_is_at_most_a_report() {
    let found = check(
        ALERT,
        &[msg(
            "C2",
            6,
            "U0RAJ",
            false,
            "orders failing, is it the database? orders-db had maintenance last night",
        )],
        &[("human_report", &["is it the database?"])],
        &[],
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].service.is_none(),
        "a guess never joins a service: {:?}",
        found[0].service
    );
}

#[test]
fn changes_join_their_thread_and_say_when_they_finished() {
    let mut reply = msg(
        "C2",
        17,
        "U0KATJA",
        false,
        "orders-rabbitmq restart done, all 3 nodes back",
    );
    let root = msg(
        "C2",
        25,
        "U0KATJA",
        false,
        "starting the rolling restart of orders-rabbitmq (CHG-3112)",
    );
    reply.thread = Some(root.id.clone());
    let found = check(
        ALERT,
        &[
            root,
            reply,
            msg(
                "C2",
                23,
                "U0FELIX",
                false,
                "running a migration on orders db now (DATA-1290 + backfill job)",
            ),
        ],
        &[
            (
                "change_announced",
                &[
                    "restart",
                    "orders-rabbitmq",
                    "reported done 17 min before the alert",
                ],
            ),
            ("change_announced", &["migration", "orders db"]),
        ],
        &[],
    );
    let restart = found.iter().find(|f| f.id.contains("restart")).unwrap();
    assert_eq!(restart.attributes["completed"], true);
    assert!(restart.attributes.contains_key("completed_at"));
    // Announced by a person, not a managed service's notification.
    assert_eq!(restart.attributes["notification"], false);
    assert_eq!(restart.evidence.len(), 2);
    assert_eq!(restart.service.as_deref(), Some("orders-rabbitmq"));
}

#[test]
fn related_alerts_fold_with_counts_and_states() {
    let found = check(
        ALERT,
        &[
            msg(
                "C2",
                20,
                "U0ALERTMGR",
                true,
                "[FIRING:1] KubeDeploymentReplicasMismatch (shop-prod-use1 orders orders-api)",
            ),
            msg(
                "C2",
                15,
                "U0ALERTMGR",
                true,
                "[FIRING:1] KubeDeploymentReplicasMismatch (shop-prod-use1 orders orders-api)",
            ),
            msg(
                "C2",
                10,
                "U0ALERTMGR",
                true,
                "[RESOLVED] KubeDeploymentReplicasMismatch (shop-prod-use1 orders orders-api)",
            ),
            msg(
                "C2",
                8,
                "U0ALERTMGR",
                true,
                "[FIRING:1] TargetDown (shop-prod-use1 kube-system node-exporter)",
            ),
        ],
        &[
            (
                "related_alert",
                &["orders-api", "KubeDeploymentReplicasMismatch"],
            ),
            ("related_alert", &["same cluster", "TargetDown"]),
        ],
        &[],
    );
    let same = found
        .iter()
        .find(|f| f.id == "related_alert:same:orders-api")
        .unwrap();
    assert_eq!(
        (
            same.attributes["count"].as_u64(),
            same.attributes["firing"].as_u64()
        ),
        (Some(3), Some(2))
    );
    // Its latest notification closed it.
    assert_eq!(same.attributes["recovered"], true);
    assert!(
        same.title.contains("fired, then resolved"),
        "{}",
        same.title
    );
    assert!(
        same.evidence[0].starts_with("×2 #orders-eng · 10:05 · U0ALERTMGR: [FIRING:1]"),
        "{:?}",
        same.evidence
    );
}

#[test]
fn people_reporting_impact_and_handling_it() {
    check(
        ALERT,
        &[
            msg(
                "C2",
                3,
                "U0LUIS",
                false,
                "seeing 502s on orders-api, @dana is that your deploy?",
            ),
            msg("C2", 2, "U0DANA", false, "rolled back orders-api to v1.7.4"),
            msg(
                "C2",
                1,
                "U0MARCO",
                false,
                "orders errors again? those are old, known issue OBS-1",
            ),
        ],
        &[
            ("human_report", &["502s on orders-api"]),
            ("already_handled", &["Rolled back", "orders-api to v1.7.4"]),
            ("human_report", &["said to be old or known"]),
        ],
        &[],
    );
}

#[test]
fn evidence_stays_within_limits_on_a_busy_channel() {
    let long = "x".repeat(1000);
    let messages: Vec<ChatMessage> = (0..20)
        .map(|i| {
            msg(
                "C2",
                25 - i,
                &format!("U{i}"),
                true,
                &format!("[FIRING:1] OrdersLatency orders-api {i} {long}"),
            )
        })
        .collect();
    let found = check(ALERT, &messages, &[("related_alert", &["orders-api"])], &[]);
    assert_eq!(found[0].evidence.len(), 8);
    assert!(
        found[0].evidence[7].contains("13 more"),
        "{:?}",
        found[0].evidence[7]
    );
}

proptest! {
    #[test]
    fn arbitrary_messages_never_panic_and_keep_the_rules(
        texts in proptest::collection::vec(("\\PC{0,160}", any::<bool>(), 0i64..40), 0..12),
    ) {
        let messages: Vec<ChatMessage> = texts
            .iter()
            .map(|(t, bot, mins)| msg("C2", *mins, "U0X", *bot, &format!("orders-api {t}")))
            .collect();
        for f in analyze(ALERT, &messages) {
            prop_assert!(f.category.is_none());
            prop_assert!(f.evidence.len() <= 8);
            prop_assert!(f.evidence.iter().all(|l| l.chars().count() <= 300));
        }
    }
}

mod history;
mod planned;
mod provider;
mod said;

/// A flag switched in any channel is about the alert when the alert's own words (its code
/// path, its function) name the flag's key; a flag whose key the alert does not name is not.
#[test]
fn a_flag_the_alert_names_is_a_change_of_it() {
    let alert = "🔴 **New issue in pricing-engine** (production)\n**runtime error: nil pointer dereference**\n`internal/discount/bundle.go` in `(*Engine).applyBundle`";
    let toggle = |key: &str| {
        msg(
            "C1",
            9,
            "LaunchDarkly",
            true,
            &format!(
                "Ana turned on targeting for **{key}** in **Production** (rule: 100% of `tenant` in segment `eu-launch`)"
            ),
        )
    };
    let cases: [(&str, Option<&str>); 3] = [
        ("bundle_discounts_v2", Some("bundle_discounts_v2")),
        ("discount-rounding", None),
        ("new_search_ranking", None),
    ];
    for (key, want) in cases {
        let found = analyze(alert, &[toggle(key)]);
        let change = found.iter().find(|f| f.kind == "change_announced");
        assert_eq!(
            change.and_then(|f| f.attributes["subject"].as_str()),
            want,
            "{key}: {found:#?}"
        );
        if let Some(f) = change {
            assert_eq!(f.attributes["change"], "flag");
            assert_eq!(f.severity, sremesh_core::Severity::Medium);
        }
    }
}

/// An alert whose latest notification closes it has recovered; one that fired again after
/// its recovery, or never recovered, has not.
#[test]
fn a_related_alert_recovers_only_when_its_latest_notification_closes_it() {
    let fire = "[FIRING:1] KubeDeploymentReplicasMismatch (shop-prod-use1 orders orders-api)";
    let clear = "[RESOLVED] KubeDeploymentReplicasMismatch (shop-prod-use1 orders orders-api)";
    let cases: [(&[(i64, &str)], bool); 3] = [
        (&[(20, fire), (10, clear)], true),
        (&[(20, fire), (10, clear), (6, fire)], false),
        (&[(20, fire)], false),
    ];
    for (posts, want) in cases {
        let messages: Vec<ChatMessage> = posts
            .iter()
            .map(|(m, t)| msg("C2", *m, "U0ALERTMGR", true, t))
            .collect();
        let found = analyze(ALERT, &messages);
        let same = found
            .iter()
            .find(|f| f.id == "related_alert:same:orders-api")
            .unwrap_or_else(|| panic!("{found:#?}"));
        assert_eq!(same.attributes["recovered"], want, "{posts:?}");
        assert_eq!(
            same.attributes.contains_key("recovered_at"),
            want,
            "{posts:?}"
        );
    }
}

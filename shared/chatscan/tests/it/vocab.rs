//! The vocabulary: deploys, changes, questions, versions, alerts, impact — table-driven.

use proptest::prelude::*;
use sremesh_chatscan::vocab::{self, ChangeKind};

#[test]
fn deploys_need_deploy_words_or_a_version_beside_weak_ones() {
    let cases = [
        ("deploying payments-api v1.8.0 to prod", true),
        (
            "Pipeline *checkout-api / deploy-prod* #9183 succeeded",
            true,
        ),
        ("new ranking for search is going out, v2.3.1", true),
        ("spring push campaign is out to 2.1M devices", false),
        ("shipping labels are slow", false),
        ("redeploying", false),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::is_deploy(text), want, "{text}");
    }
}

#[test]
fn the_first_change_word_names_the_change() {
    let cases = [
        (
            "running a migration on orders db now (+ backfill job)",
            Some(ChangeKind::Migration),
        ),
        (
            "scaling events-clickhouse to 3 replicas ahead of the Q2 backfill",
            Some(ChangeKind::Scaling),
        ),
        (
            "starting the rolling restart of orders-rabbitmq for the config change",
            Some(ChangeKind::Restart),
        ),
        (
            "switched billing-api-config to the new RDS proxy endpoint",
            Some(ChangeKind::Config),
        ),
        (
            "failover of the primary at 10:02",
            Some(ChangeKind::Failover),
        ),
        ("maintenance window tonight", Some(ChangeKind::Maintenance)),
        (
            "turned off the new-checkout feature flag",
            Some(ChangeKind::FeatureFlag),
        ),
        ("flash sale goes live at 17:25", Some(ChangeKind::Traffic)),
        (
            "Planned load test against product-api, 3x peak — expect HPA scale-out",
            Some(ChangeKind::LoadTest),
        ),
        (
            "deploying the k6 runner, stress test on cart-api starts 14:00",
            Some(ChangeKind::LoadTest),
        ),
        (
            "game day: killing one AZ for orders at 15:00",
            Some(ChangeKind::Chaos),
        ),
        (
            "running the pgbench benchmark on orders-db replica",
            Some(ChangeKind::Benchmark),
        ),
        (
            "node rotation on shop-prod tonight (new AMI)",
            Some(ChangeKind::Maintenance),
        ),
        (
            "scheduled reboot of the kafka brokers 02:00–03:00 UTC",
            Some(ChangeKind::Maintenance),
        ),
        (
            "OS patching window for the data nodes starts 22:00",
            Some(ChangeKind::Maintenance),
        ),
        ("lunch?", None),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::change_kind(text), want, "{text}");
    }
}

#[test]
fn questions_and_guesses_are_not_announcements() {
    let cases = [
        (
            "was there a deploy of billing-api today? image is still v3.4.1",
            "deploy",
            true,
        ),
        (
            "seeing restarts on payments-api, @dana is that your deploy?",
            "deploy",
            true,
        ),
        (
            "no new orders since 11:00, did v2.8.1 break the parser?",
            "break",
            true,
        ),
        (
            "is it the database? orders-db had maintenance last night",
            "maintenance",
            false,
        ),
        (
            "is it the database? orders-db had maintenance last night",
            "database",
            true,
        ),
        (
            "deploying payments-api v1.8.0 now, any objections?",
            "deploying",
            false,
        ),
        ("deploying payments-api v1.8.0", "deploying", false),
        (
            "storefront is crawling, lunch peak — why hasn't it scaled out? still 4 pods",
            "scaled",
            true,
        ),
        (
            "new photos have no thumbnails. anything deployed on image-resizer? I don't see one",
            "deployed",
            true,
        ),
    ];
    for (text, word, want) in cases {
        let at = text.find(word).unwrap();
        assert_eq!(vocab::is_question_about(text, at), want, "{word} in {text}");
    }
}

/// A deploy or change is announced only where it is told, not asked about or denied.
#[test]
fn negated_and_questioned_words_announce_nothing() {
    // (text, the word that announces, if any)
    let cases = [
        ("deploying image-resizer v23 now", Some("deploying")),
        (
            "anything deployed on image-resizer? I don't see a deploy",
            None,
        ),
        ("no deploy today, release freeze", None),
        ("we did not restart orders-api", None),
        (
            "is it a deploy? no. but we did restart orders-api",
            Some("restart"),
        ),
    ];
    for (text, want) in cases {
        let got = vocab::deploy_announced_at(text).or(vocab::change_announced_at(text));
        assert_eq!(got, want.and_then(|w| text.find(w)), "{text}");
    }
}

/// Planned activities (tests, experiments, maintenance, campaigns) and changes said to be
/// planned are what the scan reads further back for.
#[test]
fn planned_announcements_are_recognised() {
    let cases = [
        (
            ":loudspeaker: Planned load test — target product-api, 14:00–15:00 UTC",
            true,
        ),
        ("chaos experiment on checkout in 10 min", true),
        (
            "maintenance window for orders-db tonight 01:00-02:00 UTC",
            true,
        ),
        ("scheduled config change for billing-api at 09:00", true),
        ("restarted orders-api", false),
        ("orders-api is slow", false),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::is_planned(text), want, "{text}");
    }
}

#[test]
fn versions_prefer_the_new_one() {
    let cases = [
        (
            "deploying payments-api v1.8.0 (refactor) to prod, pipeline #5521",
            Some("v1.8.0"),
        ),
        (
            "Pipeline succeeded — checkout-api:v3.12.0 (\"tax\")",
            Some("v3.12.0"),
        ),
        ("image notification-svc:5.2.0", Some("5.2.0")),
        (
            "chart ledger-api 1.7.3 → 2.0.0 (values unchanged)",
            Some("2.0.0"),
        ),
        ("bump search-api to v2.3.1", Some("v2.3.1")),
        ("lambda alias live → v12", Some("v12")),
        ("campaign out to 2.1M devices at 11:00", None),
        ("pipeline #5521", None),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::version(text).as_deref(), want, "{text}");
    }
}

#[test]
fn alerts_impact_handling_and_noise() {
    assert!(vocab::is_alert_like(
        "[FIRING:1] KubeDeploymentRolloutStuck"
    ));
    assert!(vocab::is_alert_like("❌ **search-api** build #812 failed"));
    assert!(!vocab::is_alert_like(
        "Pipeline *checkout-api / deploy-prod* #9183 succeeded"
    ));
    assert!(vocab::is_resolved(
        "[RESOLVED] KubeDeploymentReplicasMismatch"
    ));
    assert!(vocab::is_resolved(
        "OK: \"payments-reconciler-duration\" in US East"
    ));
    assert!(!vocab::is_resolved("[FIRING:1] Watchdog"));
    assert!(vocab::is_impact("checkout is throwing 502s"));
    assert!(!vocab::is_impact("an errorless run"));
    assert!(vocab::is_handled("looking"));
    assert!(vocab::is_handled("rolled back payments-api to v1.7.4"));
    assert!(!vocab::is_handled(
        "recs p95 is spiky again, looking after lunch"
    ));
    assert!(vocab::is_noise("yeah those are old, ticket OBS-412"));
    assert!(!vocab::is_noise("seeing restarts on payments-api"));
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}", at in 0usize..200) {
        let _ = vocab::is_question_about(&text, at);
        let _ = vocab::is_old_news(&text, at);
        let _ = (vocab::version(&text), vocab::change_kind(&text), vocab::is_deploy(&text));
        let _ = (vocab::is_alert_like(&text), vocab::is_resolved(&text), vocab::is_handled(&text));
    }
}

/// A reply says the change is over (`restart done`, `campaign is out`), not that something
/// ran short (`DB is out of connections`).
#[test]
fn done_is_told_and_running_out_is_not() {
    let cases = [
        ("restart done, all pods back", true),
        ("the new build is out", true),
        ("migration completed in 4 min", true),
        (
            "DB is out of connections again (remaining connection slots are reserved)",
            false,
        ),
        ("we are out of disk on the writer", false),
        ("still running, 40% through", false),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::is_done(text), want, "{text}");
    }
}

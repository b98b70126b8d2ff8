//! The new recognisers, table-driven: guesses, flag toggles and names, fix versions, recovery,
//! regions however spelled, the same alert again, provider status posts — and arbitrary text
//! never panics any of them.

use proptest::prelude::*;
use sremesh_chatscan::vocab::{self, ChangeKind, flags};
use sremesh_chatscan::{places, provider, recurrence};

#[test]
fn guesses_are_told_apart_from_statements() {
    // (text, the word, guessed at)
    let cases = [
        ("maybe the cache config got switched", "switched", true),
        ("could be the failover from this morning", "failover", true),
        ("I don't think it's the release", "release", true),
        (
            "failing over orders-db now, this might cause errors",
            "failing over",
            false,
        ),
        (
            "restarted the consumers, probably fine now",
            "restarted",
            false,
        ),
    ];
    for (text, word, want) in cases {
        let at = text.find(word).expect("word in text");
        assert_eq!(vocab::is_speculation(text, at), want, "{word} in {text}");
    }
    // A message guessing at a change anywhere is diagnosing.
    let messages = [
        (
            "api can't reach the db. did the primary just fail over?",
            true,
        ),
        ("maybe someone flipped the flag", true),
        ("failing over orders-db now", false),
        ("orders-api throwing 500s", false),
    ];
    for (text, want) in messages {
        assert_eq!(vocab::speculates_about_change(text), want, "{text}");
    }
}

#[test]
fn the_change_told_decides_the_kind() {
    let cases = [
        (
            "did redis fail over? no. but we restarted the consumers",
            Some(ChangeKind::Restart),
        ),
        (
            "turning on new-pricing for 100% in LaunchDarkly now, campaign at 16:00",
            Some(ChangeKind::FeatureFlag),
        ),
        (
            "rolling out the default-deny NetworkPolicy to payments",
            Some(ChangeKind::Config),
        ),
        ("is it the maintenance?", None),
    ];
    for (text, want) in cases {
        assert_eq!(
            vocab::announced_change(text).map(|(_, k)| k),
            want,
            "{text}"
        );
    }
}

#[test]
fn flag_toggles_and_their_names() {
    // (text, a toggle, the flag's name)
    let cases = [
        (
            "flipped `checkout.new-tax` on for 25% of tenants",
            true,
            Some("checkout.new-tax"),
        ),
        (
            "enabled new_search_ranking for all users",
            true,
            Some("new_search_ranking"),
        ),
        (
            "rolled out flag fast-refunds to 50%",
            true,
            Some("fast-refunds"),
        ),
        (
            "disabled the kill switch for bulk-exports",
            true,
            Some("bulk-exports"),
        ),
        (
            "the reorder-v2 flag is off again, turned off in Flagsmith",
            true,
            Some("reorder-v2"),
        ),
        ("rolling out v2.3.0 to 50% of pods", false, None),
        (
            "billing 2.1.0 deployed (behind flag `ledger-v3`, default off)",
            false,
            Some("ledger-v3"),
        ),
        // The flag after the verb, not the audience's segment quoted after it.
        (
            "Ana turned on targeting for **bundle_discounts_v2** in **Production** (rule: 100% of `tenant` in segment `eu-launch`)",
            true,
            Some("bundle_discounts_v2"),
        ),
        ("lunch?", false, None),
    ];
    for (text, toggle, name) in cases {
        assert_eq!(flags::is_flag_toggle(text), toggle, "{text}");
        assert_eq!(flags::flag_name(text).as_deref(), name, "{text}");
    }
}

#[test]
fn fixes_name_their_version_and_recovery_is_told() {
    let cases = [
        ("fixed in 2.0.7, deploying now", Some("2.0.7")),
        ("hotfix v3.1.2 is out", Some("v3.1.2")),
        ("3.4.1 has the fix", Some("3.4.1")),
        ("broken since 1.9.0, fix is trivial", None),
        ("is it fixed in 2.0.7?", None),
        ("deploying 5.0.1 with the fix for the parser", None),
    ];
    for (text, want) in cases {
        assert_eq!(vocab::fix_version(text).as_deref(), want, "{text}");
    }
    let recovery = [
        ("error rate back to normal since 10:20", true),
        ("errors at zero on the dashboard", true),
        ("is it back to normal?", false),
        ("not back to normal yet", false),
    ];
    for (text, want) in recovery {
        assert_eq!(vocab::is_recovery(text), want, "{text}");
    }
}

#[test]
fn regions_are_the_same_however_spelled() {
    let cases: [(&str, &[&str]); 4] = [
        ("tests from the Sydney location fail", &["ap-southeast-2"]),
        ("cluster shop-prod-euw1 in EU (Ireland)", &["eu-west-1"]),
        ("us-east-1 and Frankfurt", &["us-east-1", "eu-central-1"]),
        ("no place here, just usage and euphoria", &[]),
    ];
    for (text, want) in cases {
        let got: Vec<&str> = places::places(text).iter().map(|p| p.region).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn the_same_alert_is_recognised_through_its_states() {
    let me = recurrence::identity(
        "Triggered: [Probe] Search health (https://search.acme.test/)\ndetails…",
    )
    .expect("a title with words");
    let cases = [
        (
            "Recovered: [Probe] Search health (https://search.acme.test/) — all locations OK",
            true,
        ),
        (
            "Re-Triggered: [Probe] Search health (https://search.acme.test/)",
            true,
        ),
        (
            "**Triggered: [Probe] Search health (https://search.acme.test/)**",
            true,
        ),
        (
            "Triggered: [Probe] Checkout health (https://checkout.acme.test/)",
            false,
        ),
        ("[FIRING:1] SearchLatencyHigh (prod search)", false),
    ];
    for (text, want) in cases {
        let same = recurrence::identity(text).is_some_and(|i| me.same_as(&i));
        assert_eq!(same, want, "{text}");
    }
}

#[test]
fn provider_status_posts_are_recognised() {
    // (text, bot, provider, status)
    let cases = [
        (
            "Acme Status — *Investigating*: API errors in EU https://status.acme.io/incidents/1",
            true,
            Some(("Acme", "investigating")),
        ),
        (
            ":warning: AWS Health Event | RDS | us-east-1 | Operational issue\nIncreased connectivity errors",
            true,
            Some(("AWS", "operational issue")),
        ),
        (
            "see https://examplecloud.statuspage.io/incidents/x — Monitoring: fix deployed",
            false,
            Some(("examplecloud", "monitoring")),
        ),
        ("Pipeline *deploy-prod* #81 succeeded", true, None),
        ("AWS Health says operational issue?", false, None),
    ];
    for (text, bot, want) in cases {
        let got = provider::status_post(text, bot);
        assert_eq!(
            got.as_ref()
                .map(|p| (p.provider.as_str(), p.status.as_str())),
            want,
            "{text}"
        );
    }
}

/// An alert comes from a provider's own product when any of its links, labelled (Slack's
/// `<url|label>`) or bare, is on the provider's host.
#[test]
fn an_alert_from_the_providers_own_product_is_same_vendor() {
    let post =
        "Degraded performance: timeouts for Synthetic tests running from the Sydney location";
    for (alert, want) in [
        (
            "[Synthetics] booking-api slow from Sydney <https://app.datadoghq.com/synthetics/details/x|booking-api availability>",
            true,
        ),
        (
            "[Synthetics] booking-api slow from Sydney https://app.datadoghq.com/monitors/1",
            true,
        ),
        (
            "[Alerting] booking-api slow from Sydney <https://grafana.example.com/d/x|dashboard>",
            false,
        ),
    ] {
        assert_eq!(
            provider::overlap(alert, post, "datadoghq").same_vendor,
            want,
            "{alert}"
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics_the_recognisers(text in "\\PC{0,200}", at in 0usize..240, bot in any::<bool>()) {
        let _ = (vocab::is_speculation(&text, at), vocab::speculates_about_change(&text));
        let _ = (vocab::announced_change(&text), vocab::fix_version(&text), vocab::is_recovery(&text));
        let _ = (flags::is_flag_toggle(&text), flags::flag_name(&text));
        let _ = (places::places(&text), provider::status_post(&text, bot), provider::affected_resources(&text));
        if let Some(i) = recurrence::identity(&text) {
            prop_assert!(i.same_as(&i));
            let _ = recurrence::shared_details(&text, &i, &[text.as_str()]);
        }
        let _ = provider::overlap(&text, &text, "x").matches();
    }
}

/// The resources a provider's notice names as affected: ids, not words.
#[test]
fn affected_resources_are_read_from_notices() {
    let cases: &[(&str, &[&str])] = &[
        (
            "Writers fine. Affected resources: accounts-db-reader-2",
            &["accounts-db-reader-2"],
        ),
        (
            "Affected resources: i-0abc123, vol-0d2e7a91 .",
            &["i-0abc123", "vol-0d2e7a91"],
        ),
        ("affected instances = cache-node-0003", &["cache-node-0003"]),
        ("Affected resources: none", &[]),
        ("Increased replication lag for some readers", &[]),
    ];
    for (text, want) in cases {
        assert_eq!(provider::affected_resources(text), *want, "{text}");
    }
}

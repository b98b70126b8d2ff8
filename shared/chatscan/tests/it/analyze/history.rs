//! `alert_history`: earlier firings of the same alert in its channel — counted, each said to
//! have ended on its own or not, the details they share, `flapping` — and what is not the same
//! alert (another alert name, a person's message, this alert's own echo).

use super::*;
use sremesh_core::Severity;

/// A synthetic check flapping from one location.
const UPTIME: &str = "Re-Triggered: [Uptime] Checkout API health (https://api.acme.test/health)\nCheck failed from 1 of 4 regions: *Frankfurt* — `HTTP 504 after 10s`\nOK from: Oregon, Tokyo, São Paulo";

fn fired(hours: i64, text: &str) -> ChatMessage {
    msg("C7", hours * 60, "uptime-bot", true, text)
}

fn firing(hours: i64, region: &str) -> ChatMessage {
    fired(
        hours,
        &format!(
            "Triggered: [Uptime] Checkout API health (https://api.acme.test/health)\nCheck failed from 1 of 4 regions: *{region}* — `HTTP 504 after 10s`"
        ),
    )
}

fn recovered(hours: i64) -> ChatMessage {
    fired(
        hours,
        "Recovered: [Uptime] Checkout API health (https://api.acme.test/health) — all regions OK",
    )
}

/// What the finding must say, if any: (count, flapping, resolved on own, title words).
type Want = Option<(u64, bool, u64, &'static [&'static str])>;

fn check(what: &str, alert: &str, history: Vec<ChatMessage>, window: Vec<ChatMessage>, want: Want) {
    let found = analyze_with_history(alert, &history, &window);
    let got = found.iter().find(|f| f.kind == "alert_history");
    match (got, want) {
        (None, None) => {}
        (Some(f), Some((count, flapping, own, words))) => {
            assert_eq!(
                f.attributes["count"].as_u64(),
                Some(count),
                "{what}: {f:#?}"
            );
            assert_eq!(f.attributes["flapping"], flapping, "{what}: {f:#?}");
            assert_eq!(
                f.attributes["resolved_on_own"].as_u64(),
                Some(own),
                "{what}: {f:#?}"
            );
            for w in words {
                assert!(f.title.contains(w), "{what}: {w:?} not in {:?}", f.title);
            }
            assert!(
                f.category.is_none() && f.evidence.len() <= 8,
                "{what}: {f:#?}"
            );
            let expected = if flapping {
                Severity::Low
            } else {
                Severity::Info
            };
            assert_eq!(f.severity, expected, "{what}");
        }
        (got, want) => panic!("{what}: wanted {want:?}, got {got:#?}"),
    }
}

#[test]
fn earlier_firings_of_the_same_alert_are_counted() {
    check(
        "three firings from one region over five days, each recovering by itself",
        UPTIME,
        vec![
            firing(110, "Frankfurt"),
            recovered(109),
            firing(50, "Frankfurt"),
            recovered(49),
            firing(6, "Frankfurt"),
            fired(
                6,
                "Re-Triggered: [Uptime] Checkout API health (https://api.acme.test/health)",
            ),
            recovered(5),
        ],
        vec![],
        Some((
            3,
            true,
            3,
            &[
                "fired 3 times in the last 5 days",
                "each time from Frankfurt",
                "each resolving on its own within 1 h",
                "flapping",
            ],
        )),
    );
    check(
        "someone rolled back while it fired: not on its own",
        UPTIME,
        vec![
            firing(30, "Frankfurt"),
            msg(
                "C7",
                30 * 60 - 10,
                "U0OPS",
                false,
                "rolled back checkout-api, watching",
            ),
            recovered(29),
            firing(8, "Frankfurt"),
            recovered(7),
        ],
        vec![],
        Some((
            2,
            false,
            1,
            &["fired 2 times", "1 of 2 resolving on their own"],
        )),
    );
    check(
        "another region each time: nothing shared to name",
        UPTIME,
        vec![
            firing(20, "Oregon"),
            recovered(19),
            firing(9, "Tokyo"),
            recovered(8),
        ],
        vec![],
        Some((2, true, 2, &["fired 2 times in the last 20 hours"])),
    );
    check(
        "an Alertmanager alert that fired in the window and is still open",
        "[FIRING:1] KafkaConsumerLag (events-prod orders orders-consumer)",
        vec![],
        vec![msg(
            "C2",
            20,
            "U0ALERTMGR",
            true,
            "[FIRING:1] KafkaConsumerLag (events-prod orders orders-consumer)",
        )],
        Some((1, false, 0, &["fired 1 time", "no recovery posted"])),
    );
    check(
        "a closing notice that quotes the firing's reference",
        ":red_circle: *[Opsgenie] New alert* #45120: [FIRING:1] LedgerSyncStalled (fin-prod ledger)",
        vec![
            msg(
                "C7",
                600,
                "opsgenie",
                true,
                ":red_circle: *[Opsgenie] New alert* #44871: [FIRING:1] LedgerSyncStalled (fin-prod ledger)",
            ),
            msg(
                "C7",
                560,
                "opsgenie",
                true,
                ":white_check_mark: *[Opsgenie] Alert closed* #44871 (auto-closed)",
            ),
        ],
        vec![],
        Some((1, false, 1, &["resolving on its own after 40 min"])),
    );
}

#[test]
fn other_alerts_people_and_echoes_are_not_history() {
    check(
        "another alert in the same channel",
        UPTIME,
        vec![
            fired(
                10,
                "Triggered: [Uptime] Payments API health (https://pay.acme.test/health)",
            ),
            recovered(200),
        ],
        vec![],
        None,
    );
    check(
        "a person pasting the title is no firing",
        UPTIME,
        vec![msg(
            "C7",
            300,
            "U0OPS",
            false,
            "Triggered: [Uptime] Checkout API health (https://api.acme.test/health) again?",
        )],
        vec![],
        None,
    );
    check(
        "the alert's own echo at the alert time",
        "[FIRING:1] KafkaConsumerLag (events-prod orders orders-consumer)",
        vec![],
        vec![msg(
            "C2",
            0,
            "U0ALERTMGR",
            true,
            "[FIRING:1] KafkaConsumerLag (events-prod orders orders-consumer)",
        )],
        None,
    );
    check(
        "an alert title too thin to recognise",
        "🔥 down",
        vec![fired(5, "🔥 down"), fired(4, "recovered")],
        vec![],
        None,
    );
}

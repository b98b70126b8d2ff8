//! Planned activities over synthetic channels: announced tests, experiments and maintenance
//! explain the alert while they run; `already_handled` still reads beside them.

use super::*;

/// The activity a finding must name, and words its text must hold.
type Activity = (&'static str, &'static [&'static str]);

/// Planned activities — load tests, chaos experiments, benchmarks, maintenance, scheduled
/// reboots and node rotations, campaigns — explain an alert while they run: each is a
/// `change_announced` naming the activity, also when announced well before the window;
/// announcements of activities over (or not yet started) at the alert are not.
#[test]
fn planned_activities_explain_the_alert_while_they_run() {
    let cases: Vec<(&str, ChatMessage, Option<Activity>)> = vec![
        (
            "a bot's load-test announcement 45 min before, its span covering the alert",
            msg(
                "C1",
                45,
                "perf-bot",
                true,
                ":loudspeaker: **Planned load test** — target orders-api (prod), 3x peak, 10:00–11:00 UTC, k6. Expect higher latency.",
            ),
            Some((
                "load_test",
                &["Load test", "orders-api", "in progress at the alert"],
            )),
        ),
        (
            "a chaos experiment on the service, in the window",
            msg(
                "C2",
                12,
                "U0ANA",
                false,
                "starting the chaos experiment on orders-api now (pod kill, 30 min)",
            ),
            Some(("chaos_experiment", &["Chaos experiment", "orders-api"])),
        ),
        (
            "a benchmark against the namespace's database",
            msg(
                "C2",
                8,
                "U0ANA",
                false,
                "running a benchmark against orders db replica for the next 20 min",
            ),
            Some(("benchmark", &["Benchmark", "orders db"])),
        ),
        (
            "a node rotation of the cluster announced three hours before, covering the alert",
            msg(
                "C1",
                180,
                "U0OPS",
                false,
                "node rotation on shop-prod-use1 today 09:30–11:30 UTC (new AMI), expect pod restarts",
            ),
            Some(("maintenance", &["Maintenance", "shop-prod-use1"])),
        ),
        (
            "a maintenance window that ended hours before the alert",
            msg(
                "C1",
                300,
                "U0OPS",
                false,
                "scheduled maintenance for orders-api 04:00–05:00 UTC",
            ),
            None,
        ),
        (
            "a load test announced for the evening",
            msg(
                "C1",
                120,
                "perf-bot",
                true,
                "Planned load test on orders-api 18:00–19:00 UTC",
            ),
            None,
        ),
        (
            "an old announcement that states no span",
            msg(
                "C1",
                600,
                "perf-bot",
                true,
                "Planned load test on orders-api",
            ),
            None,
        ),
    ];
    for (what, m, want) in cases {
        let found = analyze(ALERT, std::slice::from_ref(&m));
        let change = found.iter().find(|f| f.kind == "change_announced");
        match (want, change) {
            (None, None) => {}
            (Some((activity, words)), Some(f)) => {
                assert_eq!(f.attributes["change"], activity, "{what}: {f:#?}");
                assert_eq!(f.attributes["planned"], true, "{what}");
                let text = f.text();
                for w in words {
                    assert!(text.contains(w), "{what}: {w:?} not in {text}");
                }
                assert!(f.category.is_none(), "{what}");
            }
            (want, got) => panic!("{what}: wanted {want:?}, got {got:#?} of {found:#?}"),
        }
        assert!(
            found.iter().all(|f| f.kind != "related_alert"),
            "{what}: an announcement is not an alert: {found:#?}"
        );
    }
}

/// Someone saying they are on it (or rolled back) is still `already_handled`, next to an
/// announced activity.
#[test]
fn already_handled_still_reads_next_to_planned_activities() {
    check(
        ALERT,
        &[
            msg(
                "C1",
                20,
                "perf-bot",
                true,
                "Planned load test on orders-api 10:00–11:00 UTC",
            ),
            msg(
                "C2",
                5,
                "U0DANA",
                false,
                "looking into orders-api, probably the load test",
            ),
            msg("C2", 2, "U0DANA", false, "rolled back orders-api to v1.7.4"),
        ],
        &[
            ("change_announced", &["Load test", "orders-api"]),
            ("already_handled", &["Rolled back", "orders-api to v1.7.4"]),
        ],
        &[],
    );
}

/// A retirement announced with its alerts declared expected reads as a planned decommission
/// that expects the alert; one that says nothing about alerts does not expect it.
#[test]
fn a_decommission_that_declares_its_alerts_expected() {
    let cases = [
        (
            "heads-up: retiring orders-api v1 now (CHG-2291), scaling it to 0. If the probe for it fires it's expected, silence it, don't page.",
            true,
        ),
        (
            "decommissioning the old orders-api v1 endpoint today, traffic is all on v2",
            false,
        ),
    ];
    for (text, expects) in cases {
        let found = analyze(ALERT, &[msg("C1", 20, "U0ANA", false, text)]);
        let f = found
            .iter()
            .find(|f| f.kind == "change_announced")
            .unwrap_or_else(|| panic!("no announcement in {found:#?}"));
        assert_eq!(f.attributes["change"], "decommission", "{text}");
        assert_eq!(f.attributes["planned"], true, "{text}");
        assert_eq!(f.attributes["expects_alert"], expects, "{text}");
    }
}

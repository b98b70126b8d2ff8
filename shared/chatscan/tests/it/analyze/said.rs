//! What people say versus what they ask: a question or a guess about a change beside impact is
//! a report, never an announcement; notifications and declaratives announce (with the
//! notification's own words in the title); a flag switched is a `flag` change named after the
//! flag; a configuration object rolled out is a config change, not a deploy; a fix with its
//! version is `already_handled`.

use super::*;

/// A finding wanted: its kind, words in its text, attributes it carries.
type Want = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// One case: what was posted, the findings wanted (kind, words in the text, attributes) and
/// words no finding of `never_kind` may hold.
struct Case {
    what: &'static str,
    alert: &'static str,
    messages: Vec<ChatMessage>,
    want: Vec<Want>,
    never_kind: &'static [&'static str],
}

fn check_case(c: &Case) {
    let found = analyze(c.alert, &c.messages);
    for (kind, words, attrs) in &c.want {
        let hit = found.iter().find(|f| {
            f.kind == *kind
                && words
                    .iter()
                    .all(|w| f.text().to_lowercase().contains(&w.to_lowercase()))
                && attrs.iter().all(|(k, v)| {
                    f.attributes
                        .get(*k)
                        .is_some_and(|a| a.as_str().map_or(a.to_string(), str::to_owned) == *v)
                })
        });
        assert!(
            hit.is_some(),
            "{}: no {kind} with {words:?} {attrs:?} in {found:#?}",
            c.what
        );
    }
    for f in &found {
        assert!(
            !c.never_kind.contains(&f.kind.as_str()),
            "{}: {} reported: {f:#?}",
            c.what,
            f.kind
        );
        assert!(f.category.is_none(), "{}: {f:#?}", c.what);
    }
}

const RELEASED: &str = "**Issue alert: orders-api new errors (production)**\n**KeyError: 'sku'** in `cart/totals.py`\nrelease: `orders-api@3.2.0` · environment: `production`";

#[test]
fn questions_and_guesses_beside_impact_are_reports_not_announcements() {
    let cases = vec![
        Case {
            what: "a person asking whether the database failed over, citing a notice",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                3,
                "U0ROSA",
                false,
                "orders-api can't reach orders-db, queries time out. did the primary just fail over? there was a patching notice this morning",
            )],
            want: vec![("human_report", &["orders-api", "fail over?"], &[])],
            never_kind: &["change_announced", "deploy_announced"],
        },
        Case {
            what: "a guess without a question mark",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                4,
                "U0ROSA",
                false,
                "orders-api throwing 500s, maybe someone switched the orders-db config",
            )],
            want: vec![("human_report", &["500s"], &[])],
            never_kind: &["change_announced"],
        },
        Case {
            what: "doubting a release is no deploy",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                3,
                "U0ROSA",
                false,
                "the old orders-api pods look fine, I don't think it's the release",
            )],
            want: vec![],
            never_kind: &["deploy_announced", "change_announced"],
        },
        Case {
            what: "a declarative failover stays an announcement, its warning after it no guess",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                9,
                "U0DBA",
                false,
                "failing over orders-db to the standby now, this might cause a few errors",
            )],
            want: vec![(
                "change_announced",
                &["Failover", "orders-db"],
                &[("change", "failover")],
            )],
            never_kind: &[],
        },
        Case {
            what: "a provider notification names the failover in its own words",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                12,
                "rds-events",
                true,
                "**RDS-EVENT-0049** · orders-db (eu-west-1)\nMulti-AZ instance failover completed",
            )],
            want: vec![(
                "change_announced",
                &["RDS-EVENT-0049 · orders-db (eu-west-1) — Multi-AZ instance failover completed"],
                &[("change", "failover")],
            )],
            never_kind: &["related_alert"],
        },
    ];
    for c in &cases {
        check_case(c);
    }
}

#[test]
fn flags_switched_are_flag_changes_named_after_the_flag() {
    let cases = vec![
        Case {
            what: "a flag switched in the product's channel, naming only the flag",
            alert: ALERT,
            messages: vec![msg(
                "C2",
                7,
                "U0PM",
                false,
                "flipped `split-shipments` on for 100% of tenants in Unleash 🎉",
            )],
            want: vec![(
                "change_announced",
                &["split-shipments", "Feature flag change"],
                &[("change", "flag"), ("subject", "split-shipments")],
            )],
            never_kind: &["deploy_announced"],
        },
        Case {
            what: "a flag of the service rolled out, naming it",
            alert: ALERT,
            messages: vec![msg(
                "C1",
                6,
                "U0PM",
                false,
                "rolled out flag orders-api.bulk_pricing to 50%",
            )],
            want: vec![(
                "change_announced",
                &["orders-api.bulk_pricing"],
                &[("change", "flag")],
            )],
            never_kind: &["deploy_announced"],
        },
        Case {
            what: "a deploy whose flag is off stays a deploy",
            alert: ALERT,
            messages: vec![msg(
                "C1",
                5,
                "ci-bot",
                true,
                "orders-api 3.3.0 deployed to prod (new totals behind flag `totals-v2`, default off)",
            )],
            want: vec![("deploy_announced", &["orders-api 3.3.0"], &[])],
            never_kind: &["change_announced"],
        },
        Case {
            what: "a flag switched in an unrelated channel, naming nothing of the alert",
            alert: ALERT,
            messages: vec![msg(
                "C1",
                7,
                "U0PM",
                false,
                "turned on dark-mode for 100% in LaunchDarkly",
            )],
            want: vec![],
            never_kind: &["change_announced"],
        },
    ];
    for c in &cases {
        check_case(c);
    }
}

#[test]
fn config_objects_rolled_out_are_config_changes() {
    check_case(&Case {
        what: "a NetworkPolicy rolled out to the namespace",
        alert: ALERT,
        messages: vec![msg(
            "C1",
            15,
            "U0SEC",
            false,
            "rolling out the default-deny NetworkPolicy to orders and billing now (SEC-88)",
        )],
        want: vec![(
            "change_announced",
            &["Config change", "NetworkPolicy"],
            &[("change", "config")],
        )],
        never_kind: &["deploy_announced"],
    });
}

#[test]
fn a_fix_with_its_version_is_already_handled() {
    let cases = vec![
        Case {
            what: "fixed in the version the channel saw announced, then errors at zero",
            alert: RELEASED,
            messages: vec![
                msg("C1", 12, "U0LIN", false, "fixed in 3.2.1, rolling out now"),
                msg(
                    "C1",
                    10,
                    "ci-bot",
                    true,
                    "🚀 orders-api 3.2.1 deploying to prod",
                ),
                msg(
                    "C1",
                    3,
                    "U0LIN",
                    false,
                    "3.2.1 is on every pod, KeyError count at zero. back to normal",
                ),
            ],
            want: vec![
                (
                    "already_handled",
                    &[
                        "Fixed and reported resolved",
                        "fixed in 3.2.1",
                        "back to normal",
                    ],
                    &[("version", "3.2.1"), ("action", "resolved")],
                ),
                ("deploy_announced", &["orders-api 3.2.1"], &[]),
            ],
            never_kind: &[],
        },
        Case {
            what: "a report naming the alert's release joins the service",
            alert: RELEASED,
            messages: vec![msg(
                "C2",
                8,
                "U0LIN",
                false,
                "KeyError since 3.2.0 for carts without a sku, checkout failing. fix is a one-liner",
            )],
            want: vec![("human_report", &["orders-api", "since 3.2.0"], &[])],
            never_kind: &["already_handled"],
        },
    ];
    for c in &cases {
        check_case(c);
    }
}

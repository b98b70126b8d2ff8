//! `provider_incident`: a provider's status post about what the alert is about (same region,
//! product family, distinctive words), quoted; unrelated or long-resolved posts are not.

use super::*;
use sremesh_core::Severity;

const ELB_ALARM: &str = ":rotating_light: CloudWatch Alarm | checkout-p99-latency | eu-west-1\nALARM: \"checkout-p99-latency\" in EU (Ireland)\nNamespace: AWS/ApplicationELB · Metric: TargetResponseTime · LoadBalancer = app/checkout-alb/51f2";

/// (what, alert, post minutes before the alert, bot, text, the words a match must list)
type Case = (
    &'static str,
    &'static str,
    i64,
    bool,
    &'static str,
    Option<&'static [&'static str]>,
);

fn check(cases: &[Case]) {
    for (what, alert, mins, bot, text, want) in cases {
        let found = analyze(alert, &[msg("C9", *mins, "status-feed", *bot, text)]);
        let got = found.iter().find(|f| about_the_alert(f));
        match (got, want) {
            (None, None) => {}
            (Some(f), Some(words)) => {
                let shared: Vec<String> = f.attributes["shared"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_lowercase))
                    .collect();
                for w in *words {
                    assert!(
                        shared.contains(&w.to_lowercase()),
                        "{what}: {w} not in {shared:?}"
                    );
                }
                assert!(
                    f.title.contains('“'),
                    "{what}: the title quotes the post: {}",
                    f.title
                );
                assert!(
                    f.category.is_none() && f.severity <= Severity::Low,
                    "{what}: {f:#?}"
                );
            }
            (got, want) => panic!("{what}: wanted {want:?}, got {got:#?}"),
        }
    }
}

/// A `provider_incident` tied to the alert (not one reported only for the master to match
/// against our failures).
fn about_the_alert(f: &sremesh_core::Finding) -> bool {
    f.kind == "provider_incident"
        && f.attributes.get("matches_alert").and_then(|v| v.as_bool()) != Some(false)
}

/// An open incident in the window that shares nothing with the alert is still reported, at
/// info severity and `matches_alert: false`; one resolved, or begun before the window, is not.
#[test]
fn an_open_incident_unrelated_to_the_alerts_words_is_reported_unmatched() {
    let alert = "[FIRING:1] CheckoutHighErrorRate (checkout-service)";
    let open = "**Payvault Status** — **Investigating**: Elevated error rates on Payments API (EU)";
    let done = "**Payvault Status** — **Resolved**: Elevated error rates on Payments API (EU)";
    let found = analyze(alert, &[msg("C9", 9, "Statuspage", true, open)]);
    let f = found
        .iter()
        .find(|f| f.kind == "provider_incident")
        .unwrap_or_else(|| panic!("the open incident is reported: {found:#?}"));
    assert_eq!(f.attributes["matches_alert"], false);
    assert_eq!(f.attributes["provider"], "Payvault");
    assert_eq!(f.severity, Severity::Info);
    for (what, msgs) in [
        (
            "resolved",
            vec![
                msg("C9", 9, "Statuspage", true, open),
                msg("C9", 2, "Statuspage", true, done),
            ],
        ),
        (
            "begun before the window",
            vec![msg("C9", 600, "Statuspage", true, open)],
        ),
    ] {
        let found = analyze(alert, &msgs);
        assert!(
            found.iter().all(|f| f.kind != "provider_incident"),
            "{what}: {found:#?}"
        );
    }
}

#[test]
fn status_posts_about_the_alerts_place_or_product_are_reported() {
    check(&[
        (
            "an AWS Health event for the load balancers of the alarm's region",
            ELB_ALARM,
            10,
            true,
            "AWS Health Event | ELB | eu-west-1 | Operational issue\nIncreased latencies for Application Load Balancers in the EU-WEST-1 Region.",
            Some(&["eu-west-1", "load balancing"]),
        ),
        (
            "a status page feed naming the check's location and product",
            "Triggered: [Uptime] Checkout API health\nCheck failed from 1 of 4 regions: *Frankfurt* — `HTTP 504`\nsource: uptimely.io",
            20,
            true,
            "Uptimely Status — *Identified*: probes from our Frankfurt location report false 504s for uptime checks. https://status.uptimely.io/incidents/9k",
            Some(&["Frankfurt", "uptime"]),
        ),
        (
            "a person quoting a status page link",
            "CDN 5xx ratio high for assets.acme.test (edge: Tokyo)",
            5,
            false,
            "fyi https://status.fastcdn.example/incidents/77 says *Monitoring*: elevated 5xx from the Tokyo CDN PoP",
            Some(&["Tokyo", "cdn"]),
        ),
    ]);
}

#[test]
fn unrelated_or_long_resolved_status_posts_are_not() {
    check(&[
        (
            "another product in another region",
            ELB_ALARM,
            10,
            true,
            "AWS Health Event | SES | us-west-2 | Operational issue\nDelayed email sending.",
            None,
        ),
        (
            "a status post resolved before the window",
            ELB_ALARM,
            300,
            true,
            "AWS Health Event | ELB | eu-west-1 | Resolved\nLatencies for Application Load Balancers have recovered.",
            None,
        ),
        (
            "a CI bot's status line is no provider post about the alarm",
            ELB_ALARM,
            5,
            true,
            "Deployment Status: resolved merge conflicts in infra-live (PR #81)",
            None,
        ),
        (
            "a person mentioning a status without a status page link",
            ELB_ALARM,
            5,
            false,
            "AWS Health says operational issue for ELB in eu-west-1?",
            None,
        ),
    ]);
}

/// A person's vague report: it shares nothing with a status post by its words alone.
const VAGUE: &str = "support has 23 tickets: customers save their settings, get \"saved\", and on reload the old value is back";
const HEALTH: &str = "AWS Health event: [RDS] Operational issue — us-east-1. Increased replication lag for some reader instances in one zone. Affected resources: billing-db-reader-3";

/// (what, the status post's minutes before the alert, the alarm's text and minutes, whether
/// the post is reported — then naming the resource and quoting the alarm)
type Corroboration = (&'static str, i64, &'static str, i64, bool);

fn check_corroborated(cases: &[Corroboration]) {
    for (what, post_mins, alarm, alarm_mins, want) in cases {
        let found = analyze(
            VAGUE,
            &[
                msg("C9", *post_mins, "aws-health", true, HEALTH),
                msg("C8", *alarm_mins, "cloudwatch", true, alarm),
            ],
        );
        let got = found.iter().find(|f| about_the_alert(f));
        match (got, want) {
            (None, false) => {}
            (Some(f), true) => {
                assert!(
                    f.title.contains("billing-db-reader-3") && f.title.contains("ReplicaLag"),
                    "{what}: the title names the resource and quotes the alarm: {}",
                    f.title
                );
                assert_eq!(
                    f.attributes["corroborated_by"], "billing-db-reader-3",
                    "{what}"
                );
                assert!(
                    f.evidence.iter().any(|l| l.contains("ReplicaLag")),
                    "{what}: {:?}",
                    f.evidence
                );
                assert!(f.category.is_none(), "{what}: {f:#?}");
            }
            (got, want) => panic!("{what}: wanted {want}, got {got:#?}"),
        }
    }
}

#[test]
fn a_notice_whose_affected_resource_our_alarm_fires_on_is_reported_whatever_the_alert_says() {
    check_corroborated(&[
        (
            "our alarm on the affected resource, after the notice",
            25,
            "CloudWatch Alarm | billing-db-reader-3-lag | us-east-1 | ALARM — AuroraReplicaLag Maximum 41230 ms > 1000 ms (DBInstanceIdentifier: billing-db-reader-3)",
            20,
            true,
        ),
        (
            "an alarm on another resource",
            25,
            "CloudWatch Alarm | billing-db-reader-1-lag | us-east-1 | ALARM — AuroraReplicaLag Maximum 41230 ms > 1000 ms (DBInstanceIdentifier: billing-db-reader-1)",
            20,
            false,
        ),
        (
            "the alarm on the resource already resolved",
            25,
            "OK: billing-db-reader-3-lag resolved — AuroraReplicaLag back under 1000 ms (billing-db-reader-3)",
            20,
            false,
        ),
        (
            "the alarm long before the notice",
            25,
            "CloudWatch Alarm | billing-db-reader-3-lag | us-east-1 | ALARM — AuroraReplicaLag Maximum 41230 ms > 1000 ms (DBInstanceIdentifier: billing-db-reader-3)",
            120,
            false,
        ),
    ]);
}

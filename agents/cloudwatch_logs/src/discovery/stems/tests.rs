//! Matching by name stems: alarm and queue names stripped of what they measure find the
//! group of the service that does the work, and nothing when only generic words are shared.

use super::*;
use crate::discovery::GroupInfo;

const LISTED: &[&str] = &[
    "/aws/lambda/invoice-renderer",
    "/aws/lambda/invoices-dispatcher",
    "/aws/lambda/shipping-label-printer",
    "/aws/lambda/audit-log-shipper",
    "/aws/ecs/payments-gateway",
    "/aws/containerinsights/invoice-prod/application",
    "/aws/containerinsights/invoice-prod/performance",
    "/aws/rds/instance/ledger-db/postgresql",
];

/// `check(alert keywords, expected groups)`.
fn check(keywords: &[(&str, KeywordKind)], expected: &[&str]) {
    let mut t = Target::default();
    for (k, kind) in keywords {
        t.add(k, *kind);
    }
    let listed: Vec<GroupInfo> = LISTED
        .iter()
        .map(|n| GroupInfo {
            name: (*n).to_owned(),
            stored_bytes: None,
        })
        .collect();
    let got: Vec<String> = candidates(&t, &listed, 10)
        .into_iter()
        .map(|c| {
            assert!(c.dedicated, "{}", c.name);
            c.name
        })
        .collect();
    assert_eq!(got, expected, "{keywords:?}");
}

/// `(alert keywords, expected groups)`.
type StemCase = (
    &'static [(&'static str, KeywordKind)],
    &'static [&'static str],
);

#[test]
fn alarm_names_find_their_consumers_by_stem() {
    use KeywordKind::*;
    let cases: &[StemCase] = &[
        // A queue's DLQ depth alarm → the functions named after what the queue carries
        // (`invoices` and `invoice` share a stem).
        (
            &[
                ("invoice-jobs-dlq-depth", Name),
                ("invoice-jobs-dlq", Workload),
            ],
            &[
                "/aws/lambda/invoice-renderer",
                "/aws/lambda/invoices-dispatcher",
            ],
        ),
        // More shared stems win over fewer.
        (
            &[("shipping-label-queue-age-high", Name)],
            &["/aws/lambda/shipping-label-printer"],
        ),
        (
            &[("ledger-p99-latency", Name)],
            &["/aws/rds/instance/ledger-db/postgresql"],
        ),
        // Only generic words in common: nothing.
        (
            &[("api-errors-high", Name), ("requests-dlq", Workload)],
            &[],
        ),
        // A cluster's name never selects its shared groups this way.
        (&[("invoice-prod", Cluster)], &[]),
    ];
    for (keywords, expected) in cases {
        check(keywords, expected);
    }
}

#[test]
fn stems_drop_plurals_and_generic_words() {
    let cases: &[(&str, &[&str])] = &[
        ("refunds-processor", &["processor", "refund"]),
        ("orders-dlq-depth", &["order"]),
        ("address-api", &["address"]),
        ("p99-latency-high", &[]),
        ("eu-west-1", &[]),
    ];
    for (name, want) in cases {
        let got: Vec<String> = meaningful(name).into_iter().collect();
        assert_eq!(got, *want, "{name}");
    }
}

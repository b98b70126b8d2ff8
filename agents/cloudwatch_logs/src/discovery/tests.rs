//! Keyword extraction from real alert shapes, token-aware matching, and group selection.

use super::*;
use jiff::SignedDuration;
use sremesh_core::AlertContext;

fn keywords(text: &str) -> Vec<(String, KeywordKind)> {
    let ctx = AlertContext::from_text(
        text,
        "2026-04-18T10:00:00Z".parse().unwrap(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    Target::from_alert(&ctx)
        .keywords
        .into_iter()
        .map(|k| (k.text, k.kind))
        .collect()
}

/// `check(alert, present, absent)`: every `present` keyword (with its kind) is extracted, no
/// `absent` word is.
fn check(alert: &str, present: &[(&str, KeywordKind)], absent: &[&str]) {
    let got = keywords(alert);
    for (word, kind) in present {
        assert!(
            got.iter().any(|(w, k)| w == word && k == kind),
            "{word} ({kind:?}) missing from {got:?}\nalert: {alert}"
        );
    }
    for word in absent {
        assert!(
            !got.iter().any(|(w, _)| w == word),
            "{word} should not be a keyword: {got:?}"
        );
    }
}

/// An alert text, the keywords it must yield, and words it must not.
type Case = (
    &'static str,
    &'static [(&'static str, KeywordKind)],
    &'static [&'static str],
);

#[test]
fn keywords_come_from_the_alert_fields_and_names() {
    use KeywordKind::*;
    let cases: &[Case] = &[
        (
            "[FIRING:1] KubePodCrashLooping (payments-prod-eks billing billing-api-6c5f9d7b48-tn4vz)\n\
             *Description:* Pod billing/billing-api-6c5f9d7b48-tn4vz (billing-api) is in waiting state on cluster payments-prod-eks.\n\
             • *cluster:* `payments-prod-eks`\n • *container:* `billing-api`\n • *namespace:* `billing`\n\
             *Runbook:* <https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping|:notebook:>",
            &[
                ("payments-prod-eks", Cluster),
                ("billing-api", Workload),
                ("billing", Namespace),
                ("billing-api-6c5f9d7b48-tn4vz", Pod),
            ],
            &["runbooks", "kubepodcrashlooping", "prometheus-operator"],
        ),
        (
            "Triggered: [P2] Container restarts on payments-api\n\
             kube_cluster_name:payments-prod-eks kube_namespace:payments kube_deployment:payments-api env:prod team:payments",
            &[
                ("payments-prod-eks", Cluster),
                ("payments", Namespace),
                ("payments-api", Workload),
            ],
            &["prod"],
        ),
        (
            "fraud-scorer (namespace risk, cluster shop-prod-use1) is answering more than 5% of requests with 5xx.\n\
             *5xx ratio risk/fraud-scorer*: 23.41 <https://grafana.shop.internal/d/fraud-svc/fraud-scorer?orgId=1|x>",
            &[
                ("fraud-scorer", Workload),
                ("risk", Namespace),
                ("shop-prod-use1", Cluster),
            ],
            &["fraud-svc", "more"],
        ),
        (
            "ALARM: \"payments-webhook-handler-errors\" in US East (N. Virginia)\n\
             Namespace: AWS/Lambda · Metric: Errors · Dimensions: FunctionName = payments-webhook-handler · Statistic: Sum",
            &[
                ("payments-webhook-handler", Workload),
                ("payments-webhook-handler-errors", Name),
            ],
            &["aws/lambda", "aws", "lambda", "us-east-1"],
        ),
        (
            "checkout is throwing 502s, anyone looking? started maybe 10 min ago (checkout-api in prod)",
            &[("checkout-api", Name)],
            &["checkout", "prod"],
        ),
        (
            " - alertname = KubeStatefulSetReplicasMismatch\n - cluster = logistics-prod-euc1\n - namespace = shipping\n - statefulset = shipping-rabbitmq",
            &[
                ("logistics-prod-euc1", Cluster),
                ("shipping", Namespace),
                ("shipping-rabbitmq", Workload),
            ],
            &["kubestatefulsetreplicasmismatch"],
        ),
        (
            "Metric: dlq_records_per_min{consumer=\"order-events-consumer\",topic=\"partner-orders\"} = 412",
            &[
                ("order-events-consumer", Workload),
                ("partner-orders", Workload),
            ],
            &[],
        ),
        ("all good, nothing named here", &[], &["good", "nothing"]),
    ];
    for (alert, present, absent) in cases {
        check(alert, present, absent);
    }
}

#[test]
fn labels_are_read_by_key() {
    let mut ctx = AlertContext::from_text(
        "x",
        "2026-04-18T10:00:00Z".parse().unwrap(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.labels.insert("namespace".into(), "orders".into());
    ctx.labels
        .insert("pod".into(), "orders-api-5c9d7b8f6-4kd9s".into());
    ctx.labels.insert("severity".into(), "critical".into());
    let t = Target::from_alert(&ctx);
    let got: Vec<(&str, KeywordKind)> = t
        .keywords
        .iter()
        .map(|k| (k.text.as_str(), k.kind))
        .collect();
    assert!(got.contains(&("orders", KeywordKind::Namespace)), "{got:?}");
    assert!(
        got.contains(&("orders-api", KeywordKind::Workload)),
        "{got:?}"
    );
    assert!(!got.iter().any(|(w, _)| *w == "critical"), "{got:?}");
}

#[test]
fn token_aware_matching() {
    let cases = [
        ("/aws/rds/instance/orders-db/postgresql", "orders", true),
        (
            "/aws/rds/instance/orders-db/postgresql",
            "orders-api",
            false,
        ),
        ("/app/reorders", "orders", false),
        (
            "/aws/lambda/payments-webhook-handler",
            "payments-webhook-handler",
            true,
        ),
        (
            "/aws/lambda/payments-webhook-handler-v2",
            "payments-webhook-handler",
            true,
        ),
        (
            "/aws/containerinsights/shop-prod-use1/application",
            "shop-prod-use1",
            true,
        ),
        (
            "/aws/containerinsights/shop-prod-use10/application",
            "shop-prod-use1",
            false,
        ),
        ("", "x", false),
        ("/x", "", false),
    ];
    for (hay, needle, want) in cases {
        assert_eq!(contains_token(hay, needle), want, "{hay} / {needle}");
    }
}

fn groups(names: &[&str]) -> Vec<GroupInfo> {
    names
        .iter()
        .map(|n| GroupInfo {
            name: (*n).to_owned(),
            stored_bytes: None,
        })
        .collect()
}

#[test]
fn selection_ranks_specific_names_and_keeps_the_cluster_groups() {
    let target = Target::from_keywords(&["payments-api", "payments-prod-eks", "api"]);
    let mut t = target.clone();
    // Declare the cluster as such, as an alert's `cluster:` field would.
    t.keywords.retain(|k| k.text != "payments-prod-eks");
    t.add("payments-prod-eks", KeywordKind::Cluster);
    let listed = groups(&[
        "/aws/containerinsights/payments-prod-eks/application",
        "/aws/containerinsights/payments-prod-eks/performance",
        "/aws/eks/payments-prod-eks/cluster",
        "/aws/lambda/checkout-api",
        "/app/payments-api",
        "/aws/lambda/payments-api-cron",
        "/other/thing",
    ]);
    let chosen = select(&t, &listed, 10);
    let names: Vec<&str> = chosen.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "/app/payments-api",
            "/aws/lambda/payments-api-cron",
            "/aws/containerinsights/payments-prod-eks/application",
            "/aws/eks/payments-prod-eks/cluster",
        ],
        "`api` alone matches nothing; metrics groups are skipped"
    );
    assert!(chosen[0].dedicated);
    assert!(
        !chosen[2].dedicated,
        "a cluster's shared group is read line by line"
    );
    // With room for only two, the cluster's groups are still kept.
    let two: Vec<String> = select(&t, &listed, 2).into_iter().map(|c| c.name).collect();
    assert!(two.contains(&"/aws/containerinsights/payments-prod-eks/application".to_owned()));
    assert!(select(&Target::default(), &listed, 10).is_empty());
    // A name given without a kind that sits where a cluster goes is read as a cluster.
    let untyped = select(&Target::from_keywords(&["payments-prod-eks"]), &listed, 10);
    assert_eq!(untyped.len(), 2);
    assert!(untyped.iter().all(|c| !c.dedicated), "{untyped:?}");
}

#[test]
fn pods_name_their_workload() {
    let cases = [
        ("payments-api-7f9dd8b6c4-x7gr9", "payments-api"),
        ("shipping-rabbitmq-2", "shipping-rabbitmq"),
        ("coredns-787cb67946-5bq8r", "coredns"),
        (
            "orders-backfill-tax-breakdown-8-k2n5d",
            "orders-backfill-tax-breakdown-8",
        ),
        ("checkout-api", "checkout-api"),
        ("web-storefront", "web-storefront"),
    ];
    for (pod, want) in cases {
        assert_eq!(workload_of(pod), want, "{pod}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_alerts_never_panic(text in "\\PC{0,300}") {
            let ctx = AlertContext::from_text(
                text,
                "2026-04-18T10:00:00Z".parse().unwrap(),
                SignedDuration::from_mins(30),
                SignedDuration::from_mins(5),
            );
            let t = Target::from_alert(&ctx);
            prop_assert!(t.keywords.iter().all(|k| k.text.len() >= 3));
            let _ = select(&t, &groups(&["/aws/lambda/x", "/a/b-c"]), 10);
        }
    }
}

fn infos(names: &[&str]) -> Vec<GroupInfo> {
    names
        .iter()
        .map(|n| GroupInfo {
            name: (*n).to_owned(),
            stored_bytes: None,
        })
        .collect()
}

/// A keyword and its kind.
type Named = (&'static str, KeywordKind);

/// When no group is named after the service, the probe looks inside the Container Insights
/// application groups (a named cluster's first) and other application groups — never inside
/// groups that stand for one AWS resource (a Lambda, a database, the control plane, CloudTrail)
/// or hold metrics.
#[test]
fn the_probe_looks_inside_shared_application_groups() {
    let listed = infos(&[
        "/aws/containerinsights/other-prod/application",
        "/aws/containerinsights/core-prod/application",
        "/aws/containerinsights/core-prod/performance",
        "/aws/containerinsights/core-prod/dataplane",
        "/aws/eks/core-prod/cluster",
        "/aws/lambda/image-resizer",
        "/aws/rds/instance/orders-db/postgresql",
        "aws-cloudtrail-logs-123456789012-mgmt",
        "/ecs/shop-prod",
        "/shop/prod/app",
    ]);
    let cases: [(&[Named], &[&str]); 2] = [
        (
            &[
                ("marketplace-sync", KeywordKind::Name),
                ("core-prod", KeywordKind::Cluster),
            ],
            &[
                "/aws/containerinsights/core-prod/application",
                "/aws/containerinsights/other-prod/application",
                "/ecs/shop-prod",
                "/shop/prod/app",
            ],
        ),
        (
            &[
                ("marketplace-sync", KeywordKind::Name),
                ("other-prod", KeywordKind::Cluster),
            ],
            &[
                "/aws/containerinsights/other-prod/application",
                "/aws/containerinsights/core-prod/application",
                "/ecs/shop-prod",
                "/shop/prod/app",
            ],
        ),
    ];
    for (keywords, expected) in cases {
        let mut t = Target::default();
        for (k, kind) in keywords {
            t.add(k, *kind);
        }
        let mut got = probe::groups(&t, &listed);
        // Container Insights groups in order, the others as a set.
        let ci = got.len().min(2);
        got[ci..].sort();
        assert_eq!(got, expected, "{keywords:?}");
    }
}

#[test]
fn the_probe_query_names_the_service_in_its_kubernetes_fields_and_streams() {
    let mut t = Target::default();
    t.add("marketplace-sync", KeywordKind::Name);
    t.add("core-prod", KeywordKind::Cluster);
    t.add("marketplace", KeywordKind::Namespace);
    let names = probe::names(&t);
    assert_eq!(
        names,
        ["marketplace-sync"],
        "clusters and namespaces are not services"
    );
    let q = probe::query(&names);
    for part in [
        "kubernetes.pod_name like /^(marketplace\\-sync)(-|$)/",
        "kubernetes.container_name in [\"marketplace-sync\"]",
        "kubernetes.labels.app in [\"marketplace-sync\"]",
        "@logStream like /(?i)(^|[^a-z0-9])(marketplace\\-sync)([^a-z0-9]|$)/",
        "stats count(*) as lines by @log",
    ] {
        assert!(q.contains(part), "{part} missing from {q}");
    }
    let rows = vec![
        ("/aws/containerinsights/a/application".to_owned(), 3.0),
        ("/ecs/shop-prod".to_owned(), 12.0),
        ("/aws/containerinsights/b/application".to_owned(), 0.0),
    ];
    let got = probe::candidates(&rows, &names, &infos(&[]), 10);
    let got: Vec<(&str, bool)> = got.iter().map(|c| (c.name.as_str(), c.dedicated)).collect();
    assert_eq!(
        got,
        [
            ("/ecs/shop-prod", false),
            ("/aws/containerinsights/a/application", false)
        ]
    );
}

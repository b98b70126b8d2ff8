//! Target words read from alerts of every style the scenario library uses (and labels), with
//! generic words, versions, regions, metric names, URLs and handles left out.

use TargetKind::*;
use jiff::SignedDuration;
use proptest::prelude::*;
use sremesh_chatscan::{Strength, TargetKind, Targets};
use sremesh_core::AlertContext;
use std::collections::BTreeMap;

fn targets(text: &str, labels: &[(&str, &str)]) -> Targets {
    let mut ctx = AlertContext::from_text(
        text,
        super::now(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
    Targets::from_alert(&ctx)
}

fn check(text: &str, labels: &[(&str, &str)], present: &[(&str, TargetKind)], absent: &[&str]) {
    let t = targets(text, labels);
    for (name, kind) in present {
        assert!(
            t.list()
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(name) && x.kind == *kind),
            "{name} as {kind:?} missing from {:?} (alert {text:?})",
            t.list()
        );
    }
    for name in absent {
        assert!(
            !t.list().iter().any(|x| x.name.eq_ignore_ascii_case(name)),
            "{name} should not be a target: {:?}",
            t.list()
        );
    }
}

#[test]
fn targets_come_from_every_alert_style() {
    // Alertmanager's Slack template.
    check(
        "[FIRING:1] KubePodCrashLooping (payments-prod-eks billing billing-api-6c5f9d7b48-tn4vz)\n*Description:* Pod billing/billing-api-6c5f9d7b48-tn4vz (billing-api) is waiting on cluster payments-prod-eks.\n  • *namespace:* `billing`\n  • *severity:* `warning`\n*Runbook:* <https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping|:notebook:>",
        &[],
        &[
            ("billing-api", Service),
            ("billing", Scope),
            ("payments-prod-eks", Cluster),
            ("KubePodCrashLooping", AlertName),
        ],
        &[
            "warning",
            "runbooks.prometheus-operator.dev",
            "kubepodcrashlooping|:notebook:",
        ],
    );
    // Datadog monitor with tags and a handle.
    check(
        "Triggered: [P2] Container restarts on payments-api\nkubernetes.containers.restarts increased on kube_deployment:payments-api.\nkube_cluster_name:payments-prod-eks kube_namespace:payments env:prod team:payments @slack-payments-alerts",
        &[],
        &[
            ("payments-api", Service),
            ("payments", Scope),
            ("payments-prod-eks", Cluster),
        ],
        &[
            "prod",
            "kubernetes.containers.restarts",
            "slack-payments-alerts",
            "kube_deployment",
        ],
    );
    // Alertmanager's Discord receiver / Grafana label lists.
    check(
        "**[FIRING:1] KubeStatefulSetReplicasMismatch (logistics-prod-euc1 shipping shipping-rabbitmq warning)**\nLabels:\n - alertname = KubeStatefulSetReplicasMismatch\n - namespace = shipping\n - statefulset = shipping-rabbitmq\n - runbook_url = https://runbooks.example/x\n - prometheus = monitoring/k8s",
        &[],
        &[
            ("shipping-rabbitmq", Service),
            ("shipping", Scope),
            ("logistics-prod-euc1", Cluster),
        ],
        &["runbook_url", "k8s", "monitoring"],
    );
    // CloudWatch alarm via AWS Chatbot.
    check(
        "CloudWatch Alarm | payments-webhook-handler-errors | us-east-1\nALARM: \"payments-webhook-handler-errors\" in US East\nNamespace: AWS/Lambda · Dimensions: FunctionName = payments-webhook-handler",
        &[],
        &[
            ("payments-webhook-handler", Service),
            ("payments-webhook-handler-errors", AlertName),
        ],
        &["us-east-1", "Lambda", "AWS"],
    );
    // Grafana legacy, metric selector.
    check(
        "**[Alerting] Dead-letter rate on order-events-consumer**\norder-events-consumer (namespace fulfillment, cluster shop-prod-use1) dead-lettered records.\nMetric: dlq_records_per_min{consumer=\"order-events-consumer\",topic=\"partner-orders\"} = 412",
        &[],
        &[
            ("order-events-consumer", Service),
            ("fulfillment", Scope),
            ("shop-prod-use1", Cluster),
            ("partner-orders", Resource),
        ],
        &["dead-letter", "dead-lettered", "dlq_records_per_min"],
    );
    // A person's words.
    check(
        "checkout is throwing 502s, anyone looking? (checkout-api in prod)",
        &[],
        &[("checkout-api", Service), ("checkout", Scope)],
        &["502s", "prod"],
    );
    // Alertmanager labels beside the text.
    check(
        "Orders API error rate high",
        &[
            ("alertname", "OrdersApiHighErrorRate"),
            ("namespace", "orders"),
            ("service", "orders-api"),
            ("pod", "orders-api-5c9f8d7b6-abcde"),
            ("severity", "critical"),
        ],
        &[
            ("orders-api", Service),
            ("orders", Scope),
            ("OrdersApiHighErrorRate", AlertName),
            ("orders-api-5c9f8d7b6-abcde", Resource),
        ],
        &["critical"],
    );
}

/// A person naming an alert by its rule: the `CamelCase` name is the alert's name.
#[test]
fn a_person_naming_an_alert_rule_names_the_alert() {
    check(
        "<@1251770093385465800> CollabGateway5xxRate paged at 10:03 and auto-resolved at 10:12 — what happened?",
        &[],
        &[("CollabGateway5xxRate", AlertName)],
        &[],
    );
    // A two-word CamelCase token is too common to be taken for an alert's name.
    check("is GitHub down again?", &[], &[], &["GitHub"]);
}

#[test]
fn the_strongest_hit_decides_how_a_message_relates() {
    let t = targets(
        "[FIRING:1] X (shop-prod-use1 orders orders-api)\n*Description:* orders/orders-api 5xx on cluster shop-prod-use1.",
        &[],
    );
    let cases = [
        (
            "deploying orders-api v2",
            Some(Strength::Direct),
            "orders-api",
        ),
        (
            "migration on orders db now",
            Some(Strength::Dependency),
            "orders db",
        ),
        (
            "rolling restart of orders-rabbitmq",
            Some(Strength::Dependency),
            "orders-rabbitmq",
        ),
        ("orders look slow", Some(Strength::Scope), "orders"),
        (
            "deploying orders-worker 1.2",
            Some(Strength::Sibling),
            "orders-worker",
        ),
        (
            "node drain on shop-prod-use1",
            Some(Strength::Cluster),
            "shop-prod-use1",
        ),
        ("deploying cart-api v4.3.0", None, ""),
    ];
    for (text, strength, subject) in cases {
        let hit = t.best_hit(text);
        assert_eq!(hit.as_ref().map(|h| h.strength), strength, "{text}");
        if let Some(h) = hit {
            assert_eq!(h.subject, subject, "{text}");
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_alert_text_never_panics(text in "\\PC{0,200}") {
        let t = targets(&text, &[]);
        let _ = t.primary();
        let _ = t.best_hit(&text);
    }
}

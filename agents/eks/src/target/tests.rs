//! Tests of the alert-text target parser: every alert style the scenarios use, labels, pod
//! names, and arbitrary text (proptest).
use super::*;
use proptest::prelude::*;

fn ns(n: &str) -> Option<String> {
    Some(n.to_owned())
}

fn named(kind: Option<Kind>, namespace: Option<String>, name: &str) -> Named {
    Named {
        kind,
        namespace,
        name: name.to_owned(),
    }
}

struct Want {
    alertname: Option<&'static str>,
    namespaces: &'static [&'static str],
    pods: &'static [&'static str],
    workloads: &'static [(&'static str, Option<Kind>)],
    services: &'static [&'static str],
    qualified: &'static [(&'static str, &'static str)],
    words: &'static [&'static str],
}

fn check(text: &str, want: Want) {
    let t = parse(text, &BTreeMap::new());
    assert_eq!(
        t.alertname.as_deref(),
        want.alertname,
        "alertname in {text}"
    );
    for n in want.namespaces {
        assert!(
            t.namespaces.iter().any(|x| x == n),
            "namespace {n} in {t:?}"
        );
    }
    for p in want.pods {
        assert!(t.pods.iter().any(|x| x.name == *p), "pod {p} in {t:?}");
    }
    for (w, k) in want.workloads {
        assert!(
            t.workloads.iter().any(|x| x.name == *w && x.kind == *k),
            "workload {w} in {t:?}"
        );
    }
    for s in want.services {
        assert!(
            t.services.iter().any(|x| x.name == *s),
            "service {s} in {t:?}"
        );
    }
    for (n, name) in want.qualified {
        let q = named(None, ns(n), name);
        assert!(t.qualified.contains(&q), "qualified {n}/{name} in {t:?}");
    }
    for w in want.words {
        assert!(t.words.iter().any(|x| x == w), "word {w} in {t:?}");
    }
}

const NONE: Want = Want {
    alertname: None,
    namespaces: &[],
    pods: &[],
    workloads: &[],
    services: &[],
    qualified: &[],
    words: &[],
};

/// Each alert style the scenarios use yields its target.
#[test]
fn alert_styles() {
    check(
        "[FIRING:1] KubePodCrashLooping (recommendation-svc recs shop-prod-use1)\n*Description:* Pod recs/recommendation-svc-6c9f7d5b8d-x7gr9 (recommendation-svc) is in waiting state.\n  • *namespace:* `recs`\n  • *pod:* `recommendation-svc-6c9f7d5b8d-x7gr9`\n  • *container:* `recommendation-svc`\n<https://grafana.shop.internal/d/x?var-namespace=recs&var-pod=zzz|:chart:>",
        Want {
            alertname: Some("KubePodCrashLooping"),
            namespaces: &["recs"],
            pods: &["recommendation-svc-6c9f7d5b8d-x7gr9"],
            services: &["recommendation-svc"],
            ..NONE
        },
    );
    check(
        "**[FIRING:1] KubeStatefulSetReplicasMismatch (logistics-prod-euc1 shipping shipping-rabbitmq warning)**\nLabels:\n - alertname = KubeStatefulSetReplicasMismatch\n - namespace = shipping\n - statefulset = shipping-rabbitmq\n",
        Want {
            alertname: Some("KubeStatefulSetReplicasMismatch"),
            namespaces: &["shipping"],
            workloads: &[("shipping-rabbitmq", Some(Kind::StatefulSet))],
            ..NONE
        },
    );
    check(
        "Triggered: [P2] Container restarts on payments-api\nkube_cluster_name:payments-prod-eks kube_namespace:payments kube_deployment:payments-api env:prod",
        Want {
            namespaces: &["payments"],
            workloads: &[("payments-api", Some(Kind::Deployment))],
            ..NONE
        },
    );
    check(
        "[Alerting] High 5xx rate\nfraud-scorer (namespace risk, cluster shop-prod-use1) is answering 5xx.\n*5xx ratio risk/fraud-scorer*: 23.41",
        Want {
            namespaces: &["risk"],
            qualified: &[("risk", "fraud-scorer")],
            words: &["fraud-scorer"],
            ..NONE
        },
    );
    check(
        "ALARM: \"storefront-web-UnHealthyHostCount\" in US East · Also in ALARM: cart-api-HTTPCode_ELB_5XX_Count",
        Want {
            words: &["storefront-web", "cart-api"],
            ..NONE
        },
    );
    check(
        "checkout is throwing 502s, anyone looking? (checkout-api in prod)",
        Want {
            words: &["checkout-api", "checkout"],
            ..NONE
        },
    );
    check(
        "*Description:* Deployment comms/notification-svc has not matched",
        Want {
            namespaces: &["comms"],
            workloads: &[("notification-svc", Some(Kind::Deployment))],
            ..NONE
        },
    );
    check(
        "[FIRING:1] Watchdog (prod-use1-main monitoring/k8s none)\n • *alertname:* `Watchdog`",
        Want {
            alertname: Some("Watchdog"),
            qualified: &[("monitoring", "k8s")],
            ..NONE
        },
    );
    check(
        "Metric: dlq_records_per_min{consumer=\"order-events-consumer\",topic=\"partner-orders\"} = 412",
        Want {
            services: &["order-events-consumer"],
            ..NONE
        },
    );
    check(
        "Namespace: AWS/Lambda · Metric: Errors · Dimensions: FunctionName = payments-webhook-handler",
        Want {
            words: &["payments-webhook-handler"],
            ..NONE
        },
    );
}

/// Jobs and CronJobs: the `job_name`, `job` and `cronjob` labels, and kinds named in text.
#[test]
fn jobs_and_cronjobs() {
    check(
        "[FIRING:1] KubeJobFailed (nightly-29641290 batch prod)\n*Description:* Job batch/nightly-29641290 failed to complete.\n  • *job_name:* `nightly-29641290`\n  • *namespace:* `batch`",
        Want {
            alertname: Some("KubeJobFailed"),
            namespaces: &["batch"],
            workloads: &[("nightly-29641290", Some(Kind::Job))],
            ..NONE
        },
    );
    check(
        "[FIRING:1] KubeCronJobFailing\n - cronjob = report-builder\n - namespace = analytics\n - job = kube-state-metrics",
        Want {
            alertname: Some("KubeCronJobFailing"),
            namespaces: &["analytics"],
            workloads: &[
                ("report-builder", Some(Kind::CronJob)),
                ("kube-state-metrics", Some(Kind::Job)),
            ],
            ..NONE
        },
    );
    check(
        "CronJob analytics/report-builder has not succeeded for 2 runs",
        Want {
            namespaces: &["analytics"],
            workloads: &[("report-builder", Some(Kind::CronJob))],
            ..NONE
        },
    );
    let cases = [
        ("invoice-export-29641290", Some("invoice-export")),
        ("db-migrate-7", None),
        ("payments-api-7f9dd8b6c4-x7gr9", None),
        ("12345678", None),
    ];
    for (job, want) in cases {
        assert_eq!(cronjob_of_job(job), want, "{job}");
    }
}

/// Structured labels win and fill in what the text lacks.
#[test]
fn labels_are_read() {
    let labels: BTreeMap<String, String> = [
        ("alertname", "KubePodNotReady"),
        ("namespace", "search"),
        ("pod", "search-api-7b9c5d4f8-2xkqv"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let t = parse("pod not ready", &labels);
    assert_eq!(t.alertname.as_deref(), Some("KubePodNotReady"));
    assert_eq!(t.namespaces, ["search"]);
    assert_eq!(
        t.pods,
        [named(
            Some(Kind::Pod),
            ns("search"),
            "search-api-7b9c5d4f8-2xkqv"
        )]
    );
}

#[test]
fn heartbeats_and_pod_names() {
    assert!(parse("[FIRING:1] Watchdog", &BTreeMap::new()).is_heartbeat());
    assert!(!parse("[FIRING:1] KubePodCrashLooping", &BTreeMap::new()).is_heartbeat());
    let cases = [
        ("payments-api-7f9dd8b6c4-x7gr9", Some("payments-api")),
        ("search-indexer-6d8f7c9b5-p2x8l", Some("search-indexer")),
        ("shipping-rabbitmq-2", None),
        ("worker-backend-cache", None),
        ("a-bcdefgh-ijklm", None),
    ];
    for (pod, want) in cases {
        assert_eq!(deployment_of_pod(pod), want, "{pod}");
    }
}

proptest! {
    /// Arbitrary text never panics, and every pod or word found is really in the text.
    #[test]
    fn parse_never_panics(s in "\\PC{0,400}") {
        let t = parse(&s, &BTreeMap::new());
        let lower = s.to_ascii_lowercase();
        for p in &t.pods {
            prop_assert!(lower.contains(&p.name));
        }
        for w in &t.words {
            prop_assert!(lower.contains(w.as_str()));
        }
        // A rule name's prefixes are in the text with their dashes taken out.
        for w in &t.rule_prefixes {
            prop_assert!(lower.contains(&w.replace('-', "")));
        }
    }

    #[test]
    fn alert_shaped_text_never_panics(
        key in "[a-z_]{1,12}",
        value in "[a-z0-9/`*=:. -]{0,40}",
        noise in "\\PC{0,80}",
    ) {
        let text = format!("• *{key}:* `{value}`\n - {key} = {value}\n{key}:{value} {noise}");
        let _ = parse(&text, &BTreeMap::new());
    }
}

/// A `CamelCase` alert rule named in prose gives the service names it starts with.
#[test]
fn a_camel_case_alert_name_gives_its_service_prefixes() {
    let t = parse(
        "CollabGateway5xxRate paged at 10:03 and auto-resolved at 10:12",
        &BTreeMap::new(),
    );
    for w in ["collab-gateway", "collab-gateway-5xx"] {
        assert!(
            t.rule_prefixes.iter().any(|x| x == w),
            "{w} in {:?}",
            t.rule_prefixes
        );
    }
}

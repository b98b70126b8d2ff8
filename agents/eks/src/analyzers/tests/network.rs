//! Egress blocked by NetworkPolicies (`network_policy_blocks`), and the line parser behind it.

use super::super::network::{failure, policy};
use super::*;

/// A NetworkPolicy in `ns` selecting `selector` for Egress with `egress` rules, created at `at`.
fn netpol(name: &str, selector: Value, egress: Value, at: &str) -> (&'static str, Value) {
    (
        "netpol",
        json!({"metadata": {"name": name, "namespace": "ns", "creationTimestamp": t(at)},
            "spec": {"podSelector": selector, "policyTypes": ["Egress"], "egress": egress}}),
    )
}

fn dns_only() -> Value {
    json!([{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}])
}

/// Connection timeouts to a managed MySQL outside the cluster, from 11:45 on.
fn timeouts() -> Vec<ContainerLog> {
    let l = "level=error msg=\"db connect failed\" err=\"dial tcp 10.9.8.7:3306 (orders-db.abc123.eu-west-1.rds.amazonaws.com): connect: connection timed out\"";
    vec![
        log(
            "app-abc12345-aaaaa",
            false,
            &[
                ("11:30", "level=info msg=\"served\""),
                ("11:45", l),
                ("11:52", l),
            ],
        ),
        log("app-abc12345-bbbbb", false, &[("11:47", l)]),
    ]
}

fn pods() -> Vec<Value> {
    vec![
        pod("app-abc12345-aaaaa", running(false, 0, None)),
        pod("app-abc12345-bbbbb", running(false, 0, None)),
    ]
}

#[test]
fn network_policies() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a default deny applied minutes before the first timeout, no rule for the database",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![
                    netpol("deny-all-egress", json!({}), dns_only(), "11:38"),
                    netpol(
                        "app-egress",
                        json!({"matchLabels": {"app": "app"}}),
                        json!([{"to": [{"ipBlock": {"cidr": "10.50.0.0/16"}}], "ports": [{"port": 443}]}]),
                        "11:38",
                    ),
                ],
                ..Default::default()
            },
            vec![
                yes(
                    "network_policy_blocks",
                    Some(ConfigurationError),
                    &[
                        "NetworkPolicy deny-all-egress",
                        "app-egress",
                        "7 min before the first failure",
                        "10.9.8.7:3306",
                        "connection timed out",
                        "outside the cluster",
                        "10.50.0.0/16 TCP/443",
                    ],
                ),
                // The timeouts are its symptom, not a second cause.
                no("log_signature_with_a_category"),
            ],
        ),
        (
            "an ipBlock covering the database: the policies allow it",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![
                    netpol("deny-all-egress", json!({}), dns_only(), "11:38"),
                    netpol(
                        "app-egress",
                        json!({"matchLabels": {"app": "app"}}),
                        json!([{"to": [{"ipBlock": {"cidr": "10.9.8.0/24"}}], "ports": [{"port": 3306}]}]),
                        "11:38",
                    ),
                ],
                ..Default::default()
            },
            vec![no("network_policy_blocks")],
        ),
        (
            "an ipBlock whose except carves the database out blocks it",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![netpol(
                    "app-egress",
                    json!({}),
                    json!([{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.9.8.0/24"]}}]}]),
                    "11:40",
                )],
                ..Default::default()
            },
            vec![yes(
                "network_policy_blocks",
                Some(ConfigurationError),
                &["NetworkPolicy app-egress", "10.9.8.7:3306"],
            )],
        ),
        (
            "no NetworkPolicy: the timeouts are someone else's story",
            Given {
                pods: pods(),
                logs: timeouts(),
                ..Default::default()
            },
            vec![no("network_policy_blocks")],
        ),
        (
            "a policy that arrived after the timeouts began did not start them",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![netpol("deny-all-egress", json!({}), dns_only(), "11:55")],
                ..Default::default()
            },
            vec![no("network_policy_blocks")],
        ),
        (
            "a policy that selects other pods does not restrict these",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![netpol(
                    "batch-egress",
                    json!({"matchExpressions": [{"key": "app", "operator": "In", "values": ["batch"]}]}),
                    dns_only(),
                    "11:38",
                )],
                ..Default::default()
            },
            vec![no("network_policy_blocks")],
        ),
        (
            "a policy unchanged for days is worth knowing, not the change that broke it",
            Given {
                pods: pods(),
                logs: timeouts(),
                extra: vec![(
                    "netpol",
                    json!({"metadata": {"name": "deny-all-egress", "namespace": "ns", "creationTimestamp": "2026-04-02T08:00:00Z"},
                        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": dns_only()}}),
                )],
                ..Default::default()
            },
            vec![yes(
                "network_policy_blocks",
                Some(ConfigurationError),
                &["unchanged since 2026-04-02"],
            )],
        ),
        (
            "an info line about a timeout setting is not a failure",
            Given {
                pods: pods(),
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[(
                        "11:50",
                        "level=info msg=\"pool ready\" dsn=10.9.8.7:3306 connect timeout=5s",
                    )],
                )],
                extra: vec![netpol("deny-all-egress", json!({}), dns_only(), "11:38")],
                ..Default::default()
            },
            vec![no("network_policy_blocks")],
        ),
    ];
    for (name, g, want) in cases {
        let mut want = want;
        // `no("log_signature_with_a_category")`: every log signature must be category-free.
        let strict = want
            .iter()
            .any(|e| e.kind == "log_signature_with_a_category");
        want.retain(|e| e.kind != "log_signature_with_a_category");
        if strict {
            let s = scene(clone_given(&g));
            let got = super::super::run(&s);
            assert!(
                got.iter()
                    .filter(|f| f.kind == "log_signature")
                    .all(|f| f.category.is_none()),
                "{name}: a log signature kept a category beside the NetworkPolicy"
            );
        }
        check(name, super::super::run, g, &want);
    }
}

fn clone_given(g: &Given) -> Given {
    Given {
        pods: g.pods.clone(),
        logs: g.logs.clone(),
        extra: g.extra.clone(),
        ..Default::default()
    }
}

/// The destination and literal failure a log line names.
#[test]
fn failure_lines() {
    /// (ip, port, host, excerpt).
    type Want<'a> = Option<(&'a str, u16, Option<&'a str>, &'a str)>;
    let cases: &[(&str, Want)] = &[
        (
            "dial tcp 10.2.3.4:5432: connect: connection timed out",
            Some((
                "10.2.3.4",
                5432,
                None,
                "dial tcp 10.2.3.4:5432: connect: connection timed out",
            )),
        ),
        (
            "Error: connect ETIMEDOUT 172.31.9.20:6379",
            Some((
                "172.31.9.20",
                6379,
                None,
                "connect ETIMEDOUT 172.31.9.20:6379",
            )),
        ),
        (
            "read tcp 10.0.0.9:51234->10.7.7.7:9092: i/o timeout (broker b-1.kafka.internal.example.com)",
            Some((
                "10.7.7.7",
                9092,
                Some("b-1.kafka.internal.example.com"),
                "10.7.7.7:9092: i/o timeout",
            )),
        ),
        (
            "upstream 10.4.4.4:443 (api.partner.example.com): no route to host",
            Some((
                "10.4.4.4",
                443,
                Some("api.partner.example.com"),
                "10.4.4.4:443 (api.partner.example.com): no route to host",
            )),
        ),
        ("connection refused by 10.1.1.1:80", None),
        ("request timed out after 30s", None),
    ];
    for (text, want) in cases {
        let got = failure(text);
        let got = got.as_ref().map(|f| {
            (
                f.ip.to_string(),
                f.port,
                f.host.as_deref(),
                f.excerpt.as_str(),
            )
        });
        let want = want.map(|(ip, port, host, ex)| (ip.to_owned(), port, host, ex));
        assert_eq!(got, want, "{text}");
    }
}

/// Additive policy semantics for one destination.
#[test]
fn verdicts() {
    use policy::{Dest, Place, Verdict};
    let p = |egress: Value| -> k8s_openapi::api::networking::v1::NetworkPolicy {
        from(json!({"metadata": {"name": "p", "namespace": "ns"},
            "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress}}))
    };
    let ext = Dest {
        ip: Some("10.9.8.7".parse().unwrap()),
        port: 3306,
        place: Place::External,
    };
    let unknown = Dest {
        place: Place::Unknown,
        ..ext.clone()
    };
    let cases: Vec<(&str, Value, &Dest, Verdict)> = vec![
        ("no rules: deny all", json!([]), &ext, Verdict::Denies),
        (
            "a rule with no peers and no ports",
            json!([{}]),
            &ext,
            Verdict::Allows,
        ),
        (
            "right port, any peer",
            json!([{"ports": [{"port": 3306}]}]),
            &ext,
            Verdict::Allows,
        ),
        (
            "port range",
            json!([{"ports": [{"port": 3300, "endPort": 3310}]}]),
            &ext,
            Verdict::Allows,
        ),
        (
            "UDP only",
            json!([{"ports": [{"protocol": "UDP", "port": 3306}]}]),
            &ext,
            Verdict::Denies,
        ),
        (
            "namespace selector never matches an external host",
            json!([{"to": [{"namespaceSelector": {}}]}]),
            &ext,
            Verdict::Denies,
        ),
        (
            "namespace selector may match an address we cannot place",
            json!([{"to": [{"namespaceSelector": {}}]}]),
            &unknown,
            Verdict::Maybe,
        ),
        (
            "named port: cannot tell",
            json!([{"to": [{"ipBlock": {"cidr": "10.9.0.0/16"}}], "ports": [{"port": "mysql"}]}]),
            &ext,
            Verdict::Maybe,
        ),
    ];
    for (name, egress, d, want) in cases {
        let np = p(egress);
        assert_eq!(policy::verdict(&[&np], d), want, "{name}");
    }
}

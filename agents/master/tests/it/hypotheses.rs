//! The hypothesis engine on hand-built agent results: one case per reasoning pattern.

use jiff::Timestamp;
use serde_json::json;
use sremesh_core::{AgentResult, AlertContext, Category, Finding, Severity};
use sremesh_master::alert::AlertInfo;
use sremesh_master::hypotheses::{Missing, rank};

const NOW: &str = "2026-04-18T10:25:00Z";

fn now() -> Timestamp {
    NOW.parse().unwrap()
}

fn mins_ago(m: i64) -> Timestamp {
    now()
        .checked_sub(jiff::SignedDuration::from_mins(m))
        .unwrap()
}

fn alert(text: &str) -> AlertInfo {
    AlertInfo::from_context(&AlertContext::from_text(
        text,
        now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    ))
}

fn f(
    id: &str,
    kind: &str,
    sev: Severity,
    cat: Option<Category>,
    service: &str,
    title: &str,
) -> Finding {
    let mut f = Finding::new(id, kind, sev, title).with_service(service);
    f.category = cat;
    f
}

fn ok(agent: &str, findings: Vec<Finding>) -> AgentResult {
    AgentResult::ok(agent, "test", findings)
}

struct Case {
    name: &'static str,
    alert: &'static str,
    results: Vec<AgentResult>,
    missing: Vec<Missing>,
    category: Category,
    /// Finding ids the top hypothesis must cite (agent, id).
    cites: Vec<(&'static str, &'static str)>,
    /// Words that must not appear in the top hypothesis's title or explanation.
    not_in_text: Vec<&'static str>,
}

fn check(c: Case) {
    let refs: Vec<&AgentResult> = c.results.iter().collect();
    let hs = rank(&alert(c.alert), now(), &refs, &c.missing);
    let top = &hs[0];
    assert_eq!(top.category, c.category, "{}: top = {top:#?}", c.name);
    for (agent, id) in &c.cites {
        assert!(
            top.citations
                .iter()
                .any(|x| x.agent == *agent && x.finding == *id),
            "{}: must cite {agent}/{id}: {top:#?}",
            c.name
        );
    }
    let text = format!("{} {}", top.title, top.explanation).to_lowercase();
    for w in &c.not_in_text {
        assert!(
            !text.contains(&w.to_lowercase()),
            "{}: '{w}' in {text}",
            c.name
        );
    }
    assert!((0.0..=1.0).contains(&top.confidence));
    assert!(!top.title.is_empty() && !top.explanation.is_empty());
}

#[test]
fn reasoning_patterns() {
    let statsd_noise = f(
        "noise",
        "log_pattern",
        Severity::High,
        Some(Category::DependencyFailure),
        "statsd",
        "statsd Connection refused ×60",
    )
    .with_attr("signature", "connection_refused")
    .with_attr("new", false)
    .with_attr("surging", false);
    let cases = vec![
        Case {
            name: "OOM beats constant noise",
            alert: "[FIRING:1] KubePodCrashLooping (recommendation-svc prod)",
            results: vec![ok("eks", vec![
                f("oom", "oom_killed", Severity::Critical, Some(Category::ResourceExhaustion), "recommendation-svc", "recommendation-svc-5d9-abcde OOMKilled (exit code 137), restarted 6 times"),
            ]), ok("cloudwatch_logs", vec![statsd_noise.clone()])],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("eks", "oom")],
            not_in_text: vec!["statsd"],
        },
        Case {
            name: "a new image crashing right after its rollout is a code defect",
            alert: "Triggered: [P1] payments-api error rate",
            results: vec![ok("eks", vec![
                f("crash", "crash_loop", Severity::Critical, Some(Category::CodeDefect), "payments-api", "payments-api-6c7-x CrashLoopBackOff (exit 1): TypeError: Cannot read properties of undefined").with_attr("signature", "code_defect"),
                f("roll", "recent_rollout", Severity::Info, None, "payments-api", "payments-api rolled out v1.7.4 → v1.8.0").at(mins_ago(3)).with_attr("from_image", "x:v1.7.4").with_attr("to_image", "x:v1.8.0"),
            ])],
            missing: vec![],
            category: Category::CodeDefect,
            cites: vec![("eks", "crash"), ("eks", "roll")],
            not_in_text: vec![],
        },
        Case {
            name: "an uncategorised crash after an image change is a code defect",
            alert: "payments-api is down",
            results: vec![ok("eks", vec![
                f("crash", "crash_loop", Severity::High, None, "payments-api", "payments-api-6c7-x CrashLoopBackOff (exit 1)"),
                f("roll", "recent_rollout", Severity::Info, None, "payments-api", "rollout v1 → v2").at(mins_ago(4)).with_attr("from_image", "x:v1").with_attr("to_image", "x:v2"),
            ])],
            missing: vec![],
            category: Category::CodeDefect,
            cites: vec![("eks", "crash"), ("eks", "roll")],
            not_in_text: vec![],
        },
        Case {
            name: "the same image crashing after a change is a configuration error",
            alert: "[FIRING:1] KubePodCrashLooping (billing-api)",
            results: vec![ok("eks", vec![
                f("crash", "crash_loop", Severity::High, None, "billing-api", "billing-api-1-x CrashLoopBackOff (exit 1)"),
                f("roll", "recent_rollout", Severity::Info, None, "billing-api", "new ReplicaSet, same image").at(mins_ago(6)).with_attr("from_image", "x:v3").with_attr("to_image", "x:v3"),
            ])],
            missing: vec![],
            category: Category::ConfigurationError,
            cites: vec![("eks", "crash")],
            not_in_text: vec![],
        },
        Case {
            name: "database too-many-clients explains the application's pool timeouts",
            alert: "[FIRING:1] OrdersApiHighErrorRate (orders-api)",
            results: vec![
                ok("cloudwatch_logs", vec![
                    f("db", "log_pattern", Severity::Critical, Some(Category::ResourceExhaustion), "orders-db", "FATAL: sorry, too many clients already ×214").with_attr("signature", "too_many_clients").with_attr("new", true),
                    f("pool", "log_pattern", Severity::High, Some(Category::ResourceExhaustion), "orders-api", "Knex: Timeout acquiring a connection ×90").with_attr("signature", "pool_exhausted").with_attr("new", true),
                ]),
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "orders-api", "orders-api: 3/3 pods Ready, 0 restarts")]),
            ],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("cloudwatch_logs", "db"), ("cloudwatch_logs", "pool")],
            not_in_text: vec![],
        },
        Case {
            name: "an always-firing heartbeat is no incident",
            alert: "[FIRING:1] Watchdog (prod monitoring)\nalertname: Watchdog",
            results: vec![ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "", "cluster healthy: 12/12 pods Ready")])],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h")],
            not_in_text: vec![],
        },
        Case {
            name: "errors that stopped before the recovery are a past incident",
            alert: "[PagerDuty] orders-worker consumer lag (escalated)",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "orders-worker", "orders-worker recovered: 3/3 Ready since 10:09").with_attr("recovered_at", "2026-04-18T10:09:00Z")]),
                ok("cloudwatch_logs", vec![f("burst", "log_pattern", Severity::High, Some(Category::DependencyFailure), "orders-worker", "CONNECTION_FORCED ×40").with_attr("new", true).with_attr("last_seen", "2026-04-18T10:06:00Z")]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h")],
            not_in_text: vec![],
        },
        Case {
            name: "an alerted service's DNS failures beat another namespace's old crash loop",
            alert: "[Alerting] fraud-scorer error rate",
            results: vec![
                ok("eks", vec![
                    f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "fraud-scorer", "fraud-scorer: 4/4 pods Ready"),
                    f("legacy", "crash_loop", Severity::High, Some(Category::CodeDefect), "legacy-reports", "legacy-reports CrashLoopBackOff for 6 days"),
                ]),
                ok("cloudwatch_logs", vec![f("dns", "log_pattern", Severity::High, Some(Category::Infrastructure), "fraud-scorer", "Temporary failure in name resolution ×120 (new)").with_attr("signature", "dns_failure").with_attr("new", true)]),
            ],
            missing: vec![],
            category: Category::Infrastructure,
            cites: vec![("cloudwatch_logs", "dns")],
            not_in_text: vec!["legacy-reports"],
        },
        Case {
            name: "a Lambda timing out on a slow partner is the partner",
            alert: "ALARM: \"payments-webhook-handler-errors\" in US East",
            results: vec![ok("cloudwatch_logs", vec![
                f("to", "lambda_timeout", Severity::High, Some(Category::DependencyFailure), "payments-webhook-handler", "Task timed out after 6.01 seconds ×37").with_attr("log_group", "/aws/lambda/payments-webhook-handler").with_attr("new", true),
                f("gw", "log_pattern", Severity::Medium, Some(Category::DependencyFailure), "payments-webhook-handler", "acmebank API 504 Gateway Timeout after 5012 ms").with_attr("signature", "http_5xx").with_attr("log_group", "/aws/lambda/payments-webhook-handler").with_attr("new", true),
            ])],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("cloudwatch_logs", "to"), ("cloudwatch_logs", "gw")],
            not_in_text: vec![],
        },
        Case {
            name: "pods failing readiness with a dependency timing out in their logs: the dependency",
            alert: "Triggered: [P2] inventory-api availability",
            results: vec![ok("eks", vec![
                f("probe", "probe_failed", Severity::High, None, "inventory-api", "inventory-api: Readiness probe failed ×257 on 3/3 pods"),
                f("nr", "not_ready", Severity::High, None, "inventory-api", "inventory-api: 3/3 pods Running but not Ready"),
                f("redis", "log_signature", Severity::Medium, Some(Category::DependencyFailure), "inventory-api", "inventory-api: ioredis connect ETIMEDOUT ×5").with_attr("signature", "timeout"),
            ])],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("eks", "redis"), ("eks", "probe")],
            not_in_text: vec![],
        },
        Case {
            name: "a healthy target during an announced load test: healthy, explained by the announcement",
            alert: "Triggered: [P3] product-api p95 latency above 800 ms",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "product-api", "product-api: 8/8 pods Ready, no restarts")]),
                ok("discord_scanner", vec![f("lt", "change_announced", Severity::Low, None, "product-api", "load test (k6) on product-api announced 20 min before the alert")]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h"), ("discord_scanner", "lt")],
            not_in_text: vec![],
        },
        Case {
            name: "errors that began before a rollout and stopped with it were fixed by it",
            alert: "[Sentry] New issue in checkout-bff: TypeError (digest)",
            results: vec![
                ok("eks", vec![
                    f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "checkout-bff", "checkout-bff: 3/3 pods Ready, no restarts"),
                    f("roll", "recent_rollout", Severity::Low, None, "checkout-bff", "checkout-bff: rollout to 2.0.1").at(mins_ago(12)).with_attr("from_image", "x:2.0.0").with_attr("to_image", "x:2.0.1"),
                ]),
                ok("cloudwatch_logs", vec![f("te", "log_pattern", Severity::High, Some(Category::CodeDefect), "checkout-bff", "TypeError: Cannot read properties of null ×4").with_attr("signature", "code_defect").with_attr("new", true).at(mins_ago(30)).with_attr("first_seen", mins_ago(30).to_string()).with_attr("last_seen", mins_ago(10).to_string())]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h"), ("eks", "roll")],
            not_in_text: vec![],
        },
        Case {
            name: "errors that began before a rollout and go on are not caused by it",
            alert: "[Sentry] New issue in checkout-bff: TypeError",
            results: vec![ok("cloudwatch_logs", vec![
                f("te", "log_pattern", Severity::High, None, "checkout-bff", "checkout-bff: new error pattern ×40").with_attr("new", true).at(mins_ago(30)).with_attr("last_seen", mins_ago(1).to_string()),
            ]), ok("eks", vec![
                f("roll", "recent_rollout", Severity::Low, None, "checkout-bff", "checkout-bff: rollout to 2.0.1").at(mins_ago(12)).with_attr("from_image", "x:2.0.0").with_attr("to_image", "x:2.0.1"),
            ])],
            missing: vec![],
            category: Category::Unknown,
            cites: vec![("cloudwatch_logs", "te")],
            not_in_text: vec!["follows a change"],
        },
        Case {
            name: "a client and its database logging the same read-only error are one failure, after the failover",
            alert: "[Datadog] events-ingest write errors",
            results: vec![
                ok("cloudwatch_logs", vec![
                    f("cl", "log_pattern", Severity::High, Some(Category::DependencyFailure), "events-ingest", "events-ingest: cannot execute UPDATE in a read-only transaction ×9").with_attr("signature", "read_only").with_attr("new", true).at(mins_ago(14)),
                    f("db", "log_pattern", Severity::Medium, Some(Category::DependencyFailure), "events-db", "events-db: cannot execute UPDATE in a read-only transaction ×4").with_attr("signature", "read_only").with_attr("new", true).at(mins_ago(14)),
                ]),
                ok("slack_scanner", vec![f("fo", "change_announced", Severity::Medium, None, "events-db", "Failover announced on events-db 16 min before the alert").at(mins_ago(16)).with_attr("change", "failover")]),
            ],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("cloudwatch_logs", "cl"), ("cloudwatch_logs", "db"), ("slack_scanner", "fo")],
            not_in_text: vec![],
        },
        Case {
            name: "a NetworkPolicy cutting egress explains the database timeouts behind it",
            alert: "[PagerDuty] ledger-api unavailable",
            results: vec![ok("eks", vec![
                f("np", "network_policy_blocks", Severity::High, Some(Category::ConfigurationError), "ledger-api", "NetworkPolicy deny-egress (created 10:10) blocks egress from ledger-api to 10.0.9.4:5432"),
                f("to", "log_signature", Severity::High, Some(Category::DependencyFailure), "ledger-api", "ledger-api: dial tcp 10.0.9.4:5432: connect: connection timed out ×12").with_attr("signature", "unreachable").with_attr("new", true),
                f("nr", "not_ready", Severity::High, None, "ledger-api", "ledger-api: 3/3 pods Running but not Ready"),
            ]), ok("cloudwatch_logs", vec![
                f("cw", "log_pattern", Severity::High, Some(Category::DependencyFailure), "ledger-api", "ledger-api: connection timed out ×30").with_attr("signature", "unreachable").with_attr("new", true),
            ])],
            missing: vec![],
            category: Category::ConfigurationError,
            cites: vec![("eks", "np"), ("eks", "to")],
            not_in_text: vec![],
        },
        Case {
            name: "controllers losing leader election are symptoms of a failing API server",
            alert: "[FIRING:1] KubeAPIErrorBudgetBurn (prod)",
            results: vec![ok("cloudwatch_logs", vec![
                f("api", "log_pattern", Severity::High, Some(Category::Infrastructure), "kube-apiserver", "kube-apiserver: etcdserver: request timed out ×20").with_attr("signature", "control_plane").with_attr("new", true),
            ]), ok("eks", vec![
                f("ctl", "log_signature", Severity::Medium, Some(Category::DependencyFailure), "ingress-controller", "ingress-controller: timeout ×3 — Get \"https://10.0.0.1:443/apis/coordination.k8s.io/v1/namespaces/x/leases/y\": context deadline exceeded").with_attr("signature", "timeout").with_attr("new", true),
                f("le", "log_signature", Severity::Medium, Some(Category::DependencyFailure), "ingress-controller", "ingress-controller: leader election lost ×2").with_attr("signature", "timeout").with_attr("new", true),
            ])],
            missing: vec![],
            category: Category::Infrastructure,
            cites: vec![("cloudwatch_logs", "api"), ("eks", "le")],
            not_in_text: vec![],
        },
        Case {
            name: "a healthy target whose alert flaps with a provider's incident: healthy, explained",
            alert: "Triggered: [Synthetics] shop homepage failed from 1 of 3 locations: Frankfurt",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "shop-web", "shop-web: 4/4 pods Ready, no restarts")]),
                ok("slack_scanner", vec![
                    f("hist", "alert_history", Severity::Low, None, "", "Same alert fired 3 times in the last 2 days, each from Frankfurt only, resolving on its own").with_attr("flapping", true),
                    f("inc", "provider_incident", Severity::Info, None, "", "Monitoring vendor status: tests from Frankfurt may time out"),
                ]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("slack_scanner", "hist"), ("slack_scanner", "inc")],
            not_in_text: vec![],
        },
        Case {
            name: "a vendor's open incident while nothing of ours fails is that dependency",
            alert: "[FIRING:1] PaymentsDeclinedHigh payments (checkout-api warning)",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "checkout-api", "checkout-api: 4/4 pods Ready, no restarts")]),
                ok("slack_scanner", vec![f("inc", "provider_incident", Severity::Low, None, "", "Provider incident: Paygate status “investigating”: elevated card declines").with_attr("resolved", false).with_attr("same_vendor", false)]),
            ],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("slack_scanner", "inc"), ("eks", "h")],
            not_in_text: vec![],
        },
        Case {
            name: "a resolved vendor incident explains nothing now",
            alert: "[FIRING:1] PaymentsDeclinedHigh payments (checkout-api warning)",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "checkout-api", "checkout-api: 4/4 pods Ready, no restarts")]),
                ok("slack_scanner", vec![f("inc", "provider_incident", Severity::Low, None, "", "Provider incident: Paygate status “resolved”").with_attr("resolved", true).with_attr("same_vendor", false)]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h")],
            not_in_text: vec![],
        },
        Case {
            name: "a change to the resource the failures name explains them",
            alert: "[Datadog] report-exporter S3 upload failures",
            results: vec![
                ok("cloudwatch_logs", vec![
                    f("ad", "log_pattern", Severity::High, Some(Category::ConfigurationError), "report-exporter", "report-exporter: AccessDenied — not authorized to perform sts:AssumeRoleWithWebIdentity on arn:aws:iam::1:role/exporter-web-role ×12").with_attr("signature", "permission_denied").with_attr("new", true).at(mins_ago(10)),
                    f("ct", "change_logged", Severity::Medium, None, "exporter-web-role", "UpdateAssumeRolePolicy on exporter-web-role by alice").at(mins_ago(12)).with_attr("subject", "exporter-web-role").with_attr("change", "aws_api"),
                ]),
            ],
            missing: vec![],
            category: Category::ConfigurationError,
            cites: vec![("cloudwatch_logs", "ad"), ("cloudwatch_logs", "ct")],
            not_in_text: vec![],
        },
        Case {
            name: "nothing answered: unknown, saying what is missing",
            alert: "[FIRING:1] Something (x)",
            results: vec![],
            missing: vec![Missing { agent: "eks".into(), why: "timeout".into() }, Missing { agent: "cloudwatch_logs".into(), why: "connection refused".into() }],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
    ];
    for c in cases {
        check(c);
    }
}

#[test]
fn thin_evidence_is_unknown_and_says_what_is_missing() {
    let r = ok(
        "eks",
        vec![f(
            "t",
            "target_not_found",
            Severity::Info,
            None,
            "",
            "nothing in the cluster matches 'billing-gw'",
        )],
    );
    let hs = rank(
        &alert("billing-gw is slow"),
        now(),
        &[&r],
        &[Missing {
            agent: "cloudwatch_logs".into(),
            why: "timeout".into(),
        }],
    );
    assert_eq!(hs[0].category, Category::Unknown);
    assert!(
        hs[0].explanation.contains("cloudwatch_logs"),
        "{}",
        hs[0].explanation
    );
    assert!(
        hs[0].explanation.contains("billing-gw"),
        "{}",
        hs[0].explanation
    );
    assert!(hs[0].confidence < 0.3);
}

#[test]
fn alternatives_are_ranked_and_ruled_out_lists_them() {
    let r = ok(
        "eks",
        vec![
            f(
                "oom",
                "oom_killed",
                Severity::Critical,
                Some(Category::ResourceExhaustion),
                "svc-a",
                "svc-a OOMKilled",
            ),
            f(
                "img",
                "image_pull",
                Severity::Medium,
                Some(Category::ConfigurationError),
                "svc-a",
                "svc-a ImagePullBackOff",
            ),
        ],
    );
    let hs = rank(&alert("svc-a down"), now(), &[&r], &[]);
    assert_eq!(hs[0].category, Category::ResourceExhaustion);
    assert!(
        hs.iter()
            .any(|h| h.category == Category::ConfigurationError)
    );
    assert!(
        hs[0]
            .ruled_out
            .iter()
            .any(|l| l.contains("ImagePullBackOff")),
        "{:?}",
        hs[0].ruled_out
    );
    assert!(hs[0].confidence > hs[1].confidence);
    let _ = json!({});
}

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

/// `410 Gone` answered on a removed endpoint, all to one client (`few`) or to many.
fn gone(few: bool) -> Finding {
    let f = Finding::new("gone", "client_gone_endpoint", Severity::Info, "quotes-api: 410 Gone answered on GET /v1/quotes ×212, all from 1 client(s): cli_old_01 — a removed endpoint, answered by design, not a failure")
        .with_service("quotes-api")
        .with_attr("status", 410)
        .with_attr("path", "/v1/quotes")
        .with_attr("few_clients", few)
        .at(mins_ago(3));
    if few {
        f.with_attr("clients", json!(["cli_old_01"]))
    } else {
        f
    }
}

/// A planned activity announced in chat on `service`, its window covering the alert.
fn planned(id: &str, change: &str, service: &str) -> Finding {
    f(
        id,
        "change_announced",
        Severity::Medium,
        None,
        service,
        "Load test announced (PERF-1): 14:00–14:30 UTC",
    )
    .at(mins_ago(200))
    .with_attr("change", change)
    .with_attr("subject", service)
    .with_attr("planned", true)
    .with_attr("covers_alert", true)
    .with_attr("completed", false)
    .with_attr("activity_start", mins_ago(10).to_string())
    .with_attr("activity_end", mins_ago(-20).to_string())
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
            name: "refused connections from the moment the service restarted on the same image are its configuration",
            alert: "[FIRING:1] GeoSearchHigh5xx (geo-search-api)",
            results: vec![ok("eks", vec![
                f("refused", "log_signature", Severity::High, Some(Category::DependencyFailure), "geo-search-api", "geo-search-api: connection refused ×6 — dial tcp 10.0.0.9:8081: connect: connection refused").with_attr("signature", "connection_refused"),
                f("roll", "recent_rollout", Severity::Low, None, "geo-search-api", "rollout, same image").at(mins_ago(12)).with_attr("from_image", "x:v3").with_attr("to_image", "x:v3"),
            ])],
            missing: vec![],
            category: Category::ConfigurationError,
            cites: vec![("eks", "refused")],
            not_in_text: vec![],
        },
        Case {
            name: "refused connections after a new image are still the dependency's failure",
            alert: "[FIRING:1] GeoSearchHigh5xx (geo-search-api)",
            results: vec![ok("eks", vec![
                f("refused", "log_signature", Severity::High, Some(Category::DependencyFailure), "geo-search-api", "geo-search-api: connection refused ×6 — dial tcp 10.0.0.9:8080: connect: connection refused").with_attr("signature", "connection_refused"),
                f("roll", "recent_rollout", Severity::Low, None, "geo-search-api", "rollout v3 → v4").at(mins_ago(12)).with_attr("from_image", "x:v3").with_attr("to_image", "x:v4"),
            ])],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("eks", "refused")],
            not_in_text: vec![],
        },
        Case {
            name: "rejected logins explain the same service's empty pool",
            alert: "[FIRING:1] AppointmentSvcErrors (appointment-svc)",
            results: vec![ok("eks", vec![
                f("pool", "log_signature", Severity::High, Some(Category::ResourceExhaustion), "appointment-svc", "appointment-svc: connection pool exhausted ×9 — HikariPool-1 - Connection is not available (total=0, active=0, idle=0)").with_attr("signature", "pool_exhausted"),
                f("auth", "log_signature", Severity::Medium, Some(Category::ConfigurationError), "appointment-svc", "appointment-svc: credentials rejected ×3 — FATAL: password authentication failed for user \"app\"").with_attr("signature", "auth_failed"),
            ])],
            missing: vec![],
            category: Category::ConfigurationError,
            cites: vec![("eks", "auth")],
            not_in_text: vec![],
        },
        Case {
            name: "rejected logins of another service do not explain this one's pool",
            alert: "[FIRING:1] AppointmentSvcErrors (appointment-svc)",
            results: vec![ok("eks", vec![
                f("pool", "log_signature", Severity::High, Some(Category::ResourceExhaustion), "appointment-svc", "appointment-svc: connection pool exhausted ×9 — HikariPool-1 - Connection is not available").with_attr("signature", "pool_exhausted"),
                f("auth", "log_signature", Severity::Medium, Some(Category::ConfigurationError), "billing-svc", "billing-svc: credentials rejected ×3 — FATAL: password authentication failed").with_attr("signature", "auth_failed"),
            ])],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("eks", "pool")],
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
            name: "an open incident of a provider our failures name joins that dependency failure",
            alert: "[FIRING:1] CheckoutHighErrorRate (checkout-service)",
            results: vec![
                ok("cloudwatch_logs", vec![f("t", "log_pattern", Severity::Medium, Some(Category::DependencyFailure), "checkout-service", "checkout-service: upstream 5xx — status=503 err=\"payvault: POST https://api.payvault.io/v2/authorizations\" ×4").with_attr("signature", "http_5xx")]),
                ok("discord_scanner", vec![f("inc", "provider_incident", Severity::Info, None, "", "Provider incident: Payvault status “identified”: elevated error rates on Payments API (EU)").with_attr("provider", "Payvault").with_attr("resolved", false).with_attr("matches_alert", false)]),
            ],
            missing: vec![],
            category: Category::DependencyFailure,
            cites: vec![("cloudwatch_logs", "t"), ("discord_scanner", "inc")],
            not_in_text: vec![],
        },
        Case {
            name: "an open incident unrelated to the alert and unnamed by any failure explains nothing",
            alert: "[FIRING:1] CheckoutHighErrorRate (checkout-service)",
            results: vec![
                ok("eks", vec![f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "checkout-service", "checkout-service: 4/4 pods Ready, no restarts")]),
                ok("discord_scanner", vec![f("inc", "provider_incident", Severity::Info, None, "", "Provider incident: Payvault status “identified”: elevated error rates on Payments API (EU)").with_attr("provider", "Payvault").with_attr("resolved", false).with_attr("matches_alert", false)]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h")],
            not_in_text: vec![],
        },
        Case {
            name: "a service recovered after its node was interrupted: the alert's own resolution and the interruption explain it",
            alert: "CollabGateway5xxRate paged at 10:03 and auto-resolved at 10:12, anything still broken?",
            results: vec![
                ok("eks", vec![
                    f("h", "target_healthy", Severity::Info, Some(Category::Healthy), "collab-gateway", "collab-gateway: recovered — 3/3 pods Ready since 10:03").with_attr("recovered_at", mins_ago(17).to_string()),
                    f("ev", "evicted", Severity::Low, None, "collab-gateway", "collab-gateway: 2 pods Evicted — their node ip-10-8-71-203 was taken away: SpotInterrupted at 10:00:58").with_attr("reason", "node_interrupted"),
                    f("ev2", "evicted", Severity::Low, None, "collab-gateway", "collab-gateway: 1 pod Evicted: Evicted pod").with_attr("reason", "other"),
                ]),
                ok("discord_scanner", vec![f("ra", "related_alert", Severity::Medium, None, "", "Related alert on CollabGateway5xxRate: fired, then resolved").with_attr("match", "same").with_attr("recovered", true)]),
            ],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("eks", "h"), ("eks", "ev"), ("discord_scanner", "ra")],
            not_in_text: vec!["1 pod Evicted"],
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
            name: "a flag switched before a crash in the code its key names explains it",
            alert: "New issue in pricing-engine: nil pointer dereference",
            results: vec![
                ok("eks", vec![f("crash", "crash_loop", Severity::Critical, Some(Category::CodeDefect), "pricing-engine", "pricing-engine: CrashLoopBackOff exit code 2; died at internal/discount.(*Engine).applyBundle (discount/bundle.go:142)").with_attr("signature", "code_defect").with_attr("onset", mins_ago(9).to_string())]),
                ok("discord_scanner", vec![f("flag", "change_announced", Severity::Medium, None, "", "Feature flag change announced on bundle_discounts_v2").at(mins_ago(10)).with_attr("change", "flag").with_attr("subject", "bundle_discounts_v2")]),
            ],
            missing: vec![],
            category: Category::CodeDefect,
            cites: vec![("eks", "crash"), ("discord_scanner", "flag")],
            not_in_text: vec![],
        },
        Case {
            name: "a flag whose key names other code is not attached to a crash",
            alert: "New issue in pricing-engine: nil pointer dereference",
            results: vec![
                ok("eks", vec![f("crash", "crash_loop", Severity::Critical, Some(Category::CodeDefect), "pricing-engine", "pricing-engine: CrashLoopBackOff exit code 2; died at internal/discount.(*Engine).applyBundle (discount/bundle.go:142)").with_attr("signature", "code_defect").with_attr("onset", mins_ago(9).to_string())]),
                ok("discord_scanner", vec![f("flag", "change_announced", Severity::Medium, None, "", "Feature flag change announced on search_ranking_v3").at(mins_ago(10)).with_attr("change", "flag").with_attr("subject", "search_ranking_v3")]),
            ],
            missing: vec![],
            category: Category::CodeDefect,
            cites: vec![("eks", "crash")],
            not_in_text: vec!["search_ranking_v3"],
        },
        failover_case("a burst inside a managed failover reported done, silent since, is healthy", "orders-pg", true, Some(8), 8, Category::Healthy),
        failover_case("failures going on after the failover are not its blip", "orders-pg", true, Some(8), 1, Category::DependencyFailure),
        failover_case("failures seen a minute ago, just after the failover, are not over yet", "orders-pg", true, Some(2), 1, Category::DependencyFailure),
        failover_case("failures that lingered long after the failover was done are not its blip", "orders-pg", true, Some(25), 8, Category::DependencyFailure),
        failover_case("a failover not reported done explains nothing yet", "orders-pg", true, None, 8, Category::DependencyFailure),
        failover_case("a failover a person announced is a change, not a managed operation's blip", "orders-pg", false, Some(8), 8, Category::DependencyFailure),
        failover_case("a failover of a database the failures do not name explains nothing", "billing-pg", true, Some(8), 8, Category::DependencyFailure),
        recovered_alert_case("the alert's own OK notification with no active error is healthy", true, Category::Healthy),
        recovered_alert_case("an alert still firing with stopped errors is not called healthy", false, Category::Unknown),
        lock_case("a schema migration's lock is the cause, the query timeouts it declares it explains its symptoms", true, true, "lock_wait", Category::CodeDefect),
        lock_case("a datastore's lock waits explain its clients' connection limit even undeclared", false, true, "lock_wait", Category::CodeDefect),
        lock_case("without lock waits the connection limit is the cause", false, false, "timeout", Category::ResourceExhaustion),
        lock_case("a migration announced with no lock waits is not attached to them", false, true, "timeout", Category::ResourceExhaustion),
        lock_case("without the migration the lock still explains the connection limit", false, false, "lock_wait", Category::CodeDefect),
        host_fault_case("a pod on the node whose host log shows a disk fault fails with it", "ip-10-5-22-140.ec2.internal"),
        host_fault_case("a pod on another node does not join the host fault", "ip-10-5-31-9.ec2.internal"),
        Case {
            name: "nothing answered: unknown, saying what is missing",
            alert: "[FIRING:1] Something (x)",
            results: vec![],
            missing: vec![Missing { agent: "eks".into(), why: "timeout".into() }, Missing { agent: "cloudwatch_logs".into(), why: "connection refused".into() }],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
        Case {
            name: "an alert inside a planned load test on its service, nothing failing, is healthy",
            alert: "[Alerting] checkout-api p95 latency high",
            results: vec![ok("discord_scanner", vec![planned("lt", "load_test", "checkout-api")])],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("discord_scanner", "lt")],
            not_in_text: vec![],
        },
        Case {
            name: "a planned load test does not hide a failure of the service",
            alert: "[Alerting] checkout-api p95 latency high",
            results: vec![
                ok("discord_scanner", vec![planned("lt", "load_test", "checkout-api")]),
                ok("eks", vec![f("oom", "oom_killed", Severity::Critical, Some(Category::ResourceExhaustion), "checkout-api", "checkout-api-1-x OOMKilled (exit code 137)")]),
            ],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("eks", "oom")],
            not_in_text: vec![],
        },
        Case {
            name: "410s of a removed endpoint to a few clients, nothing failing, are healthy",
            alert: "[FIRING:1] QuotesApi4xxRateHigh (quotes-api)",
            results: vec![ok("cloudwatch_logs", vec![gone(true)])],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("cloudwatch_logs", "gone")],
            not_in_text: vec![],
        },
        Case {
            name: "410s spread over many clients explain nothing",
            alert: "[FIRING:1] QuotesApi4xxRateHigh (quotes-api)",
            results: vec![ok("cloudwatch_logs", vec![gone(false)])],
            missing: vec![],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
        Case {
            name: "a removed endpoint's 410s do not hide a failure",
            alert: "[FIRING:1] QuotesApi4xxRateHigh (quotes-api)",
            results: vec![
                ok("cloudwatch_logs", vec![gone(true)]),
                ok("eks", vec![f("oom", "oom_killed", Severity::Critical, Some(Category::ResourceExhaustion), "quotes-api", "quotes-api-1-x OOMKilled (exit code 137)")]),
            ],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("eks", "oom")],
            not_in_text: vec![],
        },
        Case {
            name: "a decommission announced on the alert, its alerts declared expected, nothing failing, is healthy",
            alert: "[FIRING:1] BlackboxProbeFailed (status-v1)",
            results: vec![ok("discord_scanner", vec![planned("dc", "decommission", "status-v1").with_attr("expects_alert", true)])],
            missing: vec![],
            category: Category::Healthy,
            cites: vec![("discord_scanner", "dc")],
            not_in_text: vec![],
        },
        Case {
            name: "a decommission that does not say its alerts are expected explains nothing",
            alert: "[FIRING:1] BlackboxProbeFailed (status-v1)",
            results: vec![ok("discord_scanner", vec![planned("dc", "decommission", "status-v1").with_attr("expects_alert", false)])],
            missing: vec![],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
        Case {
            name: "an announcement declaring its alerts expected does not hide a failure",
            alert: "[FIRING:1] BlackboxProbeFailed (status-v1)",
            results: vec![
                ok("discord_scanner", vec![planned("dc", "decommission", "status-v1").with_attr("expects_alert", true)]),
                ok("eks", vec![f("oom", "oom_killed", Severity::Critical, Some(Category::ResourceExhaustion), "status-v1", "status-v1-1-x OOMKilled (exit code 137)")]),
            ],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("eks", "oom")],
            not_in_text: vec![],
        },
        Case {
            name: "a planned load test on another service explains nothing",
            alert: "[Alerting] checkout-api p95 latency high",
            results: vec![ok("discord_scanner", vec![planned("lt", "load_test", "search-api")])],
            missing: vec![],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
        Case {
            name: "a planned load test reported done explains nothing",
            alert: "[Alerting] checkout-api p95 latency high",
            results: vec![ok("discord_scanner", vec![planned("lt", "load_test", "checkout-api").with_attr("completed", true)])],
            missing: vec![],
            category: Category::Unknown,
            cites: vec![],
            not_in_text: vec![],
        },
        Case {
            name: "a cause elsewhere that says what it explains is not discounted as another service",
            alert: "[FIRING:1] OrdersApiHighErrorRate (orders-api)",
            results: vec![ok("cloudwatch_logs", vec![
                f("db", "log_pattern", Severity::High, Some(Category::ResourceExhaustion), "orders-db", "FATAL: remaining connection slots are reserved ×80").with_attr("signature", "too_many_clients").with_attr("new", true).with_attr("explains", json!(["sym"])),
                f("sym", "log_pattern", Severity::Medium, None, "orders-api", "Timeout acquiring a connection ×40").with_attr("signature", "pool_exhausted").with_attr("new", true).with_attr("symptom_of", "too_many_clients"),
                f("npe", "log_pattern", Severity::High, Some(Category::CodeDefect), "orders-api", "TypeError: cannot read properties of undefined ×30").with_attr("signature", "code_defect").with_attr("new", true),
            ])],
            missing: vec![],
            category: Category::ResourceExhaustion,
            cites: vec![("cloudwatch_logs", "db")],
            not_in_text: vec![],
        },
    ];
    for c in cases {
        check(c);
    }
}

/// A payments-api error burst (from the failover's start, last seen `last_mins` before the
/// alert, naming the database orders-pg) and a Multi-AZ failover of `subject` announced by the
/// database's own notification (`notified`, else by a person), begun a minute before it
/// was reported done (`done`: minutes before the alert; none: not reported done, begun 9 min
/// before the alert).
fn failover_case(
    name: &'static str,
    subject: &'static str,
    notified: bool,
    done: Option<i64>,
    last_mins: i64,
    category: Category,
) -> Case {
    let began = done.map_or(9, |d| d + 1);
    let mut op = f(
        "fo",
        "change_announced",
        Severity::Medium,
        None,
        subject,
        "Failover announced: RDS event: Multi-AZ instance failover started",
    )
    .at(mins_ago(began))
    .with_attr("change", "failover")
    .with_attr("subject", subject)
    .with_attr("notification", notified)
    .with_attr("completed", done.is_some());
    if let Some(d) = done {
        op = op.with_attr("completed_at", mins_ago(d).to_string());
    }
    Case {
        name,
        alert: "[FIRING:1] PaymentsApiErrorBurst payments/payments-api",
        results: vec![
            ok("cloudwatch_logs", vec![f("refused", "log_pattern", Severity::High, Some(Category::DependencyFailure), "payments-api", "payments-api: new error pattern \"Connection to orders-pg.x.rds.amazonaws.com:5432 refused\" ×40").with_attr("signature", "connection_refused").with_attr("new", true).at(mins_ago(began)).with_attr("last_seen", mins_ago(last_mins).to_string())]),
            ok("eks", vec![f("probe", "probe_failed", Severity::Medium, None, "payments-api", "payments-api: Readiness probe failed ×3").at(mins_ago(began)).with_attr("last_seen", mins_ago(last_mins).to_string())]),
            ok("slack_scanner", vec![op]),
        ],
        missing: vec![],
        category,
        cites: if category == Category::Healthy { vec![("slack_scanner", "fo")] } else { vec![("cloudwatch_logs", "refused")] },
        not_in_text: vec![],
    }
}

/// A synthetic canary's alarm, its errors stopped (quiet logs); `recovered`: the alarm's own
/// latest notification in chat closed it.
fn recovered_alert_case(name: &'static str, recovered: bool, category: Category) -> Case {
    let mut alarm = f(
        "alarm",
        "related_alert",
        Severity::Medium,
        None,
        "",
        "Related alert on Synthetics-Alarm-checkout-flow: ALARM",
    )
    .at(mins_ago(20))
    .with_attr("match", "same")
    .with_attr("recovered", recovered);
    if recovered {
        alarm = alarm.with_attr("recovered_at", mins_ago(10).to_string());
    }
    Case {
        name,
        alert: "paged for Synthetics-Alarm-checkout-flow (canary checkout-flow SuccessPercent < 90)",
        results: vec![
            ok("discord_scanner", vec![alarm]),
            ok(
                "cloudwatch_logs",
                vec![
                    f(
                        "t",
                        "lambda_error",
                        Severity::Low,
                        None,
                        "cwsyn-checkout-flow",
                        "cwsyn-checkout-flow: timeout ×2",
                    )
                    .with_attr("signature", "timeout")
                    .at(mins_ago(25))
                    .with_attr("last_seen", mins_ago(20).to_string()),
                    f(
                        "q",
                        "logs_quiet",
                        Severity::Info,
                        None,
                        "",
                        "No active error pattern: errors stopped at 09:05 UTC, recovered",
                    )
                    .with_attr("recovered", true),
                ],
            ),
        ],
        missing: vec![],
        category,
        cites: if category == Category::Healthy {
            vec![("discord_scanner", "alarm"), ("cloudwatch_logs", "q")]
        } else {
            vec![]
        },
        not_in_text: vec![],
    }
}

/// NVMe timeouts in one node's host log stream (`…-dmesg`) beside a pod that is not Ready on
/// `pod_node`: it joins the fault only when it runs on that node.
fn host_fault_case(name: &'static str, pod_node: &'static str) -> Case {
    // A host's fault is about no service.
    let host = Finding::new("nvme", "log_pattern", Severity::Critical, "/aws/containerinsights/prod/host: kernel / host fault — \"kernel: nvme nvme2: I/O 88 QID 1 timeout, aborting\" ×5")
        .with_category(Category::Infrastructure)
        .with_attr("signature", "kernel_fault")
        .with_attr("new", true)
        .with_attr("sources", json!(["ip-10-5-22-140.ec2.internal-dmesg"]))
        .at(mins_ago(20));
    let pod = f("notready", "not_ready", Severity::High, None, "prometheus-k8s", "prometheus-k8s: 1/1 pods Running but not Ready; prometheus-k8s-0 mounts volume vol-0d2e7a91")
        .with_attr("node", pod_node)
        .at(mins_ago(15));
    let joins = pod_node == "ip-10-5-22-140.ec2.internal";
    Case {
        name,
        alert: "[FIRING:1] PrometheusNotIngestingSamples (monitoring prometheus-k8s)",
        results: vec![ok("cloudwatch_logs", vec![host]), ok("eks", vec![pod])],
        missing: vec![],
        category: Category::Infrastructure,
        cites: if joins {
            vec![("cloudwatch_logs", "nvme"), ("eks", "notready")]
        } else {
            vec![("cloudwatch_logs", "nvme")]
        },
        not_in_text: if joins { vec![] } else { vec!["vol-0d2e7a91"] },
    }
}

/// A billing-api connection-limit burst (query timeouts when `explains`) beside its database's
/// `db_signature` findings (a `lock_wait`: sessions blocked behind a migration's `ALTER TABLE`;
/// `explains`: it names the client's finding as its symptom), with a migration announced in
/// chat (`migration`).
fn lock_case(
    name: &'static str,
    explains: bool,
    migration: bool,
    db_signature: &'static str,
    category: Category,
) -> Case {
    let mut db = f("lock", "log_pattern", Severity::High, Some(Category::CodeDefect), "billing-pg", "billing-pg: sessions waiting — \"still waiting for AccessShareLock\" ×3, held by process 29904 running \"ALTER TABLE invoices …\"")
        .with_attr("signature", db_signature)
        .with_attr("new", true)
        .at(mins_ago(16));
    if explains {
        db = db.with_attr("explains", json!(["limit"]));
    }
    let mut results = vec![
        ok(
            "cloudwatch_logs",
            vec![
                db,
                if explains {
                    f("limit", "log_pattern", Severity::High, Some(Category::DependencyFailure), "billing-api", "billing-api: query timeout — \"canceling statement due to statement timeout\" ×40").with_attr("signature", "timeout").with_attr("new", true).at(mins_ago(5))
                } else {
                    f("limit", "log_pattern", Severity::High, Some(Category::ResourceExhaustion), "billing-api", "billing-api: database connection limit reached — \"remaining connection slots are reserved\" ×40").with_attr("signature", "too_many_clients").with_attr("new", true).at(mins_ago(5))
                },
            ],
        ),
        ok(
            "eks",
            vec![
                f(
                    "probe",
                    "probe_failed",
                    Severity::High,
                    None,
                    "billing-api",
                    "billing-api: Readiness probe failed ×88",
                )
                .at(mins_ago(6)),
            ],
        ),
    ];
    if migration {
        results.push(ok(
            "slack_scanner",
            vec![
                f(
                    "mig",
                    "change_announced",
                    Severity::Medium,
                    None,
                    "billing-db-migrate-187",
                    "Migration announced on billing-db-migrate-187",
                )
                .at(mins_ago(17))
                .with_attr("change", "migration")
                .with_attr("subject", "billing-db-migrate-187"),
            ],
        ));
    }
    let locked = db_signature == "lock_wait";
    let mut cites = vec![("cloudwatch_logs", "limit")];
    if locked {
        cites.push(("cloudwatch_logs", "lock"));
        if migration {
            cites.push(("slack_scanner", "mig"));
        }
    }
    Case {
        name,
        alert: "[PagerDuty] billing-api availability below SLO",
        results,
        missing: vec![],
        category,
        cites,
        not_in_text: if locked {
            vec![]
        } else {
            vec!["billing-db-migrate-187"]
        },
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

/// A symptom its specialist tied to a cause (`symptom_of`) is no hypothesis of its own, even
/// when the cause's finding does not list it.
#[test]
fn a_symptom_tied_to_its_cause_is_no_candidate() {
    let results = [ok(
        "cloudwatch_logs",
        vec![
            f(
                "db",
                "log_pattern",
                Severity::High,
                Some(Category::ResourceExhaustion),
                "orders-db",
                "too many clients ×80",
            )
            .with_attr("signature", "too_many_clients")
            .with_attr("new", true),
            f(
                "sym",
                "log_pattern",
                Severity::Medium,
                None,
                "orders-api",
                "Timeout acquiring a connection ×40",
            )
            .with_attr("signature", "http_5xx")
            .with_attr("new", true)
            .with_attr("symptom_of", "too_many_clients"),
        ],
    )];
    let refs: Vec<&AgentResult> = results.iter().collect();
    let hs = rank(&alert("orders-api errors"), now(), &refs, &[]);
    assert_eq!(hs[0].category, Category::ResourceExhaustion, "{hs:#?}");
    assert!(
        !hs.iter().any(|h| h.category == Category::Unknown),
        "the symptom made a candidate: {hs:#?}"
    );
}

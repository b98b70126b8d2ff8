//! The table-driven scenario test: every scenario with Kubernetes data, investigated the way the
//! master asks (alert text, alert time = the scenario's `now`, 30 min / 5 min window), must show
//! its decisive signal and raise no false cause — no failure category on the healthy, recovered
//! and heartbeat scenarios, none on the red herrings. Scenarios not in the table (written later)
//! still run through the general checks.

use crate::common::*;
use sremesh_core::{AgentResult, AgentStatus, Category, Finding};
use sremesh_scenario::Scenario;

use Category::*;

/// A finding that must be present: its kind, its category (`None`: must carry none) and
/// strings its title or evidence must contain.
pub(crate) struct Must {
    kind: &'static str,
    category: Option<Category>,
    text: &'static [&'static str],
}

pub(crate) const fn must(
    kind: &'static str,
    category: Option<Category>,
    text: &'static [&'static str],
) -> Must {
    Must {
        kind,
        category,
        text,
    }
}

pub(crate) struct Case {
    pub(crate) id: &'static str,
    pub(crate) must: &'static [Must],
    /// No finding may carry these categories.
    pub(crate) forbid: &'static [Category],
    /// Red herrings: no category-bearing finding may mention them.
    pub(crate) herrings: &'static [&'static str],
    /// Kinds that must not appear at all.
    pub(crate) absent: &'static [&'static str],
}

pub(crate) const FAILURES: &[Category] = &[
    ResourceExhaustion,
    ConfigurationError,
    DependencyFailure,
    CodeDefect,
    Infrastructure,
    DataQuality,
    Unknown,
];

const TABLE: &[Case] = &[
    Case {
        id: "oom-recommendation-svc",
        must: &[must(
            "oom_killed",
            Some(ResourceExhaustion),
            &["OOMKilled", "exit code 137", "recommendation-svc", "1Gi"],
        )],
        forbid: &[Healthy, CodeDefect, DependencyFailure],
        herrings: &["statsd"],
        absent: &[],
    },
    Case {
        id: "imagepull-bad-tag-search-api",
        must: &[
            must(
                "image_pull",
                Some(ConfigurationError),
                &["ImagePullBackOff", "v2.3.1", "not found"],
            ),
            must("recent_rollout", None, &["v2.3.0", "v2.3.1"]),
            must("rollout_stuck", None, &["ProgressDeadlineExceeded"]),
        ],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &["ImageGCFailed"],
        absent: &[],
    },
    Case {
        id: "missing-configmap-notification-svc",
        must: &[must(
            "config_missing",
            Some(ConfigurationError),
            &["CreateContainerConfigError", "notification-svc-templates"],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &["ledger-export"],
        absent: &[],
    },
    Case {
        id: "pending-insufficient-cpu-video-transcoder",
        must: &[must(
            "scheduling_failed",
            Some(ResourceExhaustion),
            &[
                "FailedScheduling",
                "Insufficient cpu",
                "max node group size reached",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError],
        herrings: &["InvalidDiskCapacity"],
        absent: &[],
    },
    Case {
        id: "quota-exceeded-checkout-worker",
        must: &[must(
            "quota_exceeded",
            Some(ResourceExhaustion),
            &["exceeded quota", "compute-quota", "requests.cpu"],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &["cart-api"],
        absent: &["target_healthy"],
    },
    Case {
        id: "readiness-redis-inventory-api",
        must: &[
            must("probe_failed", None, &["Readiness probe failed", "503"]),
            must("not_ready", None, &["no ready endpoints"]),
            must(
                "log_signature",
                Some(DependencyFailure),
                &["ioredis", "ETIMEDOUT"],
            ),
        ],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &["maintenance"],
        absent: &[],
    },
    Case {
        id: "liveness-wrong-port-ledger-api",
        must: &[
            must(
                "probe_failed",
                Some(ConfigurationError),
                &["Liveness probe failed", "8081", "8080"],
            ),
            must("crash_loop", None, &["exit code 137", "not OOMKilled"]),
            must("recent_rollout", None, &["livenessProbe", "8080 → 8081"]),
        ],
        forbid: &[Healthy, ResourceExhaustion, CodeDefect],
        herrings: &["out of memory"],
        absent: &["oom_killed"],
    },
    Case {
        id: "node-notready-shipping-rabbitmq",
        must: &[must(
            "node_not_ready",
            Some(Infrastructure),
            &[
                "NotReady",
                "ip-10-30-3-17",
                "Kubelet stopped posting node status",
                "shipping-rabbitmq-2",
            ],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError],
        herrings: &["FreeDiskSpaceFailed"],
        absent: &[],
    },
    Case {
        id: "bad-rollout-payments-api",
        must: &[
            must(
                "crash_loop",
                Some(CodeDefect),
                &["CrashLoopBackOff", "TypeError", "exit code 1"],
            ),
            must("recent_rollout", None, &["v1.7.4", "v1.8.0"]),
        ],
        forbid: &[Healthy, ResourceExhaustion, Infrastructure],
        herrings: &["stripe"],
        absent: &[],
    },
    Case {
        id: "dns-resolution-fraud-scorer",
        must: &[must(
            "log_signature",
            Some(Infrastructure),
            &["name resolution", "fraud-scorer"],
        )],
        forbid: &[Healthy, CodeDefect, ConfigurationError],
        herrings: &["legacy-reports", "pandas"],
        absent: &["crash_loop"],
    },
    Case {
        id: "db-connections-orders-api",
        must: &[must(
            "log_signature",
            Some(ResourceExhaustion),
            &["too many clients", "orders-api"],
        )],
        forbid: &[Healthy, CodeDefect, Infrastructure],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "dynamodb-throttling-cart-api",
        must: &[must(
            "log_signature",
            Some(ResourceExhaustion),
            &["ProvisionedThroughputExceededException", "cart-sessions"],
        )],
        forbid: &[Healthy, CodeDefect, Infrastructure],
        herrings: &["otel", "UNAVAILABLE"],
        absent: &[],
    },
    Case {
        id: "watchdog-false-alarm",
        must: &[must("target_healthy", Some(Healthy), &["Watchdog"])],
        forbid: FAILURES,
        herrings: &[],
        absent: &["target_not_found"],
    },
    Case {
        id: "cpu-false-alarm-search-indexer",
        must: &[must(
            "target_healthy",
            Some(Healthy),
            &["search-indexer", "reindex", "no restarts"],
        )],
        forbid: FAILURES,
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "recovered-orders-worker",
        must: &[must(
            "target_healthy",
            Some(Healthy),
            &["orders-worker", "recovered", "rabbitmq"],
        )],
        forbid: FAILURES,
        herrings: &[],
        absent: &["crash_loop"],
    },
    Case {
        id: "disk-pressure-eviction-geo-api",
        must: &[
            must(
                "node_pressure",
                Some(Infrastructure),
                &["DiskPressure", "ip-10-30-2-90"],
            ),
            must(
                "evicted",
                Some(Infrastructure),
                &["Evicted", "ephemeral-storage"],
            ),
        ],
        forbid: &[Healthy, CodeDefect],
        herrings: &["route-optimizer"],
        absent: &["crash_loop"],
    },
    Case {
        id: "tls-expired-carrier-sync",
        must: &[must(
            "log_signature",
            Some(DependencyFailure),
            &["certificate has expired", "nordfreight"],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &["cert-manager"],
        absent: &[],
    },
    Case {
        id: "bad-config-database-url-billing-api",
        must: &[
            must(
                "crash_loop",
                Some(ConfigurationError),
                &["CrashLoopBackOff", "DATABASE_URL"],
            ),
            must("recent_rollout", None, &["same image", "checksum/config"]),
        ],
        forbid: &[Healthy, CodeDefect],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "pvc-unbound-events-clickhouse",
        must: &[must(
            "scheduling_failed",
            Some(ConfigurationError),
            &["unbound immediate PersistentVolumeClaims", "gp3-encrypted"],
        )],
        forbid: &[Healthy, CodeDefect, ResourceExhaustion],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "data-quality-order-events-consumer",
        must: &[must(
            "log_signature",
            Some(DataQuality),
            &["JsonParseException", "partner-orders"],
        )],
        forbid: &[Healthy, CodeDefect, Infrastructure],
        herrings: &[],
        absent: &[],
    },
    Case {
        id: "code-defect-npe-checkout-api",
        must: &[
            must(
                "log_signature",
                Some(CodeDefect),
                &["NullPointerException", "checkout-api"],
            ),
            must("recent_rollout", None, &["v3.11.2", "v3.12.0"]),
        ],
        forbid: &[Healthy, Infrastructure, DependencyFailure],
        herrings: &["search-api"],
        absent: &[],
    },
];

fn has(f: &Finding, s: &str) -> bool {
    f.text()
        .to_ascii_lowercase()
        .contains(&s.to_ascii_lowercase())
}

/// The checks every answer passes, whatever the scenario: shape, caps and the contract.
fn general(id: &str, s: &Scenario, r: &AgentResult, out: &str) {
    assert_eq!(r.status, AgentStatus::Ok, "{id}: {out}");
    assert!(!r.partial, "{id}: partial with a 20 s deadline\n{out}");
    assert!(
        !r.summary.is_empty() && r.summary.chars().count() <= 400,
        "{id}: {out}"
    );
    assert!(
        r.findings.len() <= 40,
        "{id}: {} findings",
        r.findings.len()
    );
    let mut ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), r.findings.len(), "{id}: duplicate ids\n{out}");
    for f in &r.findings {
        assert!(
            f.evidence.len() <= 8,
            "{id}: {} has {} evidence lines",
            f.id,
            f.evidence.len()
        );
        for l in &f.evidence {
            assert!(
                l.chars().count() <= 300,
                "{id}: evidence line too long in {}",
                f.id
            );
        }
        assert!(
            f.title.chars().count() <= 300,
            "{id}: title too long: {}",
            f.title
        );
        assert!(
            f.id.starts_with(&f.kind),
            "{id}: id {} does not start with its kind",
            f.id
        );
    }
    assert!(!r.scanned.is_empty(), "{id}: nothing scanned");
    // The scenario's own answer key, for scenarios the table does not know yet.
    if let Some(e) = &s.expect {
        if e.category == Healthy {
            for f in &r.findings {
                assert!(
                    f.category.is_none_or(|c| c == Healthy),
                    "{id}: false cause {f:?}"
                );
            }
        }
        for f in &r.findings {
            if let Some(c) = f.category {
                assert!(
                    !e.forbidden_categories.contains(&c) || c == e.category,
                    "{id}: forbidden category {c} on {}\n{out}",
                    f.id
                );
            }
        }
        if e.required_evidence.iter().any(|x| x == "eks") {
            assert!(
                r.findings.iter().any(|f| f.category == Some(e.category)),
                "{id}: no finding carries the expected category {}\n{out}",
                e.category
            );
        }
    }
}

fn check(case: &Case, r: &AgentResult, out: &str) {
    let id = case.id;
    for m in case.must {
        let found = r.findings.iter().find(|f| {
            f.kind == m.kind && f.category == m.category && m.text.iter().all(|t| has(f, t))
        });
        assert!(
            found.is_some(),
            "{id}: no {} ({:?}) with {:?}\n{out}",
            m.kind,
            m.category,
            m.text
        );
    }
    for f in &r.findings {
        if let Some(c) = f.category {
            assert!(
                !case.forbid.contains(&c),
                "{id}: false cause {c} on {}\n{out}",
                f.id
            );
            for h in case.herrings {
                assert!(
                    !has(f, h),
                    "{id}: red herring '{h}' in a {c} finding {}\n{out}",
                    f.id
                );
            }
        }
        assert!(
            !case.absent.contains(&f.kind.as_str()),
            "{id}: unexpected {}\n{out}",
            f.kind
        );
    }
}

/// Every scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios(), TABLE, 21).await;
}

/// Investigates every scenario, applies the general checks and its table row (if any), and
/// fails with every scenario that did not pass.
pub(crate) async fn run_table(scenarios: Vec<(String, Scenario)>, table: &[Case], at_least: usize) {
    assert!(
        scenarios.len() >= at_least,
        "scenario set shrank: {}",
        scenarios.len()
    );
    let mut failures = Vec::new();
    for (id, s) in &scenarios {
        let r = investigate(s).await;
        let out = dump(&r);
        let run = std::panic::catch_unwind(|| {
            general(id, s, &r, &out);
            if let Some(case) = table.iter().find(|c| c.id == id) {
                check(case, &r, &out);
            }
        });
        if let Err(e) = run {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(msg);
        }
    }
    // Every table row names a real scenario (a renamed file must not silently skip its checks).
    for c in table {
        assert!(
            scenarios.iter().any(|(id, _)| id == c.id),
            "table row {} has no scenario",
            c.id
        );
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// An alert about something that is not in Kubernetes at all (a Lambda): nothing matches, no
/// cause is invented.
#[tokio::test]
async fn an_alert_outside_kubernetes_finds_no_target_and_no_cause() {
    let s = load("lambda-timeout-payments-webhook");
    let r = investigate(&s).await;
    let out = dump(&r);
    assert_eq!(r.status, AgentStatus::Ok, "{out}");
    assert!(find(&r, "target_not_found").is_some(), "{out}");
    assert!(r.findings.iter().all(|f| f.category.is_none()), "{out}");
    assert!(r.summary.contains("No workload"), "{out}");
}

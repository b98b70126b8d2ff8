//! Every scenario in the library, replayed through the sandbox: the decisive CloudWatch signal
//! is found where the logs hold one, and no category-bearing finding comes from constant noise,
//! a red herring, recovered errors or a healthy system. Scenarios not in the table (added by
//! others) still run with the checks that hold for any incident.

use super::*;
use sremesh_core::{AgentStatus, Category, Finding};

use Category::*;

mod holdout;
use holdout::holdout_table;

/// What the agent must find in one scenario.
struct Case {
    id: &'static str,
    /// Findings that must exist: kind, category, and strings its title/evidence contain.
    must: &'static [(&'static str, Option<Category>, &'static [&'static str])],
    /// Categories no finding may carry.
    never: &'static [Category],
    /// Strings no category-bearing finding may mention (red herrings).
    herrings: &'static [&'static str],
}

const FAILURES: &[Category] = &[
    ResourceExhaustion,
    ConfigurationError,
    DependencyFailure,
    CodeDefect,
    Infrastructure,
    DataQuality,
    Healthy,
    Unknown,
];

/// Scenarios whose decisive signal is in Kubernetes (or that are healthy): the logs hold
/// nothing that points to a cause, so the agent must say the logs are quiet and raise nothing.
fn quiet(id: &'static str, herrings: &'static [&'static str]) -> Case {
    Case {
        id,
        must: &[("logs_quiet", None, &[])],
        never: FAILURES,
        herrings,
    }
}

fn table() -> Vec<Case> {
    vec![
        Case {
            id: "bad-config-database-url-billing-api",
            must: &[(
                "log_pattern",
                Some(ConfigurationError),
                &["invalid value for DATABASE_URL", "billing-api"],
            )],
            never: &[CodeDefect, Healthy, Unknown],
            herrings: &[],
        },
        Case {
            id: "bad-rollout-payments-api",
            must: &[(
                "log_pattern",
                Some(CodeDefect),
                &[
                    "TypeError: Cannot read properties of undefined",
                    "payments-api",
                ],
            )],
            never: &[
                ResourceExhaustion,
                Infrastructure,
                DependencyFailure,
                Healthy,
            ],
            herrings: &["stripe"],
        },
        Case {
            id: "code-defect-npe-checkout-api",
            must: &[(
                "log_pattern",
                Some(CodeDefect),
                &[
                    "NullPointerException",
                    "getShippingAddress()\" is null",
                    "checkout-api",
                ],
            )],
            never: &[Infrastructure, DependencyFailure, Healthy],
            herrings: &["search-api"],
        },
        Case {
            id: "data-quality-order-events-consumer",
            must: &[(
                "log_pattern",
                Some(DataQuality),
                &["JsonParseException", "partner-orders"],
            )],
            never: &[CodeDefect, Infrastructure, Healthy],
            herrings: &[],
        },
        Case {
            id: "db-connections-orders-api",
            must: &[
                (
                    "log_pattern",
                    Some(ResourceExhaustion),
                    &["too many clients", "orders-db", "orders_backfill ×3"],
                ),
                (
                    "log_pattern",
                    Some(ResourceExhaustion),
                    &["Knex: Timeout acquiring a connection", "orders-api"],
                ),
            ],
            never: &[CodeDefect, Infrastructure, Healthy],
            herrings: &[],
        },
        Case {
            id: "dns-resolution-fraud-scorer",
            must: &[(
                "log_pattern",
                Some(Infrastructure),
                &[
                    "Temporary failure in name resolution",
                    "fraud-scorer",
                    "also in checkout-api",
                ],
            )],
            never: &[CodeDefect, ConfigurationError, Healthy],
            herrings: &["legacy-reports", "pandas"],
        },
        Case {
            id: "dynamodb-throttling-cart-api",
            must: &[(
                "log_pattern",
                Some(ResourceExhaustion),
                &["ProvisionedThroughputExceededException", "cart-sessions"],
            )],
            never: &[CodeDefect, Infrastructure, DependencyFailure, Healthy],
            herrings: &["otel", "UNAVAILABLE"],
        },
        Case {
            id: "lambda-timeout-payments-webhook",
            must: &[
                (
                    "lambda_timeout",
                    Some(DependencyFailure),
                    &[
                        "Task timed out after 6.01 seconds",
                        "acmebank",
                        "p50 242 ms",
                    ],
                ),
                (
                    "lambda_error",
                    Some(DependencyFailure),
                    &["UpstreamError", "504 Gateway Timeout"],
                ),
            ],
            never: &[CodeDefect, ResourceExhaustion, Healthy],
            herrings: &["invoice-pdf-renderer"],
        },
        Case {
            id: "pvc-unbound-events-clickhouse",
            must: &[("log_pattern", None, &["gp3-encrypted", "not found"])],
            never: &[CodeDefect, ResourceExhaustion, Healthy],
            herrings: &[],
        },
        Case {
            id: "readiness-redis-inventory-api",
            must: &[
                (
                    "log_pattern",
                    Some(DependencyFailure),
                    &["ETIMEDOUT", "readiness check failed", "redis"],
                ),
                (
                    "log_pattern",
                    Some(DependencyFailure),
                    &["inventory-cache", "Connection timed out"],
                ),
            ],
            never: &[CodeDefect, ResourceExhaustion, Healthy],
            herrings: &["orders-db", "maintenance"],
        },
        Case {
            id: "tls-expired-carrier-sync",
            must: &[(
                "log_pattern",
                Some(DependencyFailure),
                &["certificate has expired", "nordfreight"],
            )],
            never: &[CodeDefect, ResourceExhaustion, ConfigurationError, Healthy],
            herrings: &["cert-manager"],
        },
        Case {
            id: "recovered-orders-worker",
            must: &[(
                "logs_quiet",
                None,
                &["stopped at 10:21", "CONNECTION_FORCED", "recovered"],
            )],
            never: FAILURES,
            herrings: &[],
        },
        Case {
            id: "oom-recommendation-svc",
            must: &[
                ("logs_quiet", None, &["steady"]),
                ("log_pattern", None, &["statsd-exporter", "steady"]),
            ],
            never: FAILURES,
            herrings: &["statsd"],
        },
        quiet("cpu-false-alarm-search-indexer", &[]),
        quiet("watchdog-false-alarm", &[]),
        quiet("imagepull-bad-tag-search-api", &["ImageGCFailed"]),
        quiet(
            "liveness-wrong-port-ledger-api",
            &["OOMKilled", "out of memory"],
        ),
        quiet("missing-configmap-notification-svc", &["ledger-export"]),
        quiet("node-notready-shipping-rabbitmq", &["FreeDiskSpaceFailed"]),
        quiet(
            "pending-insufficient-cpu-video-transcoder",
            &["InvalidDiskCapacity"],
        ),
        quiet("quota-exceeded-checkout-worker", &["cart-api"]),
        quiet("disk-pressure-eviction-geo-api", &[]),
    ]
}

/// Shape rules every finding follows (docs/FINDINGS.md).
fn check_shape(id: &str, f: &Finding) {
    assert!(!f.title.is_empty(), "{id}: empty title");
    assert!(
        f.title.chars().count() <= 300,
        "{id}: title too long: {}",
        f.title
    );
    assert!(
        f.evidence.len() <= 8,
        "{id}: {} evidence lines in {}",
        f.evidence.len(),
        f.id
    );
    for e in &f.evidence {
        assert!(
            e.chars().count() <= 300,
            "{id}: evidence line too long: {e}"
        );
    }
    if matches!(
        f.kind.as_str(),
        "log_pattern" | "lambda_timeout" | "lambda_error"
    ) {
        let link = f.link.as_deref().unwrap_or_default();
        assert!(
            link.starts_with("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D~(end~'"),
            "{id}: {} has no console link: {link}",
            f.id
        );
        assert!(
            f.resource
                .as_deref()
                .is_some_and(|r| r.starts_with("log-group:")),
            "{id}: {}",
            f.id
        );
        assert!(f.at.is_some(), "{id}: {} has no time", f.id);
    }
}

fn check(case: Option<&Case>, s: &Scenario, r: &AgentResult, took: Duration) {
    let id = &s.id;
    let dump = || {
        r.findings
            .iter()
            .map(|f| {
                format!(
                    "[{} {:?}] {}\n    {}",
                    f.kind,
                    f.category,
                    f.title,
                    f.evidence.join("\n    ")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(r.status, AgentStatus::Ok, "{id}: {:?}", r.error);
    assert!(!r.partial, "{id}: partial without any fault");
    assert!(took < Duration::from_secs(20), "{id}: took {took:?}");
    assert!(!r.summary.is_empty(), "{id}: no summary");
    let mut ids = std::collections::BTreeSet::new();
    for f in &r.findings {
        check_shape(id, f);
        assert!(ids.insert(&f.id), "{id}: duplicate finding id {}", f.id);
    }
    let healthy = s.expect.as_ref().is_some_and(|e| e.category == Healthy);
    if healthy {
        let caused: Vec<&Finding> = r.findings.iter().filter(|f| f.category.is_some()).collect();
        assert!(
            caused.is_empty(),
            "{id}: a healthy system got causes:\n{}",
            dump()
        );
    }
    let Some(case) = case else {
        // Not in the table: where the answer key says the logs decide, something must point
        // to a cause.
        if s.expect
            .as_ref()
            .is_some_and(|e| e.required_evidence.iter().any(|a| a == "cloudwatch_logs"))
        {
            assert!(
                r.findings.iter().any(|f| f.category.is_some()),
                "{id}: nothing decisive:\n{}",
                dump()
            );
        }
        return;
    };
    for (kind, category, words) in case.must {
        let found = r.findings.iter().any(|f| {
            let text = f.text();
            f.kind == *kind && f.category == *category && words.iter().all(|w| text.contains(w))
        });
        assert!(
            found,
            "{id}: no {kind} {category:?} with {words:?} in:\n{}",
            dump()
        );
    }
    for f in &r.findings {
        if let Some(c) = f.category {
            assert!(
                !case.never.contains(&c),
                "{id}: {} carries {c:?}:\n{}",
                f.id,
                dump()
            );
            let text = f.text().to_lowercase();
            for h in case.herrings {
                assert!(
                    !text.contains(&h.to_lowercase()),
                    "{id}: red herring {h:?} in a cause: {}",
                    f.title
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_yields_its_decisive_signal_and_no_false_cause() {
    run_library(scenarios_dir(), table()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_holdout_scenario_yields_its_decisive_signal_and_no_false_cause() {
    run_library(holdout_dir(), holdout_table()).await;
}

async fn run_library(dir: std::path::PathBuf, table: Vec<Case>) {
    let files = sremesh_scenario::collect(&[dir]).expect("the scenario library");
    assert!(files.len() >= table.len());
    let mut seen = Vec::new();
    for file in files {
        let s = sremesh_scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        let has_logs = s
            .world
            .cloudwatch_logs
            .as_ref()
            .is_some_and(|c| !c.groups.is_empty());
        let case = table.iter().find(|c| c.id == s.id);
        if !has_logs && case.is_none() {
            continue;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let sb = sandbox(s.clone(), &dir).await;
        let agent = agent_for(&sb).await;
        let (r, took) = investigate(&agent, context(&s), Duration::from_secs(20)).await;
        check(case, &s, &r, took);
        seen.push(s.id.clone());
        sb.shutdown().await;
    }
    for c in &table {
        assert!(
            seen.contains(&c.id.to_owned()),
            "scenario {} is missing from the library",
            c.id
        );
    }
}

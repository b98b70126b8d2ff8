//! Deadlines and a misbehaving API server: the sandbox's delay knob makes every Kubernetes call
//! slow, its garbage and error knobs make them fail — the agent answers on time, says what it
//! missed, and never panics or hangs.

use crate::common::*;
use sremesh_agent::{Deadline, Partial};
use sremesh_core::AgentStatus;
use sremesh_sandbox::{Fault, Source};
use std::time::Duration;
use tokio::time::Instant;

/// (API delay, deadline, whether findings are still expected). With a 700 ms delay the pods and
/// events arrive but the logs do not; with 10 s nothing arrives at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_api_server_gets_an_answer_by_the_deadline_marked_partial() {
    let cases = [(700u64, 3_000u64, true), (10_000, 2_000, false)];
    for (delay_ms, deadline_ms, expect_findings) in cases {
        let s = load("oom-recommendation-svc");
        let r = start(s.clone()).await;
        r.sandbox.set_faults(
            Source::Kubernetes,
            Fault {
                delay_ms,
                ..Fault::default()
            },
        );
        let a = agent(&r).await;
        let started = Instant::now();
        let res = a
            .investigate_alert(
                &ctx(&s),
                Deadline::after(Duration::from_millis(deadline_ms)),
                &Partial::default(),
            )
            .await;
        let took = started.elapsed();
        let out = dump(&res);
        assert!(
            took <= Duration::from_millis(deadline_ms + 150),
            "delay {delay_ms}: answered after {took:?}\n{out}"
        );
        assert!(res.partial, "delay {delay_ms}: not marked partial\n{out}");
        if expect_findings {
            assert_eq!(res.status, AgentStatus::Ok, "{out}");
            let oom = find(&res, "oom_killed").unwrap_or_else(|| panic!("no oom_killed\n{out}"));
            assert!(oom.title.contains("OOMKilled"), "{out}");
            assert!(
                res.error
                    .as_deref()
                    .is_some_and(|e| e.contains("timed out") || e.contains("deadline")),
                "{out}"
            );
        } else {
            assert_eq!(res.status, AgentStatus::Error, "{out}");
            assert!(res.error.is_some(), "{out}");
        }
    }
}

/// Garbage bodies and error statuses end in a named error, quickly, without a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_error_statuses_give_a_clear_error() {
    let cases = [
        (
            Fault {
                garbage_rate: 1.0,
                ..Fault::default()
            },
            "could not be read",
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 500,
                ..Fault::default()
            },
            "500",
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 503,
                ..Fault::default()
            },
            "503",
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 403,
                ..Fault::default()
            },
            "forbidden",
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 429,
                ..Fault::default()
            },
            "429",
        ),
    ];
    for (fault, want) in cases {
        let s = load("bad-rollout-payments-api");
        let r = start(s.clone()).await;
        r.sandbox.set_faults(Source::Kubernetes, fault.clone());
        let a = agent(&r).await;
        let started = Instant::now();
        let res = a
            .investigate_alert(
                &ctx(&s),
                Deadline::after(Duration::from_secs(10)),
                &Partial::default(),
            )
            .await;
        let out = dump(&res);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{fault:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(res.status, AgentStatus::Error, "{fault:?}\n{out}");
        let err = res.error.clone().unwrap_or_default();
        assert!(
            err.contains(want),
            "{fault:?}: error '{err}' should mention '{want}'"
        );
        assert!(
            res.findings.iter().all(|f| f.category.is_none()),
            "{fault:?}: a cause from no data\n{out}"
        );

        let snap = a
            .snapshot_at(s.now, Deadline::after(Duration::from_secs(5)))
            .await;
        assert_ne!(snap.status, sremesh_core::SnapshotStatus::Ok, "{fault:?}");
        assert!(snap.anomaly && snap.error.is_some(), "{fault:?}: {snap:?}");
    }
}

/// A flaky API server (every other call fails) still yields an answer, with the failures named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flaky_api_server_still_yields_an_answer() {
    let s = load("oom-recommendation-svc");
    let r = start(s.clone()).await;
    r.sandbox.set_faults(
        Source::Kubernetes,
        Fault {
            error_rate: 0.3,
            error_status: 500,
            ..Fault::default()
        },
    );
    let a = agent(&r).await;
    let res = a
        .investigate_alert(
            &ctx(&s),
            Deadline::after(Duration::from_secs(10)),
            &Partial::default(),
        )
        .await;
    let out = dump(&res);
    assert!(
        matches!(res.status, AgentStatus::Ok | AgentStatus::Error),
        "{out}"
    );
    if res.status == AgentStatus::Ok && res.findings.iter().any(|f| f.kind != "target_not_found") {
        assert!(
            res.error.as_deref().is_some_and(|e| e.contains("500"))
                || res.findings.iter().any(|f| f.kind == "oom_killed"),
            "{out}"
        );
    }
}

/// No cluster configured: every answer says so (unhealthy), nothing hangs.
#[tokio::test]
async fn no_cluster_configured_answers_unhealthy() {
    let settings = sremesh_eks::Settings {
        in_cluster: false,
        ..Default::default()
    };
    let a = sremesh_eks::EksAgent::with_window(
        settings,
        (
            jiff::SignedDuration::from_mins(30),
            jiff::SignedDuration::from_mins(5),
        ),
    )
    .await;
    let s = load("oom-recommendation-svc");
    let res = a
        .investigate_alert(
            &ctx(&s),
            Deadline::after(Duration::from_secs(2)),
            &Partial::default(),
        )
        .await;
    assert_eq!(res.status, AgentStatus::Unhealthy);
    assert!(
        res.error
            .as_deref()
            .is_some_and(|e| e.contains("KUBECONFIG")),
        "{res:?}"
    );
    let snap = a
        .snapshot_at(s.now, Deadline::after(Duration::from_secs(2)))
        .await;
    assert_eq!(snap.status, sremesh_core::SnapshotStatus::Unhealthy);
    assert!(snap.anomaly);

    let bad = sremesh_eks::Settings {
        kubeconfig: Some("/nonexistent/kubeconfig.yaml".into()),
        in_cluster: false,
        ..Default::default()
    };
    let a = sremesh_eks::EksAgent::with_window(
        bad,
        (
            jiff::SignedDuration::from_mins(30),
            jiff::SignedDuration::from_mins(5),
        ),
    )
    .await;
    let res = a
        .investigate_alert(
            &ctx(&s),
            Deadline::after(Duration::from_secs(2)),
            &Partial::default(),
        )
        .await;
    assert_eq!(res.status, AgentStatus::Unhealthy);
    assert!(
        res.error
            .as_deref()
            .is_some_and(|e| e.contains("/nonexistent/kubeconfig.yaml")),
        "{res:?}"
    );
}

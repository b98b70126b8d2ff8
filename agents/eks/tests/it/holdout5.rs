//! The fifth blind hold-out set (`tests/scenarios-holdout5`): a server keep-alive shorter than
//! its ALB's idle timeout, a Node event loop blocked by a regex, a Go goroutine leak — plus the
//! line parsers behind them, each pinned by a table.

use crate::common::*;
use crate::scenarios::{Case, must, run_table};
use sremesh_core::Category::*;
use sremesh_eks::analyzers::{keepalive, stalls};
use sremesh_eks::resolve::alb_names;

const HOLDOUT5: &[Case] = &[
    Case {
        id: "alb-keepalive-mismatch-502-orders",
        must: &[must(
            "keepalive_mismatch",
            Some(ConfigurationError),
            &[
                "keepAliveTimeout: 5000",
                "idle_timeout.timeout_seconds=60",
                "HTTP_KEEP_ALIVE_TIMEOUT_MS=65000",
            ],
        )],
        forbid: &[Healthy, CodeDefect],
        herrings: &[],
        absent: &["target_healthy", "target_not_found"],
    },
    Case {
        id: "redos-event-loop-block-signup",
        must: &[must(
            "event_loop_blocked",
            Some(CodeDefect),
            &[
                "Event loop blocked for 84022ms",
                "validateEmail",
                "RegExp.test",
            ],
        )],
        forbid: &[Healthy, DependencyFailure],
        herrings: &[],
        absent: &["target_healthy"],
    },
    Case {
        id: "goroutine-leak-notify-gateway",
        must: &[must(
            "goroutine_leak",
            Some(CodeDefect),
            &["goroutine leak", "(*Hub).subscribe", "chan receive"],
        )],
        forbid: &[Healthy, DependencyFailure],
        herrings: &[],
        absent: &["target_healthy"],
    },
    // Pods listed without ownerReferences still belong to their StatefulSet (`<set>-<ordinal>`).
    Case {
        id: "ebs-volume-degraded-prometheus",
        must: &[
            must(
                "not_ready",
                None,
                &[
                    "prometheus-k8s",
                    "1/1 pods",
                    "prometheus-k8s-0 mounts volume vol-0d2e7a91c4b36f580",
                    "PVC prometheus-k8s-db-prometheus-k8s-0",
                ],
            ),
            must("probe_failed", None, &["Readiness probe failed"]),
        ],
        forbid: &[Healthy, CodeDefect],
        herrings: &[],
        absent: &["target_healthy"],
    },
];

/// Every fifth-hold-out scenario with Kubernetes data: its decisive signal, and no false cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fifth_holdout_scenario_shows_its_decisive_signal_and_no_false_cause() {
    run_table(kube_scenarios_in(&holdout5_dir()), HOLDOUT5, 4).await;
}

/// Event-loop block reports: the blocked time in ms (seconds converted), none for other lines.
#[test]
fn event_loop_block_lines_give_the_blocked_time() {
    fn check(text: &str, expected: Option<f64>) {
        assert_eq!(stalls::blocked_ms(text), expected, "{text}");
    }
    for (text, expected) in [
        (r#"{"msg":"Event loop blocked for 30841ms"}"#, Some(30841.0)),
        ("warn: event loop was blocked for 2.5 s", Some(2500.0)),
        ("Event-loop blocked for 120ms in handler", Some(120.0)),
        ("event loop lag 30ms", None),
        ("request blocked for 300ms by WAF", None),
    ] {
        check(text, expected);
    }
}

/// The frames quoted for a block: the innermost one and the first in the application's code.
#[test]
fn blocking_frames_name_the_builtin_and_the_app_function() {
    fn check(text: &str, inner: Option<&str>, app: Option<&str>) {
        let (i, a) = stalls::blocking_frames(text);
        assert_eq!((i.as_deref(), a.as_deref()), (inner, app), "{text}");
    }
    check(
        r#""stack":"at RegExp.test (<anonymous>)\n    at validateEmail (/app/src/validators/email.js:14:22)\n    at createAccount (/app/src/routes/accounts.js:57:9)""#,
        Some("RegExp.test"),
        Some("validateEmail (email.js:14)"),
    );
    check(
        "at JSON.parse (<anonymous>) at parse (/app/node_modules/body/x.js:3:1) at handle (/srv/app.js:9:2)",
        Some("JSON.parse"),
        Some("handle (app.js:9)"),
    );
    check(
        "at processTicksAndRejections (node:internal/process/task_queues:95:5)",
        Some("processTicksAndRejections"),
        None,
    );
    check("no stack here", None, None);
}

/// Goroutine profile top stacks: count, function without import path, file, wait — only when
/// the count is a leak's.
#[test]
fn goroutine_profile_stacks_with_a_leaks_count_are_reported() {
    type Stack = (u64, String, String, Option<String>);
    fn check(text: &str, expected: Option<(u64, &str, &str, Option<&str>)>) {
        let want: Option<Stack> =
            expected.map(|(n, f, l, w)| (n, f.into(), l.into(), w.map(Into::into)));
        assert_eq!(stalls::leaked_stack(text), want, "{text}");
    }
    check(
        "top: 1089774 @ 0x43e8ce 0x4089dd # internal/fanout.(*Hub).subscribe.func1 /src/internal/fanout/hub.go:118 (chan receive, 2271 minutes)",
        Some((
            1089774,
            "fanout.(*Hub).subscribe.func1",
            "hub.go:118",
            Some("chan receive, 2271 minutes"),
        )),
    );
    check(
        "52000 @ 0x1 0x2\n#\t0x9c1b27\tgithub.com/acme/x/pool.(*Pool).wait+0x47\t/go/src/pool/pool.go:88",
        Some((52000, "pool.(*Pool).wait", "pool.go:88", None)),
    );
    check("12 @ 0x43e8ce # main.worker /src/main.go:10", None);
    check("goroutines: 1106233", None);
}

/// Server keep-alive settings in logs, in ms.
#[test]
fn keepalive_lines_give_the_server_timeout() {
    fn check(text: &str, expected: Option<(&str, u64)>) {
        let got = keepalive::keepalive_ms(text);
        assert_eq!(
            got.as_ref().map(|(k, v)| (k.as_str(), *v)),
            expected,
            "{text}"
        );
    }
    check(
        r#"{"msg":"listening","keepAliveTimeout":5000}"#,
        Some(("keepAliveTimeout", 5000)),
    );
    check(
        "server started keep_alive_timeout_ms=65000",
        Some(("keep_alive_timeout_ms", 65000)),
    );
    check("headersTimeout: 6000", None);
}

/// AWS Load Balancer Controller ALB names: the namespace and Ingress prefixes.
#[test]
fn alb_names_give_namespace_and_ingress_prefixes() {
    fn check(text: &str, expected: &[(&str, &str)]) {
        let got = alb_names(text);
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, expected, "{text}");
    }
    check(
        "LoadBalancer: app/k8s-orders-ordersap-4c1f2e9a7b/91d0e3c5a7b8f21e",
        &[("orders", "ordersap")],
    );
    check("k8s-default-web-0123456789", &[("default", "web")]);
    check("k8s-orders-ordersap-4c1f", &[]);
    check("checkout-api-7d9f", &[]);
}

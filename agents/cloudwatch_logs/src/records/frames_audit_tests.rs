//! The raising frame of stack traces in their edge cases, and audit events: what reads as one,
//! the level its status code gives, and arbitrary input never panicking either reader.

use super::*;
use serde_json::json;

fn at() -> Timestamp {
    "2026-04-18T10:00:00Z".parse().unwrap()
}

fn clause(trace: &str) -> Option<String> {
    frames::raise_frame(trace).map(|f| f.clause())
}

/// `(trace, expected "in fn (file:line)")`: the application's frame over the platform's, and
/// the platform's own when there is nothing else.
#[test]
fn raising_frames_in_edge_cases() {
    let cases: &[(&str, Option<&str>)] = &[
        // Python: most recent call last, so the deepest application frame wins over an
        // earlier one.
        (
            "Traceback (most recent call last):\n  File \"/app/main.py\", line 9, in run\n    close()\n  File \"/app/billing.py\", line 41, in next_period_end\n    x()\nValueError: day is out of range for month",
            Some("in next_period_end (billing.py:41)"),
        ),
        // Python: only library frames → the deepest of them.
        (
            "Traceback (most recent call last):\n  File \"/usr/lib/python3.12/json/__init__.py\", line 346, in loads\n  File \"/usr/lib/python3.12/json/decoder.py\", line 355, in raw_decode\njson.decoder.JSONDecodeError: Expecting value",
            Some("in raw_decode (decoder.py:355)"),
        ),
        // Java: only platform frames → the first.
        (
            "java.lang.IllegalStateException: x\n\tat java.base/java.util.HashMap.get(HashMap.java:10)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)",
            Some("in HashMap.get (HashMap.java:10)"),
        ),
        // Kotlin counts as Java-shaped.
        (
            "kotlin.KotlinNullPointerException\n\tat com.acme.ship.Router.route(Router.kt:27)",
            Some("in Router.route (Router.kt:27)"),
        ),
        // Node: an anonymous frame in the application, after one in node:internal.
        (
            "Error: boom\n    at node:internal/process/task_queues:95:5\n    at /srv/app/dist/worker.mjs:12:7",
            Some("in <anonymous> (worker.mjs:12)"),
        ),
        // Go: the runtime's panic frames give way to the program's.
        (
            "panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nruntime.gopanic(0x4a)\n\t/usr/local/go/src/runtime/panic.go:770 +0x132\nmain.(*Cache).Put(...)\n\t/src/cache/cache.go:33\nmain.main()\n\t/src/cache/main.go:12 +0x2f",
            Some("in main.(*Cache).Put (cache.go:33)"),
        ),
        // A goroutine header without frames, a bare message: none.
        ("goroutine 7 [running]:", None),
        ("", None),
        ("at nothing", None),
    ];
    for (trace, want) in cases {
        assert_eq!(clause(trace).as_deref(), *want, "{trace}");
    }
}

/// `(event, expected line, level)`; none for anything that is not an audit `Event`.
#[test]
fn audit_events() {
    let cases: Vec<(serde_json::Value, Option<(&str, Level)>)> = vec![
        (
            json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "verb": "patch",
                   "requestURI": "/api/v1/nodes/n1", "user": {"username": "eks:node-manager"},
                   "responseStatus": {"code": 503, "reason": "ServiceUnavailable", "message": "etcd down"}}),
            Some((
                "patch /api/v1/nodes/n1 by eks:node-manager → 503 ServiceUnavailable: etcd down",
                Level::Error,
            )),
        ),
        (
            json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "verb": "get",
                   "requestURI": "/api/v1/namespaces/a/secrets/b", "user": {"username": "u"},
                   "responseStatus": {"code": 403}}),
            Some(("get /api/v1/namespaces/a/secrets/b by u → 403", Level::Warn)),
        ),
        (
            json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1"}),
            Some(("? ? by ? → 0", Level::Info)),
        ),
        (
            json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1"}),
            None,
        ),
        (
            json!({"kind": "Event", "apiVersion": "v1", "reason": "BackOff"}),
            None,
        ),
        (json!({"log": "hello"}), None),
        (json!([1, 2]), None),
    ];
    for (v, want) in cases {
        let got = audit::parse(&v).map(|a| (a.line, a.level));
        assert_eq!(got.as_ref().map(|(l, lv)| (l.as_str(), *lv)), want, "{v}");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u16>().prop_map(serde_json::Value::from),
            "\\PC{0,16}".prop_map(serde_json::Value::from),
            Just(serde_json::Value::from("audit.k8s.io/v1")),
            Just(serde_json::Value::from("Event")),
            Just(serde_json::Value::from("pods")),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("kind".to_owned()),
                        Just("apiVersion".to_owned()),
                        Just("responseStatus".to_owned()),
                        Just("code".to_owned()),
                        Just("details".to_owned()),
                        Just("causes".to_owned()),
                        Just("message".to_owned()),
                        Just("objectRef".to_owned()),
                        Just("resource".to_owned()),
                        "[a-z]{1,8}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Arbitrary JSON never panics the audit reader; an event it reads names its verb.
        #[test]
        fn arbitrary_json_never_panics_the_audit_reader(v in json()) {
            if let Some(a) = audit::parse(&v) {
                prop_assert!(a.line.contains(" by "));
            }
            let _ = LogRecord::parse("/aws/eks/c/cluster", "kube-apiserver-audit-0a1b", at(), &v.to_string());
        }

        /// Arbitrary text never panics the frame reader.
        #[test]
        fn arbitrary_traces_never_panic(lines in proptest::collection::vec(
            prop_oneof![
                "\\PC{0,60}",
                Just("goroutine 1 [running]:".to_owned()),
                Just("\t/src/x.go:1 +0x1".to_owned()),
                Just("  File \"/a.py\", line 1, in f".to_owned()),
                Just("\tat a.B.c(B.java:1)".to_owned()),
            ],
            0..12,
        )) {
            let _ = frames::raise_frame(&lines.join("\n"));
        }
    }
}

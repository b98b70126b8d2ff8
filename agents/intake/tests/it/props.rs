//! Arbitrary bodies and headers to every endpoint — unsigned, validly signed for Slack or
//! Discord, or with a bearer token — never panic and never get a 5xx.

use crate::harness::*;
use axum::body::Body;
use http::Request;
use proptest::prelude::*;
use serde_json::{Value, json};
use sremesh_intake::{EmbeddedDedup, Intake};
use std::sync::Arc;
use tower::ServiceExt;

const PATHS: &[&str] = &[
    "/slack/events",
    "/slack/commands",
    "/discord/interactions",
    "/alertmanager",
    "/",
    "/healthz",
];

const KEYS: &[&str] = &[
    "type",
    "event",
    "event_id",
    "channel",
    "ts",
    "thread_ts",
    "text",
    "user",
    "bot_id",
    "challenge",
    "id",
    "application_id",
    "token",
    "data",
    "name",
    "options",
    "value",
    "member",
    "channel_id",
    "version",
    "groupKey",
    "status",
    "alerts",
    "labels",
    "commonLabels",
    "annotations",
    "startsAt",
    "fingerprint",
];

const STRINGS: &[&str] = &[
    "app_mention",
    "event_callback",
    "url_verification",
    "firing",
    "resolved",
    "4",
    "C0ALERTS",
    "1776507900.000100",
    "<@U0SREMESH> lol",
    "[FIRING:1] x error",
    "investigate",
    "sre-snapshot",
    "1100000000000000001",
    "U0SREMESH",
    "",
    "2026-04-18T10:25:00Z",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (1u64..4).prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(KEYS).prop_map(String::from),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(
            (prop::sample::select(KEYS), prop::sample::select(STRINGS)),
            0..6
        )
        .prop_map(|p| serde_urlencoded::to_string(p)
            .unwrap_or_default()
            .into_bytes()),
        Just(json!({"type": 1}).to_string().into_bytes()),
    ]
}

#[derive(Debug, Clone, Copy)]
enum Sign {
    None,
    Slack,
    Discord,
    Bearer,
}

fn header_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::select(
        &[
            "content-type",
            "x-slack-signature",
            "x-slack-request-timestamp",
            "x-slack-retry-num",
            "x-signature-ed25519",
            "x-signature-timestamp",
            "authorization",
            "x-other",
        ][..],
    );
    prop::collection::vec((names.prop_map(String::from), "[ -~]{0,30}"), 0..4)
}

fn request(
    path: &str,
    body: Vec<u8>,
    mut headers: Vec<(String, String)>,
    sign: Sign,
    ct: &str,
) -> Request<Body> {
    let ts = jiff::Timestamp::now().as_second().to_string();
    match sign {
        Sign::None => {}
        Sign::Slack => {
            let sig = sremesh_chat::verify::sign_slack(SECRET, &ts, &body).unwrap();
            headers.retain(|(k, _)| !k.starts_with("x-slack-request") && k != "x-slack-signature");
            headers.push(("x-slack-request-timestamp".into(), ts));
            headers.push(("x-slack-signature".into(), sig));
        }
        Sign::Discord => {
            let sig = discord_signer().sign(&ts, &body);
            headers.retain(|(k, _)| !k.starts_with("x-signature"));
            headers.push(("x-signature-timestamp".into(), ts));
            headers.push(("x-signature-ed25519".into(), sig));
        }
        Sign::Bearer => headers.push(("authorization".into(), "Bearer am".into())),
    }
    let mut b = Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", ct);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(&v),
        ) {
            b = b.header(k, v);
        }
    }
    b.body(Body::from(body)).unwrap()
}

/// Valid requests of each kind, to be mutated: (endpoint, signing, content type, body).
fn templates() -> Vec<(&'static str, Sign, &'static str, Value)> {
    let mention = json!({"type": "event_callback", "event_id": "Ev1", "team_id": "T1", "event_time": 1,
        "event": {"type": "app_mention", "channel": CHANNEL, "user": "U0ALICE",
            "text": "<@U0SREMESH> checkout error rate spike", "ts": "1776506700.000000",
            "thread_ts": "1776506700.000000", "event_ts": "1776506700.000000"}});
    let discord = json!({"type": 2, "id": "1600000000000000001", "application_id": "1300000000000000001",
        "token": "tok", "channel_id": DISCORD_CHANNEL, "member": {"user": {"id": "1"}},
        "data": {"name": "investigate", "options": [{"name": "text", "value": "db down"}]}});
    let am = json!({"version": "4", "groupKey": "g", "status": "firing", "groupLabels": {"alertname": "X"},
        "commonLabels": {"alertname": "X"}, "commonAnnotations": {"summary": "s"},
        "alerts": [{"status": "firing", "labels": {"alertname": "X"}, "startsAt": "2026-04-18T10:25:00Z",
            "fingerprint": "f1"}]});
    let command = json!({"command": "/investigate", "text": "disk full", "channel_id": CHANNEL,
        "user_id": "U1", "trigger_id": "t1"});
    vec![
        ("/slack/events", Sign::Slack, "application/json", mention),
        (
            "/discord/interactions",
            Sign::Discord,
            "application/json",
            discord,
        ),
        ("/alertmanager", Sign::Bearer, "application/json", am),
        (
            "/slack/commands",
            Sign::Slack,
            "application/x-www-form-urlencoded",
            command,
        ),
    ]
}

/// Every JSON pointer in `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            let p = format!("{at}/{k}");
            out.push(p.clone());
            pointers(x, p, out);
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            let p = format!("{at}/{i}");
            out.push(p.clone());
            pointers(x, p, out);
        }),
        _ => {}
    }
}

/// Replaces (or, with `None`, removes) the values at a few pointers of `v`.
fn mutate(mut v: Value, ops: &[(usize, Option<Value>)]) -> Value {
    for (pick, with) in ops {
        let mut ps = Vec::new();
        pointers(&v, String::new(), &mut ps);
        let Some(p) = ps.get(pick % ps.len().max(1)).cloned() else {
            break;
        };
        let (parent, last) = p.rsplit_once('/').unwrap_or(("", ""));
        match (with, v.pointer_mut(parent)) {
            (Some(w), _) => {
                if let Some(slot) = v.pointer_mut(&p) {
                    *slot = w.clone();
                }
            }
            (None, Some(Value::Object(m))) => {
                m.remove(last);
            }
            (None, Some(Value::Array(a))) => {
                if let Ok(i) = last.parse::<usize>()
                    && i < a.len()
                {
                    a.remove(i);
                }
            }
            _ => {}
        }
    }
    v
}

fn form_of(v: &Value) -> Vec<u8> {
    let pairs: Vec<(String, String)> = v
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, x)| {
                    (
                        k.clone(),
                        x.as_str().map_or_else(|| x.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    serde_urlencoded::to_string(pairs)
        .unwrap_or_default()
        .into_bytes()
}

#[derive(Debug, Clone)]
struct Case {
    path: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    sign: Sign,
    ct: &'static str,
}

fn case() -> impl Strategy<Value = Case> {
    let sign = prop_oneof![
        Just(Sign::None),
        Just(Sign::Slack),
        Just(Sign::Discord),
        Just(Sign::Bearer)
    ];
    let ct = prop::sample::select(
        &[
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "text/x-unknown",
        ][..],
    );
    let random = (
        prop::sample::select(PATHS),
        body(),
        header_pairs(),
        sign,
        ct,
    )
        .prop_map(|(path, body, headers, sign, ct)| Case {
            path,
            body,
            headers,
            sign,
            ct,
        });
    let ops = prop::collection::vec((any::<usize>(), prop::option::of(json_value())), 0..3);
    let mutated = (
        0..templates().len(),
        ops,
        any::<bool>(),
        prop::collection::vec((Just("x-slack-retry-num".to_owned()), "[0-9]{1,2}"), 0..2),
    )
        .prop_map(|(i, ops, via_root, headers)| {
            let (path, sign, ct, v) = templates().swap_remove(i);
            let v = mutate(v, &ops);
            let body = if ct.starts_with("application/x-www") {
                form_of(&v)
            } else {
                v.to_string().into_bytes()
            };
            Case {
                path: if via_root { "/" } else { path },
                body,
                headers,
                sign,
                ct,
            }
        });
    prop_oneof![1 => random, 2 => mutated]
}

#[test]
fn arbitrary_requests_never_panic_or_5xx() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, _keep) = rt.block_on(async {
        let (sb, sb_dir) = sandbox().await;
        let master = FakeMaster::start().await;
        let mut s = settings(&sb, &master.url);
        s.alertmanager_token = Some(Arc::new(sremesh_core::Secret::new("am")));
        let store = EmbeddedDedup::open(&dir.path().join("d.redb")).unwrap();
        let intake = Arc::new(Intake::new(s, Arc::new(store)).unwrap());
        (sremesh_intake::app::router(intake), (sb, sb_dir, master))
    });
    proptest!(ProptestConfig::with_cases(500), |(c in case())| {
        let req = request(c.path, c.body, c.headers, c.sign, c.ct);
        let status = rt.block_on(app.clone().oneshot(req)).unwrap().status();
        prop_assert!(!status.is_server_error(), "{}: {status}", c.path);
    });
}

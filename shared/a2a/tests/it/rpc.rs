//! JSON-RPC envelopes, versions, content types and every method's errors; task lifecycle.

use crate::support::{app, app_with, call, post, send_params};
use axum::http::StatusCode;
use proptest::prelude::*;
use serde_json::{Value, json};
use sremesh_a2a::server::StoreLimits;

const JSON: (&str, &str) = ("content-type", "application/json");

/// Posts `body` with `headers` and checks the error code (None: a success with a result).
async fn check(body: &str, headers: &[(&str, &str)], expected: Option<i64>) -> Value {
    let (status, v) = post(&app(), body.to_owned(), headers).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(v["jsonrpc"], "2.0", "{v}");
    match expected {
        Some(code) => {
            assert_eq!(v["error"]["code"], code, "{body} → {v}");
            assert!(v.get("result").is_none());
            assert!(
                v["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        None => assert!(
            v.get("result").is_some() && v.get("error").is_none(),
            "{body} → {v}"
        ),
    }
    v
}

fn rpc(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string()
}

#[tokio::test]
async fn envelope_and_method_errors() {
    let v1 = ("a2a-version", "1.0");
    let send_ok = rpc("SendMessage", send_params("hi", json!({})));
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, Option<i64>);
    let cases: Vec<Case> = vec![
        (
            "{'not': json}".into(),
            vec![("content-type", "text/plain")],
            Some(-32005),
        ),
        (
            send_ok.clone(),
            vec![("content-type", "text/plain")],
            Some(-32005),
        ),
        ("{not json".into(), vec![JSON], Some(-32700)),
        ("[]".into(), vec![JSON], Some(-32600)),
        ("5".into(), vec![JSON], Some(-32600)),
        (
            json!({"id": 1, "method": "GetTask", "params": {"id": "x"}}).to_string(),
            vec![JSON],
            Some(-32600),
        ),
        (
            json!({"jsonrpc": "1.0", "id": 1, "method": "GetTask"}).to_string(),
            vec![JSON],
            Some(-32600),
        ),
        (
            json!({"jsonrpc": "2.0", "id": true, "method": "GetTask"}).to_string(),
            vec![JSON],
            Some(-32600),
        ),
        (rpc("NoSuchMethod", json!({})), vec![JSON, v1], Some(-32601)),
        (rpc("SendMessage", json!({})), vec![JSON, v1], Some(-32602)),
        (
            rpc(
                "SendMessage",
                json!({"message": {"messageId": "m", "role": "ROLE_USER", "parts": []}}),
            ),
            vec![JSON],
            Some(-32602),
        ),
        (
            rpc(
                "SendMessage",
                send_params("hi", json!({"historyLength": -1})),
            ),
            vec![JSON],
            Some(-32602),
        ),
        (
            send_ok.clone(),
            vec![JSON, ("a2a-version", "99.0")],
            Some(-32009),
        ),
        (
            send_ok.clone(),
            vec![JSON, ("a2a-version", "0.2")],
            Some(-32009),
        ),
        (send_ok.clone(), vec![JSON], None),
        (send_ok.clone(), vec![JSON, ("a2a-version", "")], None),
        (send_ok.clone(), vec![JSON, ("a2a-version", "1.0.1")], None),
        (
            send_ok.clone(),
            vec![
                ("content-type", "application/json; charset=utf-8"),
                ("a2a-extensions", "urn:x,urn:y"),
            ],
            None,
        ),
        (
            rpc("SendStreamingMessage", send_params("hi", json!({}))),
            vec![JSON],
            Some(-32004),
        ),
        (
            rpc("SubscribeToTask", json!({"id": "x"})),
            vec![JSON],
            Some(-32004),
        ),
        (
            rpc(
                "CreateTaskPushNotificationConfig",
                json!({"task_id": "t", "url": "https://example.com"}),
            ),
            vec![JSON],
            Some(-32003),
        ),
        (
            rpc("tasks/pushNotificationConfig/set", json!({})),
            vec![JSON],
            Some(-32003),
        ),
        (
            rpc("GetExtendedAgentCard", json!({})),
            vec![JSON],
            Some(-32004),
        ),
        (
            rpc("GetTask", json!({"id": "nope"})),
            vec![JSON],
            Some(-32001),
        ),
        (rpc("GetTask", json!({"id": 5})), vec![JSON], Some(-32602)),
        (
            rpc("GetTask", json!({"id": "x", "history_length": -2})),
            vec![JSON],
            Some(-32602),
        ),
        (
            rpc("CancelTask", json!({"id": "nope"})),
            vec![JSON],
            Some(-32001),
        ),
        (
            rpc("tasks/cancel", json!({"id": "nope"})),
            vec![JSON],
            Some(-32001),
        ),
        (
            rpc("ListTasks", json!({"pageSize": 0})),
            vec![JSON],
            Some(-32602),
        ),
        (
            rpc("ListTasks", json!({"page_size": 101})),
            vec![JSON],
            Some(-32602),
        ),
        (
            rpc("ListTasks", json!({"pageToken": "zz"})),
            vec![JSON],
            Some(-32602),
        ),
        (
            rpc(
                "ListTasks",
                json!({"context_id": "none", "include_artifacts": false}),
            ),
            vec![JSON],
            None,
        ),
        (
            rpc(
                "SendMessage",
                send_params("hi", json!({}))
                    .as_object()
                    .unwrap()
                    .clone()
                    .into_iter()
                    .chain([("tckUnknownField".to_owned(), json!(1))])
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            ),
            vec![JSON],
            None,
        ),
    ];
    for (body, headers, expected) in cases {
        check(&body, &headers, expected).await;
    }
}

#[tokio::test]
async fn a2a_errors_carry_error_info_and_ids_are_echoed() {
    let v = check(
        &rpc("GetTask", json!({"id": "nope"})),
        &[JSON],
        Some(-32001),
    )
    .await;
    assert_eq!(v["id"], 7);
    assert_eq!(v["error"]["data"][0]["reason"], "TASK_NOT_FOUND");
    assert_eq!(v["error"]["data"][0]["domain"], "a2a-protocol.org");
    let v = check("{bad", &[JSON], Some(-32700)).await;
    assert!(v["id"].is_null());
    let body = json!({"jsonrpc": "2.0", "id": "abc", "method": "Nope"}).to_string();
    let v = check(&body, &[JSON], Some(-32601)).await;
    assert_eq!(v["id"], "abc");
    // 0.3 callers get no ErrorInfo array.
    let v = check(
        &rpc("tasks/get", json!({"id": "nope"})),
        &[JSON],
        Some(-32001),
    )
    .await;
    assert!(v["error"].get("data").is_none_or(Value::is_null));
}

#[tokio::test]
async fn blocking_send_completes_with_text_and_data_artifacts() {
    let a = app();
    let v = call(&a, "SendMessage", send_params("hello world", json!({}))).await;
    let task = &v["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_COMPLETED", "{v}");
    let parts = &task["artifacts"][0]["parts"];
    assert_eq!(parts[0]["text"], "hello world");
    assert_eq!(parts[1]["data"]["len"], 11);
    assert_eq!(parts[1]["mediaType"], "application/x-test");
    assert!(task["contextId"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(task["history"].as_array().map(Vec::len), Some(1));
    let v = call(
        &a,
        "SendMessage",
        send_params("x", json!({"historyLength": 0})),
    )
    .await;
    assert!(v["result"]["task"].get("history").is_none(), "{v}");
}

#[tokio::test]
async fn outcomes_message_failed_and_panic() {
    let a = app();
    let v = call(&a, "SendMessage", send_params("message", json!({}))).await;
    assert_eq!(v["result"]["message"]["parts"][0]["text"], "direct", "{v}");
    assert_eq!(v["result"]["message"]["role"], "ROLE_AGENT");
    let v = call(&a, "SendMessage", send_params("fail", json!({}))).await;
    assert_eq!(v["result"]["task"]["status"]["state"], "TASK_STATE_FAILED");
    assert_eq!(
        v["result"]["task"]["status"]["message"]["parts"][0]["text"],
        "it failed"
    );
    let v = call(&a, "SendMessage", send_params("panic", json!({}))).await;
    assert_eq!(
        v["result"]["task"]["status"]["state"], "TASK_STATE_FAILED",
        "{v}"
    );
    let v = call(&a, "SendMessage", send_params("still alive", json!({}))).await;
    assert_eq!(
        v["result"]["task"]["status"]["state"],
        "TASK_STATE_COMPLETED"
    );
}

#[tokio::test(start_paused = true)]
async fn return_immediately_answers_working_and_finishes_in_background() {
    let (a, busy) = app_with(StoreLimits::default());
    let v = call(
        &a,
        "SendMessage",
        send_params("slow 5000", json!({"returnImmediately": true})),
    )
    .await;
    let task = &v["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_WORKING", "{v}");
    let id = task["id"].as_str().unwrap().to_owned();
    tokio::task::yield_now().await;
    assert_eq!(busy.in_flight(), 1, "the background run counts as busy");
    let v = call(&a, "GetTask", json!({"id": id})).await;
    assert_eq!(v["result"]["status"]["state"], "TASK_STATE_WORKING");
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    let v = call(&a, "GetTask", json!({"id": id})).await;
    assert_eq!(
        v["result"]["status"]["state"], "TASK_STATE_COMPLETED",
        "{v}"
    );
    assert_eq!(busy.in_flight(), 0);
}

#[tokio::test]
async fn input_required_follow_ups_keep_history_and_finished_tasks_refuse_more() {
    let a = app();
    let v = call(&a, "SendMessage", send_params("input", json!({}))).await;
    let task = &v["result"]["task"];
    assert_eq!(task["status"]["state"], "TASK_STATE_INPUT_REQUIRED");
    let (id, ctx) = (
        task["id"].as_str().unwrap().to_owned(),
        task["contextId"].as_str().unwrap().to_owned(),
    );
    let follow = |text: &str| json!({"message": {"messageId": "same-id", "role": "ROLE_USER", "taskId": id, "parts": [{"text": text}]}});
    let v = call(&a, "SendMessage", follow("input again")).await;
    assert_eq!(
        v["result"]["task"]["status"]["state"],
        "TASK_STATE_INPUT_REQUIRED"
    );
    assert_eq!(v["result"]["task"]["contextId"], ctx.as_str());
    let v = call(&a, "SendMessage", follow("done now")).await;
    assert_eq!(
        v["result"]["task"]["status"]["state"],
        "TASK_STATE_COMPLETED"
    );
    let texts: Vec<&str> = v["result"]["task"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["parts"][0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["input", "input again", "done now"],
        "no de-duplication by messageId"
    );
    let v = call(&a, "SendMessage", follow("more")).await;
    assert_eq!(v["error"]["code"], -32004, "{v}");
    let wrong_ctx = json!({"message": {"messageId": "m", "role": "ROLE_USER", "taskId": id, "contextId": "other", "parts": [{"text": "x"}]}});
    assert!(
        call(&a, "SendMessage", wrong_ctx)
            .await
            .get("error")
            .is_some()
    );
    let unknown = json!({"message": {"messageId": "m", "role": "ROLE_USER", "taskId": "nope", "parts": [{"text": "x"}]}});
    assert_eq!(
        call(&a, "SendMessage", unknown).await["error"]["code"],
        -32001
    );
}

#[tokio::test]
async fn cancel_then_cancel_again() {
    let a = app();
    let v = call(&a, "SendMessage", send_params("input", json!({}))).await;
    let id = v["result"]["task"]["id"].as_str().unwrap().to_owned();
    let v = call(&a, "CancelTask", json!({"id": id})).await;
    assert_eq!(v["result"]["status"]["state"], "TASK_STATE_CANCELED", "{v}");
    assert_eq!(v["result"]["id"], id.as_str());
    let v = call(&a, "CancelTask", json!({"id": id})).await;
    assert_eq!(v["error"]["code"], -32002);
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_a_working_task() {
    let a = app();
    let v = call(
        &a,
        "SendMessage",
        send_params("slow 60000", json!({"returnImmediately": true})),
    )
    .await;
    let id = v["result"]["task"]["id"].as_str().unwrap().to_owned();
    let v = call(&a, "CancelTask", json!({"id": id})).await;
    assert_eq!(v["result"]["status"]["state"], "TASK_STATE_CANCELED");
    tokio::time::sleep(std::time::Duration::from_secs(61)).await;
    let v = call(&a, "GetTask", json!({"id": id})).await;
    assert_eq!(
        v["result"]["status"]["state"], "TASK_STATE_CANCELED",
        "a late finish must not overwrite the cancel"
    );
}

#[tokio::test]
async fn list_tasks_filters_and_pages_without_repeats() {
    let a = app();
    let mut ids = Vec::new();
    for i in 0..5 {
        let p = json!({"message": {"messageId": format!("m{i}"), "role": "ROLE_USER", "contextId": "ctx-a", "parts": [{"text": "x"}]}});
        ids.push(
            call(&a, "SendMessage", p).await["result"]["task"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    call(&a, "SendMessage", send_params("other context", json!({}))).await;
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let v = call(
            &a,
            "ListTasks",
            json!({"contextId": "ctx-a", "pageSize": 2, "pageToken": token}),
        )
        .await;
        let r = &v["result"];
        assert_eq!(r["totalSize"], 5, "{v}");
        for t in r["tasks"].as_array().unwrap() {
            assert!(
                t.get("artifacts").is_none(),
                "artifacts omitted unless asked"
            );
            seen.push(t["id"].as_str().unwrap().to_owned());
        }
        token = r["nextPageToken"].as_str().unwrap().to_owned();
        if token.is_empty() {
            break;
        }
    }
    seen.sort();
    ids.sort();
    assert_eq!(seen, ids);
    let v = call(
        &a,
        "ListTasks",
        json!({"includeArtifacts": true, "status": "TASK_STATE_COMPLETED"}),
    )
    .await;
    assert_eq!(v["result"]["totalSize"], 6);
    assert!(v["result"]["tasks"][0]["artifacts"].is_array());
}

#[tokio::test]
async fn legacy_03_methods_convert_shapes_both_ways() {
    let a = app();
    let p = json!({"message": {"kind": "message", "messageId": "m03", "role": "user", "parts": [{"kind": "text", "text": "hi03"}]},
                   "configuration": {"blocking": true, "historyLength": 1}});
    let v = call(&a, "message/send", p).await;
    let t = &v["result"];
    assert_eq!(t["kind"], "task", "{v}");
    assert_eq!(t["status"]["state"], "completed");
    assert_eq!(t["artifacts"][0]["parts"][0]["kind"], "text");
    assert_eq!(t["artifacts"][0]["parts"][0]["text"], "hi03");
    assert_eq!(t["artifacts"][0]["parts"][1]["kind"], "data");
    assert_eq!(
        t["artifacts"][0]["parts"][1]["metadata"]["mediaType"],
        "application/x-test"
    );
    assert_eq!(t["history"][0]["role"], "user");
    let id = t["id"].as_str().unwrap();
    let v = call(&a, "tasks/get", json!({"id": id})).await;
    assert_eq!(v["result"]["kind"], "task");
    let v = call(&a, "message/send", json!({"message": {"kind": "message", "messageId": "m", "role": "user", "parts": [{"kind": "text", "text": "message"}]}})).await;
    assert_eq!(v["result"]["kind"], "message", "{v}");
    assert_eq!(v["result"]["role"], "agent");
    let v = call(&a, "message/send", json!({"message": {"messageId": "m", "role": "user", "parts": [{"kind": "text", "text": "slow 1"}]}, "configuration": {"blocking": false}})).await;
    assert_eq!(v["result"]["status"]["state"], "working", "{v}");
}

#[tokio::test]
async fn agent_card_has_validators_and_ping_reports_health() {
    use axum::http::Request;
    use tower::ServiceExt;
    let a = app();
    let resp = a
        .clone()
        .oneshot(
            Request::get("/.well-known/agent-card.json")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let h = resp.headers().clone();
    assert!(h["cache-control"].to_str().unwrap().contains("max-age="));
    assert!(h.contains_key("last-modified"));
    let etag = h["etag"].to_str().unwrap().to_owned();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let card: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(card["supportedInterfaces"][0]["protocolBinding"], "JSONRPC");
    let resp = a
        .clone()
        .oneshot(
            Request::get("/.well-known/agent-card.json")
                .header("if-none-match", etag)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
    let resp = a
        .oneshot(
            Request::get("/ping")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let ping: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(ping["status"], "Healthy");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Arbitrary bytes (and arbitrary content types) always get HTTP 200 and a well-formed
    /// JSON-RPC error — never a panic or a 5xx.
    #[test]
    fn arbitrary_bytes_get_a_well_formed_error(body in proptest::collection::vec(any::<u8>(), 0..300), ct in prop_oneof![Just("application/json"), Just("text/plain"), Just("")]) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (status, v) = rt.block_on(post(&app(), body.clone(), &[("content-type", ct)]));
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert_eq!(&v["jsonrpc"], "2.0");
        prop_assert!(v["error"]["code"].is_i64(), "{}", v);
    }

    /// Arbitrary JSON-RPC-shaped requests with random methods and params never break the server.
    #[test]
    fn arbitrary_envelopes_get_an_answer(method in "[A-Za-z/]{0,24}", params in "\\PC{0,80}") {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let body = format!(r#"{{"jsonrpc":"2.0","id":1,"method":{},"params":{}}}"#, serde_json::to_string(&method).unwrap(), params);
        let (status, v) = rt.block_on(post(&app(), body, &[JSON]));
        prop_assert_eq!(status, StatusCode::OK);
        prop_assert!(v.get("result").is_some() || v["error"]["code"].is_i64(), "{}", v);
    }
}

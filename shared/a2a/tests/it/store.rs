//! The task store stays bounded: a size cap and a TTL for finished tasks.

use crate::support::{app_with, call, send_params};
use serde_json::json;
use sremesh_a2a::server::StoreLimits;
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn finished_tasks_expire_after_the_ttl() {
    let (a, _) = app_with(StoreLimits {
        max_tasks: 100,
        ttl: Duration::from_secs(60),
    });
    let v = call(&a, "SendMessage", send_params("first", json!({}))).await;
    let first = v["result"]["task"]["id"].as_str().unwrap().to_owned();
    assert!(
        call(&a, "GetTask", json!({"id": first}))
            .await
            .get("result")
            .is_some()
    );
    tokio::time::sleep(Duration::from_secs(61)).await;
    // Eviction runs when a task is added.
    call(&a, "SendMessage", send_params("second", json!({}))).await;
    assert_eq!(
        call(&a, "GetTask", json!({"id": first})).await["error"]["code"],
        -32001
    );
}

#[tokio::test]
async fn the_cap_drops_the_oldest_finished_tasks_first() {
    let (a, _) = app_with(StoreLimits {
        max_tasks: 3,
        ttl: Duration::from_secs(3600),
    });
    let waiting = call(&a, "SendMessage", send_params("input", json!({}))).await["result"]["task"]
        ["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut done = Vec::new();
    for i in 0..5 {
        done.push(call(&a, "SendMessage", send_params(&format!("t{i}"), json!({}))).await["result"]["task"]["id"].as_str().unwrap().to_owned());
    }
    let total = call(&a, "ListTasks", json!({})).await["result"]["totalSize"]
        .as_i64()
        .unwrap();
    assert_eq!(total, 3, "never more than the cap");
    assert!(
        call(&a, "GetTask", json!({"id": waiting}))
            .await
            .get("result")
            .is_some(),
        "the unfinished task is kept"
    );
    assert!(
        call(&a, "GetTask", json!({"id": done[4]}))
            .await
            .get("result")
            .is_some(),
        "the newest is kept"
    );
    assert_eq!(
        call(&a, "GetTask", json!({"id": done[0]})).await["error"]["code"],
        -32001,
        "the oldest finished is dropped"
    );
}

#[tokio::test]
async fn a_finished_task_reads_back_as_it_was_answered() {
    let (a, _) = app_with(StoreLimits::default());
    let v = call(&a, "SendMessage", send_params("hello there", json!({}))).await;
    let answered = &v["result"]["task"];
    let id = answered["id"].as_str().unwrap();
    let stored = call(&a, "GetTask", json!({"id": id})).await;
    assert_eq!(&stored["result"], answered);
    let listed = call(&a, "ListTasks", json!({"includeArtifacts": true})).await;
    assert_eq!(&listed["result"]["tasks"][0], answered);
}

#[tokio::test(start_paused = true)]
async fn a_blocking_request_dropped_mid_run_cancels_its_task() {
    let (a, busy) = app_with(StoreLimits::default());
    let gone = tokio::time::timeout(
        Duration::from_millis(100),
        call(&a, "SendMessage", send_params("slow 60000", json!({}))),
    )
    .await;
    assert!(gone.is_err(), "the client gave up before the answer");
    let listed = call(&a, "ListTasks", json!({})).await;
    let tasks = listed["result"]["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1, "{listed}");
    assert_eq!(tasks[0]["status"]["state"], "TASK_STATE_CANCELED");
    assert_eq!(busy.in_flight(), 0, "the run ended with the request");
}

#[tokio::test(start_paused = true)]
async fn cancel_ends_a_blocking_request_with_the_canceled_task() {
    let (a, _) = app_with(StoreLimits::default());
    let blocked = tokio::spawn({
        let a = a.clone();
        async move { call(&a, "SendMessage", send_params("slow 60000", json!({}))).await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    let listed = call(&a, "ListTasks", json!({"status": "TASK_STATE_WORKING"})).await;
    let id = listed["result"]["tasks"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    call(&a, "CancelTask", json!({"id": id})).await;
    let v = blocked.await.unwrap();
    assert_eq!(
        v["result"]["task"]["status"]["state"], "TASK_STATE_CANCELED",
        "{v}"
    );
}

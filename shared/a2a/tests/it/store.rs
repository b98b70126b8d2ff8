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

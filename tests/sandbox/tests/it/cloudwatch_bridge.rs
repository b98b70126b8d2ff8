//! The scenario's log groups reach the CloudWatch Logs server on its own port.

use super::{http, start_fixture};
use serde_json::{Value, json};

#[tokio::test]
async fn scenario_log_groups_are_served_over_aws_json() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().cloudwatch_logs;
    let call = |target: &'static str, body: Value| async move {
        let r = http()
            .post(format!("{base}/"))
            .header("x-amz-target", format!("Logs_20140328.{target}"))
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{target}");
        r.json::<Value>().await.unwrap()
    };
    let groups = call("DescribeLogGroups", json!({})).await;
    assert_eq!(
        groups["logGroups"][0]["logGroupName"],
        "/aws/containerinsights/shop-prod-eks/application"
    );
    let events = call(
        "FilterLogEvents",
        json!({"logGroupName": "/aws/containerinsights/shop-prod-eks/application"}),
    )
    .await;
    let msgs: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        msgs,
        [
            "ERROR invalid config: PAYMENT_TIMEOUT must be > 0",
            "FATAL exiting with code 1"
        ]
    );
    assert_eq!(events["events"][0]["timestamp"], 1776507660000i64); // now - 4m
}

//! The client against a real server on loopback, and against peers that misbehave.

use crate::support::{app, serve};
use sremesh_a2a::client::{A2aClient, ClientError, ClientOptions, Endpoint};
use sremesh_a2a::types::{
    Message, Part, Role, SendMessageConfiguration, SendMessageRequest, SendMessageResponse,
    TaskState,
};
use std::time::Duration;

fn request(text: &str, immediate: bool) -> SendMessageRequest {
    SendMessageRequest {
        message: Message::new(Role::User, vec![Part::text(text)]),
        configuration: Some(SendMessageConfiguration {
            return_immediately: Some(immediate),
            ..Default::default()
        }),
        metadata: None,
    }
}

fn client(url: &str) -> A2aClient {
    A2aClient::new(
        Endpoint::parse(url).unwrap(),
        ClientOptions {
            connect_timeout: Some(Duration::from_secs(1)),
            aws_region: None,
        },
    )
    .unwrap()
}

#[tokio::test]
async fn send_get_cancel_and_card_over_http() {
    let url = serve(app()).await;
    let c = client(&url);
    let SendMessageResponse::Task(t) = c
        .send_message(&request("hello", false), Duration::from_secs(5), None)
        .await
        .unwrap()
    else {
        panic!("expected a task")
    };
    assert_eq!(t.status.state, TaskState::Completed);
    assert_eq!(
        t.artifact_parts().next().and_then(Part::as_text),
        Some("hello")
    );
    let got = c.get_task(&t.id, Duration::from_secs(5)).await.unwrap();
    assert_eq!(got.id, t.id);
    let SendMessageResponse::Task(w) = c
        .send_message(&request("slow 10000", true), Duration::from_secs(5), None)
        .await
        .unwrap()
    else {
        panic!("expected a task")
    };
    assert_eq!(w.status.state, TaskState::Working);
    assert_eq!(
        c.cancel_task(&w.id, Duration::from_secs(5))
            .await
            .unwrap()
            .status
            .state,
        TaskState::Canceled
    );
    let err = c
        .get_task("nope", Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Rpc { code: -32001, .. }),
        "{err:?}"
    );
    assert_eq!(
        c.agent_card(Duration::from_secs(5)).await.unwrap().name,
        "test"
    );
}

#[tokio::test]
async fn failures_are_named() {
    // Connection refused: a port nobody listens on.
    let port = {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let err = client(&format!("http://127.0.0.1:{port}/"))
        .send_message(&request("x", false), Duration::from_secs(2), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "connection refused", "{err:?}");

    // Timeout: the agent takes longer than we wait.
    let url = serve(app()).await;
    let err = client(&url)
        .send_message(
            &request("slow 5000", false),
            Duration::from_millis(200),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Timeout(Duration::from_millis(200)));

    // Garbage and 500s from a peer that is not an A2A agent.
    let bad = axum::Router::new()
        .route(
            "/",
            axum::routing::post(|| async { "<html>not json</html>" }),
        )
        .route(
            "/500/",
            axum::routing::post(|| async {
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "boom")
            }),
        );
    let url = serve(bad).await;
    let err = client(&url)
        .send_message(&request("x", false), Duration::from_secs(2), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "bad response", "{err:?}");
    let err = client(&format!("{url}500/"))
        .send_message(&request("x", false), Duration::from_secs(2), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::Http { status: 500, .. }),
        "{err:?}"
    );
}

#[test]
fn arn_endpoints_need_the_agentcore_feature() {
    let ep = Endpoint::parse("arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/eks-abc")
        .unwrap();
    let made = A2aClient::new(ep, ClientOptions::default());
    assert_eq!(made.is_ok(), cfg!(feature = "agentcore"));
}

//! The real Rust SDK (`aws-sdk-cloudwatchlogs`) against `cloudwatch::router()` on loopback.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatchlogs::operation::describe_log_streams::DescribeLogStreamsError;
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsError;
use aws_sdk_cloudwatchlogs::operation::start_query::StartQueryError;
use aws_sdk_cloudwatchlogs::types::QueryStatus;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use sremesh_sandbox::cloudwatch::{EventData, LogGroupData, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 2026-04-18T10:20:00Z in ms.
const T0: i64 = 1_776_507_600_000;

fn group(name: &str, events: Vec<EventData>) -> LogGroupData {
    LogGroupData {
        name: name.into(),
        events,
    }
}

fn event(offset_ms: i64, stream: &str, message: &str) -> EventData {
    EventData {
        timestamp_ms: T0 + offset_ms,
        stream: stream.into(),
        message: message.into(),
    }
}

/// Serves `groups` on 127.0.0.1:0 and returns the base URL.
async fn serve(groups: Vec<LogGroupData>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, router(groups)).await });
    format!("http://{addr}")
}

/// A client with dummy credentials. The config is built directly (not through
/// `aws_config`'s loader) so no provider chain ever looks for a region or credentials
/// anywhere but here — in particular not at the EC2 metadata address.
fn client(url: &str) -> Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let config = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new(
            "AKIDSANDBOX",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(url)
        .http_client(http)
        .build();
    Client::from_conf(config)
}

fn many_groups() -> Vec<LogGroupData> {
    [
        "/aws/containerinsights/prod/host",
        "/app/web",
        "/aws/containerinsights/prod/application",
        "/aws/lambda/pay",
        "/aws/containerinsights/prod/dataplane",
    ]
    .into_iter()
    .map(|name| group(name, vec![event(0, "s", "hello")]))
    .collect()
}

#[tokio::test]
async fn describe_log_groups_filters_by_prefix_and_pages_with_next_token() {
    let client = client(&serve(many_groups()).await);
    let mut names = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_log_groups()
            .log_group_name_prefix("/aws/containerinsights/")
            .limit(2)
            .set_next_token(token.take())
            .send()
            .await
            .expect("DescribeLogGroups");
        pages += 1;
        for g in page.log_groups() {
            let name = g.log_group_name().expect("name").to_string();
            assert_eq!(
                g.arn(),
                Some(format!("arn:aws:logs:eu-west-1:123456789012:log-group:{name}:*").as_str()),
                "ARN uses the request's region"
            );
            assert_eq!(g.stored_bytes(), Some(5));
            assert_eq!(g.log_group_class().map(|c| c.as_str()), Some("STANDARD"));
            names.push(name);
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(
        names,
        [
            "/aws/containerinsights/prod/application",
            "/aws/containerinsights/prod/dataplane",
            "/aws/containerinsights/prod/host"
        ]
    );

    let by_pattern = client
        .describe_log_groups()
        .log_group_name_pattern("lambda")
        .send()
        .await
        .expect("DescribeLogGroups by pattern");
    let names: Vec<_> = by_pattern
        .log_groups()
        .iter()
        .filter_map(|g| g.log_group_name())
        .collect();
    assert_eq!(names, ["/aws/lambda/pay"]);

    // The SDK's own paginator walks every group.
    let mut stream = client
        .describe_log_groups()
        .limit(1)
        .into_paginator()
        .items()
        .send();
    let mut all = 0;
    while let Some(item) = stream.next().await {
        item.expect("page");
        all += 1;
    }
    assert_eq!(all, 5);
}

fn noisy_group() -> LogGroupData {
    let events = (0..25)
        .map(|i| {
            let level = if i % 2 == 0 { "ERROR" } else { "INFO" };
            event(
                i * 1_000,
                &format!("pod-{}", i % 3),
                &format!("{level} request {i}"),
            )
        })
        .collect();
    group("/app/payments", events)
}

#[tokio::test]
async fn filter_log_events_matches_a_pattern_and_resumes_from_next_token() {
    let client = client(&serve(vec![noisy_group()]).await);
    let mut messages = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let page = client
            .filter_log_events()
            .log_group_name("/app/payments")
            .filter_pattern("ERROR -\"request 4\"")
            .limit(4)
            .set_next_token(token.take())
            .send()
            .await
            .expect("FilterLogEvents");
        pages += 1;
        for e in page.events() {
            assert!(e.event_id().is_some_and(|id| id.len() == 56));
            assert!(e.ingestion_time() > e.timestamp());
            messages.push(e.message().expect("message").to_string());
        }
        assert_eq!(page.searched_log_streams().len(), 3);
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25)
        .filter(|i| i % 2 == 0 && *i != 4)
        .map(|i| format!("ERROR request {i}"))
        .collect();
    assert_eq!(messages, expected);
    assert_eq!(pages, 3); // 12 matches, 4 per page

    // Both time bounds are inclusive; stream names narrow the search.
    let page = client
        .filter_log_events()
        .log_group_name("/app/payments")
        .start_time(T0 + 3_000)
        .end_time(T0 + 9_000)
        .log_stream_names("pod-0")
        .send()
        .await
        .expect("FilterLogEvents by time and stream");
    let got: Vec<_> = page.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(got, ["INFO request 3", "ERROR request 6", "INFO request 9"]);
}

#[tokio::test]
async fn streams_and_get_log_events_page_through_one_stream() {
    let client = client(&serve(vec![noisy_group()]).await);
    let streams = client
        .describe_log_streams()
        .log_group_name("/app/payments")
        .send()
        .await
        .expect("DescribeLogStreams");
    let names: Vec<_> = streams
        .log_streams()
        .iter()
        .filter_map(|s| s.log_stream_name())
        .collect();
    assert_eq!(names, ["pod-0", "pod-1", "pod-2"]);
    assert_eq!(
        streams.log_streams()[0].last_event_timestamp(),
        Some(T0 + 24_000)
    );

    let head = client
        .get_log_events()
        .log_group_name("/app/payments")
        .log_stream_name("pod-1")
        .start_from_head(true)
        .limit(3)
        .send()
        .await
        .expect("GetLogEvents");
    let got: Vec<_> = head.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(got, ["INFO request 1", "ERROR request 4", "INFO request 7"]);
    let next = client
        .get_log_events()
        .log_group_name("/app/payments")
        .log_stream_name("pod-1")
        .next_token(head.next_forward_token().expect("forward token"))
        .limit(3)
        .send()
        .await
        .expect("GetLogEvents next page");
    let got: Vec<_> = next.events().iter().filter_map(|e| e.message()).collect();
    assert_eq!(
        got,
        ["ERROR request 10", "INFO request 13", "ERROR request 16"]
    );

    let missing = client
        .describe_log_streams()
        .log_group_name("/nope")
        .send()
        .await
        .expect_err("unknown group");
    assert!(matches!(
        missing.into_service_error(),
        DescribeLogStreamsError::ResourceNotFoundException(_)
    ));
}

#[tokio::test]
async fn insights_query_is_running_then_complete_with_binned_counts() {
    let events = vec![
        event(5_000, "a", "ERROR one"),
        event(30_000, "b", "ERROR two"),
        event(65_000, "a", "INFO three"),
        event(119_999, "a", "ERROR four"),
        event(185_000, "b", "ERROR five"),
        event(400_000, "b", "ERROR outside the range"),
    ];
    let client = client(&serve(vec![group("/app/q", events)]).await);
    let start = client
        .start_query()
        .log_group_name("/app/q")
        .start_time(T0 / 1000)
        .end_time(T0 / 1000 + 300)
        .query_string("filter @message like /ERROR/ | stats count(*) as errors by bin(1m)")
        .send()
        .await
        .expect("StartQuery");
    let id = start.query_id().expect("query id").to_string();

    let first = client
        .get_query_results()
        .query_id(&id)
        .send()
        .await
        .expect("poll 1");
    assert_eq!(first.status(), Some(&QueryStatus::Running));
    assert!(first.results().is_empty());
    let done = client
        .get_query_results()
        .query_id(&id)
        .send()
        .await
        .expect("poll 2");
    assert_eq!(done.status(), Some(&QueryStatus::Complete));
    let rows: Vec<Vec<(String, String)>> = done
        .results()
        .iter()
        .map(|row| {
            row.iter()
                .map(|f| {
                    (
                        f.field().unwrap_or("").into(),
                        f.value().unwrap_or("").into(),
                    )
                })
                .collect()
        })
        .collect();
    let expected: Vec<Vec<(String, String)>> = [
        ("2026-04-18 10:20:00.000", "2"),
        ("2026-04-18 10:21:00.000", "1"),
        ("2026-04-18 10:23:00.000", "1"),
    ]
    .iter()
    .map(|(bin, n)| {
        vec![
            ("bin(1m)".into(), bin.to_string()),
            ("errors".into(), n.to_string()),
        ]
    })
    .collect();
    assert_eq!(rows, expected);
    let stats = done.statistics().expect("statistics");
    assert_eq!(stats.records_scanned(), 5.0);
    assert_eq!(stats.records_matched(), 4.0);

    let stopped = client
        .stop_query()
        .query_id(&id)
        .send()
        .await
        .expect("StopQuery");
    assert!(!stopped.success(), "a finished query cannot be stopped");
}

#[tokio::test]
async fn a_malformed_query_is_the_sdks_malformed_query_exception() {
    let client = client(&serve(vec![noisy_group()]).await);
    let err = client
        .start_query()
        .log_group_name("/app/payments")
        .start_time(T0 / 1000)
        .end_time(T0 / 1000 + 60)
        .query_string("fields @message | dedup @message")
        .send()
        .await
        .expect_err("dedup is outside the subset");
    match err.into_service_error() {
        StartQueryError::MalformedQueryException(e) => {
            assert!(
                e.message()
                    .is_some_and(|m| m.contains("'dedup' is not supported"))
            );
            let location = e
                .query_compile_error()
                .and_then(|c| c.location())
                .expect("compile error location");
            assert_eq!(location.start_char_offset(), Some(18));
            assert_eq!(location.end_char_offset(), Some(23));
        }
        other => panic!("expected MalformedQueryException, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_groups_and_bad_patterns_are_typed_errors() {
    let client = client(&serve(vec![noisy_group()]).await);
    let err = client
        .filter_log_events()
        .log_group_name("/does/not/exist")
        .send()
        .await
        .expect_err("unknown group");
    assert!(
        matches!(
            err.into_service_error(),
            FilterLogEventsError::ResourceNotFoundException(_)
        ),
        "FilterLogEvents on an unknown group"
    );
    let err = client
        .start_query()
        .log_group_names("/does/not/exist")
        .start_time(0)
        .end_time(60)
        .query_string("fields @message")
        .send()
        .await
        .expect_err("unknown group");
    assert!(matches!(
        err.into_service_error(),
        StartQueryError::ResourceNotFoundException(_)
    ));
    let err = client
        .filter_log_events()
        .log_group_name("/app/payments")
        .filter_pattern("[ip, user, status=404]")
        .send()
        .await
        .expect_err("space-delimited patterns are unsupported");
    match err.into_service_error() {
        FilterLogEventsError::InvalidParameterException(e) => {
            assert!(e.message().is_some_and(|m| m.contains("space-delimited")));
        }
        other => panic!("expected InvalidParameterException, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_target_is_unknown_operation_exception() {
    let url = serve(vec![]).await;
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let body = "{}";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n\
         Content-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(
        response.contains("\"__type\":\"UnknownOperationException\""),
        "{response}"
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("content-type: application/x-amz-json-1.1")
    );
}

//! The MCP bridge against the real npm reference server (`@modelcontextprotocol/server-everything`,
//! installed into `.peers/node` by scripts/setup-peers.sh) over stdio and streamable HTTP.

use crate::scripted::{self, Reply, Wire, is_final, list, text, tools};
use sremesh_agent::Deadline;
use sremesh_agent::tool::{ToolError, ToolSet};
use sremesh_core::Secret;
use sremesh_core::config::{McpConfig, McpTransport};
use sremesh_llm::{
    LoopTask, McpBridge, McpError, Message, StopCause, missing_tools, run_loop, tool_specs,
};
use sremesh_testkit::{free_port, peers_dir, spawn, wait_for_tcp};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const CONNECT: Duration = Duration::from_secs(20);

fn server_js() -> String {
    let p =
        peers_dir().join("node/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assert!(
        p.exists(),
        "{} missing: run scripts/setup-peers.sh (it installs tests/node/package.json)",
        p.display()
    );
    p.to_string_lossy().into_owned()
}

fn config(
    name: &str,
    transport: McpTransport,
    endpoint: &str,
    args: &[&str],
    required: bool,
) -> McpConfig {
    McpConfig {
        name: name.into(),
        transport,
        endpoint: endpoint.into(),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        auth: "none".into(),
        required,
    }
}

fn stdio_config() -> McpConfig {
    let js = server_js();
    config(
        "everything",
        McpTransport::Stdio,
        "node",
        &[&js, "stdio"],
        true,
    )
}

/// Checks the adapted tools: namespaced, schema kept, callable; `isError` reaches the caller.
async fn check_tools(bridge: &McpBridge) -> ToolSet {
    let set = ToolSet::new(bridge.tools());
    let names = set.names();
    assert!(names.len() >= 5, "{names:?}");
    assert!(
        names.iter().all(|n| n.starts_with("everything__")),
        "{names:?}"
    );
    assert!(
        missing_tools(["everything__echo", "everything__get-sum"], &set).is_empty(),
        "{names:?}"
    );
    let sum = set.get("everything__get-sum").unwrap();
    assert_eq!(sum.parameters()["properties"]["a"]["type"], "number");
    assert_eq!(
        bridge.descriptions()["everything__get-sum"],
        "Returns the sum of two numbers"
    );
    let d = Deadline::after(Duration::from_secs(10));
    let out = sum
        .call(serde_json::json!({"a": 2, "b": 3}), d)
        .await
        .unwrap();
    assert_eq!(out.data["content"][0]["text"], "The sum of 2 and 3 is 5.");
    assert_eq!(out.scanned, ["mcp:everything__get-sum"]);
    // Arguments that fail the server's validation come back as an error (MCP isError or a
    // JSON-RPC error), which the loop shows the model.
    let err = sum
        .call(serde_json::json!({"a": "two"}), d)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ToolError::Unavailable(ref m) if m.contains("everything__get-sum")),
        "{err}"
    );
    let err = sum.call(serde_json::json!([1, 2]), d).await.unwrap_err();
    assert!(matches!(err, ToolError::InvalidArguments { .. }), "{err}");
    set
}

/// A scripted model asks for two MCP tools through the loop, then answers.
async fn check_loop(wire: Wire, set: &ToolSet, bridge: &McpBridge) {
    let script = list(vec![
        tools(&[
            ("everything__get-sum", r#"{"a": 40, "b": 2}"#),
            ("everything__echo", r#"{"message": "from the loop"}"#),
        ]),
        text("The sum is 42."),
    ]);
    let model = scripted::serve(wire, script).await;
    let provider = model.provider().await;
    let task = LoopTask {
        system: "Use the MCP tools.".into(),
        messages: vec![Message::user("What is 40 + 2?")],
        tools: tool_specs(set, &bridge.descriptions()),
    };
    let out = run_loop(
        provider.as_ref(),
        set,
        task,
        &crate::limits(),
        Deadline::after(Duration::from_secs(20)),
    )
    .await;
    assert_eq!(out.stop, StopCause::Answered, "{out:#?}");
    assert_eq!(out.text.as_deref(), Some("The sum is 42."));
    assert_eq!(out.tool_calls, 2);
    assert_eq!(
        out.outputs[0].output.data["content"][0]["text"],
        "The sum of 40 and 2 is 42."
    );
    assert_eq!(
        out.outputs[1].output.data["content"][0]["text"],
        "Echo: from the loop"
    );
    let results = scripted::tool_results(wire, &model.requests()[1]);
    assert!(
        results[0].1.contains("The sum of 40 and 2 is 42."),
        "{results:?}"
    );
    assert!(!is_final(&model.requests()[1]));
}

#[tokio::test]
async fn stdio_server_tools_are_listed_namespaced_and_called_from_the_loop() {
    let bridge = McpBridge::connect(&[stdio_config()], &BTreeMap::new(), CONNECT)
        .await
        .unwrap();
    assert!(bridge.warnings().is_empty());
    let set = check_tools(&bridge).await;
    check_loop(Wire::OpenAi, &set, &bridge).await;
    bridge.shutdown().await;
    // After shutdown the tools fail cleanly instead of hanging.
    let err = set
        .get("everything__echo")
        .unwrap()
        .call(
            serde_json::json!({"message": "x"}),
            Deadline::after(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ToolError::Unavailable(_)), "{err}");
}

#[tokio::test]
async fn streamable_http_server_tools_are_listed_and_called_from_the_loop() {
    let port = free_port();
    let mut cmd = tokio::process::Command::new("node");
    cmd.arg(server_js())
        .arg("streamableHttp")
        .env("PORT", port.to_string());
    cmd.stdout(std::process::Stdio::null());
    let _server = spawn(&mut cmd).unwrap();
    wait_for_tcp(&format!("127.0.0.1:{port}"), Duration::from_secs(20))
        .await
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut cfg = config("everything", McpTransport::StreamableHttp, &url, &[], true);
    cfg.auth = "bearer:EVERYTHING_TOKEN".into();
    let env = BTreeMap::from([("EVERYTHING_TOKEN".to_owned(), Secret::new("t0ken"))]);
    let bridge = McpBridge::connect(&[cfg], &env, CONNECT).await.unwrap();
    let set = check_tools(&bridge).await;
    check_loop(Wire::Bedrock, &set, &bridge).await;
    bridge.shutdown().await;
}

/// Servers that cannot start: required → an error with the reason; optional → a warning and
/// no tools (the healthy server's tools are still there).
#[tokio::test]
async fn failing_servers_follow_the_required_policy() {
    let dead_url = format!("http://127.0.0.1:{}/mcp", free_port());
    type Case = (McpConfig, &'static str, fn(&McpError) -> bool);
    let bad: Vec<Case> = vec![
        (
            config(
                "nocmd",
                McpTransport::Stdio,
                "/nonexistent/mcp-server",
                &[],
                true,
            ),
            "cannot start '/nonexistent/mcp-server'",
            |e| matches!(e, McpError::Spawn { .. }),
        ),
        (
            config(
                "crash",
                McpTransport::Stdio,
                "node",
                &["-e", "console.error('boom: no config'); process.exit(3)"],
                true,
            ),
            "boom: no config",
            |e| matches!(e, McpError::Connect { .. }),
        ),
        (
            config("nohttp", McpTransport::StreamableHttp, &dead_url, &[], true),
            "cannot connect",
            |e| matches!(e, McpError::Connect { .. } | McpError::Timeout { .. }),
        ),
        (
            McpConfig {
                auth: "bearer:MISSING_TOKEN".into(),
                ..config("noauth", McpTransport::StreamableHttp, &dead_url, &[], true)
            },
            "MISSING_TOKEN is not set",
            |e| matches!(e, McpError::Auth { .. }),
        ),
    ];
    for (cfg, reason, kind) in bad {
        let name = cfg.name.clone();
        // Required: the whole bridge fails with this server's reason.
        let err = McpBridge::connect(
            &[stdio_config(), cfg.clone()],
            &BTreeMap::new(),
            Duration::from_secs(10),
        )
        .await
        .unwrap_err();
        assert_eq!(err.server(), name);
        assert!(kind(&err), "{name}: {err:?}");
        assert!(err.to_string().contains(reason), "{name}: {err}");
        // Optional: a warning, its tools absent, the healthy server's tools present.
        let optional = McpConfig {
            required: false,
            ..cfg
        };
        let bridge = McpBridge::connect(
            &[stdio_config(), optional],
            &BTreeMap::new(),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
        assert_eq!(bridge.warnings().len(), 1, "{name}");
        assert_eq!(bridge.warnings()[0].server(), name);
        let names: Vec<&str> = bridge.tools().iter().map(|t| t.name()).collect();
        assert!(
            names.iter().all(|n| n.starts_with("everything__")),
            "{names:?}"
        );
        assert!(names.contains(&"everything__echo"));
        bridge.shutdown().await;
    }
}

/// The loop refuses tools it was not offered even if the MCP set has them (the offer is the
/// tool specs), so a prompt cannot reach tools outside its skill.
#[tokio::test]
async fn only_offered_mcp_tools_can_be_called() {
    let bridge = McpBridge::connect(&[stdio_config()], &BTreeMap::new(), CONNECT)
        .await
        .unwrap();
    let set = ToolSet::new(bridge.tools());
    let offered: Vec<_> = tool_specs(&set, &bridge.descriptions())
        .into_iter()
        .filter(|s| s.name == "everything__echo")
        .collect();
    let script = list(vec![
        tools(&[("everything__get-sum", r#"{"a":1,"b":1}"#)]),
        Reply::Text("ok".into()),
    ]);
    let model = scripted::serve(Wire::OpenAi, script).await;
    let provider: Arc<dyn sremesh_llm::Provider> = model.provider().await;
    let task = LoopTask {
        system: String::new(),
        messages: vec![Message::user("add")],
        tools: offered,
    };
    let out = run_loop(
        provider.as_ref(),
        &set,
        task,
        &crate::limits(),
        Deadline::after(Duration::from_secs(10)),
    )
    .await;
    assert_eq!(out.tool_calls, 0);
    let results = scripted::tool_results(Wire::OpenAi, &model.requests()[1]);
    assert!(
        results[0].2 && results[0].1.contains("no tool named 'everything__get-sum'"),
        "{results:?}"
    );
    bridge.shutdown().await;
}

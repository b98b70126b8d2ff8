//! `tck_agent`: the A2A conformance kit's messageId-driven behaviours on the very server layer
//! the real agents use. Listens on `A2A_HOST`:`A2A_PORT` (default 127.0.0.1:9999).
//!
//! Run the kit against it: `run_tck.py --sut-host http://127.0.0.1:9999 --transport jsonrpc`.

use sremesh_a2a::server::{AgentHandler, Busy, Call, Outcome, ServerParts, StoreLimits, router};
use sremesh_a2a::types::{
    AgentCapabilities, AgentCard, AgentInterface, AgentSkill, Artifact, Part, PartContent,
    TaskState,
};
use std::sync::Arc;

struct Tck;

fn file_part(content: PartContent) -> Part {
    Part {
        content,
        media_type: Some("text/plain".into()),
        filename: Some("output.txt".into()),
        metadata: None,
    }
}

impl AgentHandler for Tck {
    async fn handle(&self, call: Call) -> Outcome {
        let id = call.message.message_id.as_str();
        let text = |t: &str| vec![Part::text(t)];
        // Longest prefixes first: `tck-artifact-file-url` before `tck-artifact-file`.
        if id.starts_with("tck-message-response") {
            Outcome::Message(text("Direct message response"))
        } else if id.starts_with("tck-input-required") {
            Outcome::Task {
                state: TaskState::InputRequired,
                artifacts: vec![],
                message: Some(text("Please provide more input")),
            }
        } else if id.starts_with("tck-reject-task") {
            Outcome::Task {
                state: TaskState::Rejected,
                artifacts: vec![],
                message: Some(text("rejected")),
            }
        } else if id.starts_with("tck-artifact-text") {
            Outcome::completed(vec![Artifact::new("text", text("Generated text content"))])
        } else if id.starts_with("tck-artifact-file-url") {
            let part = file_part(PartContent::Url("https://example.com/output.txt".into()));
            Outcome::completed(vec![Artifact::new("file", vec![part])])
        } else if id.starts_with("tck-artifact-file") {
            // "tck" in standard base64.
            Outcome::completed(vec![Artifact::new(
                "file",
                vec![file_part(PartContent::Raw("dGNr".into()))],
            )])
        } else if id.starts_with("tck-artifact-data") {
            let data = serde_json::json!({"key": "value", "count": 42});
            let part = Part {
                content: PartContent::Data(data),
                media_type: None,
                filename: None,
                metadata: None,
            };
            Outcome::completed(vec![Artifact::new("data", vec![part])])
        } else {
            // `tck-complete-task` and everything else: complete, echoing the text.
            let echo = call.message.text();
            Outcome::Task {
                state: TaskState::Completed,
                artifacts: vec![Artifact::new(
                    "echo",
                    text(if echo.is_empty() {
                        "Hello from TCK"
                    } else {
                        &echo
                    }),
                )],
                message: Some(text("Hello from TCK")),
            }
        }
    }
}

#[tokio::main]
#[allow(
    clippy::disallowed_methods,
    reason = "an example's main is where the environment is read"
)]
async fn main() -> std::io::Result<()> {
    let host = std::env::var("A2A_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("A2A_PORT").unwrap_or_else(|_| "9999".into());
    let listener = tokio::net::TcpListener::bind(format!("{host}:{port}")).await?;
    let addr = listener.local_addr()?;
    let card = AgentCard {
        name: "sremesh TCK agent".into(),
        description: "The A2A conformance kit's behaviours on sremesh's server layer".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        supported_interfaces: vec![AgentInterface {
            url: format!("http://{addr}/"),
            protocol_binding: "JSONRPC".into(),
            protocol_version: "1.0".into(),
        }],
        capabilities: AgentCapabilities::default(),
        default_input_modes: vec!["text/plain".into(), "application/json".into()],
        default_output_modes: vec!["text/plain".into(), "application/json".into()],
        skills: vec![AgentSkill {
            id: "tck".into(),
            name: "TCK behaviours".into(),
            description:
                "Completes, rejects, asks for input or returns artifacts as the messageId says"
                    .into(),
            tags: vec!["tck".into()],
            examples: vec![],
            input_modes: vec![],
            output_modes: vec![],
        }],
        provider: None,
        documentation_url: None,
    };
    let app = router(ServerParts {
        handler: Arc::new(Tck),
        card,
        limits: StoreLimits::default(),
        busy: Arc::new(Busy::default()),
    });
    println!("tck_agent listening on http://{addr}/");
    axum::serve(listener, app).await
}

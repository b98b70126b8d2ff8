//! `axum-echo`: the baseline of the A2A benchmark — a bare axum server that parses the JSON body
//! and answers it back, with nothing else. Listens on 127.0.0.1:`--port`.

use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Parser;
use serde_json::Value;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let app = Router::new()
        .route("/", post(|Json(v): Json<Value>| async move { Json(v) }))
        .route(
            "/ping",
            get(|| async { Json(serde_json::json!({"status": "Healthy"})) }),
        );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

//! The HTTP surface: one router for the local server and for Lambda. Each platform has its
//! endpoint; `POST /` picks the platform from the request (one Function URL serves all).

use crate::error::Reject;
use crate::intake::Intake;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::HeaderMap;
use serde_json::json;
use sremesh_chat::verify::{
    DISCORD_SIGNATURE, DISCORD_TIMESTAMP, SLACK_SIGNATURE, SLACK_TIMESTAMP,
};
use sremesh_chat::webhook::slack::is_command;
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest request body accepted (Slack and Discord send a few KB; Alertmanager groups more).
const MAX_BODY: usize = 1 << 20;

/// The intake's router.
pub fn router(intake: Arc<Intake>) -> Router {
    Router::new()
        .route("/slack/events", post(slack_events))
        .route("/slack/commands", post(slack_commands))
        .route("/discord/interactions", post(discord))
        .route("/alertmanager", post(alertmanager))
        .route("/", post(any_platform))
        .route("/healthz", get(healthz))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(intake)
}

fn answer(r: Result<Response, Reject>) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

async fn slack_events(State(i): State<Arc<Intake>>, h: HeaderMap, body: Bytes) -> Response {
    answer(crate::slack::events(&i, &h, &body).await)
}

async fn slack_commands(State(i): State<Arc<Intake>>, h: HeaderMap, body: Bytes) -> Response {
    answer(crate::slack::commands(&i, &h, &body).await)
}

async fn discord(State(i): State<Arc<Intake>>, h: HeaderMap, body: Bytes) -> Response {
    answer(crate::discord::interactions(&i, &h, &body).await)
}

async fn alertmanager(State(i): State<Arc<Intake>>, h: HeaderMap, body: Bytes) -> Response {
    answer(crate::alertmanager::handle(&i, &h, &body).await)
}

/// Which handler `POST /` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    SlackEvents,
    SlackCommands,
    Discord,
    Alertmanager,
}

/// Picks the platform of a request to `/`: Slack's signature headers (events or commands by
/// content type), Discord's, then a bearer token or an Alertmanager-shaped JSON body.
pub fn detect(headers: &HeaderMap, body: &[u8]) -> Option<Route> {
    let has = |name: &str| headers.contains_key(name);
    if has(SLACK_SIGNATURE) || has(SLACK_TIMESTAMP) {
        let ct = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        return Some(if is_command(ct) {
            Route::SlackCommands
        } else {
            Route::SlackEvents
        });
    }
    if has(DISCORD_SIGNATURE) || has(DISCORD_TIMESTAMP) {
        return Some(Route::Discord);
    }
    let bearer = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer || looks_like_alertmanager(body) {
        return Some(Route::Alertmanager);
    }
    None
}

fn looks_like_alertmanager(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code, reason = "only the presence of the fields is checked")]
    struct Shape {
        group_key: serde::de::IgnoredAny,
        alerts: serde::de::IgnoredAny,
    }
    serde_json::from_slice::<Shape>(body).is_ok()
}

async fn any_platform(State(i): State<Arc<Intake>>, h: HeaderMap, body: Bytes) -> Response {
    answer(match detect(&h, &body) {
        Some(Route::SlackEvents) => crate::slack::events(&i, &h, &body).await,
        Some(Route::SlackCommands) => crate::slack::commands(&i, &h, &body).await,
        Some(Route::Discord) => crate::discord::interactions(&i, &h, &body).await,
        Some(Route::Alertmanager) => crate::alertmanager::handle(&i, &h, &body).await,
        None => Err(Reject::BadRequest(
            "unknown sender: expected Slack or Discord signature headers, an Alertmanager \
             bearer token, or an Alertmanager webhook body"
                .into(),
        )),
    })
}

async fn healthz(State(i): State<Arc<Intake>>) -> Response {
    axum::Json(json!({"status": "ok", "paused": i.paused})).into_response()
}

/// Serves `intake` on `listener` until `shutdown` resolves, then drains in-flight requests.
/// Logs `intake_listening addr=<ip:port>` once bound.
pub async fn serve(
    listener: tokio::net::TcpListener,
    intake: Arc<Intake>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(master = %intake.master.endpoint(), paused = intake.paused, mode = ?intake.mode, "intake_config");
    tracing::info!(addr = %addr, "intake_listening");
    axum::serve(listener, router(intake))
        .with_graceful_shutdown(shutdown)
        .await
}

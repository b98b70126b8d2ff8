//! The agent card (with `Cache-Control`, `ETag`, `Last-Modified`, and 304 on a matching
//! `If-None-Match`) and `GET /ping`.

use super::{AgentHandler, State};
use crate::types::AgentCard;
use axum::Json;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The card, serialized once, with its validators.
pub struct CardService {
    body: Bytes,
    etag: HeaderValue,
    last_modified: HeaderValue,
}

impl CardService {
    /// Serializes `card` and computes its ETag; `Last-Modified` is now (the process start).
    pub fn new(card: &AgentCard) -> Self {
        let body = Bytes::from(serde_json::to_vec(card).expect("an AgentCard always serializes"));
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..16]));
        let last_modified = jiff::Timestamp::now()
            .strftime("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        Self {
            body,
            etag: HeaderValue::from_str(&etag).expect("hex in quotes is a valid header value"),
            last_modified: HeaderValue::from_str(&last_modified)
                .expect("an HTTP date is a valid header value"),
        }
    }
}

pub(super) async fn agent_card<H: AgentHandler>(
    AxState(state): AxState<Arc<State<H>>>,
    headers: HeaderMap,
) -> Response {
    let card = &state.card;
    let common = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
        (header::ETAG, card.etag.clone()),
        (header::LAST_MODIFIED, card.last_modified.clone()),
    ];
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim().trim_start_matches("W/");
            tag == "*" || tag.as_bytes() == card.etag.as_bytes()
        });
    if matches {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        card.body.clone(),
    )
        .into_response()
}

pub(super) async fn ping<H: AgentHandler>(AxState(state): AxState<Arc<State<H>>>) -> Response {
    let status = if state.busy.in_flight() > 0 {
        "HealthyBusy"
    } else {
        "Healthy"
    };
    Json(serde_json::json!({"status": status, "time_of_last_update": state.busy.last_update()}))
        .into_response()
}

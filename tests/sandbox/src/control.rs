//! The control API under `/_sandbox/` on every port: read what was posted, read and set fault
//! knobs, read the endpoints and the scenario's alert — for tests that drive the sandbox from
//! outside (Python, the CLI-run sandbox).

use crate::Shared;
use crate::faults::{Fault, Source};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::StatusCode;
use std::collections::BTreeMap;
use std::sync::Arc;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sandbox/posted", get(posted))
        .route("/_sandbox/faults", get(get_faults).post(set_faults))
        .route("/_sandbox/endpoints", get(endpoints))
        .route("/_sandbox/scenario", get(scenario))
        .with_state(shared)
}

async fn posted(State(s): State<Arc<Shared>>) -> Response {
    Json(s.posted()).into_response()
}

async fn get_faults(State(s): State<Arc<Shared>>) -> Response {
    Json(s.lock_faults().faults.clone()).into_response()
}

/// Body: `{"slack": {Fault}, "kubernetes": {...}}`; the sources named are replaced, the others
/// kept. Answers the knobs now in force.
async fn set_faults(State(s): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let parsed: BTreeMap<Source, Fault> = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return bad(format!(
                "faults: {e} (expected {{\"slack\": {{\"fail_next\": 1, ...}}}})"
            ));
        }
    };
    for (src, f) in &parsed {
        if let Err(e) = f.validate() {
            return bad(format!(
                "faults.{}: {e}",
                serde_json::to_value(src)
                    .unwrap_or_default()
                    .as_str()
                    .unwrap_or("?")
            ));
        }
    }
    let mut st = s.lock_faults();
    for (src, f) in parsed {
        tracing::info!(source = ?src, fault = ?f, "sandbox faults set");
        *st.faults.get_mut(src) = f;
    }
    Json(st.faults.clone()).into_response()
}

fn bad(message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"error": message})),
    )
        .into_response()
}

async fn endpoints(State(s): State<Arc<Shared>>) -> Response {
    Json(s.endpoints.get().cloned()).into_response()
}

async fn scenario(State(s): State<Arc<Shared>>) -> Response {
    let sc = &s.scenario;
    Json(serde_json::json!({
        "id": sc.id, "title": sc.title, "now": sc.now, "alert": sc.alert, "clock": s.clock.now(),
    }))
    .into_response()
}

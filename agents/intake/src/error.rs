//! Why a request is refused, and the one place that maps it to an HTTP answer
//! (`{"error": reason}`). Bad input is a 4xx naming the problem; only our own dependencies
//! being down (secret store, dedup store) is a 503 — never a 500.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;
use sremesh_chat::verify::SigError;
use sremesh_chat::webhook::ParseError;

/// A refused request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// Bad or missing signature or token: 401.
    #[error("{0}")]
    Unauthorized(String),
    /// A body or header that cannot be understood: 400 with the reason.
    #[error("{0}")]
    BadRequest(String),
    /// This intake is not set up for that platform: 404.
    #[error("{0}")]
    NotConfigured(String),
    /// A dependency of ours is down (secret store, dedup store): 503, the sender retries.
    #[error("{0}")]
    Unavailable(String),
}

impl Reject {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Reject::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Reject::BadRequest(_) => StatusCode::BAD_REQUEST,
            Reject::NotConfigured(_) => StatusCode::NOT_FOUND,
            Reject::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<ParseError> for Reject {
    fn from(e: ParseError) -> Self {
        Reject::BadRequest(e.to_string())
    }
}

impl From<SigError> for Reject {
    fn from(e: SigError) -> Self {
        match e {
            // Our own key is unusable: the sender did nothing wrong.
            SigError::BadKey(why) => Reject::Unavailable(format!("verification key: {why}")),
            e => Reject::Unauthorized(format!("invalid signature: {e}")),
        }
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let status = self.status();
        tracing::info!(status = status.as_u16(), reason = %self, "intake_rejected");
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

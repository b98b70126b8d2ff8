//! Every JSON-RPC and A2A error, and the one place they become wire error objects.

use jsonrpsee_types::ErrorObjectOwned;
use serde_json::json;

/// The ErrorInfo domain A2A 1.0 mandates.
pub const ERROR_DOMAIN: &str = "a2a-protocol.org";

/// An error a server answers with (or a client receives).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum A2aError {
    /// -32700: the body is not JSON.
    #[error("Invalid JSON payload: {0}")]
    Parse(String),
    /// -32600: JSON, but not a valid JSON-RPC request.
    #[error("Invalid Request: {0}")]
    InvalidRequest(String),
    /// -32601.
    #[error("Method not found: {0}")]
    MethodNotFound(String),
    /// -32602: the params don't fit the method.
    #[error("Invalid params: {0}")]
    InvalidParams(String),
    /// -32603: our fault; details are logged, not sent.
    #[error("Internal error")]
    Internal,
    /// -32001.
    #[error("Task not found: {0}")]
    TaskNotFound(String),
    /// -32002: the task is already in a terminal state.
    #[error("Task cannot be canceled: {0}")]
    TaskNotCancelable(String),
    /// -32003.
    #[error("Push Notification is not supported")]
    PushNotificationNotSupported,
    /// -32004: streaming, extended card, or a message to a finished task.
    #[error("This operation is not supported: {0}")]
    UnsupportedOperation(String),
    /// -32005: the request's Content-Type is not JSON.
    #[error("Incompatible content types: {0}")]
    ContentTypeNotSupported(String),
    /// -32006: the agent produced something that is not a valid answer.
    #[error("Invalid agent response: {0}")]
    InvalidAgentResponse(String),
    /// -32007.
    #[error("Extended Agent Card is not configured")]
    ExtendedAgentCardNotConfigured,
    /// -32008.
    #[error("Extension support required: {0}")]
    ExtensionSupportRequired(String),
    /// -32009: an `A2A-Version` we don't speak.
    #[error("Version not supported: {0}")]
    VersionNotSupported(String),
}

impl A2aError {
    /// The JSON-RPC error code.
    pub fn code(&self) -> i32 {
        match self {
            A2aError::Parse(_) => -32700,
            A2aError::InvalidRequest(_) => -32600,
            A2aError::MethodNotFound(_) => -32601,
            A2aError::InvalidParams(_) => -32602,
            A2aError::Internal => -32603,
            A2aError::TaskNotFound(_) => -32001,
            A2aError::TaskNotCancelable(_) => -32002,
            A2aError::PushNotificationNotSupported => -32003,
            A2aError::UnsupportedOperation(_) => -32004,
            A2aError::ContentTypeNotSupported(_) => -32005,
            A2aError::InvalidAgentResponse(_) => -32006,
            A2aError::ExtendedAgentCardNotConfigured => -32007,
            A2aError::ExtensionSupportRequired(_) => -32008,
            A2aError::VersionNotSupported(_) => -32009,
        }
    }

    /// The ErrorInfo `reason` (none for parse errors and unknown methods, as the SDK does).
    pub fn reason(&self) -> Option<&'static str> {
        Some(match self {
            A2aError::Parse(_) | A2aError::MethodNotFound(_) => return None,
            A2aError::InvalidRequest(_) => "INVALID_REQUEST",
            A2aError::InvalidParams(_) => "INVALID_PARAMS",
            A2aError::Internal => "INTERNAL_ERROR",
            A2aError::TaskNotFound(_) => "TASK_NOT_FOUND",
            A2aError::TaskNotCancelable(_) => "TASK_NOT_CANCELABLE",
            A2aError::PushNotificationNotSupported => "PUSH_NOTIFICATION_NOT_SUPPORTED",
            A2aError::UnsupportedOperation(_) => "UNSUPPORTED_OPERATION",
            A2aError::ContentTypeNotSupported(_) => "CONTENT_TYPE_NOT_SUPPORTED",
            A2aError::InvalidAgentResponse(_) => "INVALID_AGENT_RESPONSE",
            A2aError::ExtendedAgentCardNotConfigured => "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
            A2aError::ExtensionSupportRequired(_) => "EXTENSION_SUPPORT_REQUIRED",
            A2aError::VersionNotSupported(_) => "VERSION_NOT_SUPPORTED",
        })
    }

    /// The wire error object. A2A 1.0 callers get `data` as an array holding a
    /// `google.rpc.ErrorInfo`; 0.3 callers (`legacy`) get no `data`.
    pub fn to_object(&self, legacy: bool) -> ErrorObjectOwned {
        let data = match (legacy, self.reason()) {
            (false, Some(reason)) => Some(json!([{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": ERROR_DOMAIN,
                "metadata": {},
            }])),
            _ => None,
        };
        ErrorObjectOwned::owned(self.code(), self.to_string(), data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_error_info() {
        let cases: Vec<(A2aError, i32, Option<&str>)> = vec![
            (A2aError::Parse("x".into()), -32700, None),
            (
                A2aError::InvalidRequest("x".into()),
                -32600,
                Some("INVALID_REQUEST"),
            ),
            (A2aError::MethodNotFound("x".into()), -32601, None),
            (
                A2aError::InvalidParams("x".into()),
                -32602,
                Some("INVALID_PARAMS"),
            ),
            (A2aError::Internal, -32603, Some("INTERNAL_ERROR")),
            (
                A2aError::TaskNotFound("t".into()),
                -32001,
                Some("TASK_NOT_FOUND"),
            ),
            (
                A2aError::TaskNotCancelable("t".into()),
                -32002,
                Some("TASK_NOT_CANCELABLE"),
            ),
            (
                A2aError::PushNotificationNotSupported,
                -32003,
                Some("PUSH_NOTIFICATION_NOT_SUPPORTED"),
            ),
            (
                A2aError::UnsupportedOperation("s".into()),
                -32004,
                Some("UNSUPPORTED_OPERATION"),
            ),
            (
                A2aError::ContentTypeNotSupported("t".into()),
                -32005,
                Some("CONTENT_TYPE_NOT_SUPPORTED"),
            ),
            (
                A2aError::InvalidAgentResponse("t".into()),
                -32006,
                Some("INVALID_AGENT_RESPONSE"),
            ),
            (
                A2aError::ExtendedAgentCardNotConfigured,
                -32007,
                Some("EXTENDED_AGENT_CARD_NOT_CONFIGURED"),
            ),
            (
                A2aError::ExtensionSupportRequired("u".into()),
                -32008,
                Some("EXTENSION_SUPPORT_REQUIRED"),
            ),
            (
                A2aError::VersionNotSupported("9".into()),
                -32009,
                Some("VERSION_NOT_SUPPORTED"),
            ),
        ];
        for (err, code, reason) in cases {
            let obj = serde_json::to_value(err.to_object(false)).unwrap();
            assert_eq!(obj["code"], code, "{err}");
            match reason {
                Some(r) => {
                    assert_eq!(obj["data"][0]["reason"], r);
                    assert_eq!(obj["data"][0]["domain"], ERROR_DOMAIN);
                    assert_eq!(
                        obj["data"][0]["@type"],
                        "type.googleapis.com/google.rpc.ErrorInfo"
                    );
                }
                None => assert!(obj.get("data").is_none_or(|d| d.is_null()), "{obj}"),
            }
            let legacy = serde_json::to_value(err.to_object(true)).unwrap();
            assert!(legacy.get("data").is_none_or(|d| d.is_null()));
        }
    }
}

//! `POST /`: JSON-RPC envelope handling and method dispatch — the one place where errors
//! become wire error objects. Every answer is HTTP 200 with a JSON-RPC body.

use super::store::{Begun, history_len, trim_history};
use super::{AgentHandler, Call, Outcome, State};
use crate::error::A2aError;
use crate::types::{
    CancelTaskRequest, GetTaskRequest, ListTasksRequest, Message, SendMessageRequest,
    SendMessageResponse, Task, TaskState,
};
use crate::v03::{MessageSendParams03, SendResult03, Task03};
use axum::extract::State as AxState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::FutureExt;
use jsonrpsee_types::{Id, Request, ResponsePayload};
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

/// The A2A versions we speak: 1.x, and 0.3 (also assumed when the header is missing).
fn version_supported(v: &str) -> bool {
    let mut it = v.trim().split('.');
    matches!(
        (it.next(), it.next()),
        (Some("1"), _) | (Some("0"), Some("3"))
    )
}

fn is_json_content_type(headers: &HeaderMap) -> Result<(), String> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence == "application/json" || essence.ends_with("+json") || essence.is_empty() {
        Ok(())
    } else {
        Err(essence.to_owned())
    }
}

pub(super) async fn handle<H: AgentHandler>(
    AxState(state): AxState<Arc<State<H>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(ct) = is_json_content_type(&headers) {
        let err = A2aError::ContentTypeNotSupported(format!("'{ct}'; send application/json"));
        return reply(Id::Null, Err(err), false);
    }
    // The happy path parses once; only a request that fails is parsed again to say why.
    let req: Request<'_> = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return reply_unparsable(&body, &e),
    };
    let id = req.id().into_owned();
    let method = req.method_name().to_owned();
    let legacy = method.contains('/');
    if let Some(v) = headers
        .get("a2a-version")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        && !version_supported(v)
    {
        let err = A2aError::VersionNotSupported(format!(
            "A2A-Version {v}; this agent speaks 1.0 and 0.3"
        ));
        return reply(id, Err(err), legacy);
    }
    let params = req.params.as_deref().map_or("{}", |raw| raw.get());
    let result = dispatch(&state, &method, params).await;
    if let Err(A2aError::Internal) = &result {
        tracing::error!(method = %method, "internal error answering an A2A request");
    }
    reply(id, result, legacy)
}

/// The answer to a body that is not a JSON-RPC request: -32700 if it is not JSON at all, else
/// -32600 saying what is wrong (with the request's id when it has a usable one).
fn reply_unparsable(body: &[u8], err: &serde_json::Error) -> Response {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return reply(Id::Null, Err(A2aError::Parse(e.to_string())), false),
    };
    let why = if value.is_array() {
        "batch requests are not supported".to_owned()
    } else if !value.is_object() {
        "the request must be a JSON object".to_owned()
    } else if value.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        "'jsonrpc' must be \"2.0\"".to_owned()
    } else {
        err.to_string()
    };
    let id = value.get("id").and_then(id_of).unwrap_or(Id::Null);
    reply(id, Err(A2aError::InvalidRequest(why)), false)
}

/// The request id, if it is one JSON-RPC allows (string, unsigned number, null).
fn id_of(v: &Value) -> Option<Id<'static>> {
    match v {
        Value::Null => Some(Id::Null),
        Value::String(s) => Some(Id::Str(s.clone().into())),
        Value::Number(n) => n.as_u64().map(Id::Number),
        _ => None,
    }
}

fn reply(id: Id<'static>, result: Result<Box<RawValue>, A2aError>, legacy: bool) -> Response {
    let payload = match result {
        Ok(v) => ResponsePayload::success(v),
        Err(e) => ResponsePayload::error(e.to_object(legacy)),
    };
    let body = serde_json::to_vec(&jsonrpsee_types::Response::new(payload, id))
        .expect("a JSON-RPC response of JSON values always serializes");
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(params: &str) -> Result<T, A2aError> {
    serde_json::from_str(params).map_err(|e| A2aError::InvalidParams(e.to_string()))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Box<RawValue>, A2aError> {
    serde_json::value::to_raw_value(v).map_err(|_| A2aError::Internal)
}

async fn dispatch<H: AgentHandler>(
    state: &Arc<State<H>>,
    method: &str,
    params: &str,
) -> Result<Box<RawValue>, A2aError> {
    match method {
        "SendMessage" => to_value(&send(state, parse(params)?).await?),
        "message/send" => {
            let p: MessageSendParams03 = parse(params)?;
            to_value(&SendResult03::from(send(state, p.into()).await?))
        }
        "GetTask" | "tasks/get" => {
            let p: GetTaskRequest = parse(params)?;
            let task = state.store.get(&p.id, history_len(p.history_length)?)?;
            if method == "GetTask" {
                to_value(&task)
            } else {
                to_value(&Task03::from(task))
            }
        }
        "CancelTask" | "tasks/cancel" => {
            let p: CancelTaskRequest = parse(params)?;
            let task = state.store.cancel(&p.id)?;
            if method == "CancelTask" {
                to_value(&task)
            } else {
                to_value(&Task03::from(task))
            }
        }
        "ListTasks" => to_value(&state.store.list(&parse::<ListTasksRequest>(params)?)?),
        "SendStreamingMessage" | "SubscribeToTask" | "message/stream" | "tasks/resubscribe" => Err(
            A2aError::UnsupportedOperation("streaming is not supported by this agent".into()),
        ),
        "CreateTaskPushNotificationConfig"
        | "GetTaskPushNotificationConfig"
        | "ListTaskPushNotificationConfigs"
        | "DeleteTaskPushNotificationConfig"
        | "tasks/pushNotificationConfig/set"
        | "tasks/pushNotificationConfig/get"
        | "tasks/pushNotificationConfig/list"
        | "tasks/pushNotificationConfig/delete" => Err(A2aError::PushNotificationNotSupported),
        "GetExtendedAgentCard" | "agent/getAuthenticatedExtendedCard" => Err(
            A2aError::UnsupportedOperation("this agent has no extended agent card".into()),
        ),
        other => Err(A2aError::MethodNotFound(other.to_owned())),
    }
}

async fn send<H: AgentHandler>(
    state: &Arc<State<H>>,
    req: SendMessageRequest,
) -> Result<SendMessageResponse, A2aError> {
    if req.message.parts.is_empty() {
        return Err(A2aError::InvalidParams(
            "message.parts must not be empty".into(),
        ));
    }
    let config = req.configuration.unwrap_or_default();
    let history = history_len(config.history_length)?;
    let immediate = config.return_immediately.unwrap_or(false);
    let Begun {
        task_id,
        context_id,
        message,
        history: earlier,
        cancel,
        ..
    } = state.store.begin(req.message)?;
    let call = Call {
        task_id: task_id.clone(),
        context_id,
        message,
        history: earlier,
        cancel: cancel.clone(),
    };
    if immediate {
        tokio::spawn(run(state.clone(), call));
        return Ok(SendMessageResponse::Task(
            state.store.get(&task_id, history)?,
        ));
    }
    // Blocking: the run happens in this request (no hand-off between tasks), until the task
    // leaves WORKING (finished, interrupted, or canceled). If the client goes away first, the
    // request is dropped mid-run and the guard cancels the task: nobody waits for the answer.
    let mut guard = CancelOnDrop {
        state: state.clone(),
        task_id: task_id.clone(),
        armed: true,
    };
    let ran = run(state.clone(), call).await;
    guard.armed = false;
    let task = match ran {
        Ran::Reply(mut msg) => {
            msg.task_id = None;
            msg.context_id = state.store.remove(&task_id);
            return Ok(SendMessageResponse::Message(msg));
        }
        Ran::Recorded(task) => task,
        Ran::NotRecorded => state.store.get(&task_id, None)?,
    };
    Ok(SendMessageResponse::Task(trim_history(task, history)))
}

/// How a run ended, for the request that waited on it.
enum Ran {
    /// The handler answered with a direct message.
    Reply(Message),
    /// The outcome was recorded: the task as it now stands.
    Recorded(Task),
    /// Canceled (or evicted) before its outcome could be recorded: ask the store.
    NotRecorded,
}

/// Cancels a task whose blocking request was dropped before its run finished.
struct CancelOnDrop<H: AgentHandler> {
    state: Arc<State<H>>,
    task_id: String,
    armed: bool,
}

impl<H: AgentHandler> Drop for CancelOnDrop<H> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        tracing::info!(task_id = %self.task_id, "client went away before the task finished; canceling it");
        let _ = self.state.store.cancel(&self.task_id);
    }
}

/// Runs a task's handler to its outcome and records it. A cancel (CancelTask) ends the run at
/// once.
async fn run<H: AgentHandler>(state: Arc<State<H>>, call: Call) -> Ran {
    let _busy = state.busy.start();
    let task_id = call.task_id.clone();
    let cancel = call.cancel.clone();
    // Boxed: an agent's future can be large, and the request's own future (polled on a worker
    // thread's stack) should stay small, as when the run was spawned.
    let handled = AssertUnwindSafe(Box::pin(state.handler.handle(call))).catch_unwind();
    let outcome = tokio::select! {
        out = handled => out,
        () = cancel.cancelled() => return Ran::NotRecorded,
    };
    match outcome {
        Ok(Outcome::Message(parts)) => {
            let reply = Outcome::reply(Some(parts));
            state
                .store
                .finish(&task_id, TaskState::Completed, Vec::new(), reply.clone());
            reply.map_or(Ran::NotRecorded, Ran::Reply)
        }
        Ok(Outcome::Task {
            state: end,
            artifacts,
            message,
        }) => state
            .store
            .finish(&task_id, end, artifacts, Outcome::reply(message))
            .map_or(Ran::NotRecorded, Ran::Recorded),
        Err(_) => {
            tracing::error!(task_id = %task_id, "agent handler panicked");
            state
                .store
                .finish(
                    &task_id,
                    TaskState::Failed,
                    Vec::new(),
                    Outcome::reply(Some(vec![crate::types::Part::text("internal error")])),
                )
                .map_or(Ran::NotRecorded, Ran::Recorded)
        }
    }
}

//! A2A 0.3 shapes (`kind` discriminators, lowercase states and roles, `blocking`) and their
//! conversion to and from 1.0, so `message/send`, `tasks/get` and `tasks/cancel` are served by
//! the same logic as their 1.0 counterparts.

use crate::types::{
    Artifact, Message, Part, PartContent, Role, SendMessageConfiguration, SendMessageRequest,
    SendMessageResponse, Task, TaskState, TaskStatus,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The metadata key that carries a 1.0 `mediaType` on 0.3 text and data parts.
const MEDIA_TYPE_KEY: &str = "mediaType";

/// A 0.3 file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct File03 {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A 0.3 part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Part03 {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<Map<String, Value>>,
    },
    File {
        file: File03,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<Map<String, Value>>,
    },
    Data {
        data: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<Map<String, Value>>,
    },
}

/// A 0.3 role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role03 {
    User,
    Agent,
}

/// A 0.3 message (`kind: "message"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message03 {
    #[serde(default = "kind_message")]
    pub kind: String,
    pub message_id: String,
    pub role: Role03,
    pub parts: Vec<Part03>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_task_ids: Vec<String>,
}

fn kind_message() -> String {
    "message".into()
}

fn kind_task() -> String {
    "task".into()
}

/// A 0.3 task state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State03 {
    Submitted,
    Working,
    InputRequired,
    Completed,
    Canceled,
    Failed,
    Rejected,
    AuthRequired,
    Unknown,
}

/// A 0.3 task status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskStatus03 {
    pub state: State03,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message03>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
}

/// A 0.3 artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Artifact03 {
    pub artifact_id: String,
    pub parts: Vec<Part03>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
}

/// A 0.3 task (`kind: "task"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task03 {
    #[serde(default = "kind_task")]
    pub kind: String,
    pub id: String,
    #[serde(default)]
    pub context_id: String,
    pub status: TaskStatus03,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<Vec<Artifact03>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Message03>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// 0.3 `MessageSendConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Configuration03 {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_output_modes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocking: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_length: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_notification_config: Option<Value>,
}

/// 0.3 `MessageSendParams`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSendParams03 {
    pub message: Message03,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<Configuration03>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

/// A 0.3 `message/send` result: a bare task or message, told apart by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SendResult03 {
    Task(Task03),
    Message(Message03),
}

fn split_media_type(
    metadata: Option<Map<String, Value>>,
) -> (Option<String>, Option<Map<String, Value>>) {
    let Some(mut m) = metadata else {
        return (None, None);
    };
    let media = match m.remove(MEDIA_TYPE_KEY) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            m.insert(MEDIA_TYPE_KEY.into(), other);
            None
        }
        None => None,
    };
    (media, (!m.is_empty()).then_some(m))
}

fn join_media_type(
    media: Option<String>,
    metadata: Option<Map<String, Value>>,
) -> Option<Map<String, Value>> {
    match media {
        None => metadata,
        Some(mt) => {
            let mut m = metadata.unwrap_or_default();
            m.insert(MEDIA_TYPE_KEY.into(), Value::String(mt));
            Some(m)
        }
    }
}

impl From<Part> for Part03 {
    fn from(p: Part) -> Self {
        match p.content {
            PartContent::Text(text) => Part03::Text {
                text,
                metadata: join_media_type(p.media_type, p.metadata),
            },
            PartContent::Data(data) => Part03::Data {
                data,
                metadata: join_media_type(p.media_type, p.metadata),
            },
            PartContent::Raw(bytes) => Part03::File {
                file: File03 {
                    bytes: Some(bytes),
                    uri: None,
                    mime_type: p.media_type,
                    name: p.filename,
                },
                metadata: p.metadata,
            },
            PartContent::Url(uri) => Part03::File {
                file: File03 {
                    bytes: None,
                    uri: Some(uri),
                    mime_type: p.media_type,
                    name: p.filename,
                },
                metadata: p.metadata,
            },
        }
    }
}

impl From<Part03> for Part {
    fn from(p: Part03) -> Self {
        match p {
            Part03::Text { text, metadata } => {
                let (media_type, metadata) = split_media_type(metadata);
                Part {
                    content: PartContent::Text(text),
                    media_type,
                    filename: None,
                    metadata,
                }
            }
            Part03::Data { data, metadata } => {
                let (media_type, metadata) = split_media_type(metadata);
                Part {
                    content: PartContent::Data(data),
                    media_type,
                    filename: None,
                    metadata,
                }
            }
            Part03::File { file, metadata } => Part {
                content: match (file.bytes, file.uri) {
                    (Some(b), _) => PartContent::Raw(b),
                    (None, Some(u)) => PartContent::Url(u),
                    (None, None) => PartContent::Raw(String::new()),
                },
                media_type: file.mime_type,
                filename: file.name,
                metadata,
            },
        }
    }
}

impl From<Message> for Message03 {
    fn from(m: Message) -> Self {
        Message03 {
            kind: kind_message(),
            message_id: m.message_id,
            role: match m.role {
                Role::User => Role03::User,
                Role::Agent => Role03::Agent,
            },
            parts: m.parts.into_iter().map(Into::into).collect(),
            context_id: m.context_id,
            task_id: m.task_id,
            metadata: m.metadata,
            extensions: m.extensions,
            reference_task_ids: m.reference_task_ids,
        }
    }
}

impl From<Message03> for Message {
    fn from(m: Message03) -> Self {
        Message {
            message_id: m.message_id,
            role: match m.role {
                Role03::User => Role::User,
                Role03::Agent => Role::Agent,
            },
            parts: m.parts.into_iter().map(Into::into).collect(),
            context_id: m.context_id,
            task_id: m.task_id,
            metadata: m.metadata,
            extensions: m.extensions,
            reference_task_ids: m.reference_task_ids,
        }
    }
}

impl From<TaskState> for State03 {
    fn from(s: TaskState) -> Self {
        match s {
            TaskState::Submitted => State03::Submitted,
            TaskState::Working => State03::Working,
            TaskState::Completed => State03::Completed,
            TaskState::Failed => State03::Failed,
            TaskState::Canceled => State03::Canceled,
            TaskState::InputRequired => State03::InputRequired,
            TaskState::Rejected => State03::Rejected,
            TaskState::AuthRequired => State03::AuthRequired,
        }
    }
}

impl State03 {
    /// The 1.0 state; 0.3's `unknown` has no 1.0 counterpart and reads as `failed`.
    pub fn to_v1(self) -> TaskState {
        match self {
            State03::Submitted => TaskState::Submitted,
            State03::Working => TaskState::Working,
            State03::Completed => TaskState::Completed,
            State03::Failed | State03::Unknown => TaskState::Failed,
            State03::Canceled => TaskState::Canceled,
            State03::InputRequired => TaskState::InputRequired,
            State03::Rejected => TaskState::Rejected,
            State03::AuthRequired => TaskState::AuthRequired,
        }
    }
}

impl From<Artifact> for Artifact03 {
    fn from(a: Artifact) -> Self {
        Artifact03 {
            artifact_id: a.artifact_id,
            parts: a.parts.into_iter().map(Into::into).collect(),
            name: a.name,
            description: a.description,
            metadata: a.metadata,
            extensions: a.extensions,
        }
    }
}

impl From<Artifact03> for Artifact {
    fn from(a: Artifact03) -> Self {
        Artifact {
            artifact_id: a.artifact_id,
            parts: a.parts.into_iter().map(Into::into).collect(),
            name: a.name,
            description: a.description,
            metadata: a.metadata,
            extensions: a.extensions,
        }
    }
}

impl From<Task> for Task03 {
    fn from(t: Task) -> Self {
        Task03 {
            kind: kind_task(),
            id: t.id,
            context_id: t.context_id,
            status: TaskStatus03 {
                state: t.status.state.into(),
                message: t.status.message.map(Into::into),
                timestamp: t.status.timestamp,
            },
            artifacts: t.artifacts.map(|v| v.into_iter().map(Into::into).collect()),
            history: t.history.map(|v| v.into_iter().map(Into::into).collect()),
            metadata: t.metadata,
        }
    }
}

impl From<Task03> for Task {
    fn from(t: Task03) -> Self {
        Task {
            id: t.id,
            context_id: t.context_id,
            status: TaskStatus {
                state: t.status.state.to_v1(),
                message: t.status.message.map(Into::into),
                timestamp: t.status.timestamp,
            },
            artifacts: t.artifacts.map(|v| v.into_iter().map(Into::into).collect()),
            history: t.history.map(|v| v.into_iter().map(Into::into).collect()),
            metadata: t.metadata,
        }
    }
}

impl From<MessageSendParams03> for SendMessageRequest {
    fn from(p: MessageSendParams03) -> Self {
        SendMessageRequest {
            message: p.message.into(),
            configuration: p.configuration.map(|c| SendMessageConfiguration {
                accepted_output_modes: c.accepted_output_modes,
                history_length: c.history_length,
                // 0.3 blocks unless told otherwise; 1.0 says it the other way round.
                return_immediately: c.blocking.map(|b| !b),
                task_push_notification_config: c.push_notification_config,
            }),
            metadata: p.metadata,
        }
    }
}

impl From<SendMessageRequest> for MessageSendParams03 {
    fn from(r: SendMessageRequest) -> Self {
        MessageSendParams03 {
            message: r.message.into(),
            configuration: r.configuration.map(|c| Configuration03 {
                accepted_output_modes: c.accepted_output_modes,
                blocking: c.return_immediately.map(|r| !r),
                history_length: c.history_length,
                push_notification_config: c.task_push_notification_config,
            }),
            metadata: r.metadata,
        }
    }
}

impl From<SendMessageResponse> for SendResult03 {
    fn from(r: SendMessageResponse) -> Self {
        match r {
            SendMessageResponse::Task(t) => SendResult03::Task(t.into()),
            SendMessageResponse::Message(m) => SendResult03::Message(m.into()),
        }
    }
}

impl From<SendResult03> for SendMessageResponse {
    fn from(r: SendResult03) -> Self {
        match r {
            SendResult03::Task(t) => SendMessageResponse::Task(t.into()),
            SendResult03::Message(m) => SendMessageResponse::Message(m.into()),
        }
    }
}

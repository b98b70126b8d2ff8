//! 0.3 ⇄ 1.0 conversion round-trips (property tests).

use proptest::prelude::*;
use serde_json::{Map, Value};
use sremesh_a2a::types::{
    Artifact, Message, Part, PartContent, Role, SendMessageConfiguration, SendMessageRequest, Task,
    TaskState, TaskStatus,
};
use sremesh_a2a::v03::{MessageSendParams03, Task03};

fn metadata() -> impl Strategy<Value = Option<Map<String, Value>>> {
    // Empty maps and a `mediaType` key are the two things 0.3 cannot tell apart from absence.
    proptest::option::of(
        proptest::collection::btree_map("[a-z]{1,6}", any::<i32>(), 1..3).prop_map(|m| {
            m.into_iter()
                .filter(|(k, _)| k != "mediaType")
                .map(|(k, v)| (k, Value::from(v)))
                .collect::<Map<_, _>>()
        }),
    )
    .prop_map(|m| m.filter(|m| !m.is_empty()))
}

fn part() -> impl Strategy<Value = Part> {
    let content = prop_oneof![
        "\\PC{0,20}".prop_map(PartContent::Text),
        "[A-Za-z0-9+/]{0,12}".prop_map(PartContent::Raw),
        "https://[a-z]{1,8}\\.example/[a-z]{0,6}".prop_map(PartContent::Url),
        any::<i64>().prop_map(|n| PartContent::Data(serde_json::json!({"n": n}))),
    ];
    (
        content,
        proptest::option::of("[a-z]+/[a-z.+-]{1,12}"),
        proptest::option::of("[a-z]{1,8}\\.txt"),
        metadata(),
    )
        .prop_map(|(content, media_type, filename, metadata)| {
            // 0.3 text and data parts have no filename.
            let filename = match content {
                PartContent::Raw(_) | PartContent::Url(_) => filename,
                _ => None,
            };
            Part {
                content,
                media_type,
                filename,
                metadata,
            }
        })
}

fn message() -> impl Strategy<Value = Message> {
    (
        any::<bool>(),
        proptest::collection::vec(part(), 1..4),
        proptest::option::of("[a-z0-9-]{1,10}"),
        proptest::option::of("[a-z0-9-]{1,10}"),
    )
        .prop_map(|(user, parts, ctx, task)| {
            let mut m = Message::new(if user { Role::User } else { Role::Agent }, parts);
            m.context_id = ctx;
            m.task_id = task;
            m
        })
}

fn state() -> impl Strategy<Value = TaskState> {
    prop_oneof![
        Just(TaskState::Submitted),
        Just(TaskState::Working),
        Just(TaskState::Completed),
        Just(TaskState::Failed),
        Just(TaskState::Canceled),
        Just(TaskState::InputRequired),
        Just(TaskState::Rejected),
        Just(TaskState::AuthRequired),
    ]
}

proptest! {
    #[test]
    fn tasks_round_trip_through_03(st in state(), hist in proptest::collection::vec(message(), 0..3), parts in proptest::collection::vec(part(), 1..3), status_msg in proptest::option::of(message())) {
        let task = Task {
            id: "t".into(),
            context_id: "c".into(),
            status: TaskStatus { state: st, message: status_msg, timestamp: Some("2026-04-18T10:25:00Z".parse().unwrap()) },
            artifacts: Some(vec![Artifact::new("a", parts)]),
            history: Some(hist),
            metadata: None,
        };
        let legacy = Task03::from(task.clone());
        // Through JSON too: the 0.3 wire form must parse back.
        let json = serde_json::to_value(&legacy).unwrap();
        prop_assert_eq!(&json["kind"], "task");
        let back: Task03 = serde_json::from_value(json).unwrap();
        prop_assert_eq!(Task::from(back), task);
    }

    #[test]
    fn send_params_round_trip_through_03(msg in message(), immediate in proptest::option::of(any::<bool>()), hl in proptest::option::of(0i32..10)) {
        let req = SendMessageRequest {
            message: msg,
            configuration: Some(SendMessageConfiguration { return_immediately: immediate, history_length: hl, ..Default::default() }),
            metadata: None,
        };
        let legacy = MessageSendParams03::from(req.clone());
        let json = serde_json::to_string(&legacy).unwrap();
        let back: MessageSendParams03 = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(SendMessageRequest::from(back), req);
    }
}

//! OpenAI response and tool-call argument parsing: arbitrary input never panics, malformed
//! arguments are kept as malformed calls.

use proptest::prelude::*;
use serde_json::{Value, json};
use sremesh_llm::openai::parse_chat_completion;
use sremesh_llm::{Arguments, StopReason};

fn completion(arguments: Value, finish: &str) -> Vec<u8> {
    json!({"choices": [{"message": {"role": "assistant", "content": null,
        "tool_calls": [{"id": "c1", "type": "function",
                        "function": {"name": "pods", "arguments": arguments}}]},
        "finish_reason": finish}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 3}})
    .to_string()
    .into_bytes()
}

fn check(arguments: Value, expected: Arguments) {
    let r = parse_chat_completion(&completion(arguments.clone(), "tool_calls")).unwrap();
    let calls = r.tool_calls();
    assert_eq!(calls.len(), 1, "{arguments}");
    assert_eq!(calls[0].arguments, expected, "{arguments}");
    assert_eq!(r.stop, StopReason::ToolUse);
    assert_eq!((r.usage.input_tokens, r.usage.output_tokens), (7, 3));
}

#[test]
fn tool_call_arguments_parse_or_are_kept_as_malformed() {
    let malformed = |raw: &str| Arguments::Malformed {
        raw: raw.to_owned(),
        reason: serde_json::from_str::<Value>(raw).unwrap_err().to_string(),
    };
    let cases = [
        (
            json!(r#"{"namespace":"a"}"#),
            Arguments::Json(json!({"namespace": "a"})),
        ),
        (json!(""), Arguments::Json(json!({}))),
        (Value::Null, Arguments::Json(json!({}))),
        // Some servers (older Ollama) send an object instead of a string.
        (
            json!({"namespace": "b"}),
            Arguments::Json(json!({"namespace": "b"})),
        ),
        (
            json!(r#"{"namespace": "a""#),
            malformed(r#"{"namespace": "a""#),
        ),
        (json!("namespace=a"), malformed("namespace=a")),
        (
            json!(42),
            Arguments::Malformed {
                raw: "42".into(),
                reason: "arguments must be a JSON object (sent as a string)".into(),
            },
        ),
    ];
    for (args, want) in cases {
        check(args, want);
    }
}

#[test]
fn responses_map_finish_reasons_and_reject_non_completions() {
    let cases = [
        ("stop", StopReason::EndTurn),
        ("length", StopReason::MaxTokens),
        ("content_filter", StopReason::ContentFiltered),
        ("tool_calls", StopReason::ToolUse),
        ("weird", StopReason::Other("weird".into())),
    ];
    for (finish, want) in cases {
        let r = parse_chat_completion(&completion(json!("{}"), finish)).unwrap();
        assert_eq!(r.stop, want, "{finish}");
    }
    for bad in [
        &b"not json"[..],
        br#"{"choices": []}"#,
        br#"{"choices": [{}]}"#,
        b"[]",
    ] {
        assert!(
            parse_chat_completion(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_chat_completion(&body);
    }

    #[test]
    fn arbitrary_argument_text_never_panics_and_keeps_the_raw_text(raw in ".{0,64}") {
        let r = parse_chat_completion(&completion(Value::String(raw.clone()), "tool_calls")).unwrap();
        match &r.tool_calls()[0].arguments {
            Arguments::Json(v) => {
                if raw.trim().is_empty() {
                    prop_assert_eq!(v, &json!({}));
                } else {
                    prop_assert_eq!(v, &serde_json::from_str::<Value>(&raw).unwrap());
                }
            }
            Arguments::Malformed { raw: kept, .. } => prop_assert_eq!(kept, &raw),
        }
    }

    #[test]
    fn json_arguments_round_trip(v in json_value()) {
        let parsed = Arguments::parse(&Arguments::Json(v.clone()).to_raw());
        prop_assert_eq!(parsed, Arguments::Json(v));
    }
}

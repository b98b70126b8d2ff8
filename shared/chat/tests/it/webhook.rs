//! Webhook parsing: tables of real-shaped Slack events, slash-command forms and Discord
//! interactions (good ones and each missing/malformed field), retry headers, and properties
//! (arbitrary bodies never panic).

use proptest::prelude::*;
use serde_json::{Value, json};
use sremesh_chat::webhook::ParseError;
use sremesh_chat::webhook::discord::{Interaction, parse_interaction};
use sremesh_chat::webhook::slack::{
    CallbackEvent, SlackEvent, SlackRetry, is_command, parse_command, parse_event, retry_of,
};

fn mention() -> Value {
    json!({
        "token": "x", "team_id": "T0SANDBOX", "api_app_id": "A1", "type": "event_callback",
        "event_id": "Ev0123", "event_time": 1776507900,
        "event": {"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> investigate [FIRING:1] X",
            "ts": "1776507900.000100", "channel": "C0ALERTS", "event_ts": "1776507900.000100", "team": "T0SANDBOX"}
    })
}

/// Parses `body` as a Slack event; `Ok` values are compared whole, errors by value.
fn check_event(body: &Value, want: Result<SlackEvent, ParseError>) {
    assert_eq!(parse_event(body.to_string().as_bytes()), want, "{body}");
}

fn without(mut v: Value, path: &[&str]) -> Value {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = &mut v;
    for p in parents {
        cur = cur.get_mut(*p).unwrap();
    }
    cur.as_object_mut().unwrap().remove(*last);
    v
}

fn with(mut v: Value, path: &[&str], value: Value) -> Value {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = &mut v;
    for p in parents {
        cur = cur.get_mut(*p).unwrap();
    }
    cur[*last] = value;
    v
}

#[test]
fn slack_events_table() {
    let SlackEvent::Callback(cb) = parse_event(mention().to_string().as_bytes()).unwrap() else {
        panic!("not a callback")
    };
    assert_eq!(cb.event_id, "Ev0123");
    let CallbackEvent::AppMention(m) = &cb.event else {
        panic!("not a mention")
    };
    assert_eq!(
        (m.channel.as_str(), m.ts.as_str(), m.thread()),
        ("C0ALERTS", "1776507900.000100", "1776507900.000100")
    );
    assert_eq!(m.user.as_deref(), Some("U0ALICE"));
    assert_eq!(m.time().unwrap().as_second(), 1_776_507_900);
    let threaded = with(
        mention(),
        &["event", "thread_ts"],
        json!("1776507800.000001"),
    );
    let Ok(SlackEvent::Callback(cb)) = parse_event(threaded.to_string().as_bytes()) else {
        panic!()
    };
    let CallbackEvent::AppMention(m) = cb.event else {
        panic!()
    };
    assert_eq!(m.thread(), "1776507800.000001");

    check_event(
        &json!({"type": "url_verification", "challenge": "abc", "token": "t"}),
        Ok(SlackEvent::UrlVerification {
            challenge: "abc".into(),
        }),
    );
    check_event(
        &json!({"type": "app_rate_limited"}),
        Ok(SlackEvent::Other {
            kind: "app_rate_limited".into(),
        }),
    );
    let other = with(mention(), &["event", "type"], json!("message"));
    let Ok(SlackEvent::Callback(cb)) = parse_event(other.to_string().as_bytes()) else {
        panic!()
    };
    assert_eq!(
        cb.event,
        CallbackEvent::Other {
            event_type: "message".into()
        }
    );

    let errors = [
        (json!({"challenge": "abc"}), ParseError::Missing("type")),
        (
            json!({"type": "url_verification"}),
            ParseError::Missing("challenge"),
        ),
        (without(mention(), &["event"]), ParseError::Missing("event")),
        (
            with(mention(), &["event"], json!("x")),
            ParseError::Invalid {
                field: "event",
                expected: "an object",
            },
        ),
        (
            without(mention(), &["event", "channel"]),
            ParseError::Missing("event.channel"),
        ),
        (
            without(mention(), &["event", "text"]),
            ParseError::Missing("event.text"),
        ),
        (
            without(mention(), &["event", "ts"]),
            ParseError::Missing("event.ts"),
        ),
        (
            without(mention(), &["event_id"]),
            ParseError::Missing("event_id"),
        ),
        (
            with(mention(), &["event", "channel"], json!(42)),
            ParseError::Invalid {
                field: "event.channel",
                expected: "a string",
            },
        ),
        (
            with(mention(), &["event", "ts"], json!("yesterday")),
            ParseError::Invalid {
                field: "event.ts",
                expected: "a Slack timestamp like 1776507900.000100",
            },
        ),
        (
            with(mention(), &["event_time"], json!("soon")),
            ParseError::Invalid {
                field: "event_time",
                expected: "an integer",
            },
        ),
    ];
    for (body, err) in errors {
        check_event(&body, Err(err));
    }
    assert!(matches!(parse_event(b"not json"), Err(ParseError::Json(_))));
    assert!(matches!(parse_event(b"[1,2]"), Err(ParseError::Json(_))));
}

#[test]
fn slash_commands_table() {
    let full = "token=x&team_id=T0&channel_id=C0ALERTS&channel_name=alerts&user_id=U0ALICE&command=%2Fsre-snapshot&text=payments+now&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=123.456";
    let c = parse_command(full.as_bytes()).unwrap();
    assert_eq!(
        (
            c.command.as_str(),
            c.text.as_str(),
            c.channel_id.as_str(),
            c.user_id.as_str()
        ),
        ("/sre-snapshot", "payments now", "C0ALERTS", "U0ALICE")
    );
    assert_eq!(
        c.response_url.as_deref(),
        Some("https://hooks.slack.com/commands/1")
    );
    assert_eq!(c.trigger_id.as_deref(), Some("123.456"));
    let minimal = parse_command(b"command=%2Fsre-snapshot&channel_id=C1&user_id=U1").unwrap();
    assert_eq!(
        (minimal.text.as_str(), minimal.response_url.as_ref()),
        ("", None)
    );
    let errors = [
        ("channel_id=C1&user_id=U1", ParseError::Missing("command")),
        ("command=%2Fx&user_id=U1", ParseError::Missing("channel_id")),
        (
            "command=%2Fx&channel_id=C1&user_id=",
            ParseError::Missing("user_id"),
        ),
        (
            "command=x&channel_id=C1&user_id=U1",
            ParseError::Invalid {
                field: "command",
                expected: "a command starting with /",
            },
        ),
    ];
    for (body, err) in errors {
        assert_eq!(parse_command(body.as_bytes()), Err(err), "{body}");
    }
    assert!(is_command(Some(
        "application/x-www-form-urlencoded; charset=utf-8"
    )));
    assert!(!is_command(Some("application/json")));
    assert!(!is_command(None));
}

#[test]
fn retry_headers() {
    let mut h = http::HeaderMap::new();
    assert_eq!(retry_of(&h), Ok(None));
    h.insert("x-slack-retry-num", "2".parse().unwrap());
    h.insert("x-slack-retry-reason", "http_timeout".parse().unwrap());
    assert_eq!(
        retry_of(&h),
        Ok(Some(SlackRetry {
            num: 2,
            reason: "http_timeout".into()
        }))
    );
    h.insert("x-slack-retry-num", "two".parse().unwrap());
    assert!(matches!(
        retry_of(&h),
        Err(ParseError::Invalid {
            field: "x-slack-retry-num",
            ..
        })
    ));
}

fn command() -> Value {
    json!({
        "type": 2, "id": "1300000000000000001", "application_id": "1200000000000000009",
        "token": "tok", "channel_id": "1100000000000000001", "guild_id": "1100000000000000000",
        "member": {"user": {"id": "1100000000000000042", "username": "alice"}},
        "data": {"id": "9", "name": "sre-snapshot", "type": 1,
            "options": [{"name": "text", "type": 3, "value": "payments"},
                        {"name": "sub", "type": 1, "options": [{"name": "n", "type": 4, "value": 3}]}]}
    })
}

#[test]
fn discord_interactions_table() {
    assert_eq!(
        parse_interaction(br#"{"type":1,"id":"1","application_id":"2"}"#),
        Ok(Interaction::Ping)
    );
    assert_eq!(
        parse_interaction(br#"{"type":3}"#),
        Ok(Interaction::Other { kind: 3 })
    );
    let Ok(Interaction::Command(c)) = parse_interaction(command().to_string().as_bytes()) else {
        panic!()
    };
    assert_eq!(
        (c.name.as_str(), c.user_id.as_str(), c.channel_id.as_str()),
        ("sre-snapshot", "1100000000000000042", "1100000000000000001")
    );
    assert_eq!(c.option_str("text"), Some("payments"));
    assert_eq!(c.options[1].options[0].value, Some(json!(3)));
    assert_eq!(c.guild_id.as_deref(), Some("1100000000000000000"));
    // A DM: `user` instead of `member`, no guild.
    let dm = with(
        without(without(command(), &["member"]), &["guild_id"]),
        &["user"],
        json!({"id": "77"}),
    );
    let Ok(Interaction::Command(c)) = parse_interaction(dm.to_string().as_bytes()) else {
        panic!()
    };
    assert_eq!((c.user_id.as_str(), c.guild_id), ("77", None));

    let errors = [
        (json!({"id": "1"}), ParseError::Missing("type")),
        (
            json!({"type": "2"}),
            ParseError::Invalid {
                field: "type",
                expected: "an integer",
            },
        ),
        (without(command(), &["data"]), ParseError::Missing("data")),
        (
            without(command(), &["data", "name"]),
            ParseError::Missing("data.name"),
        ),
        (without(command(), &["token"]), ParseError::Missing("token")),
        (without(command(), &["id"]), ParseError::Missing("id")),
        (
            without(command(), &["application_id"]),
            ParseError::Missing("application_id"),
        ),
        (
            without(command(), &["channel_id"]),
            ParseError::Missing("channel_id"),
        ),
        (
            without(command(), &["member", "user"]),
            ParseError::Missing("member.user"),
        ),
        (
            without(without(command(), &["member"]), &["user"]),
            ParseError::Missing("member.user"),
        ),
        (
            with(command(), &["data", "options"], json!("text")),
            ParseError::Invalid {
                field: "data.options",
                expected: "an array",
            },
        ),
        (
            with(command(), &["data", "options"], json!([{"value": 1}])),
            ParseError::Missing("data.options[].name"),
        ),
    ];
    for (body, err) in errors {
        assert_eq!(
            parse_interaction(body.to_string().as_bytes()),
            Err(err),
            "{body}"
        );
    }
}

#[test]
fn interaction_responses_ping_nobody() {
    use sremesh_chat::webhook::discord::{deferred, pong, reply};
    assert_eq!(pong(), json!({"type": 1}));
    let r = reply("hi @everyone", true);
    assert_eq!(r["type"], 4);
    assert_eq!(r["data"]["allowed_mentions"], json!({"parse": []}));
    assert_eq!(r["data"]["flags"], 64);
    assert_eq!(deferred(false), json!({"type": 5, "data": {"flags": 0}}));
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z_.0-9]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("event_callback"),
            Just("url_verification"),
            Just("app_mention")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("event".to_owned()),
                    Just("channel".to_owned()),
                    Just("ts".to_owned()),
                    Just("text".to_owned()),
                    Just("data".to_owned()),
                    Just("member".to_owned()),
                    Just("user".to_owned()),
                    Just("options".to_owned()),
                    Just("name".to_owned()),
                    Just("id".to_owned()),
                    "[a-z]{1,6}"
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_event(&body);
        let _ = parse_command(&body);
        let _ = parse_interaction(&body);
    }

    #[test]
    fn arbitrary_json_shapes_never_panic(v in json_value(), kind in 0u64..4) {
        let mut v = v;
        if let Value::Object(m) = &mut v {
            m.insert("type".into(), json!(kind));
        }
        let body = v.to_string();
        let _ = parse_event(body.as_bytes());
        let r = parse_interaction(body.as_bytes());
        prop_assert!(r.is_ok() || kind == 2 || !v.is_object());
    }
}

//! Property tests: no input makes the loader panic; derived ids round-trip.

use super::fixture_path;
use proptest::prelude::*;
use sremesh_scenario::ids;
use sremesh_scenario::load_str;

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-z0-9:. -]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::from("-4m")),
        Just(serde_json::Value::from("2026-04-18T10:25:00Z")),
        Just(serde_json::Value::from("sremesh/scenario/v1")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("schema".to_string()),
                    Just("id".to_string()),
                    Just("now".to_string()),
                    Just("alert".to_string()),
                    Just("world".to_string()),
                    Just("slack".to_string()),
                    Just("channels".to_string()),
                    Just("messages".to_string()),
                    Just("at".to_string()),
                    Just("thread".to_string()),
                    Just("kubernetes".to_string()),
                    Just("objects".to_string()),
                    Just("logs".to_string()),
                    Just("lines".to_string()),
                    Just("expect".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = load_str("p.yaml", &text);
    }

    #[test]
    fn arbitrary_yaml_trees_never_panic(v in json_value()) {
        // JSON is YAML; a scenario-shaped key set makes the walker go deep.
        let _ = load_str("p.yaml", &v.to_string());
    }

    #[test]
    fn mutated_fixture_never_panics(cut in 0usize..400, byte in any::<u8>(), drop in 0usize..400) {
        let text = std::fs::read_to_string(fixture_path()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let n = lines.len();
        lines.remove(drop % n);
        let i = cut % lines.len();
        let mut l = lines[i].clone().into_bytes();
        if !l.is_empty() {
            let k = (byte as usize) % l.len();
            l[k] = if byte.is_ascii() { byte } else { b'-' };
        }
        lines[i] = String::from_utf8_lossy(&l).into_owned();
        let r = load_str("p.yaml", &lines.join("\n"));
        if let Err(e) = r {
            prop_assert!(e.to_string().starts_with("p.yaml"), "{e}");
        }
    }

    #[test]
    fn slack_ts_round_trips(u in 0i64..4_000_000_000_000_000) {
        prop_assert_eq!(ids::parse_slack_ts(&ids::format_slack_ts(u)), Some(u));
    }

    #[test]
    fn snowflakes_decode_to_their_millisecond(ms in ids::DISCORD_EPOCH_MS..4_000_000_000_000i64, seq in 0u64..4096) {
        let id = ids::snowflake(ms, seq).unwrap();
        prop_assert_eq!(ids::snowflake_time(id).map(|t| t.as_millisecond()), Some(ms));
    }

    #[test]
    fn at_expressions_never_panic(s in "[-+]?[0-9a-zA-Z :.]{0,20}") {
        let now: jiff::Timestamp = "2026-04-18T10:25:00Z".parse().unwrap();
        let _ = ids::resolve_at(&s, now);
    }
}

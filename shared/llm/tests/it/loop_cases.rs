//! The bounded tool loop against scripted Bedrock Converse and OpenAI endpoints: each case
//! runs over both wire formats.

use crate::scripted::{self, Reply, Script, WIRES, Wire, is_final, list, text, tools};
use crate::{limits, mesh_config, test_tools};
use serde_json::Value;
use sremesh_agent::Deadline;
use sremesh_llm::{
    LoopLimits, LoopOutcome, LoopTask, Message, ProviderError, StopCause, run_loop, tool_specs,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What a case expects of the loop.
struct Expect {
    stop: &'static str,
    cycles: u32,
    /// Tools whose outputs were gathered, in order.
    outputs: &'static [&'static str],
    text: Option<&'static str>,
    requests: usize,
    final_requested: bool,
}

struct Run {
    outcome: LoopOutcome,
    requests: Vec<Value>,
    elapsed: Duration,
}

fn task() -> LoopTask {
    let tools = test_tools();
    let descriptions =
        BTreeMap::from([("pods".to_owned(), "List pods of a namespace.".to_owned())]);
    LoopTask {
        system: format!("You investigate alerts.\n\n{}", sremesh_llm::LOOP_GUIDANCE),
        messages: vec![Message::user(
            "Alert: payments-api crash looping. Deterministic findings: none yet.",
        )],
        tools: tool_specs(&tools, &descriptions),
    }
}

/// Runs the loop over `wire` with `script` and checks the common expectations.
async fn check(wire: Wire, script: Script, lim: LoopLimits, budget: Duration, e: Expect) -> Run {
    let model = scripted::serve(wire, script).await;
    let provider = model.provider().await;
    let started = Instant::now();
    let deadline = Deadline::after(budget);
    let outcome = run_loop(provider.as_ref(), &test_tools(), task(), &lim, deadline).await;
    let elapsed = started.elapsed();
    let requests = model.requests();
    let ctx = format!("{wire:?}: {outcome:#?}");
    assert_eq!(outcome.stop.as_str(), e.stop, "{ctx}");
    assert_eq!(outcome.cycles, e.cycles, "{ctx}");
    let gathered: Vec<&str> = outcome.outputs.iter().map(|o| o.tool.as_str()).collect();
    assert_eq!(gathered, e.outputs, "{ctx}");
    assert_eq!(outcome.text.as_deref(), e.text, "{ctx}");
    assert_eq!(requests.len(), e.requests, "{ctx}");
    assert_eq!(outcome.final_requested, e.final_requested, "{ctx}");
    assert!(
        !deadline.passed(),
        "answered after the deadline: {elapsed:?}"
    );
    let replies = requests.len() as u64;
    if !matches!(
        outcome.stop,
        StopCause::Deadline | StopCause::ProviderFailed(_)
    ) {
        assert_eq!(
            outcome.usage.input_tokens,
            scripted::IN_TOKENS * replies,
            "{ctx}"
        );
        assert_eq!(
            outcome.usage.output_tokens,
            scripted::OUT_TOKENS * replies,
            "{ctx}"
        );
    }
    Run {
        outcome,
        requests,
        elapsed,
    }
}

/// The model calls two tools in two turns, sees their results, and answers.
#[tokio::test]
async fn multi_turn_loop_calls_two_tools_and_answers() {
    for wire in WIRES {
        let script = list(vec![
            tools(&[("pods", r#"{"namespace":"payments"}"#)]),
            tools(&[("logs", r#"{"query":"OutOfMemoryError"}"#)]),
            text("payments-api is OOMKilled: heap too small."),
        ]);
        let expect = Expect {
            stop: "answered",
            cycles: 2,
            outputs: &["pods", "logs"],
            text: Some("payments-api is OOMKilled: heap too small."),
            requests: 3,
            final_requested: false,
        };
        let r = check(wire, script, limits(), Duration::from_secs(20), expect).await;
        assert_eq!(r.outcome.tool_calls, 2);
        let ids: Vec<&str> = r
            .outcome
            .outputs
            .iter()
            .flat_map(|o| o.output.findings.iter().map(|f| f.id.as_str()))
            .collect();
        assert_eq!(ids, ["oom_killed:payments", "log_pattern:OutOfMemoryError"]);
        // Every request declares the tools; the second carries the first tool's result.
        assert_eq!(
            scripted::declared_tools(wire, &r.requests[0]),
            ["pods", "logs", "slow"]
        );
        let results = scripted::tool_results(wire, &r.requests[1]);
        assert_eq!(results.len(), 1, "{wire:?}");
        assert!(results[0].1.contains("oom_killed:payments"), "{results:?}");
        assert!(!results[0].2);
        assert_eq!(scripted::tool_results(wire, &r.requests[2]).len(), 2);
        // Telemetry: 3 calls × (100 in, 20 out), priced from the table.
        let model = match wire {
            Wire::OpenAi => scripted::OPENAI_MODEL,
            Wire::Bedrock => scripted::BEDROCK_MODEL,
        };
        let t = r.outcome.telemetry(&mesh_config(), model);
        let want = match wire {
            Wire::OpenAi => (300.0 * 0.5 + 60.0 * 1.5) / 1e6,
            Wire::Bedrock => (300.0 * 1.0 + 60.0 * 5.0) / 1e6,
        };
        assert_eq!(
            (t.input_tokens, t.output_tokens, t.tool_calls),
            (300, 60, 2)
        );
        assert!((t.cost_usd.unwrap() - want).abs() < 1e-12, "{t:?}");
        assert_eq!(t.model.as_deref(), Some(model));
    }
}

/// A model that never stops calling tools is cut at the cycle cap and asked once for a
/// final answer without tools.
#[tokio::test]
async fn endless_tool_calls_stop_at_the_cycle_cap_with_a_final_answer() {
    for wire in WIRES {
        let script: Script = Arc::new(|i, body: &Value| {
            if is_final(body) {
                text("Three namespaces checked; all OOMKilled.")
            } else {
                Reply::Tools(vec![("pods".into(), format!(r#"{{"namespace":"ns{i}"}}"#))])
            }
        });
        let lim = LoopLimits {
            max_tool_cycles: 3,
            ..limits()
        };
        let expect = Expect {
            stop: "tool_budget",
            cycles: 3,
            outputs: &["pods", "pods", "pods"],
            text: Some("Three namespaces checked; all OOMKilled."),
            requests: 4,
            final_requested: true,
        };
        let r = check(wire, script, lim, Duration::from_secs(20), expect).await;
        let last = &r.requests[3];
        assert!(is_final(last));
        match wire {
            Wire::OpenAi => assert_eq!(last["tool_choice"], "none"),
            // Converse has no "none": the tools stay declared (the history holds toolUse
            // blocks) and no toolChoice is sent.
            Wire::Bedrock => {
                assert_eq!(scripted::declared_tools(wire, last).len(), 3);
                assert!(last["toolConfig"].get("toolChoice").is_none(), "{last}");
                assert_eq!(
                    r.requests[0]["toolConfig"]["toolChoice"],
                    serde_json::json!({"auto": {}})
                );
            }
        }
    }
}

/// The token budget is spent after three turns: the final answer is requested in time, and
/// what the tools gathered is kept.
#[tokio::test]
async fn token_budget_exhaustion_answers_with_what_was_gathered() {
    for wire in WIRES {
        let script: Script = Arc::new(|i, body: &Value| {
            if is_final(body) {
                text("Partial: two pods OOMKilled.")
            } else {
                Reply::Tools(vec![("pods".into(), format!(r#"{{"namespace":"n{i}"}}"#))])
            }
        });
        // 120 tokens a reply: 360 ≥ 250 after the third.
        let lim = LoopLimits {
            max_total_tokens: 250,
            max_tool_cycles: 10,
            ..limits()
        };
        let expect = Expect {
            stop: "token_budget",
            cycles: 3,
            outputs: &["pods", "pods", "pods"],
            text: Some("Partial: two pods OOMKilled."),
            requests: 4,
            final_requested: true,
        };
        let r = check(wire, script, lim, Duration::from_secs(20), expect).await;
        assert_eq!(r.outcome.usage.total(), 480);
    }
}

/// A slow model uses up the deadline: the loop stops before it with the outputs gathered.
/// (How many turns fit depends on the machine's speed, so only the invariants are pinned.)
#[tokio::test]
async fn time_budget_exhaustion_answers_before_the_deadline() {
    for wire in WIRES {
        let script: Script = Arc::new(|i, _| {
            Reply::Delayed(
                Duration::from_millis(300),
                Box::new(Reply::Tools(vec![(
                    "pods".into(),
                    format!(r#"{{"namespace":"n{i}"}}"#),
                )])),
            )
        });
        let lim = LoopLimits {
            max_tool_cycles: 10,
            reserve: Duration::from_millis(200),
            ..limits()
        };
        let model = scripted::serve(wire, script).await;
        let provider = model.provider().await;
        let deadline = Deadline::after(Duration::from_millis(1300));
        let started = Instant::now();
        let out = run_loop(provider.as_ref(), &test_tools(), task(), &lim, deadline).await;
        let elapsed = started.elapsed();
        assert_eq!(out.stop, StopCause::Deadline, "{wire:?}: {out:#?}");
        assert!(out.cycles >= 2, "{wire:?}: {out:#?}");
        assert_eq!(out.outputs.len() as u32, out.cycles);
        assert_eq!(out.tool_calls, out.cycles);
        assert!(!out.final_requested);
        assert_eq!(out.text, None);
        assert!(
            elapsed <= Duration::from_millis(1100) + Duration::from_millis(50),
            "{elapsed:?}"
        );
        assert!(!deadline.passed());
        assert_eq!(
            out.usage.input_tokens,
            scripted::IN_TOKENS * u64::from(out.cycles)
        );
    }
}

/// Bad calls become tool errors the model sees: arguments that are not JSON (OpenAI) or do
/// not fit the schema (Converse carries JSON only), an unknown tool, a repeated call, an
/// oversized result.
#[tokio::test]
async fn malformed_unknown_repeated_and_oversized_calls_become_tool_errors() {
    for wire in WIRES {
        let script = list(vec![
            tools(&[
                ("pods", r#"{"namespace":"a"}"#),
                ("pods", r#"{"namespace": "a""#),
                ("kubectl_delete", "{}"),
            ]),
            tools(&[
                ("pods", r#"{ "namespace" : "a" }"#),
                ("logs", r#"{"query":"x","huge":true}"#),
            ]),
            text("done"),
        ]);
        let expect = Expect {
            stop: "answered",
            cycles: 2,
            outputs: &["pods", "logs"],
            text: Some("done"),
            requests: 3,
            final_requested: false,
        };
        let r = check(wire, script, limits(), Duration::from_secs(20), expect).await;
        let first = scripted::tool_results(wire, &r.requests[1]);
        assert_eq!(first.len(), 3, "{first:?}");
        assert!(!first[0].2, "{first:?}");
        assert!(first[1].2 && first[2].2, "{first:?}");
        match wire {
            Wire::OpenAi => assert!(first[1].1.contains("malformed tool call"), "{first:?}"),
            Wire::Bedrock => assert!(
                first[1].1.contains("invalid arguments for pods"),
                "{first:?}"
            ),
        }
        assert!(
            first[2].1.contains("no tool named 'kubectl_delete'"),
            "{first:?}"
        );
        let second = scripted::tool_results(wire, &r.requests[2]);
        assert_eq!(second.len(), 5, "{second:?}");
        assert!(
            second[3].2 && second[3].1.contains("repeated call"),
            "{second:?}"
        );
        assert!(
            second[4].2 && second[4].1.contains("too large"),
            "{second:?}"
        );
        // The malformed call never ran through OpenAI; through Converse it ran and failed.
        let ran = match wire {
            Wire::OpenAi => 2,
            Wire::Bedrock => 3,
        };
        assert_eq!(r.outcome.tool_calls, ran);
        // The oversized result's typed findings are still gathered.
        assert_eq!(r.outcome.outputs[1].output.findings.len(), 1);
    }
}

/// A model that hangs: the call timeout ends it (time left), or the deadline does.
#[tokio::test]
async fn provider_timeouts_end_the_loop_before_the_deadline() {
    for wire in WIRES {
        // Call timeout shorter than the time left: the provider failed.
        let lim = LoopLimits {
            call_timeout: Duration::from_millis(400),
            ..limits()
        };
        let expect = Expect {
            stop: "provider_failed",
            cycles: 0,
            outputs: &[],
            text: None,
            requests: 1,
            final_requested: false,
        };
        let r = check(
            wire,
            list(vec![Reply::Hang]),
            lim,
            Duration::from_secs(5),
            expect,
        )
        .await;
        assert_eq!(
            r.outcome.stop,
            StopCause::ProviderFailed(ProviderError::Timeout(Duration::from_millis(400)))
        );
        assert!(r.elapsed < Duration::from_millis(1000), "{:?}", r.elapsed);

        // The deadline is nearer than the call timeout: stopped at deadline − reserve.
        let script = list(vec![
            tools(&[("pods", r#"{"namespace":"a"}"#)]),
            Reply::Hang,
        ]);
        let expect = Expect {
            stop: "deadline",
            cycles: 1,
            outputs: &["pods"],
            text: None,
            requests: 2,
            final_requested: false,
        };
        let r = check(wire, script, limits(), Duration::from_millis(900), expect).await;
        assert!(r.elapsed < Duration::from_millis(900), "{:?}", r.elapsed);
        assert!(r.elapsed >= Duration::from_millis(700), "{:?}", r.elapsed);
    }
}

/// A tool that would run past the deadline is cut at deadline − reserve; the loop answers.
#[tokio::test]
async fn a_slow_tool_is_cut_at_the_deadline() {
    for wire in WIRES {
        let script = list(vec![tools(&[("slow", "{}")]), text("never reached")]);
        let expect = Expect {
            stop: "deadline",
            cycles: 1,
            outputs: &[],
            text: None,
            requests: 1,
            final_requested: false,
        };
        let r = check(wire, script, limits(), Duration::from_millis(800), expect).await;
        assert!(r.elapsed < Duration::from_millis(800), "{:?}", r.elapsed);
        assert_eq!(r.outcome.tool_calls, 1);
        assert!(
            r.outcome
                .errors
                .iter()
                .any(|e| e.contains("did not answer within")),
            "{:?}",
            r.outcome.errors
        );
    }
}

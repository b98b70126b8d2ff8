//! The bounded tool loop: a model drills down with an agent's tools under a tool-cycle cap, a
//! token budget and the agent's deadline, and answers in time with what it gathered.
//!
//! One *cycle* is one model turn that asks for tools (all of its calls run together). Every
//! model call runs under `min(call timeout, time left − reserve)`; every tool call gets the
//! same budget as its [`Deadline`]. Bad calls (unknown tool, arguments that are not JSON, a
//! repeat of an earlier call, an oversized result) are answered with a tool error the model
//! can act on — never a crash.

mod tools;

pub use tools::tool_specs;

use crate::message::{
    ChatRequest, Message, Role, StopReason, ToolCall, ToolChoice, ToolSpec, Usage,
};
use crate::provider::{Provider, ProviderError};
use sremesh_agent::Deadline;
use sremesh_agent::tool::{ToolOutput, ToolSet};
use std::collections::HashSet;
use std::time::Duration;
use tokio::time::Instant;

/// Appended to a specialist's system prompt when it runs a loop (the upstream's
/// "iterative investigation" rules).
pub const LOOP_GUIDANCE: &str = "# Iterative investigation\n\
1. Start broad: look at the overall state of what the alert names.\n\
2. When something looks suspicious, drill down with a focused call (narrow window, one resource).\n\
3. Stop as soon as the alert is explained or the tool budget is spent, and answer.\n\
Never repeat a call with the same arguments. Solid findings delivered on time beat a deeper \
answer that arrives too late. Cite what the tools returned; do not invent resources or values.";

/// Sent (as the last user turn, with tools disabled) when the budget is spent.
pub const FINAL_ANSWER_REQUEST: &str = "The tool budget for this investigation is spent: do not \
call any more tools. Answer now with a short summary of what the tool results above show, \
citing them, and say what remains unknown.";

/// The loop's limits (besides the deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopLimits {
    /// Model turns that may ask for tools (config.yaml `max_tool_cycles`).
    pub max_tool_cycles: u32,
    /// Input plus output tokens over all turns; once reached, the final answer is requested.
    pub max_total_tokens: u64,
    /// Cap on each answer's length.
    pub max_output_tokens: u32,
    /// Longest single model call (it is shortened further as the deadline nears).
    pub call_timeout: Duration,
    /// Time kept back before the deadline for the agent to build its answer.
    pub reserve: Duration,
    /// A tool result larger than this (as JSON) is replaced by a tool error asking the model
    /// to narrow the query.
    pub max_result_bytes: usize,
}

impl Default for LoopLimits {
    fn default() -> Self {
        Self {
            max_tool_cycles: 4,
            max_total_tokens: 100_000,
            max_output_tokens: 2048,
            call_timeout: Duration::from_secs(30),
            reserve: Duration::from_secs(2),
            max_result_bytes: 24 * 1024,
        }
    }
}

/// What the loop starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopTask {
    pub system: String,
    /// Seed turns: the alert and the deterministic pass's findings, summarised.
    pub messages: Vec<Message>,
    /// The tools offered to the model ([`crate::tool_specs`]); calls to anything else fail.
    pub tools: Vec<ToolSpec>,
}

/// One tool call that ran, with what it produced.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRecord {
    pub tool: String,
    pub arguments: serde_json::Value,
    /// Kept even when the model was told the result was too large.
    pub output: ToolOutput,
}

/// Why the loop stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum StopCause {
    /// The model ended its turn with an answer.
    Answered,
    /// `max_tool_cycles` reached; the final answer was requested if time allowed.
    ToolBudget,
    /// `max_total_tokens` reached; the final answer was requested if time allowed.
    TokenBudget,
    /// The deadline (minus the reserve) came first.
    Deadline,
    /// The answer hit `max_output_tokens`; the text is cut short.
    Truncated,
    /// A guardrail or content filter stopped the model.
    Refused(StopReason),
    /// The model could not be called (see the error); tool outputs gathered so far are kept.
    ProviderFailed(ProviderError),
}

impl StopCause {
    /// A short name for logs and telemetry.
    pub fn as_str(&self) -> &'static str {
        match self {
            StopCause::Answered => "answered",
            StopCause::ToolBudget => "tool_budget",
            StopCause::TokenBudget => "token_budget",
            StopCause::Deadline => "deadline",
            StopCause::Truncated => "truncated",
            StopCause::Refused(_) => "refused",
            StopCause::ProviderFailed(_) => "provider_failed",
        }
    }
}

/// What the loop produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopOutcome {
    /// The model's final answer, if it gave one (a summary; findings stay in `outputs`).
    pub text: Option<String>,
    /// Every tool output gathered, in call order: merge their findings.
    pub outputs: Vec<ToolRecord>,
    /// Tokens over every call, the final answer included.
    pub usage: Usage,
    /// Model turns that asked for tools.
    pub cycles: u32,
    /// Tool calls that ran (refused, unknown and malformed calls are not counted).
    pub tool_calls: u32,
    pub stop: StopCause,
    /// True when the budget ran out and a final answer without tools was asked for.
    pub final_requested: bool,
    /// Problems met on the way (tool errors, a failed model call), for logs.
    pub errors: Vec<String>,
}

struct Run<'a> {
    provider: &'a dyn Provider,
    tools: &'a ToolSet,
    limits: &'a LoopLimits,
    deadline: Deadline,
    offered: HashSet<&'a str>,
    seen: HashSet<String>,
    out: LoopOutcome,
}

/// Runs the loop until the model answers, a budget is spent or the deadline nears.
pub async fn run_loop(
    provider: &dyn Provider,
    tools: &ToolSet,
    task: LoopTask,
    limits: &LoopLimits,
    deadline: Deadline,
) -> LoopOutcome {
    let started = Instant::now();
    let mut run = Run {
        provider,
        tools,
        limits,
        deadline,
        offered: task.tools.iter().map(|t| t.name.as_str()).collect(),
        seen: HashSet::new(),
        out: LoopOutcome {
            text: None,
            outputs: Vec::new(),
            usage: Usage::default(),
            cycles: 0,
            tool_calls: 0,
            stop: StopCause::Answered,
            final_requested: false,
            errors: Vec::new(),
        },
    };
    let mut req = ChatRequest {
        system: task.system.clone(),
        messages: task.messages.clone(),
        tools: task.tools.clone(),
        tool_choice: ToolChoice::Auto,
        max_output_tokens: limits.max_output_tokens,
    };
    let stop = loop {
        if deadline.budget(limits.reserve).is_zero() {
            break StopCause::Deadline;
        }
        if run.out.cycles >= limits.max_tool_cycles {
            break StopCause::ToolBudget;
        }
        if run.out.usage.total() >= limits.max_total_tokens {
            break StopCause::TokenBudget;
        }
        let resp = match run.call(&req).await {
            Ok(r) => r,
            Err(stop) => break stop,
        };
        let calls: Vec<ToolCall> = resp.tool_calls().into_iter().cloned().collect();
        let refused = matches!(
            resp.stop,
            StopReason::GuardrailIntervened | StopReason::ContentFiltered
        );
        if calls.is_empty() || refused {
            let text = resp.text();
            run.out.text = (!text.is_empty()).then_some(text);
            break match resp.stop {
                StopReason::MaxTokens => StopCause::Truncated,
                s @ (StopReason::GuardrailIntervened | StopReason::ContentFiltered) => {
                    StopCause::Refused(s)
                }
                _ => StopCause::Answered,
            };
        }
        run.out.cycles += 1;
        req.messages.push(Message {
            role: Role::Assistant,
            content: resp.content,
        });
        let results = run.run_tools(&calls).await;
        req.messages.push(Message {
            role: Role::User,
            content: results,
        });
    };
    if matches!(stop, StopCause::ToolBudget | StopCause::TokenBudget)
        && !deadline.budget(limits.reserve).is_zero()
    {
        run.out.final_requested = true;
        req.messages.push(Message::user(FINAL_ANSWER_REQUEST));
        req.tool_choice = ToolChoice::None;
        if let Ok(resp) = run.call(&req).await {
            let text = resp.text();
            run.out.text = (!text.is_empty()).then_some(text);
        }
    }
    run.out.stop = stop;
    tracing::info!(
        model = provider.model(),
        stop = run.out.stop.as_str(),
        cycles = run.out.cycles,
        tool_calls = run.out.tool_calls,
        input_tokens = run.out.usage.input_tokens,
        output_tokens = run.out.usage.output_tokens,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "llm_loop_finished"
    );
    run.out
}

impl Run<'_> {
    /// One model call under `min(call timeout, time left − reserve)`; usage is added.
    async fn call(&mut self, req: &ChatRequest) -> Result<crate::ChatResponse, StopCause> {
        let budget = self.deadline.budget(self.limits.reserve);
        if budget.is_zero() {
            return Err(StopCause::Deadline);
        }
        let timeout = self.limits.call_timeout.min(budget);
        let result = match tokio::time::timeout(timeout, self.provider.chat(req, timeout)).await {
            Ok(r) => r,
            Err(_) => Err(ProviderError::Timeout(timeout)),
        };
        match result {
            Ok(resp) => {
                self.out.usage += resp.usage;
                Ok(resp)
            }
            Err(e) => {
                tracing::warn!(model = self.provider.model(), error = %e, "llm_call_failed");
                self.out.errors.push(format!("model: {e}"));
                let deadline_bound = timeout < self.limits.call_timeout;
                if matches!(e, ProviderError::Timeout(_)) && deadline_bound {
                    Err(StopCause::Deadline)
                } else {
                    Err(StopCause::ProviderFailed(e))
                }
            }
        }
    }
}

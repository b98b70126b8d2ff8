//! Model usage → `sremesh_core::Telemetry`, priced from config.yaml's `pricing` table.

use crate::message::Usage;
use crate::select::parse_model;
use crate::tool_loop::LoopOutcome;
use sremesh_core::Telemetry;
use sremesh_core::config::MeshConfig;

/// Telemetry for `usage` of `model` (the id as configured). The price is looked up under the
/// configured id, then under the provider's id without its `openai:` / `bedrock:` prefix; a
/// model with no price reports tokens and no cost. `duration_ms` is left for the agent to set.
pub fn telemetry(config: &MeshConfig, model: &str, usage: Usage, tool_calls: u32) -> Telemetry {
    let cost = config
        .cost(model, usage.input_tokens, usage.output_tokens)
        .or_else(|| {
            let bare = parse_model(model).ok()?.model;
            config.cost(&bare, usage.input_tokens, usage.output_tokens)
        });
    Telemetry {
        model: Some(model.to_owned()),
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cost_usd: cost,
        duration_ms: 0,
        tool_calls,
    }
}

impl LoopOutcome {
    /// This loop's telemetry (see [`telemetry`]).
    pub fn telemetry(&self, config: &MeshConfig, model: &str) -> Telemetry {
        telemetry(config, model, self.usage, self.tool_calls)
    }
}

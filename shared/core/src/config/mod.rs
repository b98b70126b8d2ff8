//! `config.yaml`: the mesh — which agents exist, their ports, skills, MCP servers and models,
//! and the investigation's windows and deadlines. Loaded and validated once in `main`.

mod load;
mod skill;
mod validate;

pub use load::{ConfigError, LoadError, Loaded, find_config, load, load_str};
pub use skill::{Skill, SkillError, parse_skill};

use jiff::SignedDuration;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole `config.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeshConfig {
    /// Project name (prefixes cloud resource names).
    pub project: String,
    /// Environment name (`local`, `dev`, `prod`).
    pub environment: String,
    /// Values every agent inherits unless it sets its own.
    #[serde(default)]
    pub defaults: Defaults,
    /// Windows and deadlines of an investigation.
    #[serde(default)]
    pub investigation: InvestigationConfig,
    /// The agents, keyed by catalogue id. `master` must be present and enabled.
    pub agents: BTreeMap<String, AgentConfig>,
    /// Model prices in USD per million tokens, keyed by model id (no entry: tokens, no cost).
    #[serde(default)]
    pub pricing: BTreeMap<String, Price>,
}

/// Defaults inherited by every agent.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Model for agents that set none; absent (and no `MODEL_ID`) means deterministic mode.
    #[serde(default)]
    pub model_id: Option<String>,
    /// Tool-call budget of a specialist's model loop.
    #[serde(default)]
    pub max_tool_cycles: Option<u32>,
    /// AgentCore network mode for agents that set none.
    #[serde(default)]
    pub network_mode: Option<NetworkMode>,
}

/// AgentCore network mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum NetworkMode {
    #[serde(rename = "PUBLIC")]
    Public,
    #[serde(rename = "VPC")]
    Vpc,
}

/// Windows and deadlines of an investigation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvestigationConfig {
    /// How far before the alert agents look (default 30m).
    pub window_before: SignedDuration,
    /// How far after the alert agents look (default 5m).
    pub window_after: SignedDuration,
    /// The initial report is posted this long after the alert was received (default 60s).
    pub initial_deadline: SignedDuration,
    /// Late results are posted as updates until this long after receipt (default 300s).
    pub hard_cutoff: SignedDuration,
    /// `/sre-snapshot` waits this long for agents (default 30s).
    pub snapshot_cutoff: SignedDuration,
    /// Each agent's deadline is the initial deadline minus this margin (default 2s).
    pub agent_margin: SignedDuration,
    /// The chat scanners read at most this many channels (default 10).
    pub max_channels: usize,
    /// With a master model: time reserved before the initial deadline for the model to review the
    /// ranked hypotheses (default 10s). Fail-open: the deterministic report goes out if it runs out.
    pub synthesis_timeout: SignedDuration,
    /// With a master model: ask it to skip agents clearly irrelevant to the alert (default true).
    pub routing: bool,
    /// Time the routing question may take before everything is dispatched anyway (default 5s).
    pub routing_timeout: SignedDuration,
}

impl Default for InvestigationConfig {
    fn default() -> Self {
        Self {
            window_before: SignedDuration::from_mins(30),
            window_after: SignedDuration::from_mins(5),
            initial_deadline: SignedDuration::from_secs(60),
            hard_cutoff: SignedDuration::from_secs(300),
            snapshot_cutoff: SignedDuration::from_secs(30),
            agent_margin: SignedDuration::from_secs(2),
            max_channels: 10,
            synthesis_timeout: SignedDuration::from_secs(10),
            routing: true,
            routing_timeout: SignedDuration::from_secs(5),
        }
    }
}

/// One agent's entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    /// Disabled agents are not dispatched; their report block says so. Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Local port; defaults to the catalogue's (DESIGN.md).
    #[serde(default)]
    pub port: Option<u16>,
    /// Skill folders under `skills/` (each a `SKILL.md`).
    #[serde(default)]
    pub skills: Vec<String>,
    /// MCP servers whose tools this agent's model may call.
    #[serde(default)]
    pub mcps: Vec<McpConfig>,
    /// Model for this agent (overrides `MODEL_ID` and `defaults.model_id`).
    #[serde(default)]
    pub model_id: Option<String>,
    /// Tool-call budget of the model loop (overrides `defaults.max_tool_cycles`).
    #[serde(default)]
    pub max_tool_cycles: Option<u32>,
    /// AgentCore network mode.
    #[serde(default)]
    pub network_mode: Option<NetworkMode>,
    /// Chat scanners only: channels always read besides the alert's own.
    #[serde(default)]
    pub watch_channels: Vec<String>,
}

fn yes() -> bool {
    true
}

/// An MCP server an agent connects to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    /// Namespace of its tools (`name__tool`); `[a-z0-9_]+`.
    pub name: String,
    pub transport: McpTransport,
    /// `stdio`: the command to run; `streamable_http`: the URL.
    pub endpoint: String,
    /// `stdio` only: arguments of the command.
    #[serde(default)]
    pub args: Vec<String>,
    /// `none`, or `bearer:<ENV_VAR>` (the token is read from that variable at start).
    #[serde(default = "auth_none")]
    pub auth: String,
    /// When true (default) the agent reports `unhealthy` if this server cannot start; when
    /// false it degrades: the server's tools are simply absent and a warning is logged.
    #[serde(default = "yes")]
    pub required: bool,
}

fn auth_none() -> String {
    "none".to_owned()
}

/// How to reach an MCP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum McpTransport {
    Stdio,
    StreamableHttp,
}

/// A model's price in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

impl MeshConfig {
    /// The entry for an agent id, if config.yaml lists it.
    pub fn agent(&self, id: &str) -> Option<&AgentConfig> {
        self.agents.get(id)
    }

    /// True when the agent is listed and enabled.
    pub fn is_enabled(&self, id: &str) -> bool {
        self.agents.get(id).is_some_and(|a| a.enabled)
    }

    /// The agent's local port: its own, else the catalogue's.
    pub fn port(&self, id: &str) -> Option<u16> {
        self.agents
            .get(id)
            .and_then(|a| a.port)
            .or_else(|| crate::catalogue::agent(id).map(|a| a.port))
    }

    /// The model an agent uses: its own `model_id`, else `env_model` (`MODEL_ID`), else
    /// `defaults.model_id`. `None` (or an empty string anywhere on that path) means no model.
    pub fn model_for(&self, id: &str, env_model: Option<&str>) -> Option<String> {
        self.agents
            .get(id)
            .and_then(|a| a.model_id.clone())
            .or_else(|| env_model.map(str::to_owned))
            .or_else(|| self.defaults.model_id.clone())
            .filter(|m| !m.trim().is_empty())
    }

    /// Cost in USD of the given usage, if the model's price is known.
    pub fn cost(&self, model: &str, input_tokens: u64, output_tokens: u64) -> Option<f64> {
        let p = self.pricing.get(model)?;
        Some((input_tokens as f64 * p.input + output_tokens as f64 * p.output) / 1e6)
    }

    /// Specialists (every agent but the master) listed in config.yaml, in catalogue order.
    pub fn specialists(&self) -> Vec<&'static crate::AgentInfo> {
        crate::AGENTS
            .iter()
            .filter(|a| !a.is_master() && self.agents.contains_key(a.id))
            .collect()
    }
}

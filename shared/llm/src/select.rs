//! Provider selection: a model id string (as `MeshConfig::model_for` returns it) and typed
//! settings in, a provider out — or none, which is the deterministic path.

use crate::bedrock::BedrockProvider;
use crate::openai::OpenAiProvider;
use crate::provider::{Provider, RetryPolicy};
use sremesh_core::Secret;
use std::sync::Arc;
use std::time::Duration;

/// Where a local OpenAI-compatible server usually listens (Ollama).
pub const DEFAULT_OPENAI_BASE_URL: &str = "http://127.0.0.1:11434/v1";

/// Everything the providers need, read from the environment by `main` (never by this crate).
#[derive(Debug, Clone, Default)]
pub struct LlmSettings {
    pub openai: OpenAiSettings,
    pub bedrock: BedrockSettings,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
}

/// An OpenAI-compatible endpoint (Ollama, vLLM, LiteLLM, OpenAI).
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// `OPENAI_BASE_URL`; requests go to `{base_url}/chat/completions`.
    pub base_url: String,
    /// `OPENAI_API_KEY`, sent as a Bearer token when present.
    pub api_key: Option<Secret>,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_OPENAI_BASE_URL.to_owned(),
            api_key: None,
        }
    }
}

/// Bedrock Converse.
#[derive(Debug, Clone, Default)]
pub struct BedrockSettings {
    /// `AWS_REGION`; `None` leaves it to the SDK's chain.
    pub region: Option<String>,
    /// An endpoint override on top of the SDK's own `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`.
    pub endpoint_url: Option<String>,
    /// `BEDROCK_GUARDRAIL_ID` / `BEDROCK_GUARDRAIL_VERSION`.
    pub guardrail: Option<Guardrail>,
}

/// A Bedrock guardrail applied to every call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guardrail {
    pub id: String,
    /// A version number or `DRAFT`.
    pub version: String,
}

/// Client-level timeouts (the loop further bounds each call by the deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Time to establish a connection.
    pub connect: Duration,
    /// Longest single model call, retries included.
    pub call: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            call: Duration::from_secs(30),
        }
    }
}

/// Which provider a model id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Bedrock,
    OpenAi,
}

/// A parsed model id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    pub provider: ProviderKind,
    /// The id the provider's API expects (prefix removed).
    pub model: String,
    /// The id as configured (the key of the price table and of telemetry).
    pub configured: String,
}

/// Why a model id names no provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Fix the id in config.yaml / `MODEL_ID`.
    #[error(
        "model id '{0}' names no provider: write 'openai:<model>' for an OpenAI-compatible endpoint, or 'bedrock:<id>' (or a Bedrock id such as 'us.anthropic.claude-haiku-4-5-20251001-v1:0')"
    )]
    Unrecognized(String),
    /// `openai:` or `bedrock:` with nothing after it.
    #[error("model id '{0}' has a provider prefix but no model")]
    MissingModel(String),
    /// The HTTP client could not be built (TLS setup): a bug or a broken host.
    #[error("cannot build the model client: {0}")]
    Client(String),
}

const VENDORS: &[&str] = &[
    "ai21",
    "amazon",
    "anthropic",
    "cohere",
    "deepseek",
    "google",
    "luma",
    "meta",
    "minimax",
    "mistral",
    "moonshot",
    "moonshotai",
    "nvidia",
    "openai",
    "qwen",
    "stability",
    "twelvelabs",
    "writer",
];
const PROFILE_PREFIXES: &[&str] = &["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"];

/// Parses a model id: `openai:<model>`, `bedrock:<id>`, a bare Bedrock model id (vendor
/// prefix like `anthropic.`, optionally behind an inference-profile prefix like `us.`), or a
/// Bedrock ARN.
pub fn parse_model(id: &str) -> Result<ModelRef, SelectError> {
    let configured = id.trim();
    let make = |provider, model: &str| {
        if model.trim().is_empty() {
            Err(SelectError::MissingModel(configured.to_owned()))
        } else {
            Ok(ModelRef {
                provider,
                model: model.trim().to_owned(),
                configured: configured.to_owned(),
            })
        }
    };
    if let Some(m) = configured.strip_prefix("openai:") {
        return make(ProviderKind::OpenAi, m);
    }
    if let Some(m) = configured.strip_prefix("bedrock:") {
        return make(ProviderKind::Bedrock, m);
    }
    if is_bedrock_id(configured) {
        return make(ProviderKind::Bedrock, configured);
    }
    Err(SelectError::Unrecognized(configured.to_owned()))
}

fn is_bedrock_id(id: &str) -> bool {
    if id.chars().any(char::is_whitespace) || id.is_empty() {
        return false;
    }
    if id.starts_with("arn:aws") && id.contains(":bedrock:") {
        return true;
    }
    let mut parts = id.splitn(3, '.');
    let first = parts.next().unwrap_or_default();
    let second = parts.next();
    let rest = parts.next();
    let vendor_then_model = |vendor: &str, model: Option<&str>| {
        VENDORS.contains(&vendor) && model.is_some_and(|m| !m.is_empty())
    };
    if PROFILE_PREFIXES.contains(&first) {
        return second.is_some_and(|v| vendor_then_model(v, rest));
    }
    let model = id.split_once('.').map(|(_, m)| m);
    vendor_then_model(first, model)
}

/// The provider for an agent's model: `None` means no model (the deterministic path).
pub async fn provider_for(
    model_id: Option<&str>,
    settings: &LlmSettings,
) -> Result<Option<Arc<dyn Provider>>, SelectError> {
    let Some(id) = model_id.filter(|m| !m.trim().is_empty()) else {
        return Ok(None);
    };
    let model = parse_model(id)?;
    let provider: Arc<dyn Provider> = match model.provider {
        ProviderKind::OpenAi => Arc::new(
            OpenAiProvider::new(model, settings).map_err(|e| SelectError::Client(e.to_string()))?,
        ),
        ProviderKind::Bedrock => Arc::new(BedrockProvider::new(model, settings).await),
    };
    tracing::info!(model = provider.model(), "model_provider_selected");
    Ok(Some(provider))
}

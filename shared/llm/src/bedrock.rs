//! Bedrock Converse (`aws-sdk-bedrockruntime`): system prompt, messages, `toolConfig`,
//! toolUse / toolResult blocks, stop reasons, usage and an optional guardrail. The SDK types
//! stay in this module.

use crate::message::{
    Arguments, ChatRequest, ChatResponse, Content, Role, StopReason, ToolCall, ToolChoice, Usage,
};
use crate::provider::{AttemptError, Provider, ProviderError, RetryPolicy, call_with_retries};
use crate::select::{LlmSettings, ModelRef};
use aws_sdk_bedrockruntime as br;
use aws_sdk_bedrockruntime::config::http::HttpResponse;
use aws_sdk_bedrockruntime::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::{Document, Number};
use br::types as t;
use futures::future::BoxFuture;
use std::time::Duration;

/// A Bedrock model called through Converse.
#[derive(Debug, Clone)]
pub struct BedrockProvider {
    client: br::Client,
    id: ModelRef,
    guardrail: Option<t::GuardrailConfiguration>,
    retry: RetryPolicy,
}

impl BedrockProvider {
    /// A provider whose client comes from `sremesh_aws::sdk_config` (region, endpoint and
    /// credentials from the SDK's standard chain; `settings.bedrock.endpoint_url` overrides).
    pub async fn new(model: ModelRef, settings: &LlmSettings) -> Self {
        let policy = sremesh_aws::CallPolicy {
            connect_timeout: settings.timeouts.connect,
            operation_timeout: settings.timeouts.call,
            max_attempts: 1,
        };
        let sdk = sremesh_aws::sdk_config(policy, settings.bedrock.region.as_deref()).await;
        let mut conf = br::config::Builder::from(&sdk);
        if let Some(url) = &settings.bedrock.endpoint_url {
            conf = conf.endpoint_url(url);
        }
        Self::from_client(br::Client::from_conf(conf.build()), model, settings)
    }

    /// A provider over a client built by the caller (tests: a local endpoint and static
    /// credentials). The client's own retries are turned off: this provider retries.
    pub fn from_client(client: br::Client, model: ModelRef, settings: &LlmSettings) -> Self {
        let conf = client
            .config()
            .to_builder()
            .retry_config(br::config::retry::RetryConfig::disabled())
            .build();
        let guardrail = settings.bedrock.guardrail.as_ref().map(|g| {
            t::GuardrailConfiguration::builder()
                .guardrail_identifier(&g.id)
                .guardrail_version(&g.version)
                .build()
        });
        Self {
            client: br::Client::from_conf(conf),
            id: model,
            guardrail,
            retry: settings.retry,
        }
    }

    async fn attempt(&self, req: &Converse) -> Result<ChatResponse, AttemptError> {
        let out = self
            .client
            .converse()
            .model_id(&self.id.model)
            .set_system(req.system.clone())
            .set_messages(Some(req.messages.clone()))
            .set_tool_config(req.tool_config.clone())
            .inference_config(req.inference.clone())
            .set_guardrail_config(self.guardrail.clone())
            .send()
            .await
            .map_err(classify)?;
        let mut content = Vec::new();
        if let Some(t::ConverseOutput::Message(m)) = out.output() {
            for block in m.content() {
                match block {
                    t::ContentBlock::Text(s) if !s.is_empty() => {
                        content.push(Content::Text(s.clone()));
                    }
                    t::ContentBlock::ToolUse(u) => content.push(Content::ToolCall(ToolCall {
                        id: u.tool_use_id().to_owned(),
                        name: u.name().to_owned(),
                        arguments: Arguments::Json(doc_to_json(u.input())),
                    })),
                    _ => {}
                }
            }
        }
        let stop = match out.stop_reason() {
            t::StopReason::EndTurn | t::StopReason::StopSequence => StopReason::EndTurn,
            t::StopReason::ToolUse => StopReason::ToolUse,
            t::StopReason::MaxTokens => StopReason::MaxTokens,
            t::StopReason::GuardrailIntervened => StopReason::GuardrailIntervened,
            t::StopReason::ContentFiltered => StopReason::ContentFiltered,
            other => StopReason::Other(other.as_str().to_owned()),
        };
        let usage = out.usage().map_or(Usage::default(), |u| Usage {
            input_tokens: u.input_tokens().max(0) as u64,
            output_tokens: u.output_tokens().max(0) as u64,
        });
        Ok(ChatResponse {
            content,
            stop,
            usage,
        })
    }
}

impl Provider for BedrockProvider {
    #[allow(
        clippy::misnamed_getters,
        reason = "the configured id (not the API's) keys prices and telemetry"
    )]
    fn model(&self) -> &str {
        &self.id.configured
    }

    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        Box::pin(async move {
            let req = to_converse(request).map_err(|e| ProviderError::Request(e.to_string()))?;
            call_with_retries(self.retry, timeout, &self.id.configured, || {
                self.attempt(&req)
            })
            .await
        })
    }
}

/// The request's parts in SDK types, built once and reused by every attempt.
struct Converse {
    system: Option<Vec<t::SystemContentBlock>>,
    messages: Vec<t::Message>,
    tool_config: Option<t::ToolConfiguration>,
    inference: t::InferenceConfiguration,
}

fn to_converse(req: &ChatRequest) -> Result<Converse, br::error::BuildError> {
    let system = (!req.system.trim().is_empty())
        .then(|| vec![t::SystemContentBlock::Text(req.system.clone())]);
    // Converse wants alternating roles: consecutive turns of one role are merged.
    let mut turns: Vec<(Role, Vec<t::ContentBlock>)> = Vec::new();
    for m in &req.messages {
        let blocks = m
            .content
            .iter()
            .filter_map(|c| block(c).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        if blocks.is_empty() {
            continue;
        }
        match turns.last_mut() {
            Some((role, acc)) if *role == m.role => acc.extend(blocks),
            _ => turns.push((m.role, blocks)),
        }
    }
    let messages = turns
        .into_iter()
        .map(|(role, blocks)| {
            let role = match role {
                Role::User => t::ConversationRole::User,
                Role::Assistant => t::ConversationRole::Assistant,
            };
            t::Message::builder()
                .role(role)
                .set_content(Some(blocks))
                .build()
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The tools stay declared even when no tool may be called: a conversation holding
    // toolUse / toolResult blocks is rejected without a toolConfig.
    let tool_config = if req.tools.is_empty() {
        None
    } else {
        let tools = req
            .tools
            .iter()
            .map(|spec| {
                t::ToolSpecification::builder()
                    .name(&spec.name)
                    .description(&spec.description)
                    .input_schema(t::ToolInputSchema::Json(json_to_doc(&spec.parameters)))
                    .build()
                    .map(t::Tool::ToolSpec)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut b = t::ToolConfiguration::builder().set_tools(Some(tools));
        if req.tool_choice == ToolChoice::Auto {
            b = b.tool_choice(t::ToolChoice::Auto(t::AutoToolChoice::builder().build()));
        }
        Some(b.build()?)
    };
    let inference = t::InferenceConfiguration::builder()
        .max_tokens(i32::try_from(req.max_output_tokens).unwrap_or(i32::MAX))
        .build();
    Ok(Converse {
        system,
        messages,
        tool_config,
        inference,
    })
}

fn block(c: &Content) -> Result<Option<t::ContentBlock>, br::error::BuildError> {
    Ok(match c {
        Content::Text(s) if s.trim().is_empty() => None,
        Content::Text(s) => Some(t::ContentBlock::Text(s.clone())),
        Content::ToolCall(call) => {
            let input = match &call.arguments {
                Arguments::Json(v) => json_to_doc(v),
                Arguments::Malformed { .. } => Document::Object(Default::default()),
            };
            Some(t::ContentBlock::ToolUse(
                t::ToolUseBlock::builder()
                    .tool_use_id(&call.id)
                    .name(&call.name)
                    .input(input)
                    .build()?,
            ))
        }
        Content::ToolResult(r) => {
            let mut b = t::ToolResultBlock::builder()
                .tool_use_id(&r.call_id)
                .content(t::ToolResultContentBlock::Text(r.content.clone()));
            if r.is_error {
                b = b.status(t::ToolResultStatus::Error);
            }
            Some(t::ContentBlock::ToolResult(b.build()?))
        }
    })
}

/// Maps an SDK failure: throttling and 5xx are retryable, other service errors are not.
fn classify(e: SdkError<br::operation::converse::ConverseError, HttpResponse>) -> AttemptError {
    let error = match &e {
        SdkError::ServiceError(ctx) => {
            let err = ctx.err();
            let status = Some(ctx.raw().status().as_u16());
            let message = err.message().map_or_else(|| err.to_string(), str::to_owned);
            let code = err.code().unwrap_or_default();
            if err.is_throttling_exception() || status == Some(429) {
                ProviderError::Throttled {
                    attempts: 1,
                    message,
                }
            } else if err.is_internal_server_exception()
                || err.is_service_unavailable_exception()
                || err.is_model_not_ready_exception()
                || err.is_model_timeout_exception()
                || status.is_some_and(|s| s >= 500)
            {
                ProviderError::Unavailable {
                    attempts: 1,
                    status,
                    message: format!("{code}: {message}"),
                }
            } else {
                ProviderError::Rejected {
                    status,
                    message: format!("{code}: {message}"),
                }
            }
        }
        SdkError::TimeoutError(_) => ProviderError::Connect("the SDK's operation timeout".into()),
        SdkError::DispatchFailure(d) => {
            ProviderError::Connect(format!("{:?}", d.as_connector_error()))
        }
        SdkError::ResponseError(r) => ProviderError::Decode(format!("{r:?}")),
        SdkError::ConstructionFailure(_) => ProviderError::Request(error_chain(&e)),
        _ => ProviderError::Connect(error_chain(&e)),
    };
    error.into()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn json_to_doc(v: &serde_json::Value) -> Document {
    match v {
        serde_json::Value::Null => Document::Null,
        serde_json::Value::Bool(b) => Document::Bool(*b),
        serde_json::Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or(0.0))
        }),
        serde_json::Value::String(s) => Document::String(s.clone()),
        serde_json::Value::Array(a) => Document::Array(a.iter().map(json_to_doc).collect()),
        serde_json::Value::Object(o) => {
            Document::Object(o.iter().map(|(k, v)| (k.clone(), json_to_doc(v))).collect())
        }
    }
}

fn doc_to_json(d: &Document) -> serde_json::Value {
    match d {
        Document::Null => serde_json::Value::Null,
        Document::Bool(b) => serde_json::Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => (*u).into(),
        Document::Number(Number::NegInt(i)) => (*i).into(),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Document::String(s) => serde_json::Value::String(s.clone()),
        Document::Array(a) => serde_json::Value::Array(a.iter().map(doc_to_json).collect()),
        Document::Object(o) => {
            serde_json::Value::Object(o.iter().map(|(k, v)| (k.clone(), doc_to_json(v))).collect())
        }
    }
}

//! Classifier tier 2: a model asked "alert or chatter?" for the texts tier 1 found ambiguous.
//! Any failure, timeout or unclear answer is `None`, and the gate fails open (investigates).

use crate::classify::{LlmFuture, LlmTier, Verdict};
use sremesh_llm::{ChatRequest, Content, Message, Provider, ToolChoice};
use std::sync::Arc;
use std::time::Duration;

const SYSTEM: &str = "You decide whether a chat message is an infrastructure alert worth investigating \
(an alert from a monitoring tool, or a person reporting an outage, errors or degradation) or chatter \
(greetings, thanks, questions unrelated to an incident). Answer with exactly one word: ALERT or CHATTER.";

/// A model behind the gate's second tier.
pub struct ModelTier {
    provider: Arc<dyn Provider>,
    timeout: Duration,
}

impl std::fmt::Debug for ModelTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelTier")
            .field("model", &self.provider.model())
            .finish()
    }
}

impl ModelTier {
    /// A tier asking `provider`, bounded by `timeout` (keep it well under Slack's 3 s).
    pub fn new(provider: Arc<dyn Provider>, timeout: Duration) -> Self {
        Self { provider, timeout }
    }
}

/// Reads the model's one-word answer.
pub fn verdict(answer: &str) -> Option<Verdict> {
    let a = answer.to_ascii_uppercase();
    match (a.contains("ALERT"), a.contains("CHATTER")) {
        (true, false) => Some(Verdict::Alert),
        (false, true) => Some(Verdict::Chatter),
        _ => None,
    }
}

impl LlmTier for ModelTier {
    fn classify<'a>(&'a self, text: &'a str) -> LlmFuture<'a> {
        Box::pin(async move {
            let req = ChatRequest {
                system: SYSTEM.to_owned(),
                messages: vec![Message::user(sremesh_core::text::truncate(text, 2000))],
                tools: Vec::new(),
                tool_choice: ToolChoice::None,
                max_output_tokens: 5,
            };
            match self.provider.chat(&req, self.timeout).await {
                Ok(resp) => {
                    let answer: String = resp
                        .content
                        .iter()
                        .filter_map(|c| {
                            if let Content::Text(t) = c {
                                Some(t.as_str())
                            } else {
                                None
                            }
                        })
                        .collect();
                    let v = verdict(&answer);
                    tracing::info!(model = self.provider.model(), answer = %answer.trim(), verdict = ?v, "classifier_tier2");
                    v
                }
                Err(e) => {
                    tracing::warn!(error = %e, "classifier_tier2_failed_open");
                    None
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_word_answers_are_read_and_anything_else_is_no_answer() {
        let cases = [
            ("ALERT", Some(Verdict::Alert)),
            ("chatter.", Some(Verdict::Chatter)),
            (" Alert\n", Some(Verdict::Alert)),
            ("ALERT or CHATTER", None),
            ("maybe", None),
            ("", None),
        ];
        for (answer, want) in cases {
            assert_eq!(verdict(answer), want, "{answer:?}");
        }
    }
}

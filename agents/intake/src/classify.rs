//! The alert-vs-chatter gate (UPSTREAM §7.4): a deterministic first tier (pure), a seam for an
//! LLM second tier ([`LlmTier`], none by default), and fail-open to "alert" when neither decides.

use regex::Regex;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, LazyLock};

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Alert,
    Chatter,
}

/// Which tier decided, and the rule that did (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The word "investigate" forces an investigation.
    Override,
    /// Nothing left once mentions are removed.
    Empty,
    /// A severity keyword as a whole word (`error`, `5xx`, `p1` …).
    Keyword,
    /// An alert format marker (`[FIRING`, `alertname=`, `🔥` …).
    Format,
    /// A link to a dashboard or an alerting tool.
    Dashboard,
    /// A greeting, thanks or test message.
    ChatterPattern,
    /// Four words or fewer with none of the above.
    Short,
    /// The second tier (a model) decided.
    Model,
    /// Nobody could tell: investigate rather than miss an alert.
    FailOpen,
    /// Classification is switched off (`ALERT_CLASSIFICATION_ENABLED=false`).
    Disabled,
}

impl Reason {
    /// The snake_case name used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Override => "override",
            Reason::Empty => "empty",
            Reason::Keyword => "keyword",
            Reason::Format => "format",
            Reason::Dashboard => "dashboard",
            Reason::ChatterPattern => "chatter_pattern",
            Reason::Short => "short",
            Reason::Model => "model",
            Reason::FailOpen => "fail_open",
            Reason::Disabled => "disabled",
        }
    }
}

/// A decision with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Reason,
}

impl Decision {
    fn alert(reason: Reason) -> Self {
        Self {
            verdict: Verdict::Alert,
            reason,
        }
    }
    fn chatter(reason: Reason) -> Self {
        Self {
            verdict: Verdict::Chatter,
            reason,
        }
    }
}

/// Severity keywords (matched as whole words, any case).
const KEYWORDS: &[&str] = &[
    "alert",
    "alarm",
    "critical",
    "crit",
    "warning",
    "error",
    "errors",
    "fatal",
    "exception",
    "outage",
    "incident",
    "degraded",
    "down",
    "unavailable",
    "unreachable",
    "timeout",
    "timed out",
    "failing",
    "failed",
    "failure",
    "firing",
    "paging",
    "pagerduty",
    "saturation",
    "throttled",
    "oomkilled",
    "crashloopbackoff",
    "5xx",
    "latency",
    "spike",
    "breach",
    "breached",
    "threshold",
    "sev1",
    "sev2",
    "sev3",
    "p1",
    "p2",
    "p3",
];

/// Alert format markers (substrings of the lower-cased text).
const MARKERS: &[&str] = &[
    "[firing",
    "[resolved",
    "alertname=",
    "labels:",
    "annotations:",
    "severity=",
    "severity:",
    "namespace=",
    "alertmanager",
    "grafana",
    "prometheus",
    "cloudwatch",
    "datadog",
    "opsgenie",
    "pagerduty",
    "newrelic",
    "sentry",
    ":fire:",
    "🔥",
    "🚨",
    "⚠",
];

static MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[@#!&][^>]*>").expect("static regex"));
static OVERRIDE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\binvestigate\b").expect("static regex"));
static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    let alts: Vec<String> = KEYWORDS
        .iter()
        .map(|k| regex::escape(k).replace(' ', r"\s+"))
        .collect();
    Regex::new(&format!(r"(?i)\b(?:{})\b", alts.join("|"))).expect("static regex")
});
static DASHBOARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)https?://[^\s|>]*(?:grafana|kibana|datadoghq|console\.aws|cloudwatch|dashboards?|\.pagerduty\.|opsgenie)",
    )
    .expect("static regex")
});
static CHATTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:thanks?|thank you|thx|ty|cheers|nice|great|cool|awesome|lol|haha|ok|okay|kk|got it|gotcha|hi|hey|hello|yo|sup|gm|good morning|good night|test|testing|ping|pong|hello world|are you (?:there|alive|up)|who are you|what can you do|help)[\s!.?]*$",
    )
    .expect("static regex")
});

/// Tier 1 (pure): a verdict when a rule decides, `None` when the text is ambiguous.
pub fn heuristic(text: &str) -> Option<Decision> {
    let stripped = MENTION.replace_all(text, " ");
    let t = stripped.trim();
    if OVERRIDE.is_match(t) {
        return Some(Decision::alert(Reason::Override));
    }
    if t.is_empty() {
        return Some(Decision::chatter(Reason::Empty));
    }
    if KEYWORD.is_match(t) {
        return Some(Decision::alert(Reason::Keyword));
    }
    let lower = t.to_lowercase();
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return Some(Decision::alert(Reason::Format));
    }
    if DASHBOARD.is_match(t) {
        return Some(Decision::alert(Reason::Dashboard));
    }
    if CHATTER.is_match(t) {
        return Some(Decision::chatter(Reason::ChatterPattern));
    }
    if t.split_whitespace().count() <= 4 {
        return Some(Decision::chatter(Reason::Short));
    }
    None
}

/// A future of a tier-2 answer.
pub type LlmFuture<'a> = Pin<Box<dyn Future<Output = Option<Verdict>> + Send + 'a>>;

/// The second tier: a model asked "alert or chatter?" for texts tier 1 found ambiguous. `None`
/// means no answer (no model, error, timeout, unclear reply): the gate then fails open.
pub trait LlmTier: Send + Sync + fmt::Debug {
    fn classify<'a>(&'a self, text: &'a str) -> LlmFuture<'a>;
}

/// No second tier (the default until a model provider is wired in).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLlm;

impl LlmTier for NoLlm {
    fn classify<'a>(&'a self, _text: &'a str) -> LlmFuture<'a> {
        Box::pin(async { None })
    }
}

/// The gate: tier 1, then tier 2, then fail-open; or everything is an alert when disabled.
#[derive(Debug, Clone)]
pub struct Gate {
    enabled: bool,
    llm: Arc<dyn LlmTier>,
}

impl Gate {
    /// A gate; `enabled = false` lets everything through (`ALERT_CLASSIFICATION_ENABLED`).
    pub fn new(enabled: bool, llm: Arc<dyn LlmTier>) -> Self {
        Self { enabled, llm }
    }

    /// Decides whether `text` is an alert worth investigating.
    pub async fn judge(&self, text: &str) -> Decision {
        if !self.enabled {
            return Decision::alert(Reason::Disabled);
        }
        if let Some(d) = heuristic(text) {
            return d;
        }
        match self.llm.classify(text).await {
            Some(Verdict::Alert) => Decision::alert(Reason::Model),
            Some(Verdict::Chatter) => Decision::chatter(Reason::Model),
            None => Decision::alert(Reason::FailOpen),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Alert => "alert",
            Verdict::Chatter => "chatter",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<(Verdict, Reason)>) {
        let got = heuristic(text).map(|d| (d.verdict, d.reason));
        assert_eq!(got, expected, "{text:?}");
    }

    /// Pins each tier-1 rule, whole-word keywords and the rule order.
    #[test]
    fn tier_one_rules() {
        use Reason::*;
        use Verdict::*;
        let cases: &[(&str, Option<(Verdict, Reason)>)] = &[
            (
                "<@U0SREMESH> please investigate this",
                Some((Alert, Override)),
            ),
            ("<@U0SREMESH> lol", Some((Chatter, ChatterPattern))),
            ("<@U0SREMESH>", Some((Chatter, Empty))),
            ("   ", Some((Chatter, Empty))),
            ("payments-api error rate above 5%", Some((Alert, Keyword))),
            ("ERRORS everywhere", Some((Alert, Keyword))),
            ("requests timed   out on checkout", Some((Alert, Keyword))),
            // Whole words only: "errorless", "downstream", "alerting" are not keywords.
            (
                "the errorless downstream alerting pipeline looks fine",
                None,
            ),
            (
                "[FIRING:1] KubePodCrashLooping shop/checkout",
                Some((Alert, Keyword)),
            ),
            ("[RESOLVED] something", Some((Alert, Format))),
            ("alertname=HighMemory job=node", Some((Alert, Format))),
            ("🔥 checkout", Some((Alert, Format))),
            (
                "see https://grafana.example.com/d/abc please now",
                Some((Alert, Format)),
            ),
            (
                "look at https://example.com/dashboards/checkout please",
                Some((Alert, Dashboard)),
            ),
            ("thanks!", Some((Chatter, ChatterPattern))),
            ("Are you there?", Some((Chatter, ChatterPattern))),
            ("hello world", Some((Chatter, ChatterPattern))),
            ("what about lunch", Some((Chatter, Short))),
            ("checkout is slow for some customers today", None),
        ];
        for (text, expected) in cases {
            check(text, *expected);
        }
    }

    #[derive(Debug)]
    struct Fixed(Option<Verdict>);
    impl LlmTier for Fixed {
        fn classify<'a>(&'a self, _text: &'a str) -> LlmFuture<'a> {
            let v = self.0;
            Box::pin(async move { v })
        }
    }

    /// Tier 1 wins; then the model; then fail-open; disabled lets everything through.
    #[tokio::test]
    async fn gate_order_and_fail_open() {
        let ambiguous = "checkout is slow for some customers today";
        let cases: &[(bool, Option<Verdict>, &str, Verdict, Reason)] = &[
            (true, None, ambiguous, Verdict::Alert, Reason::FailOpen),
            (
                true,
                Some(Verdict::Chatter),
                ambiguous,
                Verdict::Chatter,
                Reason::Model,
            ),
            (
                true,
                Some(Verdict::Alert),
                ambiguous,
                Verdict::Alert,
                Reason::Model,
            ),
            (
                true,
                Some(Verdict::Alert),
                "lol",
                Verdict::Chatter,
                Reason::ChatterPattern,
            ),
            (false, None, "lol", Verdict::Alert, Reason::Disabled),
        ];
        for (enabled, llm, text, verdict, reason) in cases {
            let gate = Gate::new(*enabled, Arc::new(Fixed(*llm)));
            let d = gate.judge(text).await;
            assert_eq!((d.verdict, d.reason), (*verdict, *reason), "{text}");
        }
    }
}

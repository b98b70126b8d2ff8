//! What the master reads from the alert itself: its name (Alertmanager `alertname`, CloudWatch
//! alarm, Grafana/Datadog title) and whether a finding's service is the one the alert is about.

use regex::Regex;
use sremesh_core::AlertContext;
use sremesh_core::text::contains_word;
use std::sync::LazyLock;

/// Alerts that fire all the time by design (heartbeats), so their firing is not an incident.
const ALWAYS_FIRING: &[&str] = &[
    "Watchdog",
    "DeadMansSwitch",
    "DeadMansSnitch",
    "InfoInhibitor",
    "AlwaysFiring",
    "Heartbeat",
];

static NAME_PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)alertname\s*[:=]\s*[`*'\x22]*([A-Za-z0-9_.:-]+)",
        r"\[FIRING(?::\d+)?\]\s*([A-Za-z][A-Za-z0-9_.:-]*)",
        r#"ALARM:\s*"([^"]+)""#,
        r"(?i)\[(?:alerting|firing)\]\s*([^\n\[(]+)",
        r"(?i)triggered:\s*(?:\[P\d\]\s*)?([^\n]+)",
    ]
    .into_iter()
    .map(|re| Regex::new(re).expect("static regex"))
    .collect()
});

/// What the master knows about the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertInfo {
    /// The alert's name, when the text carries one.
    pub name: Option<String>,
    /// The alert text (for relevance checks).
    pub text: String,
}

impl AlertInfo {
    /// Reads the alert context.
    pub fn from_context(ctx: &AlertContext) -> Self {
        let name = ctx.labels.get("alertname").cloned().or_else(|| {
            NAME_PATTERNS
                .iter()
                .find_map(|re| re.captures(&ctx.alert_text).and_then(|c| c.get(1)))
                .map(|m| {
                    m.as_str()
                        .trim()
                        .trim_end_matches(['-', ':'])
                        .trim()
                        .to_owned()
                })
        });
        let mut text = ctx.alert_text.clone();
        for (k, v) in &ctx.labels {
            text.push_str(&format!("\n{k}={v}"));
        }
        Self { name, text }
    }

    /// True for heartbeat alerts that always fire by design.
    pub fn is_always_firing(&self) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| ALWAYS_FIRING.iter().any(|a| a.eq_ignore_ascii_case(n)))
    }

    /// True when the alert names `service` (whole word), or a name that extends it
    /// (`payments-api` for service `payments`), or the other way round.
    pub fn mentions(&self, service: &str) -> bool {
        if service.len() < 3 {
            return false;
        }
        if contains_word(&self.text, service) {
            return true;
        }
        // `payments-api-7f9dd8b6c4-x7gr9` in the alert names the `payments-api` service.
        self.text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .any(|w| {
                w.len() > service.len()
                    && w.to_ascii_lowercase()
                        .starts_with(&format!("{}-", service.to_ascii_lowercase()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(text: &str) -> AlertInfo {
        let ctx = AlertContext::from_text(
            text,
            jiff::Timestamp::UNIX_EPOCH,
            jiff::SignedDuration::ZERO,
            jiff::SignedDuration::ZERO,
        );
        AlertInfo::from_context(&ctx)
    }

    #[test]
    fn alert_names_from_the_common_formats() {
        let cases = [
            (
                "[FIRING:1] KubePodCrashLooping (payments-api payments prod)",
                Some("KubePodCrashLooping"),
            ),
            (
                "[FIRING:1] Watchdog (prod-use1-main monitoring/k8s none)\n• *alertname:* `Watchdog`",
                Some("Watchdog"),
            ),
            (
                "ALARM: \"payments-lambda-errors\" in US East (N. Virginia)",
                Some("payments-lambda-errors"),
            ),
            (
                "[Alerting] High 5xx rate on fraud-scorer",
                Some("High 5xx rate on fraud-scorer"),
            ),
            (
                "Triggered: [P2] High latency on checkout-api",
                Some("High latency on checkout-api"),
            ),
            ("checkout is throwing 502s, anyone looking?", None),
        ];
        for (text, want) in cases {
            assert_eq!(info(text).name.as_deref(), want, "{text}");
        }
        assert!(info("[FIRING:1] Watchdog (x)").is_always_firing());
        assert!(!info("[FIRING:1] KubePodCrashLooping").is_always_firing());
    }

    #[test]
    fn services_are_matched_as_words_or_pod_prefixes() {
        let a = info("[FIRING:1] KubePodCrashLooping payments/payments-api-7f9dd8b6c4-x7gr9");
        assert!(a.mentions("payments-api"));
        assert!(a.mentions("payments"));
        assert!(!a.mentions("cart-api"));
        assert!(!a.mentions("ap"));
        assert!(info("checkout-api in prod").mentions("checkout-api"));
    }
}

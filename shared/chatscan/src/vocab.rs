//! The words that say what a chat message is: an alert, a deploy, a change (and which), an
//! impact report, someone handling it, old noise, a question — whole-word matching only
//! (`sremesh_core::text::find_word`), plus version extraction.

use regex::Regex;
use serde::Serialize;
use sremesh_core::text::{contains_word, find_word};
use std::sync::LazyLock;

mod phrasing;

pub use phrasing::{is_negated, is_old_news, is_question_about};

fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(text, w))
}

/// Alerting tools' words (a bot message with one of these is an alert).
#[rustfmt::skip]
const ALERT_WORDS: &[&str] = &[
    "firing", "resolved", "triggered", "recovered", "alarm", "alert", "alerting", "critical",
    "warning", "error", "errors", "failed", "failure", "failing", "degraded", "down", "outage",
    "incident", "unhealthy", "impaired", "investigating", "escalated", "p1", "p2", "p3", "p4",
    "p5", "sev1", "sev2", "sev3",
];
#[rustfmt::skip]
const ALERT_MARKS: &[&str] = &[
    "❌", "⚠️", "🚨", "🔥", "🔴", ":rotating_light:", ":red_circle:", ":warning:", ":x:",
];
/// An alert that is over.
const RESOLVED_WORDS: &[&str] = &["resolved", "recovered", "ok", "back to normal", "cleared"];

/// True when a bot's message reads like an alert notification.
pub fn is_alert_like(text: &str) -> bool {
    any_word(text, ALERT_WORDS) || ALERT_MARKS.iter().any(|m| text.contains(m))
}

/// True when an alert notification says the condition is over (`[RESOLVED]`, `Recovered:`,
/// CloudWatch `OK:`).
pub fn is_resolved(text: &str) -> bool {
    let head: String = text.chars().take(80).collect();
    (any_word(&head, RESOLVED_WORDS) || head.contains(":white_check_mark:"))
        && !contains_word(&head, "firing")
}

#[rustfmt::skip]
const DEPLOY_WORDS: &[&str] = &[
    "deploy", "deploying", "deployed", "deploys", "rollout", "rolling out", "rolled out",
    "roll out", "release", "released", "releasing", "bump", "bumped", "sync started", "synced",
    "promoting", "promoted", "canary", "pipeline", "upgrade", "upgrading", "upgraded",
];
/// Weak deploy phrasings: a deploy only with a version beside them (`v2.3.1 is out`).
#[rustfmt::skip]
const WEAK_DEPLOY_WORDS: &[&str] = &[
    "going out", "is out", "went out", "is live", "went live", "live", "ship", "shipping",
    "shipped",
];

/// True when the text announces a deploy (strong words, or weak ones next to a version).
pub fn is_deploy(text: &str) -> bool {
    any_word(text, DEPLOY_WORDS) || (any_word(text, WEAK_DEPLOY_WORDS) && version(text).is_some())
}

/// What kind of change a message announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Migration,
    Config,
    Maintenance,
    Failover,
    Restart,
    FeatureFlag,
    Scaling,
    Traffic,
    Upgrade,
    /// A load, stress, soak or performance test (k6, Locust, JMeter, Gatling…).
    LoadTest,
    /// A chaos experiment or game day (fault injection).
    Chaos,
    /// A benchmark run.
    Benchmark,
}

impl ChangeKind {
    /// The wire name (`feature_flag`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Migration => "migration",
            ChangeKind::Config => "config",
            ChangeKind::Maintenance => "maintenance",
            ChangeKind::Failover => "failover",
            ChangeKind::Restart => "restart",
            ChangeKind::FeatureFlag => "feature_flag",
            ChangeKind::Scaling => "scaling",
            ChangeKind::Traffic => "traffic",
            ChangeKind::Upgrade => "upgrade",
            ChangeKind::LoadTest => "load_test",
            ChangeKind::Chaos => "chaos_experiment",
            ChangeKind::Benchmark => "benchmark",
        }
    }

    /// True for activities planned ahead (tests, experiments, maintenance windows, traffic
    /// campaigns): announced hours before, they explain alerts while they run.
    pub fn is_planned_activity(self) -> bool {
        matches!(
            self,
            ChangeKind::LoadTest
                | ChangeKind::Chaos
                | ChangeKind::Benchmark
                | ChangeKind::Maintenance
                | ChangeKind::Traffic
        )
    }

    /// Words for a title (`Config change`).
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Migration => "Migration",
            ChangeKind::Config => "Config change",
            ChangeKind::Maintenance => "Maintenance",
            ChangeKind::Failover => "Failover",
            ChangeKind::Restart => "Restart",
            ChangeKind::FeatureFlag => "Feature flag change",
            ChangeKind::Scaling => "Scaling",
            ChangeKind::Traffic => "Traffic event",
            ChangeKind::Upgrade => "Upgrade",
            ChangeKind::LoadTest => "Load test",
            ChangeKind::Chaos => "Chaos experiment",
            ChangeKind::Benchmark => "Benchmark",
        }
    }
}

#[rustfmt::skip]
const CHANGE_WORDS: &[(ChangeKind, &[&str])] = &[
    (ChangeKind::Migration, &[
        "migration", "migrating", "migrate", "migrated", "backfill", "backfilling",
        "schema change", "ddl", "reindex", "reindexing", "cutover", "cut over",
    ]),
    (ChangeKind::Config, &[
        "config change", "configuration", "config", "configmap", "kubectl edit", "kubectl apply",
        "switched", "switching", "repointed", "env var", "chart", "helm values", "rotated",
        "rotating", "renewed", "terraform apply", "dns change", "firewall", "security group",
    ]),
    (ChangeKind::Maintenance, &[
        "maintenance", "maintenance window", "scheduled maintenance", "patching", "patch window",
        "os patches", "kernel update", "kernel upgrade", "drain", "draining", "cordon",
        "cordoned", "node rotation", "node rotations", "rotating nodes", "rotating the nodes",
        "ami rotation", "rolling the nodes", "node replacement", "scheduled reboot",
        "scheduled reboots", "planned reboot", "instance-reboot", "instance reboot",
        "system-reboot", "instance-retirement", "instance retirement",
    ]),
    (ChangeKind::Failover, &[
        "failover", "fail over", "failing over", "failed over", "switchover",
    ]),
    (ChangeKind::Restart, &[
        "rolling restart", "restart", "restarting", "restarted", "bounce", "bounced", "bouncing",
        "reboot", "rebooting", "rebooted", "recycle", "recycled",
    ]),
    (ChangeKind::FeatureFlag, &[
        "feature flag", "flag", "toggle", "toggled", "kill switch", "turned on", "turned off",
        "enabled", "disabled",
    ]),
    (ChangeKind::Scaling, &[
        "scaling", "scaled", "scale up", "scale down", "scale to", "replicas", "resize",
        "resized", "resizing", "autoscaling",
    ]),
    (ChangeKind::Traffic, &[
        "campaign", "launch", "launched", "flash sale", "traffic spike", "went live",
        "marketing push", "push notification", "email blast", "newsletter", "promo",
    ]),
    (ChangeKind::LoadTest, &[
        "load test", "load tests", "load-test", "load-tests", "loadtest", "load testing",
        "stress test", "stress testing", "soak test", "perf test", "performance test", "k6",
        "locust", "jmeter", "gatling", "vegeta", "artillery", "spike test",
    ]),
    (ChangeKind::Chaos, &[
        "chaos experiment", "chaos test", "chaos testing", "chaos engineering", "chaos mesh",
        "chaos monkey", "game day", "gameday", "game-day", "fault injection", "litmus",
        "gremlin", "fis experiment",
    ]),
    (ChangeKind::Benchmark, &[
        "benchmark", "benchmarks", "benchmarking",
    ]),
    (ChangeKind::Upgrade, &[
        "upgrade", "upgrading", "upgraded",
    ]),
];

/// The change the text announces: a planned activity (a load test, a maintenance window)
/// wherever it is named, else the first change word (the longest at one place).
pub fn change_kind(text: &str) -> Option<ChangeKind> {
    let found = || {
        CHANGE_WORDS.iter().flat_map(|(kind, words)| {
            words
                .iter()
                .filter_map(|w| find_word(text, w).map(|p| (p, std::cmp::Reverse(w.len()), *kind)))
        })
    };
    let specific = |k: ChangeKind| {
        matches!(
            k,
            ChangeKind::LoadTest | ChangeKind::Chaos | ChangeKind::Benchmark
        )
    };
    found()
        .filter(|(_, _, k)| specific(*k))
        .min()
        .or_else(|| found().min())
        .map(|(_, _, kind)| kind)
}

#[rustfmt::skip]
const PLANNING_WORDS: &[&str] = &[
    "planned", "scheduled", "upcoming", "heads-up", "heads up", "fyi", "reminder", "tonight",
    "tomorrow", "expect", "expected", "will run", "will be", "starting at", "kicking off",
    "window",
];

/// True when the text announces a planned activity: a test, experiment or maintenance
/// window, or any change said to be planned or scheduled.
pub fn is_planned(text: &str) -> bool {
    change_kind(text).is_some_and(|k| {
        k.is_planned_activity() || any_word(text, PLANNING_WORDS) || text.contains('📢')
    })
}

#[rustfmt::skip]
const IMPACT_WORDS: &[&str] = &[
    "error", "errors", "erroring", "5xx", "500", "500s", "502", "502s", "503", "503s", "504",
    "504s", "failing", "failed", "fails", "failure", "failures", "down", "slow", "slowness",
    "latency", "timeout", "timeouts", "timing out", "timed out", "stuck", "broken", "not working",
    "restarts", "restarting", "crashing", "crashloop", "crashlooping", "crash", "oom", "unable",
    "can't", "cannot", "degraded", "spiky", "spike", "spikes", "outage", "complaining", "backlog",
    "lag", "lagging", "dropping", "dropped", "missing", "not going out",
];

/// True when a person's message reports impact (errors, slowness, failures).
pub fn is_impact(text: &str) -> bool {
    any_word(text, IMPACT_WORDS)
}

#[rustfmt::skip]
const HANDLED_PHRASES: &[&str] = &[
    "rolled back", "rolling back", "rollback done", "reverted", "reverting", "mitigated", "fixed",
    "resolved", "on it", "looking into", "i'm looking", "im looking", "investigating", "acked",
    "acknowledged", "handling it", "taking this", "i've got it", "got this",
];

/// True when a person says the problem is being handled (or is over): on it, rolled back…
pub fn is_handled(text: &str) -> bool {
    let t = text
        .trim()
        .trim_end_matches(['.', '!', '…'])
        .to_ascii_lowercase();
    matches!(t.as_str(), "looking" | "on it" | "ack" | "checking" | "👀")
        || HANDLED_PHRASES.iter().any(|p| contains_word(text, p))
}

#[rustfmt::skip]
const DONE_PHRASES: &[&str] = &[
    "done", "complete", "completed", "finished", "back to normal", "all good", "all back",
    "succeeded", "is out", "rolled out",
];

/// True when a message says a change or deploy has finished.
pub fn is_done(text: &str) -> bool {
    any_word(text, DONE_PHRASES)
}

#[rustfmt::skip]
const NOISE_PHRASES: &[&str] = &[
    "those are old", "these are old", "that's old", "is old", "are old", "since monday",
    "since tuesday", "since wednesday", "since thursday", "since friday", "since saturday",
    "since sunday", "since yesterday", "for days", "for weeks", "known issue", "harmless", "noise",
    "been there", "pre-existing", "unrelated", "not related", "ignore", "always there", "silenced",
];

/// True when a message says something is old, known or harmless.
pub fn is_noise(text: &str) -> bool {
    NOISE_PHRASES.iter().any(|p| contains_word(text, p))
}

/// The first place where one of `words` occurs.
pub fn first_word_at(text: &str, words: &[&str]) -> Option<usize> {
    words.iter().filter_map(|w| find_word(text, w)).min()
}

/// Where the deploy wording of `text` starts (for the question check).
pub fn deploy_word_at(text: &str) -> Option<usize> {
    first_word_at(text, DEPLOY_WORDS).or_else(|| first_word_at(text, WEAK_DEPLOY_WORDS))
}

/// Where the change wording of `text` starts.
pub fn change_word_at(text: &str) -> Option<usize> {
    CHANGE_WORDS
        .iter()
        .flat_map(|(_, words)| words.iter().filter_map(|w| find_word(text, w)))
        .min()
}

/// Every place where one of `words` occurs (whole words), in order.
fn every_word_at(text: &str, words: &[&str]) -> Vec<usize> {
    let mut out: Vec<usize> = words
        .iter()
        .flat_map(|w| {
            let mut found = Vec::new();
            let mut from = 0;
            while from < text.len() {
                let Some(p) = find_word(&text[from..], w) else {
                    break;
                };
                found.push(from + p);
                let step = text[from + p..].chars().next().map_or(1, char::len_utf8);
                from += p + step;
            }
            found
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The first place `words` are used to tell something: not in a question, not negated
/// ("I don't see a deploy", "no maintenance today"), not about last night.
fn announced_at(text: &str, words: &[&str]) -> Option<usize> {
    every_word_at(text, words)
        .into_iter()
        .find(|&p| !is_question_about(text, p) && !is_negated(text, p) && !is_old_news(text, p))
}

/// Where `text` announces a deploy (see [`announced_at`]).
pub fn deploy_announced_at(text: &str) -> Option<usize> {
    announced_at(text, DEPLOY_WORDS).or_else(|| {
        version(text)
            .is_some()
            .then(|| announced_at(text, WEAK_DEPLOY_WORDS))
            .flatten()
    })
}

/// Where `text` announces a change (see [`announced_at`]).
pub fn change_announced_at(text: &str) -> Option<usize> {
    let words: Vec<&str> = CHANGE_WORDS
        .iter()
        .flat_map(|(_, ws)| ws.iter().copied())
        .collect();
    announced_at(text, &words)
}

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s:(@=`*'\x22/])(v?\d+\.\d+(?:\.\d+)*(?:-[A-Za-z0-9.]+)?|v\d+)(?:$|[\s,;)`*'\x22!?]|\.(?:\s|$))")
        .expect("static regex")
});

/// The version a message announces: the one after `→`, `->` or ` to ` when present (the new
/// one), else the first (`v1.8.0`, `checkout-api:v3.12.0`, `5.2.0`, `v12`).
pub fn version(text: &str) -> Option<String> {
    let found: Vec<(usize, String)> = VERSION_RE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| (m.start(), m.as_str().to_owned())))
        .collect();
    let arrow = ["→", "->", " to "]
        .iter()
        .filter_map(|a| text.find(a))
        .min();
    if let Some(a) = arrow
        && let Some((_, v)) = found.iter().find(|(p, _)| *p > a)
    {
        return Some(v.clone());
    }
    found.into_iter().next().map(|(_, v)| v)
}

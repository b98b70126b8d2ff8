//! The changes a message can announce (`ChangeKind`), their words, and which one a message
//! announces: the first change word told (not asked about, guessed at, denied or placed in the
//! past), a planned activity (a load test, a chaos experiment) wherever it is named.

use super::{flags, is_told};
use serde::Serialize;
use sremesh_core::text::find_word;

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
    /// A service, endpoint or host retired on purpose (decommissioned, sunset, shut down).
    Decommission,
}

impl ChangeKind {
    /// The wire name (`flag`, `load_test`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Migration => "migration",
            ChangeKind::Config => "config",
            ChangeKind::Maintenance => "maintenance",
            ChangeKind::Failover => "failover",
            ChangeKind::Restart => "restart",
            ChangeKind::FeatureFlag => "flag",
            ChangeKind::Scaling => "scaling",
            ChangeKind::Traffic => "traffic",
            ChangeKind::Upgrade => "upgrade",
            ChangeKind::LoadTest => "load_test",
            ChangeKind::Chaos => "chaos_experiment",
            ChangeKind::Benchmark => "benchmark",
            ChangeKind::Decommission => "decommission",
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
                | ChangeKind::Decommission
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
            ChangeKind::Decommission => "Decommission",
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
        "networkpolicy", "network policy", "network policies", "allow-list", "allowlist",
        "allow-lists", "egress rules", "egress policy", "iam policy", "rbac", "parameter group",
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
        "feature flag", "feature toggle", "flag", "toggle", "toggled", "kill switch", "turned on",
        "turned off", "turning on", "turning off", "enabled", "disabled", "enabling", "disabling",
        "flipped", "flipping", "launchdarkly", "unleash", "flagsmith", "growthbook", "configcat",
        "statsig",
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
    (ChangeKind::Decommission, &[
        "decommission", "decommissioning", "decommissioned", "retiring", "retire", "sunsetting",
        "sunset", "shutting down", "shut down", "turning down", "tearing down", "tear down",
        "end of life", "eol",
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

/// Every change word's place and kind in `text` (the longest word at one place first).
fn every_change_word(text: &str) -> Vec<(usize, std::cmp::Reverse<usize>, ChangeKind)> {
    let mut out: Vec<_> = CHANGE_WORDS
        .iter()
        .flat_map(|(kind, words)| {
            words.iter().flat_map(move |w| {
                super::every_word_at(text, &[w])
                    .into_iter()
                    .map(move |p| (p, std::cmp::Reverse(w.len()), *kind))
            })
        })
        .collect();
    out.sort();
    out
}

/// Every place a change word occurs in `text`.
pub(super) fn every_change_at(text: &str) -> Vec<usize> {
    every_change_word(text)
        .into_iter()
        .map(|(p, _, _)| p)
        .collect()
}

/// Where the change wording of `text` starts.
pub fn change_word_at(text: &str) -> Option<usize> {
    every_change_word(text).first().map(|(p, _, _)| *p)
}

/// The change `text` announces and where: among the change words that are told (see
/// [`is_told`]), a planned activity first, then a feature-flag toggle (a flag
/// vendor or "turned on X for 100%" beats the deploy or config words around it), else the
/// first (the longest at one place).
pub fn announced_change(text: &str) -> Option<(usize, ChangeKind)> {
    let found: Vec<_> = every_change_word(text)
        .into_iter()
        .filter(|(p, _, _)| is_told(text, *p))
        .collect();
    let specific = |k: ChangeKind| {
        matches!(
            k,
            ChangeKind::LoadTest | ChangeKind::Chaos | ChangeKind::Benchmark
        )
    };
    let flag = flags::is_flag_toggle(text);
    found
        .iter()
        .find(|(_, _, k)| specific(*k))
        .or_else(|| {
            found
                .iter()
                .find(|(_, _, k)| flag && *k == ChangeKind::FeatureFlag)
        })
        .or_else(|| found.first())
        .map(|(p, _, k)| (*p, *k))
}

/// Where `text` announces a change (see [`announced_change`]).
pub fn change_announced_at(text: &str) -> Option<usize> {
    announced_change(text).map(|(p, _)| p)
}

//! Deterministic root-cause hypotheses: findings from every agent are scored, grouped by
//! (category, service), joined by correlation rules (a rollout before a crash loop, database
//! "too many clients" with application pool timeouts, …), and ranked. The verdict step says
//! "healthy" when the evidence says nothing is wrong now, and "unknown" with what is missing when
//! the evidence is thin — it never invents a cause.

mod candidates;
mod flagkeys;
mod links;
mod operations;
mod rules;
mod verdict;

use crate::alert::AlertInfo;
use jiff::Timestamp;
use sremesh_core::{AgentResult, Category, Citation, Finding, Hypothesis};

/// One finding with the agent that reported it.
#[derive(Debug, Clone, Copy)]
pub struct Ev<'a> {
    pub agent: &'a str,
    pub f: &'a Finding,
}

impl Ev<'_> {
    fn citation(&self) -> Citation {
        Citation {
            agent: self.agent.to_owned(),
            finding: self.f.id.clone(),
        }
    }
}

/// A would-be hypothesis: findings of one category about one service.
#[derive(Debug, Clone)]
pub(crate) struct Group<'a> {
    pub category: Category,
    /// The service (or resource) the group is about; empty when unknown.
    pub service: String,
    /// Scored findings, best first after `finish`.
    pub members: Vec<(Ev<'a>, f64)>,
    /// Context findings that explain it (a rollout, a deploy announcement).
    pub context: Vec<Ev<'a>>,
    /// Sentences added by correlation rules.
    pub notes: Vec<String>,
    /// Extra score from correlation rules.
    pub bonus: f64,
    /// Why the group was demoted (noise, recovered, unrelated), if it was.
    pub demoted: Option<String>,
    /// Some member is new and about the alerted service.
    pub strong: bool,
    /// Why the weak members are weak.
    pub weak: Vec<String>,
    pub score: f64,
}

impl<'a> Group<'a> {
    pub fn primary(&self) -> Option<&Ev<'a>> {
        self.members.first().map(|(e, _)| e)
    }

    /// When the group's failures began: the earliest `onset`, `first_seen` or `at` of its
    /// members.
    pub fn onset(&self) -> Option<Timestamp> {
        self.members
            .iter()
            .filter_map(|(e, _)| {
                [ts_attr(e, "onset"), ts_attr(e, "first_seen"), e.f.at]
                    .into_iter()
                    .flatten()
                    .min()
            })
            .min()
    }

    /// When the group's failures were last seen: the latest `last_seen` (else `at`) of its
    /// members.
    pub fn last_seen(&self) -> Option<Timestamp> {
        self.members
            .iter()
            .filter_map(|(e, _)| ts_attr(e, "last_seen").or(e.f.at))
            .max()
    }

    pub fn agents(&self) -> Vec<&'a str> {
        let mut a: Vec<&str> = self
            .members
            .iter()
            .map(|(e, _)| e.agent)
            .chain(self.context.iter().map(|e| e.agent))
            .collect();
        a.sort_unstable();
        a.dedup();
        a
    }

    /// Recomputes the score: the best member, more for corroboration (other findings, other
    /// agents) and for correlation rules.
    pub fn finish(&mut self) {
        self.members.sort_by(|a, b| b.1.total_cmp(&a.1));
        let best = self.members.first().map_or(0.0, |m| m.1);
        let extra = (self.members.len().saturating_sub(1)).min(3) as f64 * 0.08;
        let agents = self
            .members
            .iter()
            .map(|(e, _)| e.agent)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let cross = (agents.saturating_sub(1)) as f64 * 0.2;
        self.score = best + extra + cross + self.bonus;
    }
}

/// An agent that could not contribute, and why (for "what is missing").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub agent: String,
    pub why: String,
}

/// Ranks root-cause hypotheses from the agents' results (best first; never empty).
pub fn rank(
    alert: &AlertInfo,
    alert_time: Timestamp,
    results: &[&AgentResult],
    missing: &[Missing],
) -> Vec<Hypothesis> {
    let evidence: Vec<Ev<'_>> = results
        .iter()
        .filter(|r| r.status == sremesh_core::AgentStatus::Ok)
        .flat_map(|r| {
            r.findings.iter().map(move |f| Ev {
                agent: r.agent.as_str(),
                f,
            })
        })
        .collect();
    let mut groups = candidates::group(alert, &evidence);
    rules::correlate(alert, alert_time, &evidence, &mut groups);
    for g in &mut groups {
        g.finish();
    }
    groups.sort_by(|a, b| b.score.total_cmp(&a.score));
    verdict::decide(alert, alert_time, &evidence, groups, missing)
}

/// A timestamp attribute of a finding (RFC 3339), if present and valid.
pub(crate) fn ts_attr(e: &Ev<'_>, key: &str) -> Option<Timestamp> {
    e.f.attributes
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
}

/// Minutes from `at` to `alert_time` (positive: before the alert).
pub(crate) fn minutes_before(alert_time: Timestamp, at: Timestamp) -> i64 {
    alert_time.duration_since(at).as_secs() / 60
}

//! One decision per message: is it about the alert (and how closely), and what is it — an
//! alert from a bot, a deploy, a change, someone handling it, a person reporting impact. Thread
//! replies join their root's note, so progress ("backfill at 50%", "restart done") lands in the
//! finding the root started.

use crate::message::ChatMessage;
use crate::targets::{Hit, Strength, Targets};
use crate::vocab::{self, ChangeKind};
use serde::Serialize;
use sremesh_core::text::contains_word;

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// An alert notification from a bot or webhook.
    Alert,
    /// A deploy, rollout or release of the alerted service.
    Deploy,
    /// A migration, config change, maintenance, failover, restart, flag, scaling or traffic
    /// event of the service, its datastore, its namespace or its cluster.
    Change,
    /// A person reporting impact.
    Report,
    /// Someone on it, a rollback, a resolution.
    Handled,
}

/// A message that is about the alert, with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub msg: ChatMessage,
    pub kind: NoteKind,
    /// Where it names the alert's targets (a reply inherits its root's).
    pub hit: Hit,
    /// The index of the root note a reply joins.
    pub root: Option<usize>,
    /// The version it names (deploys, upgrades).
    pub version: Option<String>,
    /// The change it announces.
    pub change: Option<ChangeKind>,
    /// An alert notification saying the condition is over.
    pub resolved: bool,
    /// Says the change or deploy is done.
    pub done: bool,
    /// Says the thing is old, known or harmless.
    pub noise: bool,
}

/// Classifies `messages` (oldest first, already filtered: in the window, not the bot's own,
/// not the alert itself) against `targets`. Messages about nothing the alert names are dropped.
pub fn classify(messages: &[ChatMessage], targets: &Targets) -> Vec<Note> {
    let mut notes: Vec<Note> = Vec::new();
    for m in messages {
        let root = m.thread.as_ref().and_then(|t| {
            notes
                .iter()
                .position(|n| n.msg.id == *t && n.msg.channel == m.channel && n.root.is_none())
        });
        if let Some(r) = root {
            let parent = notes[r].clone();
            let own = targets.best_hit(&m.text);
            let hit = match own {
                Some(h) if h.strength <= parent.hit.strength => h,
                _ => parent.hit.clone(),
            };
            let mut reply = note(m, parent.kind, hit.clone());
            reply.root = Some(r);
            reply.change = parent.change;
            reply.version = vocab::version(&m.text).filter(|_| parent.kind == NoteKind::Deploy);
            notes.push(reply);
            if !m.is_bot && vocab::is_handled(&m.text) && allowed(NoteKind::Handled, &hit) {
                notes.push(note(m, NoteKind::Handled, hit));
            }
            continue;
        }
        let Some(hit) = targets.best_hit(&m.text) else {
            continue;
        };
        if let Some(n) = kind_of(m, &hit) {
            notes.push(n);
        }
    }
    notes
}

fn note(m: &ChatMessage, kind: NoteKind, hit: Hit) -> Note {
    Note {
        msg: m.clone(),
        kind,
        hit,
        root: None,
        version: None,
        change: None,
        resolved: false,
        done: vocab::is_done(&m.text),
        noise: vocab::is_noise(&m.text),
    }
}

/// Which hits each kind accepts: deploys only of the service itself (or a bare product word),
/// changes of the service, its dependencies, its namespace, or infrastructure of its cluster.
fn allowed(kind: NoteKind, hit: &Hit) -> bool {
    match kind {
        NoteKind::Alert => true,
        NoteKind::Deploy => matches!(hit.strength, Strength::Direct | Strength::Scope),
        NoteKind::Change => matches!(
            hit.strength,
            Strength::Direct | Strength::Dependency | Strength::Scope | Strength::Cluster
        ),
        NoteKind::Report | NoteKind::Handled => matches!(
            hit.strength,
            Strength::Direct | Strength::Dependency | Strength::Scope
        ),
    }
}

fn kind_of(m: &ChatMessage, hit: &Hit) -> Option<Note> {
    let text = m.text.as_str();
    // A bot announcing a planned activity (a load test, a maintenance window) is not an alert,
    // whatever words of warning it carries ("expect higher latency").
    let planned = vocab::is_planned(text) && !vocab::is_resolved(text);
    if m.is_bot && !planned && vocab::is_alert_like(text) {
        let mut n = note(m, NoteKind::Alert, hit.clone());
        n.resolved = vocab::is_resolved(text);
        return Some(n);
    }
    let announces = |at: Option<usize>| {
        at.is_some_and(|p| !vocab::is_question_about(text, p) && !vocab::is_old_news(text, p))
    };
    let change = vocab::change_kind(text);
    // A test or experiment is what the message is about even when it deploys its runner.
    let activity = change.filter(|k| {
        matches!(
            k,
            ChangeKind::LoadTest | ChangeKind::Chaos | ChangeKind::Benchmark
        )
    });
    let helm = contains_word(text, "chart") || contains_word(text, "helmrelease");
    let dependency = hit.strength == Strength::Dependency;
    if vocab::is_deploy(text)
        && activity.is_none()
        && !helm
        && !dependency
        && allowed(NoteKind::Deploy, hit)
        && announces(vocab::deploy_announced_at(text))
    {
        let mut n = note(m, NoteKind::Deploy, hit.clone());
        n.version = vocab::version(text);
        return Some(n);
    }
    let change = if helm {
        Some(ChangeKind::Config)
    } else if dependency && vocab::is_deploy(text) {
        change.or(Some(ChangeKind::Upgrade))
    } else {
        change
    };
    if let Some(kind) = change {
        // Infrastructure work and tests aimed at a whole cluster concern its services too.
        let infra = matches!(
            kind,
            ChangeKind::Maintenance
                | ChangeKind::Upgrade
                | ChangeKind::Failover
                | ChangeKind::LoadTest
                | ChangeKind::Chaos
        );
        let ok = allowed(NoteKind::Change, hit) && (hit.strength != Strength::Cluster || infra);
        let at = vocab::change_announced_at(text).or(vocab::deploy_announced_at(text));
        if ok && announces(at) {
            let mut n = note(m, NoteKind::Change, hit.clone());
            n.change = Some(kind);
            n.version = vocab::version(text);
            return Some(n);
        }
    }
    if m.is_bot {
        return None;
    }
    if vocab::is_handled(text) && allowed(NoteKind::Handled, hit) {
        return Some(note(m, NoteKind::Handled, hit.clone()));
    }
    if vocab::is_impact(text) && allowed(NoteKind::Report, hit) {
        return Some(note(m, NoteKind::Report, hit.clone()));
    }
    None
}

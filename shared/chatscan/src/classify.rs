//! One decision per message: is it about the alert (and how closely), and what is it — an
//! alert from a bot, a deploy, a change, someone handling it, a person reporting impact. Thread
//! replies join their root's note, so progress ("backfill at 50%", "restart done") lands in the
//! finding the root started.

use crate::evidence::Channels;
use crate::message::ChatMessage;
use crate::targets::{Hit, Strength, TargetKind, Targets, bare_version};
use crate::vocab::{self, ChangeKind};
use serde::Serialize;

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
/// not the alert itself) against `targets`. Messages about nothing the alert names are dropped
/// — except a message naming a version of the alerted service that the alert or the channel
/// names (`fixed in 1.4.3` where `web-bff 1.4.3` was announced).
pub fn classify(messages: &[ChatMessage], targets: &Targets) -> Vec<Note> {
    classify_in(messages, targets, &Channels::default())
}

/// [`classify`], knowing the channels' names: a feature flag switched in a channel named after
/// the alert's service or product (`#pricing`) is about it even when it names only the flag.
pub fn classify_in(messages: &[ChatMessage], targets: &Targets, channels: &Channels) -> Vec<Note> {
    let releases = Releases::collect(messages, targets);
    let about = |m: &ChatMessage| {
        targets
            .best_hit(&m.text)
            .or_else(|| releases.hit(m))
            .or_else(|| flag_in_product_channel(m, targets, channels))
            .or_else(|| flag_named_in_alert(m, targets))
    };
    let mut notes: Vec<Note> = Vec::new();
    for m in messages {
        let root = m.thread.as_ref().and_then(|t| {
            notes
                .iter()
                .position(|n| n.msg.id == *t && n.msg.channel == m.channel && n.root.is_none())
        });
        if let Some(r) = root {
            let parent = notes[r].clone();
            let own = about(m);
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
                let mut h = note(m, NoteKind::Handled, hit);
                h.version = vocab::fix_version(&m.text);
                notes.push(h);
            }
            continue;
        }
        let Some(hit) = about(m) else {
            continue;
        };
        if let Some(n) = kind_of(m, &hit) {
            notes.push(n);
        }
    }
    notes
}

/// Versions of the alerted services: the alert's releases, and versions a message names
/// beside a service in a channel (`🚀 web-bff 1.4.3 deploying`) — so that `fixed in 1.4.3`
/// in that channel is about web-bff. A version two services share names neither.
struct Releases<'t> {
    targets: &'t Targets,
    /// (channel, version without `v`, hit)
    seen: Vec<(String, String, Hit)>,
}

impl<'t> Releases<'t> {
    fn collect(messages: &[ChatMessage], targets: &'t Targets) -> Self {
        let mut seen: Vec<(String, String, Hit)> = Vec::new();
        for m in messages {
            let Some(hit) = targets.best_hit(&m.text) else {
                continue;
            };
            let named = matches!(hit.target.kind, TargetKind::Service | TargetKind::Resource);
            if hit.strength != Strength::Direct || !named {
                continue;
            }
            for v in vocab::versions(&m.text) {
                let v = bare_version(&v).to_owned();
                if !seen.iter().any(|(c, x, _)| *c == m.channel && *x == v) {
                    seen.push((m.channel.clone(), v, hit.clone()));
                }
            }
        }
        Self { targets, seen }
    }

    fn hit(&self, m: &ChatMessage) -> Option<Hit> {
        let mut found: Option<Hit> = None;
        for v in vocab::versions(&m.text) {
            let v = bare_version(&v);
            let hits = self
                .seen
                .iter()
                .filter(|(c, x, _)| *c == m.channel && x == v)
                .map(|(_, _, h)| h.clone())
                .chain(self.targets.release_hit(v));
            for h in hits {
                match &found {
                    Some(f) if f.target != h.target => return None,
                    _ => found = Some(h),
                }
            }
        }
        found
    }
}

/// A flag switched in a channel named after the alert's service, namespace or product: about
/// that product, with the flag as its subject.
fn flag_in_product_channel(m: &ChatMessage, targets: &Targets, channels: &Channels) -> Option<Hit> {
    if !vocab::flags::is_flag_toggle(&m.text) {
        return None;
    }
    let name = channels.name(&m.channel)?.replace(['-', '_'], " ");
    let hit = targets
        .best_hit(&name)
        .filter(|h| h.strength <= Strength::Scope)?;
    Some(Hit {
        strength: Strength::Scope,
        subject: vocab::flags::flag_name(&m.text).unwrap_or_else(|| hit.target.name.clone()),
        target: hit.target,
    })
}

/// A flag switched whose key the alert's own words name (`bundle_discounts_v2` beside a crash
/// in `internal/discount/bundle.go`): about the alerted product, with the flag as its subject.
fn flag_named_in_alert(m: &ChatMessage, targets: &Targets) -> Option<Hit> {
    if !vocab::flags::is_flag_toggle(&m.text) {
        return None;
    }
    let key = vocab::flags::flag_name(&m.text).filter(|k| targets.alert_names_key(k))?;
    let target = targets
        .list()
        .iter()
        .find(|t| t.kind != TargetKind::Cluster)
        .cloned()
        .unwrap_or_else(|| crate::targets::Target {
            name: key.clone(),
            kind: TargetKind::Scope,
        });
    Some(Hit {
        strength: Strength::Scope,
        subject: key,
        target,
    })
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
    // whatever words of warning it carries ("expect higher latency"); nor is a provider's
    // status post (its own finding).
    let planned = vocab::is_planned(text) && !vocab::is_resolved(text);
    let status = crate::provider::status_post(text, m.is_bot).is_some();
    if m.is_bot && !planned && !status && vocab::is_alert_like(text) {
        let mut n = note(m, NoteKind::Alert, hit.clone());
        n.resolved = vocab::is_resolved(text);
        return Some(n);
    }
    // A person telling of a fix (`fixed in 1.4.3, rolling out now`) or of recovery (`errors
    // at zero`) is handling it, whatever deploy words the message carries.
    if !m.is_bot && allowed(NoteKind::Handled, hit) {
        let fix = vocab::fix_version(text);
        if fix.is_some() || vocab::is_recovery(text) {
            let mut n = note(m, NoteKind::Handled, hit.clone());
            n.version = fix.or_else(|| vocab::version(text));
            return Some(n);
        }
    }
    // A person asking or guessing about a deploy or change while reporting impact ("can't
    // reach the db, did RDS just fail over?") is diagnosing, not announcing.
    let guessing = !m.is_bot && vocab::speculates_about_change(text) && vocab::is_impact(text);
    let announced = vocab::announced_change(text).map(|(_, k)| k);
    let specific = |k: ChangeKind| {
        matches!(
            k,
            ChangeKind::LoadTest | ChangeKind::Chaos | ChangeKind::Benchmark
        )
    };
    // A test or experiment is what the message is about even when it deploys its runner; a
    // flag switched or a configuration object rolled out is a change, not a deploy.
    let activity = announced.filter(|k| specific(*k));
    let flag = announced == Some(ChangeKind::FeatureFlag) && vocab::flags::is_flag_toggle(text);
    let config = vocab::names_config_object(text);
    let deploy_told = vocab::deploy_announced_at(text).is_some();
    let dependency = hit.strength == Strength::Dependency;
    if !guessing
        && vocab::is_deploy(text)
        && activity.is_none()
        && !flag
        && !config
        && !dependency
        && allowed(NoteKind::Deploy, hit)
        && deploy_told
    {
        let mut n = note(m, NoteKind::Deploy, hit.clone());
        n.version = vocab::version(text);
        return Some(n);
    }
    let change = match announced {
        Some(k) if specific(k) || (flag && k == ChangeKind::FeatureFlag) => Some(k),
        _ if config && (announced.is_some() || deploy_told) => Some(ChangeKind::Config),
        _ if dependency && deploy_told && vocab::is_deploy(text) => {
            announced.or(Some(ChangeKind::Upgrade))
        }
        other => other,
    };
    if let Some(kind) = change.filter(|_| !guessing) {
        // Infrastructure work and tests aimed at a whole cluster concern its services too.
        let infra = matches!(
            kind,
            ChangeKind::Maintenance
                | ChangeKind::Upgrade
                | ChangeKind::Failover
                | ChangeKind::LoadTest
                | ChangeKind::Chaos
        );
        if allowed(NoteKind::Change, hit) && (hit.strength != Strength::Cluster || infra) {
            let mut hit = hit.clone();
            if kind == ChangeKind::FeatureFlag
                && let Some(name) = vocab::flags::flag_name(text)
            {
                hit.subject = name;
            }
            let mut n = note(m, NoteKind::Change, hit);
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

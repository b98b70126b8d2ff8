//! `alert_history`: the same alert (its title without the state it reports) fired before, in
//! the alert's channel over the look-back and in the window: how many times, whether each
//! firing ended on its own (a recovery notification, nobody acting in between), the details
//! every firing shares with this one (the one failing location) — and `flapping` when it keeps
//! firing and clearing by itself. Context that can make an alert a known false alarm; never a
//! cause.

use super::Input;
use crate::evidence::{cap_lines, line, minutes_before, slug};
use crate::message::ChatMessage;
use crate::recurrence::{self, Identity};
use crate::targets::TargetKind;
use crate::vocab;
use jiff::{SignedDuration, Timestamp};
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity};

/// Messages this close to the alert with its text are the alert itself (or its echo).
const ECHO: SignedDuration = SignedDuration::from_mins(2);

/// One firing of the alert before this one.
struct Episode<'m> {
    start: &'m ChatMessage,
    /// Notifications while it was open (re-notifications included).
    notifications: usize,
    /// The recovery notification that closed it.
    end: Option<&'m ChatMessage>,
    /// A person acted (rolled back, restarted, said they were on it) while it was open.
    acted: bool,
    /// The references it carries (`#18790`), which a closing notice may quote instead.
    refs: Vec<String>,
}

impl Episode<'_> {
    fn on_its_own(&self) -> bool {
        self.end.is_some() && !self.acted
    }
}

pub(super) fn analyze(input: &Input) -> Vec<Finding> {
    let Some(me) = recurrence::identity(&input.alert_text) else {
        return Vec::new();
    };
    let candidates = candidates(input);
    let episodes = episodes(&me, &candidates);
    if episodes.is_empty() {
        return Vec::new();
    }
    vec![finding(input, &me, &episodes)]
}

/// The history and the window's messages, before the alert, oldest first, once each.
fn candidates(input: &Input) -> Vec<&ChatMessage> {
    let alert = crate::evidence::one_line(&input.alert_text);
    let mut all: Vec<&ChatMessage> = Vec::new();
    for m in input.history.iter().chain(&input.messages) {
        let echo = crate::evidence::one_line(&m.text) == alert
            && input.alert_time.duration_since(m.at).abs() <= ECHO;
        let before = m.at < input.alert_time - SignedDuration::from_secs(30);
        if before && !echo && !all.iter().any(|o| o.channel == m.channel && o.id == m.id) {
            all.push(m);
        }
    }
    all.sort_by_key(|m| m.at);
    all
}

fn episodes<'m>(me: &Identity, messages: &[&'m ChatMessage]) -> Vec<Episode<'m>> {
    let mut out: Vec<Episode<'m>> = Vec::new();
    for &m in messages {
        let open = out.last_mut().filter(|e| e.end.is_none());
        if !m.is_bot {
            // A person acting on an open firing, in its channel.
            let acts = vocab::is_handled(&m.text) || vocab::announced_change(&m.text).is_some();
            if let Some(e) = open.filter(|e| e.start.channel == m.channel && acts) {
                e.acted = true;
            }
            continue;
        }
        let same = recurrence::identity(&m.text).is_some_and(|i| me.same_as(&i));
        let resolved = vocab::is_resolved(&m.text);
        let quotes = |e: &Episode| {
            recurrence::references(&m.text)
                .iter()
                .any(|r| e.refs.contains(r))
        };
        match open {
            Some(e) if resolved && (same || quotes(e)) => e.end = Some(m),
            Some(e) if same && !resolved => e.notifications += 1,
            None if same && !resolved => out.push(Episode {
                start: m,
                notifications: 1,
                end: None,
                acted: false,
                refs: recurrence::references(&m.text),
            }),
            _ => {}
        }
    }
    out
}

/// `35 min`, `2 h`.
fn short(d: SignedDuration) -> String {
    let mins = d.as_mins().max(1);
    if mins < 60 {
        format!("{mins} min")
    } else {
        format!("{} h", (mins + 30) / 60)
    }
}

/// `2 days`, `17 hours`, `45 min`: how far back the first firing was.
fn span(from: Timestamp, to: Timestamp) -> String {
    let mins = to.duration_since(from).as_mins().max(1);
    let hours = (mins + 59) / 60;
    if mins < 90 {
        format!("{mins} min")
    } else if hours <= 36 {
        format!("{hours} hours")
    } else {
        format!("{} days", (hours + 23) / 24)
    }
}

fn finding(input: &Input, me: &Identity, episodes: &[Episode]) -> Finding {
    let n = episodes.len();
    let first = episodes[0].start;
    let last = episodes[n - 1].start;
    let own = episodes.iter().filter(|e| e.on_its_own()).count();
    let flapping = n >= 2 && own == n;
    let starts: Vec<&str> = episodes.iter().map(|e| e.start.text.as_str()).collect();
    let shared = recurrence::shared_details(&input.alert_text, me, &starts);
    let mut title = format!(
        "Same alert “{}” fired {n} time{} in the last {} before this one",
        truncate(&me.title, 90),
        if n == 1 { "" } else { "s" },
        span(first.at, input.alert_time),
    );
    if !shared.is_empty() {
        let how = if shared.iter().any(|d| recurrence::is_place(d)) {
            "from"
        } else {
            "with"
        };
        let each = if n == 1 { "also" } else { "each time" };
        title.push_str(&format!(", {each} {how} {}", shared.join(", ")));
    }
    let longest = episodes
        .iter()
        .filter_map(|e| e.end.map(|end| end.at.duration_since(e.start.at)))
        .max()
        .unwrap_or_default();
    match (own, n) {
        (1, 1) => title.push_str(&format!(", resolving on its own after {}", short(longest))),
        (o, n) if o == n => title.push_str(&format!(
            ", each resolving on its own within {}",
            short(longest)
        )),
        (0, _) => {}
        (o, n) => title.push_str(&format!(", {o} of {n} resolving on their own")),
    }
    if episodes[n - 1].end.is_none() {
        title.push_str(&format!(
            "; no recovery posted since the last one, {} ago",
            span(last.at, input.alert_time)
        ));
    }
    if flapping {
        title.push_str(" — flapping");
    }
    let firings: Vec<serde_json::Value> = episodes
        .iter()
        .map(|e| {
            serde_json::json!({
                "at": e.start.at.to_string(),
                "resolved_at": e.end.map(|m| m.at.to_string()),
                "minutes_open": e.end.map(|m| m.at.duration_since(e.start.at).as_mins()),
                "on_its_own": e.on_its_own(),
                "notifications": e.notifications,
            })
        })
        .collect();
    let mut shown: Vec<&ChatMessage> = Vec::new();
    for e in episodes {
        shown.push(e.start);
        shown.extend(e.end);
    }
    let evidence = cap_lines(
        shown.iter().map(|m| line(&input.channels, m)).collect(),
        "message(s)",
    );
    let key: Vec<&str> = me.words.iter().map(String::as_str).collect();
    let mut f = Finding::new(
        format!("alert_history:{}", slug(&truncate(&key.join("-"), 60))),
        "alert_history",
        if flapping {
            Severity::Low
        } else {
            Severity::Info
        },
        title,
    )
    .with_evidence(evidence)
    .with_resource(format!("channel:{}", first.channel))
    .at(first.at)
    .with_attr("count", n)
    .with_attr(
        "notifications",
        episodes.iter().map(|e| e.notifications).sum::<usize>(),
    )
    .with_attr("resolved_on_own", own)
    .with_attr("all_resolved_on_own", own == n)
    .with_attr("flapping", flapping)
    .with_attr("shared", shared)
    .with_attr("firings", firings)
    .with_attr("alert_title", me.title.clone())
    .with_attr("source", first.author.clone())
    .with_attr("channel", input.channels.label(&first.channel))
    .with_attr(
        "minutes_before_alert",
        minutes_before(input.alert_time, first.at),
    )
    .with_attr(
        "last_fired_minutes_before_alert",
        minutes_before(input.alert_time, last.at),
    )
    .with_attr("open", episodes[n - 1].end.is_none());
    let primary = input.targets.primary();
    if let Some(s) = input
        .targets
        .list()
        .iter()
        .find(|t| Some(t.name.as_str()) == primary && t.kind == TargetKind::Service)
    {
        f = f.with_service(s.name.clone());
    }
    if let Some(l) = &first.link {
        f = f.with_link(l.clone());
    }
    f
}

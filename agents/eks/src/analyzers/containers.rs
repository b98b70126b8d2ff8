//! Container states: `oom_killed` (reason OOMKilled — not every exit 137 is OOM; [`oom`]) and
//! `crash_loop` (the last termination's reason and exit code, the previous log's signature);
//! containers that never start are in [`startup`].

use super::facts::{self, hms, line};
use super::logs::{self, render};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use sremesh_core::{Category, Finding, Severity};

mod jvm;
mod oom;
mod startup;

pub use oom::oom_recurring;
pub use startup::{missing_object, pull_cause, pull_detail};

type Hit<'a> = (&'a Pod, &'a ContainerStatus);

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        let pods: Vec<&Pod> = s.pods_of(u).collect();
        let mut names: Vec<&str> = Vec::new();
        for p in &pods {
            for c in facts::statuses(p) {
                if !names.contains(&c.name.as_str()) {
                    names.push(&c.name);
                }
            }
        }
        for c in names {
            // Evicted or lost pods stopped because of their node, not their process.
            let sts: Vec<Hit> = pods
                .iter()
                .filter(|p| facts::pod_reason(p).is_none())
                .flat_map(|p| {
                    facts::statuses(p)
                        .filter(|x| x.name == c)
                        .map(move |x| (*p, x))
                })
                .collect();
            let ctx = Ctx {
                s,
                u,
                container: c,
                total: pods.len(),
                down: s.unit_down(u),
            };
            out.extend(oom::oom(&ctx, &sts));
            out.extend(crash(&ctx, &sts));
            out.extend(startup::image_pull(&ctx, &sts));
            out.extend(startup::config_missing(&ctx, &sts));
        }
    }
    out
}

struct Ctx<'a> {
    s: &'a Scene,
    u: &'a Unit,
    container: &'a str,
    total: usize,
    down: bool,
}

impl Ctx<'_> {
    /// `pod-x` for one pod, `unit: 2/3 pods` for several.
    fn who(&self, hits: &[Hit]) -> String {
        match hits {
            [(p, _)] => facts::pod_name(p).to_owned(),
            _ => format!("{}: {}/{} pods", self.u.name, hits.len(), self.total),
        }
    }

    fn severity(&self) -> Severity {
        if self.down {
            Severity::Critical
        } else {
            Severity::High
        }
    }

    fn finding(&self, kind: &str, severity: Severity, title: String, hits: &[Hit]) -> Finding {
        let mut f = unit_finding(kind, self.u, severity, line(title))
            .with_attr("container", self.container)
            .with_attr("pods", hits.len() as u64);
        if let [(p, _)] = hits {
            f.resource = Some(format!("pod/{}", facts::pod_key(p)));
        }
        f
    }
}

fn state(c: &ContainerStatus) -> String {
    match facts::waiting(c) {
        Some((r, _)) => r.to_owned(),
        None if facts::running_since(c).is_some() => if c.ready {
            "Running, Ready"
        } else {
            "Running, not ready"
        }
        .to_owned(),
        None => "Terminated".to_owned(),
    }
}

/// What an exit code says on its own.
pub fn exit_meaning(code: i32) -> (&'static str, Option<Category>) {
    match code {
        137 => ("SIGKILL", None),
        143 => ("SIGTERM", None),
        139 => ("segmentation fault", Some(Category::CodeDefect)),
        134 => ("abort", Some(Category::CodeDefect)),
        127 => ("command not found", Some(Category::ConfigurationError)),
        126 => ("command not executable", Some(Category::ConfigurationError)),
        _ => ("", None),
    }
}

fn crash(x: &Ctx, sts: &[Hit]) -> Option<Finding> {
    let hits: Vec<Hit> = sts
        .iter()
        .copied()
        // A finished pod (a Job's failed run) does not restart: `job_failed` tells its story.
        .filter(|(p, _)| !matches!(facts::phase(p), "Failed" | "Succeeded"))
        .filter(|(_, c)| {
            let term = facts::last_termination(c);
            if term.is_some_and(|t| t.reason.as_deref() == Some("OOMKilled")) {
                return false;
            }
            match facts::waiting(c) {
                Some((r, _)) => {
                    matches!(r, "CrashLoopBackOff" | "RunContainerError" | "StartError")
                }
                None => {
                    !c.ready
                        && facts::running_since(c).is_none()
                        && term
                            .and_then(|t| t.finished_at.as_ref())
                            .is_some_and(|t| x.s.in_window(t.0))
                        && term.is_some_and(|t| t.exit_code != 0)
                }
            }
        })
        .collect();
    let (first_pod, first_cs) = *hits.first()?;
    let term = facts::last_termination(first_cs);
    let code = term.map_or(0, |t| t.exit_code);
    let reason = term
        .and_then(|t| t.reason.clone())
        .unwrap_or_else(|| "Error".to_owned());
    let restarts = facts::total(hits.iter().map(|(_, c)| c.restart_count));
    let waiting = facts::waiting(first_cs).map_or("restarting", |(r, _)| r);
    let liveness_kill = code == 137
        && hits.iter().any(|(p, _)| {
            x.s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
                .any(|e| {
                    facts::event_reason(e) == "Killing"
                        && facts::event_message(e).contains("liveness")
                })
        });

    // What the previous run died of: its terminal error (the last error before exit). A fatal
    // report (an exception, a panic, a stack trace) that ends the run is the cause even when
    // healthy pods log it too; a routine error line they also log is not. Failing that, the
    // last signature in its tail that healthy pods do not log.
    let background = logs::background(x.s, x.u);
    let mut decisive: Option<logs::Hit> = None;
    let mut tail: Vec<String> = Vec::new();
    let mut doing: Option<String> = None;
    let mut frame: Option<String> = None;
    for (p, _) in &hits {
        let Some(l) =
            x.s.log(p, x.container, true)
                .or_else(|| x.s.log(p, x.container, false))
        else {
            continue;
        };
        if let Some(h) = logs::terminal(&l.lines)
            && (!background.contains(&h.sig.id) || logs::fatal_report(&l.lines))
        {
            decisive = Some(h);
            tail = logs::terminal_block(&l.lines, 3);
            doing = logs::before_terminal(&l.lines).map(|x| render(&x.text));
            frame = super::frames::top_frame(&l.lines);
            break;
        }
    }
    if decisive.is_none() {
        for (p, _) in &hits {
            let Some(l) =
                x.s.log(p, x.container, true)
                    .or_else(|| x.s.log(p, x.container, false))
            else {
                continue;
            };
            let last: &[super::LogLine] = &l.lines[l.lines.len().saturating_sub(40)..];
            if let Some(h) = logs::hits(last)
                .into_iter()
                .rev()
                .find(|h| !background.contains(&h.sig.id))
            {
                decisive = Some(h);
                frame = super::frames::top_frame(last);
            }
            if tail.is_empty() {
                let errs: Vec<String> = last
                    .iter()
                    .filter(|l| logs::is_error(&l.text))
                    .map(|l| render(&l.text))
                    .collect();
                let pick = if errs.is_empty() {
                    last.iter().map(|l| render(&l.text)).collect()
                } else {
                    errs
                };
                tail = pick[pick.len().saturating_sub(3)..].to_vec();
            }
            if decisive.is_some() {
                break;
            }
        }
    }

    let (meaning, exit_cat) = exit_meaning(code);
    let category = if liveness_kill {
        None
    } else if let Some(h) = &decisive {
        Some(logs::category_of(h.sig, &h.raw))
    } else if exit_cat.is_some() {
        exit_cat
    } else if matches!(reason.as_str(), "ContainerCannotRun" | "StartError") {
        Some(Category::ConfigurationError)
    } else {
        None
    };
    let how = if liveness_kill {
        format!(
            "exit code 137 (reason {reason}: SIGKILL after failed liveness probe, not OOMKilled)"
        )
    } else if meaning.is_empty() {
        format!("exit code {code} ({reason})")
    } else {
        format!("exit code {code} ({reason}, {meaning})")
    };
    let mut title = format!("{} {waiting}: {how}, {restarts} restarts", x.who(&hits));
    if let Some(fr) = &frame {
        title.push_str(&format!("; died at {fr}"));
    }
    if let Some(h) = &decisive {
        let r = render(&h.raw);
        title.push_str(&format!(
            "; previous log: {}",
            sremesh_core::text::truncate(&r, 140)
        ));
    }
    let mut ev = Vec::new();
    let mut first_fail = None;
    for (p, c) in hits.iter().take(3) {
        let t = facts::last_termination(c);
        let at = t.and_then(|t| t.finished_at.as_ref()).map(|t| t.0);
        first_fail = match (first_fail, at) {
            (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
            (a, b) => a.or(b),
        };
        ev.push(line(format!(
            "{}: {}, last exit {} ({}){}, restarts {}",
            facts::pod_name(p),
            state(c),
            t.map_or(0, |t| t.exit_code),
            t.and_then(|t| t.reason.as_deref()).unwrap_or("?"),
            at.map(|a| format!(" at {}", hms(a))).unwrap_or_default(),
            c.restart_count
        )));
    }
    for l in &tail {
        ev.push(line(format!("previous log: {l}")));
    }
    if let Some(l) = doing {
        ev.push(line(format!("last line before the crash: {l}")));
    }
    let mut onset = None;
    let mut last_seen = hits
        .iter()
        .filter_map(|(_, c)| {
            facts::last_termination(c)?
                .finished_at
                .as_ref()
                .map(|t| t.0)
        })
        .max();
    for e in x.s.events.iter().filter(|e| {
        e.involved_object.kind.as_deref() == Some("Pod")
            && facts::event_reason(e) == "BackOff"
            && hits
                .iter()
                .any(|(p, _)| e.involved_object.name.as_deref() == Some(facts::pod_name(p)))
    }) {
        last_seen = last_seen.max(facts::event_last(e));
        let first = facts::event_first(e);
        onset = match (onset, first) {
            (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
            (a, b) => a.or(b),
        };
        if ev.len() < 7 && facts::event_last(e).is_some_and(|t| x.s.in_window(t)) {
            ev.push(facts::event_line(e));
        }
    }
    if liveness_kill
        && let Some(e) =
            x.s.recent_events_for("Pod", facts::pod_ns(first_pod), facts::pod_name(first_pod))
                .find(|e| facts::event_reason(e) == "Killing")
    {
        ev.push(facts::event_line(e));
    }

    let mut f = x
        .finding("crash_loop", x.severity(), title, &hits)
        .with_evidence(ev)
        .with_attr("exit_code", code)
        .with_attr("reason", reason)
        .with_attr("restarts", restarts);
    if let Some(c) = category {
        f = f.with_category(c);
    }
    if let Some(fr) = frame {
        f = f.with_attr("top_frame", fr);
    }
    if let Some(h) = decisive {
        f = f.with_attr("signature", h.sig.id);
    }
    if liveness_kill {
        f = f.with_attr("killed_by", "liveness_probe");
    }
    if let Some(t) = onset.or(first_fail) {
        f = f.with_attr("onset", t.to_string());
    }
    if let Some(t) = last_seen {
        f = f.with_attr("last_seen", t.to_string());
    }
    if let Some(t) = first_fail.or(onset) {
        f = f.at(t);
    }
    Some(f)
}

//! Jobs and CronJobs: `job_failed` (a Job whose `Failed` condition is True — BackoffLimitExceeded,
//! DeadlineExceeded … — with its cause read from the failed runs: a failed pod's current log is
//! the failing run, and its terminal error is what it died of), and, for a CronJob's Job, a
//! `recent_rollout` when the failing run's image (or template) differs from the last
//! successful run's.

use super::containers::exit_meaning;
use super::facts::{self, hms, line, minutes};
use super::logs::{self, category_of};
use super::rollout::diff_templates;
use super::{Scene, Unit, Workload, unit_finding};
use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        let Some(job) = job_of(s, u) else { continue };
        if let Some(f) = failed(s, u, job) {
            out.push(f);
            out.extend(changed_since_success(s, u, job));
        }
    }
    out
}

/// The run the unit stands for: a Job unit's Job, a CronJob's newest run.
pub(super) fn job_of<'a>(s: &'a Scene, u: &'a Unit) -> Option<&'a Job> {
    match u.kind {
        Kind::Job => match &u.workload {
            Some(Workload::Job(j)) => Some(j),
            _ => s
                .jobs
                .iter()
                .find(|j| j.metadata.name.as_deref() == Some(&u.name)),
        },
        Kind::CronJob => s
            .jobs
            .iter()
            .find(|j| facts::cronjob_owner(j) == Some(u.name.as_str())),
        _ => None,
    }
}

pub(super) fn name(j: &Job) -> &str {
    j.metadata.name.as_deref().unwrap_or("")
}

/// The Job's `Failed` condition: (reason, message, when).
pub fn failure(j: &Job) -> Option<(String, String, Option<Timestamp>)> {
    j.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Failed" && c.status == "True")
        .map(|c| {
            (
                c.reason.clone().unwrap_or_else(|| "Failed".into()),
                c.message.clone().unwrap_or_default(),
                c.last_transition_time.as_ref().map(|t| t.0),
            )
        })
}

pub(super) fn completed(j: &Job) -> Option<Timestamp> {
    j.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Complete" && c.status == "True")
        .map(|c| {
            c.last_transition_time
                .as_ref()
                .map(|t| t.0)
                .or_else(|| j.status.as_ref()?.completion_time.as_ref().map(|t| t.0))
        })?
}

/// The Job's failed pods, latest first.
pub(super) fn failed_pods<'a>(s: &'a Scene, j: &Job) -> Vec<&'a Pod> {
    let mut pods: Vec<&Pod> = s
        .pods
        .iter()
        .filter(|p| facts::owner_unit(p) == (Kind::Job, name(j).to_owned()))
        .filter(|p| facts::pod_ns(p) == j.metadata.namespace.as_deref().unwrap_or(""))
        .filter(|p| {
            facts::phase(p) == "Failed"
                || facts::statuses(p).any(|c| c.restart_count > 0 || facts::waiting(c).is_some())
        })
        .collect();
    pods.sort_by_key(|p| std::cmp::Reverse(ended(p)));
    pods
}

pub(super) fn ended(p: &Pod) -> Option<Timestamp> {
    facts::statuses(p)
        .filter_map(|c| {
            facts::last_termination(c)?
                .finished_at
                .as_ref()
                .map(|t| t.0)
        })
        .max()
}

fn failed(s: &Scene, u: &Unit, j: &Job) -> Option<Finding> {
    let (reason, message, when) = failure(j)?;
    let spec = j.spec.as_ref();
    let limit = match reason.as_str() {
        "DeadlineExceeded" => spec
            .and_then(|sp| sp.active_deadline_seconds)
            .map(|d| format!(" (activeDeadlineSeconds {d})")),
        _ => spec
            .and_then(|sp| sp.backoff_limit)
            .map(|b| format!(" (backoffLimit {b})")),
    }
    .unwrap_or_default();
    let pods = failed_pods(s, j);
    let failed_count = j.status.as_ref().and_then(|st| st.failed).unwrap_or(0);
    // What the runs died of: the terminal error of the latest failed run that has one.
    let mut decisive = None;
    let mut block = Vec::new();
    let mut from_pod = "";
    for p in &pods {
        for c in facts::statuses(p) {
            let Some(l) = s.log(p, &c.name, false).or_else(|| s.log(p, &c.name, true)) else {
                continue;
            };
            if let Some(h) = logs::terminal(&l.lines) {
                block = logs::terminal_block(&l.lines, 3);
                decisive = Some(h);
                from_pod = facts::pod_name(p);
                break;
            }
        }
        if decisive.is_some() {
            break;
        }
    }
    // How many runs ended on the same terminal error.
    let same = decisive.as_ref().map_or(0, |h| {
        pods.iter()
            .filter(|p| {
                facts::statuses(p).any(|c| {
                    s.log(p, &c.name, false)
                        .or_else(|| s.log(p, &c.name, true))
                        .and_then(|l| logs::terminal(&l.lines))
                        .is_some_and(|t| t.sig.id == h.sig.id)
                })
            })
            .count()
    });
    let term = pods
        .first()
        .and_then(|p| facts::statuses(p).find_map(facts::last_termination));
    let oom = pods.iter().any(|p| {
        facts::statuses(p).any(|c| {
            facts::last_termination(c).is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"))
        })
    });
    let code = term.map_or(0, |t| t.exit_code);
    let category = if let Some(h) = &decisive {
        Some(category_of(h.sig, &h.raw))
    } else if oom {
        Some(Category::ResourceExhaustion)
    } else {
        exit_meaning(code).1
    };
    let mut title = format!("{} failed: {reason}{limit}", name(j));
    if failed_count > 0 {
        title.push_str(&format!(", {failed_count} failed pod(s)"));
    }
    if oom {
        title.push_str(", OOMKilled");
    } else if let Some(t) = term {
        title.push_str(&format!(
            ", exit code {code} ({})",
            t.reason.as_deref().unwrap_or("Error")
        ));
    }
    if let Some(h) = &decisive {
        let last = block
            .last()
            .cloned()
            .unwrap_or_else(|| logs::render(&h.raw));
        title.push_str(&format!(
            "; last error: {}",
            sremesh_core::text::truncate(&last, 140)
        ));
    }
    let mut ev = vec![line(format!(
        "Job {}: Failed=True {reason}: {message}{}",
        name(j),
        when.map(|t| format!(" at {}", hms(t))).unwrap_or_default()
    ))];
    let ns = j.metadata.namespace.as_deref().unwrap_or("");
    let events: Vec<_> = s
        .recent_events_for("Job", ns, name(j))
        .filter(|e| facts::is_warning(e))
        .collect();
    // The events that say more than the condition already does.
    for e in events
        .iter()
        .filter(|e| facts::event_reason(e) != reason || facts::event_count(e) > 1)
        .take(2)
    {
        ev.push(facts::event_line(e));
    }
    let runs: Vec<String> = pods
        .iter()
        .take(4)
        .map(|p| {
            let t = facts::statuses(p).find_map(facts::last_termination);
            format!(
                "{} exit {} ({}){}",
                facts::pod_name(p),
                t.map_or(0, |t| t.exit_code),
                t.and_then(|t| t.reason.as_deref()).unwrap_or("?"),
                ended(p)
                    .map(|a| format!(" at {}", hms(a)))
                    .unwrap_or_default()
            )
        })
        .collect();
    if !runs.is_empty() {
        ev.push(line(format!("failed runs: {}", runs.join("; "))));
    }
    for l in &block {
        ev.push(line(format!("log {from_pod}: {l}")));
    }
    if same > 1 {
        ev.push(format!(
            "{same} of {} failed runs ended on the same error",
            pods.len()
        ));
    }
    let mut f = unit_finding("job_failed", u, Severity::High, line(title))
        .with_resource(format!("job/{ns}/{}", name(j)))
        .with_evidence(ev)
        .with_attr("job", name(j))
        .with_attr("reason", reason)
        .with_attr("failed", failed_count)
        .with_attr("exit_code", code);
    f.id = format!("job_failed:{ns}/{}", name(j));
    if let Some(c) = category {
        f = f.with_category(c);
    }
    if let Some(cj) = facts::cronjob_owner(j) {
        f = f.with_attr("cronjob", cj);
    }
    if let Some(b) = spec.and_then(|sp| sp.backoff_limit) {
        f = f.with_attr("backoff_limit", b);
    }
    if let Some(h) = &decisive {
        f = f.with_attr("signature", h.sig.id);
    }
    let start = j
        .status
        .as_ref()
        .and_then(|st| st.start_time.as_ref())
        .map(|t| t.0);
    let first_end = pods.iter().filter_map(|p| ended(p)).min();
    if let Some(t) = first_end.or(start) {
        f = f.with_attr("onset", t.to_string()).at(t);
    }
    let last = when
        .into_iter()
        .chain(events.iter().filter_map(|e| facts::event_last(e)))
        .max();
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

/// A Job's pod template with the labels the Job controller adds to every run left out.
fn template(j: &Job) -> Option<PodTemplateSpec> {
    let mut t = j.spec.as_ref()?.template.clone();
    if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.retain(|k, _| {
            !matches!(
                k.as_str(),
                "controller-uid"
                    | "job-name"
                    | "batch.kubernetes.io/controller-uid"
                    | "batch.kubernetes.io/job-name"
            )
        });
    }
    Some(t)
}

fn images(t: Option<&PodTemplateSpec>) -> String {
    t.and_then(|t| t.spec.as_ref())
        .map(|sp| {
            sp.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// `repo/name:2.8.0` → `2.8.0`.
fn tag(image: &str) -> &str {
    image
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map_or(image, |(_, t)| t)
}

fn created(j: &Job) -> Option<Timestamp> {
    j.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// The failing run's template against the CronJob's last successful run's.
fn changed_since_success(s: &Scene, u: &Unit, failing: &Job) -> Option<Finding> {
    let cron = facts::cronjob_owner(failing)?;
    let ns = failing.metadata.namespace.as_deref().unwrap_or("");
    let at = created(failing)?;
    let mut runs: Vec<&Job> = s
        .jobs
        .iter()
        .filter(|j| facts::cronjob_owner(j) == Some(cron))
        .filter(|j| j.metadata.namespace.as_deref() == Some(ns))
        .collect();
    runs.sort_by_key(|j| std::cmp::Reverse(created(j)));
    let ok = *runs
        .iter()
        .find(|j| completed(j).is_some() && created(j).is_some_and(|c| c < at))?;
    let (old_t, new_t) = (template(ok), template(failing));
    let (from, to) = (images(old_t.as_ref()), images(new_t.as_ref()));
    // What changed in the containers (the runs' pod labels and annotations are the
    // controller's, not the change).
    let diff: Vec<String> = diff_templates(old_t.as_ref(), new_t.as_ref())
        .into_iter()
        .filter(|d| !d.starts_with("metadata"))
        .collect();
    if from == to && diff.is_empty() {
        return None;
    }
    // The first run on the new template: runs since the last success that share it.
    let first_new = runs
        .iter()
        .filter(|j| created(j).is_some_and(|c| c > created(ok).unwrap_or(c)))
        .filter(|j| images(template(j).as_ref()) == to)
        .filter_map(|j| created(j))
        .min()
        .unwrap_or(at);
    let mins = minutes(first_new, s.alert_time);
    let done = completed(ok)
        .map(|t| facts::when(t, s.alert_time))
        .unwrap_or_default();
    let title = if from != to {
        format!(
            "{cron}: image changed since the last successful run — {} → {} ({} completed at {done} on {}; {} failed on {})",
            tag(&from),
            tag(&to),
            name(ok),
            tag(&from),
            name(failing),
            tag(&to)
        )
    } else {
        let what: Vec<&str> = diff
            .iter()
            .map(|d| d.split(':').next().unwrap_or(""))
            .take(3)
            .collect();
        format!(
            "{cron}: job template changed since the last successful run {} (same image {}): {}",
            name(ok),
            tag(&to),
            what.join(", ")
        )
    };
    let mut ev = vec![
        line(format!(
            "{}: created {}, Complete at {done}, image {from}",
            name(ok),
            created(ok)
                .map(|t| facts::when(t, s.alert_time))
                .unwrap_or_default()
        )),
        line(format!(
            "{}: created {}, Failed, image {to}",
            name(failing),
            facts::when(at, s.alert_time)
        )),
    ];
    ev.extend(diff.iter().take(4).cloned());
    let mut f = Finding::new(
        format!("recent_rollout:{ns}/{cron}"),
        "recent_rollout",
        Severity::Medium,
        line(title),
    )
    .with_resource(format!("cronjob/{ns}/{cron}"))
    .with_service(u.service())
    .with_evidence(ev)
    .with_attr("namespace", ns)
    .with_attr("from_image", from)
    .with_attr("to_image", to)
    .with_attr("last_success", name(ok))
    .with_attr("minutes_before_alert", mins)
    .at(first_new);
    if u.kind == Kind::CronJob || facts::cronjob_owner(failing).is_some() {
        f = f.with_attr("cronjob", cron);
    }
    Some(f)
}

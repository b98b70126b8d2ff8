//! The same batch job scheduled twice: `cronjob_duplicate` when two or more CronJobs anywhere in
//! the cluster (another namespace after a migration, a second Helm release, a copy under a new
//! name) run the same command — same schedule and time zone, same containers (image repository
//! without its tag, command, args) — are not suspended, and were scheduled together in the
//! window. Each run does the work again; locks scoped to a namespace do not see each other.
//! Evidence: each copy (namespace, image, creation, who manages it) and the error lines its run
//! logged.

use super::facts::{self, hms, line};
use super::logs::{is_error, render};
use super::{Mode, Scene, Workload};
use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::CronJob;
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    duplicate_groups(&s.peer_cronjobs)
        .into_iter()
        .filter_map(|g| finding(s, &g))
        .collect()
}

fn ns(c: &CronJob) -> &str {
    c.metadata.namespace.as_deref().unwrap_or("")
}

fn cname(c: &CronJob) -> &str {
    c.metadata.name.as_deref().unwrap_or("")
}

/// `repo/name:tag` (or `@digest`) → `repo/name`.
fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => image,
    }
}

/// What a CronJob does and when: schedule, time zone and each container's repository,
/// command and args. `None` for a suspended CronJob (it does not run).
pub fn fingerprint(c: &CronJob) -> Option<String> {
    let sp = c.spec.as_ref()?;
    if sp.suspend == Some(true) {
        return None;
    }
    let pod = sp.job_template.spec.as_ref()?.template.spec.as_ref()?;
    let containers: Vec<String> = pod
        .containers
        .iter()
        .map(|k| {
            format!(
                "{}|{}|{}",
                repository(k.image.as_deref().unwrap_or("")),
                k.command.clone().unwrap_or_default().join(" "),
                k.args.clone().unwrap_or_default().join(" ")
            )
        })
        .collect();
    Some(format!(
        "{}|{}|{}",
        sp.schedule.trim(),
        sp.time_zone.as_deref().unwrap_or(""),
        containers.join(";")
    ))
}

/// CronJobs that run the same thing on the same schedule, two or more to a group.
pub fn duplicate_groups(all: &[CronJob]) -> Vec<Vec<&CronJob>> {
    let mut groups: Vec<(String, Vec<&CronJob>)> = Vec::new();
    for c in all {
        let Some(fp) = fingerprint(c) else { continue };
        match groups.iter_mut().find(|(k, _)| *k == fp) {
            Some((_, g)) => {
                if !g.iter().any(|x| ns(x) == ns(c) && cname(x) == cname(c)) {
                    g.push(c);
                }
            }
            None => groups.push((fp, vec![c])),
        }
    }
    groups
        .into_iter()
        .map(|(_, g)| g)
        .filter(|g| g.len() > 1)
        .collect()
}

fn last_schedule(c: &CronJob) -> Option<Timestamp> {
    c.status.as_ref()?.last_schedule_time.as_ref().map(|t| t.0)
}

fn active_runs(c: &CronJob) -> Vec<String> {
    c.status
        .as_ref()
        .and_then(|st| st.active.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|r| r.name.clone())
        .collect()
}

fn created(c: &CronJob) -> Option<Timestamp> {
    c.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// Who manages the copy, from its labels and annotations (`Helm release billing, resource-policy
/// keep`, `Argo CD app billing-jobs`).
fn manager(c: &CronJob) -> String {
    let labels = c.metadata.labels.clone().unwrap_or_default();
    let ann = c.metadata.annotations.clone().unwrap_or_default();
    let mut out = Vec::new();
    if let Some(r) = ann.get("meta.helm.sh/release-name") {
        out.push(format!("Helm release {r}"));
    } else if labels
        .get("app.kubernetes.io/managed-by")
        .map(String::as_str)
        == Some("Helm")
    {
        out.push("Helm".to_owned());
    }
    if let Some(a) = labels.get("argocd.argoproj.io/instance") {
        out.push(format!("Argo CD app {a}"));
    }
    if let Some(p) = ann.get("helm.sh/resource-policy") {
        out.push(format!("helm.sh/resource-policy: {p}"));
    }
    out.join(", ")
}

fn finding(s: &Scene, group: &[&CronJob]) -> Option<Finding> {
    // Copies that ran together in the window (or are running now).
    let ran: Vec<&CronJob> = group
        .iter()
        .copied()
        .filter(|c| last_schedule(c).is_some_and(|t| s.in_window(t)) || !active_runs(c).is_empty())
        .collect();
    if ran.len() < 2 {
        return None;
    }
    let mut ran = ran;
    ran.sort_by_key(|c| std::cmp::Reverse(created(c)));
    let newest = ran[0];
    let name = cname(newest);
    let schedule = newest
        .spec
        .as_ref()
        .map(|sp| sp.schedule.clone())
        .unwrap_or_default();
    let copies: Vec<String> = ran
        .iter()
        .map(|c| format!("{}/{}", ns(c), cname(c)))
        .collect();
    let at = ran.iter().filter_map(|c| last_schedule(c)).min();
    let mut title = format!(
        "CronJob {name} runs {} times: {} have the same schedule \"{schedule}\" and command",
        ran.len(),
        copies.join(" and ")
    );
    if let Some(t) = at {
        title.push_str(&format!(", and each ran at {}", facts::hm(t)));
    }
    // The run errors, one per copy.
    let mut errors: Vec<String> = Vec::new();
    let mut ev: Vec<String> = Vec::new();
    for c in &ran {
        let pod = c.spec.as_ref().and_then(|sp| {
            sp.job_template
                .spec
                .as_ref()?
                .template
                .spec
                .as_ref()?
                .containers
                .first()
        });
        ev.push(line(format!(
            "CronJob {}/{}: schedule \"{}\", image {}, created {}{}{}",
            ns(c),
            cname(c),
            c.spec.as_ref().map(|sp| sp.schedule.as_str()).unwrap_or(""),
            pod.and_then(|k| k.image.as_deref()).unwrap_or("?"),
            created(c)
                .map(|t| t.strftime("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            last_schedule(c)
                .map(|t| format!(", last scheduled {}", hms(t)))
                .unwrap_or_default(),
            match manager(c) {
                m if m.is_empty() => String::new(),
                m => format!(", managed by {m}"),
            }
        )));
        let runs = active_runs(c);
        let err = s
            .cron_pods
            .iter()
            .filter(|p| facts::pod_ns(p) == ns(c))
            .filter(|p| {
                p.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("job-name"))
                    .is_some_and(|j| runs.contains(j))
            })
            .flat_map(|p| {
                s.logs
                    .iter()
                    .filter(move |l| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
            })
            .flat_map(|l| l.lines.iter().map(move |x| (l, x)))
            .rfind(|(_, x)| is_error(&x.text) && x.at.is_none_or(|t| s.in_window(t)));
        if let Some((l, x)) = err {
            errors.push(render(&x.text));
            ev.push(line(format!(
                "{}/{}: {}",
                l.namespace,
                l.pod,
                render(&x.text)
            )));
        }
    }
    if let Some(e) = errors.first() {
        title.push_str(&format!(
            " — each copy does the same work again; the runs log: {}",
            sremesh_core::text::truncate(e, 160)
        ));
    }
    // The service is the CronJob under investigation when it is one of the copies.
    let unit = s.units.iter().find(|u| {
        ran.iter().any(|c| {
            u.namespace == ns(c)
                && (u.kind == Kind::CronJob && u.name == cname(c)
                    || matches!(&u.workload, Some(Workload::Job(j)) if facts::cronjob_owner(j) == Some(cname(c))))
        })
    });
    // Looking at one workload: only copies that are it or share its namespace concern it.
    if s.mode == Mode::Target
        && unit.is_none()
        && !ran
            .iter()
            .any(|c| s.units.iter().any(|u| u.namespace == ns(c)))
    {
        return None;
    }
    let severity = if errors.len() >= 2 {
        Severity::Critical
    } else {
        Severity::High
    };
    let mut f = Finding::new(
        format!("cronjob_duplicate:{name}"),
        "cronjob_duplicate",
        severity,
        line(title),
    )
    .with_category(Category::ConfigurationError)
    .with_resource(format!("cronjob/{}/{}", ns(newest), name))
    .with_service(unit.map_or_else(|| name.to_owned(), |u| u.service()))
    .with_evidence(ev)
    .with_attr("namespace", ns(newest))
    .with_attr("copies", copies)
    .with_attr("schedule", schedule);
    if let Some(t) = at {
        f = f.at(t).with_attr("last_seen", t.to_string());
    }
    Some(f)
}

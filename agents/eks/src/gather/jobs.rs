//! The runs of a Job or CronJob under investigation: the Job (and the CronJob that owns it),
//! the CronJob's other Jobs — the history a failed run is compared with — and the pods of the
//! runs looked at (`job-name=<job>`, the label the Job controller puts on every pod).

use super::{Acc, Budget, Limits};
use crate::analyzers::{Unit, Workload, facts};
use crate::client::Kube;
use crate::target::Kind;
use futures::future::join_all;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::Pod;
use kube::api::ListParams;

/// How many of a CronJob's newest runs have their pods read.
const RUNS_READ: usize = 2;

/// What was read about a Job's or CronJob's runs.
pub(super) struct Runs {
    pub pods: Vec<Pod>,
    /// The CronJob's Jobs (or the Job alone), newest first.
    pub jobs: Vec<Job>,
    pub cronjobs: Vec<CronJob>,
}

fn created(j: &Job) -> Option<jiff::Timestamp> {
    j.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// Reads a Job or CronJob unit's runs and sets its workload.
pub(super) async fn runs(
    kube: &Kube,
    unit: &mut Unit,
    limits: Limits,
    b: Budget,
    acc: &mut Acc,
) -> Runs {
    let ns = unit.namespace.clone();
    let (job, cron) = if unit.kind == Kind::Job {
        let job = acc
            .take(kube.get::<Job>(&ns, &unit.name, b.left()).await)
            .flatten();
        let cron = job
            .as_ref()
            .and_then(facts::cronjob_owner)
            .map(str::to_owned);
        (job, cron)
    } else {
        (None, Some(unit.name.clone()))
    };
    let mut out = Runs {
        pods: Vec::new(),
        jobs: Vec::new(),
        cronjobs: Vec::new(),
    };
    if let Some(cj) = &cron {
        let lp = ListParams::default().limit(500);
        let (c, js) = tokio::join!(
            kube.get::<CronJob>(&ns, cj, b.left()),
            kube.list::<Job>(Some(&ns), &lp, b.left()),
        );
        if let Some(Some(c)) = acc.take(c) {
            out.cronjobs.push(c);
        }
        out.jobs = acc
            .take(js)
            .unwrap_or_default()
            .into_iter()
            .filter(|j| facts::cronjob_owner(j) == Some(cj.as_str()))
            .collect();
        acc.scanned.push(format!("cronjob/{ns}/{cj} and its jobs"));
    }
    if let Some(j) = &job
        && !out.jobs.iter().any(|x| x.metadata.name == j.metadata.name)
    {
        out.jobs.push(j.clone());
    }
    out.jobs
        .sort_by_key(|j| std::cmp::Reverse((created(j), j.metadata.name.clone())));
    unit.workload = match unit.kind {
        Kind::Job => job.map(|j| Workload::Job(Box::new(j))),
        _ => out
            .cronjobs
            .first()
            .cloned()
            .map(|c| Workload::CronJob(Box::new(c))),
    };
    let names: Vec<String> = if unit.kind == Kind::Job {
        vec![unit.name.clone()]
    } else {
        out.jobs
            .iter()
            .take(RUNS_READ)
            .filter_map(|j| j.metadata.name.clone())
            .collect()
    };
    let lists = join_all(names.iter().map(|n| {
        let lp = ListParams::default()
            .labels(&format!("job-name={n}"))
            .limit(limits.pods);
        let ns = ns.clone();
        async move { kube.list::<Pod>(Some(&ns), &lp, b.left()).await }
    }))
    .await;
    for l in lists {
        out.pods.extend(acc.take(l).unwrap_or_default());
    }
    out
}

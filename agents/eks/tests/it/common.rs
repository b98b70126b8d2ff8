//! Shared set-up: a sandbox serving one scenario, an agent pointed at its kubeconfig, and the
//! AlertContext the master would send for the scenario's alert.

use jiff::SignedDuration;
use sremesh_agent::{Deadline, Partial};
use sremesh_core::{AgentResult, AlertContext, Finding};
use sremesh_eks::{EksAgent, Settings};
use sremesh_sandbox::{Options, Sandbox, Scenario};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The scenario library.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// The blind hold-out set (written without looking at the analyzers).
pub fn holdout_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios-holdout")
}

/// The second blind hold-out set.
pub fn holdout2_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios-holdout2")
}

pub fn holdout3_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios-holdout3")
}

pub fn holdout4_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios-holdout4")
}

/// Every scenario file with Kubernetes data.
pub fn kube_scenarios() -> Vec<(String, Scenario)> {
    kube_scenarios_in(&scenarios_dir())
}

/// Every scenario file with Kubernetes data in `dir`.
pub fn kube_scenarios_in(dir: &Path) -> Vec<(String, Scenario)> {
    let files = sremesh_scenario::collect(&[dir.to_path_buf()]).unwrap();
    files
        .into_iter()
        .map(|f| sremesh_scenario::load(&f).unwrap())
        .filter(|s| {
            s.world
                .kubernetes
                .as_ref()
                .is_some_and(|k| !k.objects.is_empty())
        })
        .map(|s| (s.id.clone(), s))
        .collect()
}

pub fn load(id: &str) -> Scenario {
    sremesh_scenario::load(&scenarios_dir().join(format!("{id}.yaml"))).unwrap()
}

/// A sandbox serving `s` in replay mode.
pub struct Running {
    pub sandbox: Sandbox,
    pub _dir: tempfile::TempDir,
}

pub async fn start(s: Scenario) -> Running {
    sremesh_core::tls::ensure_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sremesh_sandbox::start(s, Options::new(dir.path()))
        .await
        .unwrap();
    Running { sandbox, _dir: dir }
}

pub fn settings(kubeconfig: &Path) -> Settings {
    Settings {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        in_cluster: false,
        call_timeout: Duration::from_secs(5),
        ..Default::default()
    }
}

pub async fn agent(r: &Running) -> EksAgent {
    EksAgent::with_window(
        settings(&r.sandbox.endpoints().kubeconfig),
        (SignedDuration::from_mins(30), SignedDuration::from_mins(5)),
    )
    .await
}

/// The context the master sends for a scenario's alert.
pub fn ctx(s: &Scenario) -> AlertContext {
    let mut c = AlertContext::from_text(
        s.alert.text.clone(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    c.scan_channels = vec![s.alert.channel.clone()];
    c.deadline_ms = Some(20_000);
    c
}

/// Investigates a scenario's alert with a 20 s deadline.
pub async fn investigate(s: &Scenario) -> AgentResult {
    let r = start(s.clone()).await;
    let a = agent(&r).await;
    a.investigate_alert(
        &ctx(s),
        Deadline::after(Duration::from_secs(20)),
        &Partial::default(),
    )
    .await
}

/// A readable dump for failure messages.
pub fn dump(r: &AgentResult) -> String {
    let mut s = format!(
        "status={:?} partial={} summary={}\nerror={:?}\n",
        r.status, r.partial, r.summary, r.error
    );
    for f in &r.findings {
        s.push_str(&format!(
            "- [{}] {} {:?} {} :: {}\n",
            f.severity,
            f.kind,
            f.category.map(|c| c.as_str()),
            f.id,
            f.title
        ));
        for e in &f.evidence {
            s.push_str(&format!("      | {e}\n"));
        }
    }
    s
}

pub fn find<'a>(r: &'a AgentResult, kind: &str) -> Option<&'a Finding> {
    r.findings.iter().find(|f| f.kind == kind)
}

pub fn holdout5_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios-holdout5")
}

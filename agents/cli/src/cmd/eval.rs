//! `sremesh eval PATH… [--json] [--jobs N]`: for each scenario, start the sandbox and the
//! specialists pointed at it, run the investigation with the master's orchestrator, score the
//! report (SCENARIOS.md), print one row; the last line is `eval: P/N passed`.

use crate::cmd::mesh;
use clap::Args;
use futures::stream::{self, StreamExt};
use sremesh_core::config::{InvestigationConfig, Loaded};
use sremesh_core::{AlertContext, TimeWindow};
use sremesh_master::orchestrator::{Limits, Orchestrator};
use sremesh_scenario::{Scenario, Score};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Args)]
pub struct EvalArgs {
    /// Scenario files, or folders of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print one JSON document instead of rows.
    #[arg(long)]
    json: bool,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Also write each scenario's full report as `<dir>/<id>.json` (for digging into a failure).
    #[arg(long)]
    reports: Option<PathBuf>,
}

/// The context an alert from `scenario` is investigated with (replay: the scenario's own time).
pub fn context_for(scenario: &Scenario, inv: &InvestigationConfig) -> AlertContext {
    let a = &scenario.alert;
    AlertContext {
        investigation_id: uuid::Uuid::new_v4().to_string(),
        platform: Some(a.platform),
        channel_id: Some(a.channel.clone()),
        message_id: Some(a.message_id.clone()),
        thread_id: Some(a.message_id.clone()),
        alert_text: a.text.clone(),
        alert_time: scenario.now,
        window: TimeWindow::around(scenario.now, inv.window_before, inv.window_after),
        scan_channels: vec![a.channel.clone()],
        labels: Default::default(),
        hints: Vec::new(),
        deadline_ms: None,
    }
}

pub fn run(args: EvalArgs, loaded: Loaded) -> anyhow::Result<ExitCode> {
    let files = sremesh_scenario::collect(&args.paths)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if let Some(dir) = &args.reports {
        std::fs::create_dir_all(dir)?;
    }
    let scores = rt.block_on(run_all(
        &files,
        &loaded,
        args.jobs.max(1),
        !args.json,
        args.reports.as_deref(),
    ))?;
    let passed = scores.iter().filter(|s| s.passed).count();
    if args.json {
        let doc = serde_json::json!({"passed": passed, "total": scores.len(), "scenarios": scores});
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("eval: {passed}/{} passed", scores.len());
    }
    Ok(if passed == scores.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn run_all(
    files: &[PathBuf],
    loaded: &Loaded,
    jobs: usize,
    rows: bool,
    reports: Option<&Path>,
) -> anyhow::Result<Vec<Score>> {
    if rows {
        println!(
            "{:<46} {:<6} {:<22} {:<22} {:>8}  details",
            "scenario", "result", "expected", "got", "ms"
        );
    }
    let progress = std::io::stderr().is_terminal() && rows;
    let total = files.len();
    let mut done = 0usize;
    let mut scores: Vec<(usize, Score)> = Vec::new();
    let mut runs = stream::iter(files.iter().enumerate())
        .map(|(i, f)| async move { (i, one(f, loaded, reports).await) })
        .buffer_unordered(jobs);
    while let Some((i, score)) = runs.next().await {
        done += 1;
        if rows {
            print_row(&score);
        }
        if progress {
            eprint!("\r[{done}/{total}] scenarios evaluated");
        }
        scores.push((i, score));
    }
    if progress {
        eprintln!();
    }
    scores.sort_by_key(|(i, _)| *i);
    Ok(scores.into_iter().map(|(_, s)| s).collect())
}

fn print_row(s: &Score) {
    let mut details = Vec::new();
    if !s.missing_keywords.is_empty() {
        details.push(format!("missing {:?}", s.missing_keywords));
    }
    if !s.forbidden_found.is_empty() {
        details.push(format!("forbidden {:?}", s.forbidden_found));
    }
    if !s.missing_evidence.is_empty() {
        details.push(format!("no evidence from {:?}", s.missing_evidence));
    }
    if let (false, Some(e), true) = (s.passed, &s.error, details.is_empty()) {
        details.push(e.clone());
    }
    println!(
        "{:<46} {:<6} {:<22} {:<22} {:>8}  {}",
        s.id,
        if s.passed { "pass" } else { "FAIL" },
        s.expected_category,
        s.got_category,
        s.duration_ms,
        details.join("; ")
    );
}

fn failed(id: String, why: String) -> Score {
    Score {
        id,
        passed: false,
        expected_category: "?".into(),
        got_category: "none".into(),
        missing_keywords: vec![],
        forbidden_found: vec![],
        missing_evidence: vec![],
        duration_ms: 0,
        error: Some(why),
    }
}

async fn one(file: &Path, loaded: &Loaded, reports: Option<&Path>) -> Score {
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scenario = match sremesh_scenario::load(file) {
        Ok(s) => s,
        Err(e) => return failed(name, e.to_string()),
    };
    let Some(expect) = scenario.expect.clone() else {
        return failed(
            scenario.id,
            "the scenario has no `expect` block to score against".into(),
        );
    };
    match investigate(&scenario, loaded).await {
        Ok((report, ms)) => {
            if let Some(dir) = reports
                && let Ok(json) = serde_json::to_string_pretty(&report)
            {
                let _ = std::fs::write(dir.join(format!("{}.json", scenario.id)), json);
            }
            sremesh_scenario::score(&scenario.id, &expect, &report, ms)
        }
        Err(e) => failed(scenario.id, format!("{e:#}")),
    }
}

async fn investigate(
    scenario: &Scenario,
    loaded: &Loaded,
) -> anyhow::Result<(sremesh_core::Report, u64)> {
    let dir = tempdir(&scenario.id)?;
    let sandbox =
        sremesh_sandbox::start(scenario.clone(), sremesh_sandbox::Options::new(&dir)).await?;
    let config = &loaded.config;
    let agents: Vec<_> = config
        .specialists()
        .into_iter()
        .filter(|a| config.is_enabled(a.id))
        .collect();
    let result = async {
        let mesh = mesh::start(
            &agents,
            &loaded.path,
            &mesh::sandbox_env(sandbox.endpoints()),
            &dir.join("logs"),
        )
        .await?;
        let specialists =
            sremesh_master::endpoints::specialists(config, &mesh.url_env(), &Default::default())
                .map_err(anyhow::Error::msg)?;
        let inv = &config.investigation;
        let limits = Limits {
            initial: Duration::try_from(inv.initial_deadline)?,
            cutoff: Duration::try_from(inv.initial_deadline)?,
            margin: Duration::try_from(inv.agent_margin)?,
        };
        let orch = Orchestrator::new(
            specialists,
            limits,
            Arc::new(sremesh_master::notify::Silent),
        );
        let start = Instant::now();
        let report = orch.investigate(context_for(scenario, inv)).await;
        let ms = start.elapsed().as_millis() as u64;
        mesh.stop().await;
        Ok::<_, anyhow::Error>((report, ms))
    }
    .await;
    sandbox.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempdir(id: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "sremesh-eval-{id}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

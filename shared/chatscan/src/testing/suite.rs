//! The test bodies both scanner crates run, each on its own platform `P` and with its own
//! scenario: the scenario library replayed against a table of wants and the invariants, faults
//! (garbage, outage, refused token, missing configuration), deadlines (slow and hung APIs),
//! paging and its cap, a plain-text alert — and, from `surface`, the tools and the snapshot's
//! failure modes.

use super::*;
use crate::evidence::one_line;
use sremesh_core::{AgentStatus, Finding, Severity};
use sremesh_sandbox::Fault;

/// What one scenario must (and must not) yield.
#[derive(Debug)]
pub struct Want {
    pub id: &'static str,
    /// A finding of `kind` whose text holds every keyword.
    pub has: &'static [(&'static str, &'static [&'static str])],
    /// `(kind, attribute, JSON value)` on some finding of that kind.
    pub attrs: &'static [(&'static str, &'static str, &'static str)],
    /// Text no finding may hold (red herrings).
    pub never: &'static [&'static str],
}

/// The invariants every scanner answer keeps, and `want` when given.
pub fn check_scenario(want: Option<&Want>, alert_line: &str, r: &AgentResult) {
    let id = want.map_or("(unknown)", |w| w.id);
    assert_eq!(r.status, AgentStatus::Ok, "{id}: {r:#?}");
    assert!(!r.partial, "{id}: {r:#?}");
    assert!(!r.scanned.is_empty(), "{id}: nothing scanned");
    for f in &r.findings {
        assert!(
            f.category.is_none(),
            "{id}: chat findings never point to a cause: {f:#?}"
        );
        assert!(
            f.evidence.len() <= 8 && f.evidence.iter().all(|l| l.chars().count() <= 300),
            "{id}: {f:#?}"
        );
        // Earlier firings of the same alert share its title by definition.
        if f.kind != "alert_history" {
            assert!(
                !f.evidence.iter().any(|l| l.contains(alert_line)),
                "{id}: the alert itself was reported: {f:#?}"
            );
        }
        // The statsd-style noise a person calls old is only ever an info report.
        if f.attributes.get("noise").is_some_and(|n| n == true) && f.kind == "human_report" {
            assert_eq!(f.severity, Severity::Info, "{id}: {f:#?}");
        }
    }
    let Some(want) = want else { return };
    let text = |f: &Finding| f.text().to_lowercase();
    for (kind, words) in want.has {
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == *kind
                    && words.iter().all(|w| text(f).contains(&w.to_lowercase()))),
            "{id}: no {kind} with {words:?}: {:#?}",
            r.findings
        );
    }
    for (kind, key, value) in want.attrs {
        let value: serde_json::Value =
            serde_json::from_str(value).expect("the table's values are JSON");
        assert!(
            r.findings
                .iter()
                .any(|f| f.kind == *kind && f.attributes.get(*key) == Some(&value)),
            "{id}: no {kind} with {key} = {value}: {:#?}",
            r.findings
        );
    }
    for w in want.never {
        for f in &r.findings {
            assert!(
                !text(f).contains(&w.to_lowercase()),
                "{id}: red herring {w:?} reported: {f:#?}"
            );
        }
    }
}

/// The first line of the alert, as evidence lines show it.
fn alert_line(s: &Scenario) -> String {
    one_line(s.alert.text.lines().next().unwrap_or(""))
}

/// Every scenario of the library with data on `P`'s platform, replayed: the wants of `table`
/// and the invariants (scenarios not in the table are run against the invariants).
pub async fn every_scenario<P: Platform>(table: &[Want]) {
    let mut ran = 0;
    for path in scenario_files() {
        let s = sremesh_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        if !has_data::<P>(&s) {
            continue;
        }
        let want = table.iter().find(|w| w.id == s.id);
        let line = alert_line(&s);
        let dir = tempfile::tempdir().expect("a temp dir");
        let ctx = context(&s);
        let sb = sandbox(s, &dir).await;
        let (r, took) = investigate(&*agent_for::<P>(&sb), ctx, Duration::from_secs(20)).await;
        assert!(took < Duration::from_secs(5), "{took:?}");
        check_scenario(want, &line, &r);
        ran += 1;
    }
    assert!(
        ran >= table.len(),
        "only {ran} scenarios with {} data ran",
        P::NAME
    );
}

/// Scenario `id` with `fault` on `P`'s API: the answer (within 10 s).
pub async fn with_fault<P: Platform>(id: &str, fault: Fault) -> AgentResult {
    let s = load(id);
    let dir = tempfile::tempdir().expect("a temp dir");
    let ctx = context(&s);
    let sb = sandbox(s, &dir).await;
    sb.set_faults(source::<P>(), fault);
    let (r, took) = investigate(&*agent_for::<P>(&sb), ctx, Duration::from_secs(10)).await;
    assert!(took < Duration::from_secs(10), "{took:?}");
    r
}

/// `r` has `status`, no findings, and every word in its error.
pub fn check_status(r: &AgentResult, status: AgentStatus, words: &[&str]) {
    assert_eq!(r.status, status, "{r:#?}");
    let e = r.error.as_deref().unwrap_or_default();
    for w in words {
        assert!(e.contains(w), "{w:?} not in {e:?}");
    }
    assert!(r.findings.is_empty(), "{r:#?}");
}

/// Garbage bodies are an error, not a panic.
pub async fn garbage_answers_are_an_error<P: Platform>(id: &str) {
    let r = with_fault::<P>(
        id,
        Fault {
            garbage_rate: 1.0,
            ..Default::default()
        },
    )
    .await;
    check_status(
        &r,
        AgentStatus::Error,
        &["no channel could be read", "unreadable"],
    );
}

/// An outage (503 everywhere) is an error.
pub async fn an_outage_is_an_error<P: Platform>(id: &str) {
    let r = with_fault::<P>(
        id,
        Fault {
            error_rate: 1.0,
            error_status: 503,
            ..Default::default()
        },
    )
    .await;
    check_status(&r, AgentStatus::Error, &["unavailable"]);
}

/// A refused token (401) is unhealthy.
pub async fn a_refused_token_is_unhealthy<P: Platform>(id: &str) {
    let r = with_fault::<P>(
        id,
        Fault {
            error_rate: 1.0,
            error_status: 401,
            ..Default::default()
        },
    )
    .await;
    check_status(
        &r,
        AgentStatus::Unhealthy,
        &["identity check failed", "401"],
    );
}

/// No token, or an unusable API base, is unhealthy with the setting's name.
pub async fn no_token_or_a_bad_url_is_unhealthy<P: Platform>() {
    let ctx = AlertContext::from_text(
        "x",
        jiff::Timestamp::now(),
        SignedDuration::from_mins(30),
        SignedDuration::ZERO,
    );
    let agent = Scanner::<P>::new(Settings::for_platform::<P>());
    let (r, _) = investigate(&agent, ctx.clone(), Duration::from_secs(1)).await;
    let missing = format!("{} is not set", P::TOKEN_VAR);
    check_status(&r, AgentStatus::Unhealthy, &[missing.as_str()]);
    let agent = Scanner::<P>::new(Settings {
        token: Some(Arc::new(Secret::new("test-token"))),
        api_url: "chat.example".into(),
        ..Settings::for_platform::<P>()
    });
    let (r, _) = investigate(&agent, ctx, Duration::from_secs(1)).await;
    check_status(&r, AgentStatus::Unhealthy, &[P::URL_VAR]);
}

/// A hung API still gets an answer by the deadline: an error, marked partial.
pub async fn a_hung_source_still_answers_on_time<P: Platform>(id: &str) {
    let s = load(id);
    let dir = tempfile::tempdir().expect("a temp dir");
    let ctx = context(&s);
    let sb = sandbox(s, &dir).await;
    sb.set_faults(
        source::<P>(),
        Fault {
            delay_ms: 30_000,
            ..Default::default()
        },
    );
    let budget = Duration::from_millis(1500);
    let (r, took) = investigate(&*agent_for::<P>(&sb), ctx, budget).await;
    assert!(took <= budget, "answered after the deadline: {took:?}");
    assert!(r.partial, "{r:#?}");
    assert_eq!(r.status, AgentStatus::Error, "{r:#?}");
    assert!(
        r.error.as_deref().is_some_and(|e| e.contains("deadline")),
        "{r:#?}"
    );
}

/// A slow API (600 ms a call, one channel at a time, `first` read first): the answer comes by
/// `budget`, partial, with the deploy (`version`) the first channel holds.
pub async fn a_slow_source_gets_a_partial_answer_on_time<P: Platform>(
    id: &str,
    first: &str,
    budget: Duration,
    version: &str,
) {
    let s = load(id);
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut ctx = context(&s);
    ctx.channel_id = None;
    ctx.scan_channels = vec![first.into()];
    let sb = sandbox(s, &dir).await;
    sb.set_faults(
        source::<P>(),
        Fault {
            delay_ms: 600,
            ..Default::default()
        },
    );
    let mut settings = settings_for::<P>(&sb);
    settings.scan.concurrency = 1;
    let (r, took) = investigate(&Scanner::<P>::new(settings), ctx, budget).await;
    assert!(took <= budget, "answered after the deadline: {took:?}");
    assert!(r.partial, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains(version)),
        "{r:#?}"
    );
    assert!(
        r.error.as_deref().is_some_and(|e| e.contains("deadline")),
        "{r:#?}"
    );
}

/// Scenario `s` read with at most `max_messages` per channel.
pub async fn read_with_cap<P: Platform>(s: Scenario, max_messages: usize) -> AgentResult {
    let dir = tempfile::tempdir().expect("a temp dir");
    let ctx = context(&s);
    let sb = sandbox(s, &dir).await;
    let mut settings = settings_for::<P>(&sb);
    settings.scan.max_messages = max_messages;
    let (r, _) = investigate(&Scanner::<P>::new(settings), ctx, Duration::from_secs(20)).await;
    r
}

/// A plain-text alert (no platform, channel or message id, as a generic A2A client sends):
/// the bot's channels are read (`scanned`, sorted), the deploy named `deploy` is found, and
/// the alert is never reported as context.
pub async fn a_plain_text_alert_scans_the_bots_channels<P: Platform>(
    id: &str,
    scanned: &[&str],
    deploy: &str,
) {
    let s = load(id);
    let line = alert_line(&s);
    let dir = tempfile::tempdir().expect("a temp dir");
    let ctx = AlertContext::from_text(
        s.alert.text.trim(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    let sb = sandbox(s, &dir).await;
    let (r, _) = investigate(&*agent_for::<P>(&sb), ctx, Duration::from_secs(20)).await;
    let mut got = r.scanned.clone();
    got.sort();
    assert_eq!(got, scanned);
    assert!(
        r.findings
            .iter()
            .any(|f| f.kind == "deploy_announced" && f.title.contains(deploy)),
        "{r:#?}"
    );
    assert!(
        !r.findings
            .iter()
            .any(|f| f.evidence.iter().any(|l| l.contains(&line))),
        "the alert is not its own context: {r:#?}"
    );
}

pub use super::surface::{
    the_snapshot_reports_what_it_cannot_read, the_tools_are_the_catalogues_and_scan_with_a_query,
};

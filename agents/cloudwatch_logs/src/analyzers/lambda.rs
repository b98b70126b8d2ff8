//! Lambda functions: `Task timed out after N seconds` (`lambda_timeout`), invoke errors and
//! runtime failures (`lambda_error`), read together with the REPORT lines' durations and memory
//! in the window and before it, and the slow-call warnings that precede timeouts.

use super::patterns::{Pattern, is_lambda_platform_line};
use super::render::{
    EVIDENCE_MAX, TITLE_QUOTE, count_line, data_clause, decisive, evidence_line, frame_clause,
    literal, redelivery_line, reproduce_query, short_hash, trend_words, verbatim,
};
use super::{Input, LambdaStats};
use crate::records::{LogRecord, lambda_function};
use regex::Regex;
use sremesh_core::text::truncate;
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;
use std::sync::LazyLock;

static TIMEOUT_SECS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)task timed out after ([0-9.]+) seconds").expect("static regex")
});
static RUNTIME_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Runtime\.[A-Za-z]+|Invoke Error|errorType|Status: error|Error Type:")
        .expect("static regex")
});
static SLOW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bslow\b").expect("static regex"));

fn ms(v: Option<f64>) -> String {
    v.map_or("?".into(), |v| format!("{v:.0} ms"))
}

/// `REPORT: 11 invocations, p50 4741 ms, max 6008 ms, memory 128/512 MB (before: …)`.
fn report_line(now: &LambdaStats, before: Option<&LambdaStats>) -> String {
    let mut s = format!(
        "REPORT: {} invocations in the window, duration p50 {} max {}",
        now.invocations,
        ms(now.p50_ms),
        ms(now.max_ms)
    );
    if let (Some(used), Some(size)) = (now.max_memory_mb, now.memory_size_mb) {
        s.push_str(&format!(", max memory {used:.0}/{size:.0} MB"));
    }
    match before {
        Some(b) if b.invocations > 0.0 => s.push_str(&format!(
            "; before: {} invocations, p50 {} max {}",
            b.invocations,
            ms(b.p50_ms),
            ms(b.max_ms)
        )),
        Some(_) => s.push_str("; no invocations in the preceding window"),
        None => {}
    }
    s
}

fn base_finding(
    input: &Input,
    id: String,
    kind: &str,
    sev: Severity,
    function: &str,
    title: String,
    ps: &[&Pattern],
) -> Finding {
    let lead = ps[0];
    let lit = literal(&lead.example.line, lead.signature);
    let before: Option<usize> = ps.iter().map(|p| p.baseline).sum();
    let mut f = super::log_pattern::pattern_attrs(Finding::new(id, kind, sev, title), ps)
        .with_service(function)
        .with_link(input.link(&[&lead.group], &reproduce_query(lit.as_deref(), None)))
        .with_attr("function", function)
        .with_attr(
            "baseline_count",
            before.map_or(serde_json::Value::Null, Into::into),
        )
        .with_attr("onset", lead.onset.to_string())
        .with_evidence([count_line(ps)]);
    if let Some(sig) = lead.signature {
        f = f.with_attr("signature", sig.id);
    }
    if let Some((n, line)) = redelivery_line(ps) {
        f = f.with_attr("max_receive_count", n);
        f.evidence.push(line);
    }
    f
}

fn push(f: &mut Finding, line: String) {
    if f.evidence.len() < 8 {
        f.evidence.push(truncate(&line, EVIDENCE_MAX));
    }
}

pub fn analyze(input: &Input) -> Vec<Finding> {
    let mut by_fn: BTreeMap<&str, Vec<&Pattern>> = BTreeMap::new();
    for p in &input.patterns {
        if let Some(f) = lambda_function(&p.group) {
            by_fn.entry(f).or_default().push(p);
        }
    }
    let mut out = Vec::new();
    for (function, ps) in by_fn {
        let stats = input.lambda.get(function);
        let (timeouts, others): (Vec<&Pattern>, Vec<&Pattern>) = ps
            .iter()
            .copied()
            .filter(|p| !is_lambda_platform_line(&p.example.line))
            .partition(|p| p.signature.is_some_and(|s| s.id == "lambda_timeout"));
        let errors: Vec<&Pattern> = others;
        let slow = slow_calls(input, function);
        if !timeouts.is_empty() {
            out.push(timeout_finding(
                input,
                function,
                &timeouts,
                &errors,
                slow.as_ref(),
                stats,
            ));
        }
        out.extend(error_findings(input, function, &errors, stats));
    }
    out
}

/// Warnings about slow calls in the function's lines: (window count, baseline count, latest).
fn slow_calls(input: &Input, function: &str) -> Option<(usize, usize, String)> {
    let mine = |r: &&crate::records::LogRecord| {
        lambda_function(&r.group) == Some(function) && SLOW.is_match(&r.line)
    };
    let mut now: Vec<&crate::records::LogRecord> = input.records.iter().filter(mine).collect();
    now.sort_by_key(|r| r.at);
    let latest = now.last()?;
    let before = input
        .baseline_records
        .as_deref()
        .map_or(0, |b| b.iter().filter(mine).count());
    Some((now.len(), before, latest.line.trim().to_owned()))
}

fn timeout_finding(
    input: &Input,
    function: &str,
    timeouts: &[&Pattern],
    errors: &[&Pattern],
    slow: Option<&(usize, usize, String)>,
    stats: Option<&(LambdaStats, Option<LambdaStats>)>,
) -> Finding {
    let lead = timeouts[0];
    let count: usize = timeouts.iter().map(|p| p.count).sum();
    let secs = TIMEOUT_SECS
        .captures(&lead.example.line)
        .and_then(|c| c[1].parse::<f64>().ok());
    let phrase = secs.map_or("Task timed out".to_owned(), |s| {
        format!("Task timed out after {s:.2} seconds")
    });
    let active = timeouts.iter().any(|p| p.trend.is_active());
    let title = format!("{function}: {phrase} ×{count} ({})", trend_words(lead));
    let sev = if active {
        Severity::High
    } else {
        Severity::Low
    };
    let id = format!("lambda_timeout:{function}");
    let mut f = base_finding(input, id, "lambda_timeout", sev, function, title, timeouts);
    if active {
        f = f.with_category(Category::DependencyFailure);
    }
    if let Some(s) = secs {
        f = f.with_attr("timeout_seconds", s);
    }
    push(&mut f, evidence_line(lead.count, lead));
    if let Some((now, before)) = stats {
        push(&mut f, report_line(now, before.as_ref()));
    }
    if let Some((n, before, example)) = slow {
        push(
            &mut f,
            format!("slow-call warnings ×{n} in the window ({before} before), latest: {example}"),
        );
    }
    for p in errors.iter().filter(|p| p.trend.is_active()).take(2) {
        push(&mut f, format!("with {}", evidence_line(p.count, p)));
    }
    f
}

static REPORT_MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB").expect("static regex")
});
static KILLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)signal: killed|Runtime\.ExitError|Runtime exited with error")
        .expect("static regex")
});

/// The function's REPORT lines in the window that say it ran out of memory (`Error Type:
/// Runtime.OutOfMemory`, or `Max Memory Used` at its `Memory Size`), the latest first.
fn oom_reports<'a>(input: &'a Input, function: &str) -> Vec<&'a LogRecord> {
    let mut out: Vec<&LogRecord> = input
        .records
        .iter()
        .filter(|r| lambda_function(&r.group) == Some(function))
        .filter(|r| r.line.starts_with("REPORT RequestId"))
        .filter(|r| {
            r.line.contains("Runtime.OutOfMemory")
                || REPORT_MEMORY.captures(&r.line).is_some_and(|c| {
                    matches!(
                        (c[1].parse::<u64>(), c[2].parse::<u64>()),
                        (Ok(size), Ok(used)) if size > 0 && used >= size
                    )
                })
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.at));
    out
}

/// `×5 REPORT RequestId: … Max Memory Used: 512 MB … Error Type: Runtime.OutOfMemory` (verbatim).
fn report_evidence(reports: &[&LogRecord]) -> Option<String> {
    let latest = reports.first()?;
    let line = verbatim(&latest.line, None, EVIDENCE_MAX - 6);
    Some(format!("×{} {line}", reports.len()))
}

fn error_findings(
    input: &Input,
    function: &str,
    errors: &[&Pattern],
    stats: Option<&(LambdaStats, Option<LambdaStats>)>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let reports = oom_reports(input, function);
    let report_line_literal = report_evidence(&reports);
    for p in errors.iter().take(4) {
        let active = p.trend.is_active();
        // A runtime killed while its REPORT lines say memory ran out is out of memory.
        let oom = p.signature.is_some_and(|s| s.id == "oom")
            || p.example.line.contains("Runtime.OutOfMemory")
            || (!reports.is_empty()
                && (KILLED.is_match(&p.example.line)
                    || p.example
                        .detail
                        .as_deref()
                        .is_some_and(|d| KILLED.is_match(d))));
        let runtime = RUNTIME_ERROR.is_match(&p.example.line) || p.example.level.is_some();
        if !runtime && p.signature.is_none() {
            continue;
        }
        let (sev, cat) = match (active, p.signature) {
            (false, _) => (Severity::Low, None),
            (true, _) if oom => (Severity::Critical, Some(Category::ResourceExhaustion)),
            (true, Some(sig)) => (sig.severity.max(Severity::Medium), Some(sig.category)),
            (true, None) => (Severity::Medium, None),
        };
        let what = match p.signature {
            _ if oom && !reports.is_empty() => "Runtime.OutOfMemory — ".to_owned(),
            Some(sig) if !oom => format!("{} — ", sig.label),
            _ => String::new(),
        };
        let quote = decisive(&p.example.line, p.signature, TITLE_QUOTE);
        let data_quality = p
            .signature
            .is_some_and(|s| s.category == Category::DataQuality);
        let data = if data_quality {
            data_clause(&p.example.line, &quote)
        } else {
            String::new()
        };
        let title = truncate(
            &format!(
                "{function}: {what}\"{quote}\"{data}{} ×{} ({})",
                frame_clause(p),
                p.count,
                trend_words(p)
            ),
            300,
        );
        let id = format!("lambda_error:{function}:{}", short_hash(&p.key));
        let mut f = base_finding(input, id, "lambda_error", sev, function, title, &[p]);
        if let Some(c) = cat {
            f = f.with_category(c);
        }
        if oom {
            f = f.with_attr("signature", "oom");
        }
        if data_quality {
            f = super::log_pattern::with_data(f, &p.example.line);
        }
        push(&mut f, evidence_line(p.count, p));
        if oom {
            if let Some(l) = &report_line_literal {
                push(&mut f, l.clone());
            }
            if let Some((now, _)) = stats {
                push(&mut f, report_line(now, None));
            }
        }
        out.push(f);
    }
    // A function whose REPORT lines show memory at its limit is out of memory even when no
    // error line says so.
    let at_limit = stats.is_some_and(|(now, _)| {
        matches!((now.max_memory_mb, now.memory_size_mb), (Some(used), Some(size)) if size > 0.0 && used >= size)
    });
    if (at_limit || !reports.is_empty())
        && !out
            .iter()
            .any(|f| f.category == Some(Category::ResourceExhaustion))
    {
        let (used, size) = stats
            .map(|(now, _)| (now.max_memory_mb, now.memory_size_mb))
            .unwrap_or_default();
        let title = match (used, size) {
            (Some(u), Some(s)) => {
                format!("{function}: Max Memory Used: {u:.0} MB reached its Memory Size: {s:.0} MB")
            }
            _ => format!("{function}: Runtime.OutOfMemory in its REPORT lines"),
        };
        let mut f = Finding::new(
            format!("lambda_error:{function}:memory"),
            "lambda_error",
            Severity::Critical,
            title,
        )
        .with_category(Category::ResourceExhaustion)
        .with_service(function)
        .with_attr("function", function)
        .with_attr("count", reports.len())
        .with_attr("signature", "oom")
        .with_resource(format!("log-group:/aws/lambda/{function}"))
        .with_link(input.link(
            &[&format!("/aws/lambda/{function}")],
            &reproduce_query(Some("Max Memory Used"), None),
        ));
        if let Some(l) = &report_line_literal {
            push(&mut f, l.clone());
        }
        if let Some((now, _)) = stats {
            push(&mut f, report_line(now, None));
        }
        if let Some(first) = reports.iter().map(|r| r.at).min() {
            f = f.at(first);
        }
        out.push(f);
    }
    out
}

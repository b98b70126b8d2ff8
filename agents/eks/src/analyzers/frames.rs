//! The top stack frame of a crashed run's final error report — where the code was when it died
//! (`rows.py:27 in format_row`, `com.acme.Billing.charge (Billing.java:88)`,
//! `main.handler (/app/main.go:42)`): Python's innermost `File "…", line N, in f` (the last one),
//! else the first Java/JavaScript `at …` frame, else the function under Go's `goroutine N
//! [running]:`. Only the last 60 lines are read: the final report is at the end.

use super::LogLine;
use regex::Regex;
use std::sync::LazyLock;

static PYTHON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*File "([^"]+)", line (\d+), in (\S+)"#).expect("static regex")
});
static AT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*at (?:async )?([\w$.<>/\[\]-]+) ?\(([^()]+:\d+)(?::\d+)?\)")
        .expect("static regex")
});
static GO_FILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(/\S+\.go:\d+)").expect("static regex"));

/// How many of the last lines are searched.
const TAIL: usize = 60;

/// `/srv/app/rows.py` → `app/rows.py` (the last two path parts).
fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p.rsplit('/').take(2).collect();
    parts.into_iter().rev().collect::<Vec<_>>().join("/")
}

/// A Go frame's function without its argument list and import path:
/// `github.com/acme/pricing/internal/discount.(*Engine).apply(0xc0, {0x0, 0x0})` →
/// `discount.(*Engine).apply` (a method's receiver keeps its parentheses).
fn go_func(frame: &str) -> &str {
    let name = match frame.strip_suffix(')').and_then(|f| f.rfind('(')) {
        Some(args) => &frame[..args],
        None => frame,
    };
    match name.rfind('/') {
        Some(slash) => &name[slash + 1..],
        None => name,
    }
}

/// The top frame of the last stack trace in `lines`, if there is one.
pub fn top_frame(lines: &[LogLine]) -> Option<String> {
    let tail = &lines[lines.len().saturating_sub(TAIL)..];
    if let Some(c) = tail.iter().rev().find_map(|l| PYTHON.captures(&l.text)) {
        return Some(format!("{}:{} in {}", short_path(&c[1]), &c[2], &c[3]));
    }
    // The last trace's first `at` frame: walk back to where its run of frames starts.
    let last_at = tail.iter().rposition(|l| AT.is_match(&l.text));
    if let Some(end) = last_at {
        let mut start = end;
        while start > 0 && {
            let t = tail[start - 1].text.trim_start();
            AT.is_match(&tail[start - 1].text) || t.starts_with("...") || t.starts_with("at ")
        } {
            start -= 1;
        }
        if let Some(c) = tail[start..=end].iter().find_map(|l| AT.captures(&l.text)) {
            return Some(format!("{} ({})", &c[1], short_path(&c[2])));
        }
    }
    let g = tail.iter().rposition(|l| {
        l.text.trim_start().starts_with("goroutine ") && l.text.contains("[running]")
    })?;
    let func = tail.get(g + 1)?.text.trim();
    let file = tail.get(g + 2).and_then(|l| GO_FILE.captures(&l.text))?;
    Some(format!("{} ({})", go_func(func), short_path(&file[1])))
}

//! Our own markup per dialect (bold, italic, links, quotes, bullets, separators, colours) and
//! the number formats every message shares. Untrusted text goes through [`Md::esc`] first.

use super::Dialect;
use super::escape::{escape, escape_lines, safe_url};
use sremesh_core::{Severity, Telemetry};

/// A message being written line by line in one dialect.
pub(crate) struct Md {
    pub d: Dialect,
    out: String,
}

const ANSI_RESET: &str = "\x1b[0m";

impl Md {
    pub fn new(d: Dialect) -> Self {
        Self {
            d,
            out: String::new(),
        }
    }

    /// Appends one line (already escaped / marked up).
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    /// One empty line (never two in a row, never at the start).
    pub fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// The text, without trailing blank lines.
    pub fn finish(self) -> String {
        self.out.trim_end().to_owned()
    }

    /// Untrusted text as one line.
    pub fn esc(&self, s: &str) -> String {
        escape(s.trim(), self.d)
    }

    /// Untrusted text, one escaped string per line.
    pub fn esc_lines(&self, s: &str) -> Vec<String> {
        escape_lines(s, self.d)
    }

    /// Bold around our own (or already escaped) text.
    pub fn bold(&self, s: &str) -> String {
        let s = s.trim();
        if s.is_empty() {
            return String::new();
        }
        match self.d {
            Dialect::Slack => format!("*{s}*"),
            Dialect::Discord => format!("**{s}**"),
            Dialect::Terminal { color: true } => format!("\x1b[1m{s}{ANSI_RESET}"),
            Dialect::Terminal { color: false } => s.to_owned(),
        }
    }

    /// Italic (dim on a terminal) around our own (or already escaped) text.
    pub fn italic(&self, s: &str) -> String {
        let s = s.trim();
        if s.is_empty() {
            return String::new();
        }
        match self.d {
            Dialect::Slack | Dialect::Discord => format!("_{s}_"),
            Dialect::Terminal { color: true } => format!("\x1b[2m{s}{ANSI_RESET}"),
            Dialect::Terminal { color: false } => s.to_owned(),
        }
    }

    /// A link; `label` is untrusted. A URL that is not plain http(s) is shown as text.
    pub fn link(&self, label: &str, url: &str) -> String {
        let label = self.esc(label);
        let Some(url) = safe_url(url) else {
            return format!("{label} ({})", self.esc(url));
        };
        match self.d {
            Dialect::Slack => format!(
                "<{}|{}>",
                url.replace('&', "&amp;"),
                label.replace('|', "∣")
            ),
            Dialect::Discord => {
                let url = url
                    .replace('(', "%28")
                    .replace(')', "%29")
                    .replace('[', "%5B")
                    .replace(']', "%5D");
                format!("[{label}]({url})")
            }
            Dialect::Terminal { .. } => format!("{label}: {url}"),
        }
    }

    /// The separator under a title.
    pub fn sep(&mut self) {
        let s = match self.d {
            Dialect::Slack => "━".repeat(19),
            Dialect::Discord => "─".repeat(19),
            Dialect::Terminal { .. } => "─".repeat(40),
        };
        self.line(s);
    }

    /// A section heading after a blank line.
    pub fn heading(&mut self, title: &str) {
        self.blank();
        let h = match self.d {
            Dialect::Terminal { color } => {
                let t = title.to_uppercase();
                if color {
                    format!("\x1b[1;4m{t}{ANSI_RESET}")
                } else {
                    t
                }
            }
            _ => self.bold(title),
        };
        self.line(h);
    }

    /// `*Label:* value` (value already escaped).
    pub fn field(&mut self, label: &str, value: &str) {
        let l = self.bold(&format!("{label}:"));
        self.line(format!("{l} {value}"));
    }

    /// A quoted line (value already escaped).
    pub fn quote(&mut self, s: &str) {
        let q = match self.d {
            Dialect::Slack => format!(">{s}"),
            Dialect::Discord => format!("> {s}"),
            Dialect::Terminal { .. } => format!("      │ {s}"),
        };
        self.line(q);
    }

    /// A bullet line (value already escaped / marked up).
    pub fn bullet(&mut self, s: &str) {
        let b = match self.d {
            Dialect::Slack => format!("• {s}"),
            Dialect::Discord => format!("- {s}"),
            Dialect::Terminal { .. } => format!("  • {s}"),
        };
        self.line(b);
    }

    /// An indented sub-line under a bullet.
    pub fn sub(&mut self, s: &str) {
        let b = match self.d {
            Dialect::Slack => format!("    {s}"),
            Dialect::Discord => format!("   {s}"),
            Dialect::Terminal { .. } => format!("      {s}"),
        };
        self.line(b);
    }

    /// A severity as `🔴 critical` (chat) or a coloured `CRITICAL` (terminal).
    pub fn severity(&self, s: Severity) -> String {
        match self.d {
            Dialect::Terminal { color } => {
                let name = s.as_str().to_uppercase();
                if !color {
                    return name;
                }
                let code = match s {
                    Severity::Critical => "1;31",
                    Severity::High => "31",
                    Severity::Medium => "33",
                    Severity::Low => "34",
                    Severity::Info => "2",
                };
                format!("\x1b[{code}m{name}{ANSI_RESET}")
            }
            _ => format!("{} {}", s.emoji(), s.as_str()),
        }
    }

    /// A severity marker in front of a finding.
    pub fn severity_mark(&self, s: Severity) -> String {
        match self.d {
            Dialect::Terminal { .. } => format!("[{}]", self.severity(s)),
            _ => s.emoji().to_owned(),
        }
    }
}

/// `12345` → `12,345`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$0.0123` (4 decimals under a dollar, 2 above).
pub(crate) fn dollars(usd: f64) -> String {
    if usd.abs() < 1.0 {
        format!("${usd:.4}")
    } else {
        format!("${usd:.2}")
    }
}

/// `4.2 s` / `850 ms`.
pub(crate) fn millis(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// `45 s`, `5 min`, `1 h 30 min`.
pub(crate) fn human_secs(secs: u64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 3600 && s % 60 == 0 => format!("{} min", s / 60),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
    }
}

/// `12,345 tokens in / 678 out · $0.0456`, or `no model used`.
pub(crate) fn cost_text(t: &Telemetry) -> String {
    if t.model.is_none() && t.input_tokens == 0 && t.output_tokens == 0 {
        return "no model used".into();
    }
    let cost = t.cost_usd.map_or_else(|| "cost unknown".into(), dollars);
    format!(
        "{} tokens in / {} out · {cost}",
        thousands(t.input_tokens),
        thousands(t.output_tokens)
    )
}

/// An agent's telemetry line when a model ran (`model · tokens · cost · time · tool calls`).
pub(crate) fn telemetry_text(md: &Md, t: &Telemetry) -> Option<String> {
    let model = t.model.as_deref()?;
    let mut parts = vec![md.esc(model), cost_text(t)];
    if t.duration_ms > 0 {
        parts.push(millis(t.duration_ms));
    }
    if t.tool_calls > 0 {
        parts.push(format!("{} tool calls", t.tool_calls));
    }
    Some(parts.join(" · "))
}

/// `2026-04-18 10:25:00 UTC`.
pub(crate) fn time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

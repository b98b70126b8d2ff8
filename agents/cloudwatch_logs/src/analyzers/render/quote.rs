//! What a title quotes from a line: its decisive phrase, and the line without its preamble.

use super::{SIGNATURE_RES, display_line};
use regex::Regex;
use sremesh_core::signals::Signature;
use sremesh_core::text::truncate;
use std::sync::LazyLock;

static PREAMBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
        r"|\d{4}/\d{2}/\d{2}|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?|[A-Z][a-z]{2} +\d{1,2}",
        // klog (`E0519`, `status.go:71]`).
        r"|[IWEF]\d{4}|[\w\-]+\.go:\d+\]",
        // PostgreSQL's RDS prefix (`UTC:10.0.0.1(5432):user@db:[1311]:ERROR:`).
        r"|[A-Z]{3,4}:\S*\[\d+\]:\S*",
        r"|\[?(?i:trace|debug|info|notice|warn|warning|error|err|fatal|critical|severe)\]?:?",
        r"|\d+|-{2,}|\[[^\]]{0,60}\]",
        // logfmt's own fields (`time=… level=error caller=x.go:12`).
        r#"|(?:time|ts|timestamp|level|lvl|severity|caller|logger|source)=(?:"[^"]*"|\S+)"#,
        r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+)+",
        // A syslog host and program (`ip-10-0-3-77 chronyd[1102]: `), or a dotted logger.
        r"(?:\S+ [A-Za-z][\w.\-/]*\[\d+\]:\s+|[a-z][\w$]*(?:\.[\w$]+)+\s*:\s+)?",
        // logfmt's message key.
        r#"(?:(?:msg|message)=\x22?)?"#
    ))
    .expect("static regex")
});

/// A log line without its preamble (timestamps, level, pid, `[thread]`, a dotted logger
/// name and its colon): `2026-01-02 10:00:00.1 ERROR 1 --- [main] c.a.Writer : write failed` →
/// `write failed`. The line unchanged when nothing would be left.
pub fn message_part(line: &str) -> &str {
    let t = line.trim();
    match PREAMBLE.find(t) {
        Some(m) if m.end() < t.len() => &t[m.end()..],
        _ => t,
    }
}

/// What a title quotes: the decisive phrase of a (displayed) line — the signature's match with
/// a little of what leads to it and the rest of its clause, else the line's message without
/// its preamble — at most `max` characters, with `…` where it was cut.
pub fn decisive(line: &str, sig: Option<&Signature>, max: usize) -> String {
    let shown = display_line(line);
    let shown = shown.lines().next().unwrap_or_default().trim();
    // The last match: in a chain of wrapped errors the root cause comes last.
    let Some((s, e)) = sig.and_then(|sig| last_span(shown, sig)) else {
        return truncate(message_part(shown), max);
    };
    // The rest of the clause: to the closing quote when the match sits inside a quoted
    // string, else to `;`, `|` or a brace; at most 60 characters on.
    let quoted = unescaped_quotes(&shown[..s]) % 2 == 1;
    let mut prev = '\0';
    let end = shown[e..]
        .char_indices()
        .take(60)
        .find(|(_, c)| {
            let stop = matches!(c, ';' | '|' | '{' | '}') || (quoted && *c == '"' && prev != '\\');
            prev = *c;
            stop
        })
        .map_or_else(
            || {
                shown[e..]
                    .char_indices()
                    .nth(60)
                    .map_or(shown.len(), |(i, _)| e + i)
            },
            |(i, _)| e + i,
        );
    // What leads to it: the line's message when it fits, else up to 100 characters back,
    // from a word start.
    let body = message_part(shown);
    let body_start = shown.len() - body.len();
    let lead_room = max.saturating_sub(shown[s..end].chars().count()).min(100);
    let from = if body_start <= s && shown[body_start..s].chars().count() <= lead_room {
        body_start
    } else if s < body_start {
        // The match is in the preamble (a logger named after the failure): from its token.
        shown[..s].rfind(char::is_whitespace).map_or(0, |w| w + 1)
    } else {
        let back = shown[..s]
            .char_indices()
            .rev()
            .nth(lead_room.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        shown[back..s]
            .find(char::is_whitespace)
            .map_or(s, |w| back + w + 1)
            .min(s)
    };
    let quote = shown[from..end].trim_end_matches([',', ' ', ':', '\\']);
    let cut = truncate(quote, max.saturating_sub(1));
    if from > 0 && from != body_start && s >= body_start {
        format!("…{cut}")
    } else {
        cut
    }
}

/// Where `sig` last matches `line` (byte range).
fn last_span(line: &str, sig: &Signature) -> Option<(usize, usize)> {
    SIGNATURE_RES
        .iter()
        .find(|(id, _)| *id == sig.id)
        .and_then(|(_, re)| re.find_iter(line).last())
        .map(|m| (m.start(), m.end()))
}

/// `"` characters not escaped by a backslash.
fn unescaped_quotes(s: &str) -> usize {
    let mut prev = '\0';
    s.chars()
        .filter(|c| {
            let q = *c == '"' && prev != '\\';
            prev = *c;
            q
        })
        .count()
}

//! CloudWatch Logs filter patterns (`FilterLogEvents.filterPattern`): parser and matcher.
//!
//! Supported syntax (matching is case-sensitive, as the service documents):
//!
//! - empty or blank pattern, or `""`: every event matches.
//! - `ERROR`: a term; matches events whose message contains it as a substring (`ERROR` matches
//!   `Exiting with ERRORCODE: -1`, as in the service's documentation).
//! - `ERROR timeout`: several terms; all must appear, in any order.
//! - `"connection refused"`: a quoted phrase, matched as one substring (`\"` and `\\` escape).
//! - `?ERROR ?WARN`: alternatives; at least one `?` term must appear.
//! - `-DEBUG` (or `- "DEBUG"`): an exclusion; no event containing it matches.
//!   Mixed forms combine as: all plain terms AND (any `?` term, if there are some) AND no
//!   excluded term.
//! - `%regex%`: a regular-expression term (the `regex` crate's syntax; parentheses are
//!   rejected, as the service rejects them).
//! - JSON patterns `{ SELECTOR OP VALUE }`: selectors `$.a.b`, `$.list[0].id`; operators `=`,
//!   `!=` (strings, with `*` wildcards, or numbers) and `<`, `>`, `<=`, `>=` (numbers only);
//!   `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`; `&&`, `||` (`&&` binds tighter) and
//!   parentheses; quoted or bare values, `%regex%` values. Events whose message is not JSON
//!   never match a JSON pattern; a selector that points at an object or array never matches.
//!
//! Not supported: space-delimited patterns (`[ip, user, ...]`) — rejected with an error that
//! says so, which the service layer answers as `InvalidParameterException`.

use super::filter_json::JsonPattern;
use regex::Regex;

/// Why a filter pattern was rejected; `offset` is the byte offset of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at offset {offset})")]
pub struct PatternError {
    /// What is wrong, in words a user can act on.
    pub message: String,
    /// Byte offset into the pattern.
    pub offset: usize,
}

impl PatternError {
    pub(crate) fn new(message: impl Into<String>, offset: usize) -> Self {
        Self {
            message: message.into(),
            offset,
        }
    }
}

/// A parsed filter pattern.
#[derive(Debug, Clone)]
pub struct FilterPattern(Kind);

#[derive(Debug, Clone)]
enum Kind {
    All,
    Terms(Terms),
    Json(JsonPattern),
}

#[derive(Debug, Clone, Default)]
struct Terms {
    required: Vec<Term>,
    any: Vec<Term>,
    excluded: Vec<Term>,
}

#[derive(Debug, Clone)]
enum Term {
    Text(String),
    Regex(Regex),
}

impl Term {
    fn found_in(&self, message: &str) -> bool {
        match self {
            Term::Text(t) => message.contains(t.as_str()),
            Term::Regex(r) => r.is_match(message),
        }
    }
}

impl FilterPattern {
    /// Parses a pattern; see the module documentation for the syntax.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let trimmed = pattern.trim_start();
        let lead = pattern.len() - trimmed.len();
        if trimmed.trim_end().is_empty() {
            return Ok(Self(Kind::All));
        }
        if trimmed.starts_with('{') {
            return JsonPattern::parse(pattern, lead).map(|j| Self(Kind::Json(j)));
        }
        if trimmed.starts_with('[') {
            return Err(PatternError::new(
                "space-delimited filter patterns ([field, ...]) are not supported by this \
                 sandbox; use terms, quoted phrases, ?alternatives, -exclusions or a JSON \
                 pattern { $.field = value }",
                lead,
            ));
        }
        parse_terms(pattern).map(|t| Self(Kind::Terms(t)))
    }

    /// Whether an event with this message matches.
    pub fn matches(&self, message: &str) -> bool {
        match &self.0 {
            Kind::All => true,
            Kind::Json(j) => j.matches(message),
            Kind::Terms(t) => {
                t.required.iter().all(|term| term.found_in(message))
                    && (t.any.is_empty() || t.any.iter().any(|term| term.found_in(message)))
                    && !t.excluded.iter().any(|term| term.found_in(message))
            }
        }
    }
}

fn parse_terms(pattern: &str) -> Result<Terms, PatternError> {
    let skip_ws = |i: usize| pattern.len() - pattern[i..].trim_start().len();
    let mut terms = Terms::default();
    let mut i = skip_ws(0);
    while i < pattern.len() {
        let prefix = pattern[i..]
            .chars()
            .next()
            .filter(|c| matches!(c, '?' | '-'));
        if let Some(p) = prefix {
            let at = i;
            i = skip_ws(i + 1);
            if i >= pattern.len() {
                return Err(PatternError::new(
                    format!("'{p}' must be followed by a term"),
                    at,
                ));
            }
        }
        let (term, next) = parse_term(pattern, i)?;
        match prefix {
            Some('?') => terms.any.push(term),
            Some(_) => terms.excluded.push(term),
            None => terms.required.push(term),
        }
        i = skip_ws(next);
    }
    Ok(terms)
}

/// One term starting at byte `i` (not whitespace): quoted, `%regex%` or bare.
fn parse_term(pattern: &str, i: usize) -> Result<(Term, usize), PatternError> {
    let rest = &pattern[i..];
    if rest.starts_with('"') {
        let (text, len) = quoted(rest, i)?;
        return Ok((Term::Text(text), i + len));
    }
    if let Some(body) = rest.strip_prefix('%') {
        let (regex, len) = percent_regex(body, i)?;
        return Ok((Term::Regex(regex), i + 1 + len));
    }
    let len = rest
        .find(|c: char| c.is_whitespace() || c == '"')
        .unwrap_or(rest.len());
    Ok((Term::Text(rest[..len].to_string()), i + len))
}

/// A double-quoted string at the start of `s`; returns its text and its length in bytes
/// (both quotes included). `base` is `s`'s offset in the pattern, for errors.
pub(crate) fn quoted(s: &str, base: usize) -> Result<(String, usize), PatternError> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Ok((out, at + 1)),
            '\\' => match chars.next() {
                Some((_, escaped)) => out.push(escaped),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(PatternError::new("unterminated quoted string", base))
}

/// The regex after an opening `%` up to the closing `%`; returns it and the bytes consumed
/// (closing `%` included). `at` is the opening `%`'s offset, for errors.
pub(crate) fn percent_regex(body: &str, at: usize) -> Result<(Regex, usize), PatternError> {
    let end = body
        .find('%')
        .ok_or_else(|| PatternError::new("unterminated %regex% (no closing %)", at))?;
    let source = &body[..end];
    if source.is_empty() {
        return Err(PatternError::new("empty %regex%", at));
    }
    if source.contains(['(', ')']) {
        return Err(PatternError::new(
            "parentheses are not supported in filter-pattern regexes",
            at,
        ));
    }
    let regex = regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| PatternError::new(format!("invalid regex: {e}"), at))?;
    Ok((regex, end + 1))
}

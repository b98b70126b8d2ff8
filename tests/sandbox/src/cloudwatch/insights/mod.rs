//! CloudWatch Logs Insights: the supported query subset, its parser and its evaluator.
//!
//! A query is commands separated by `|`, run in order; `#` starts a comment. Supported:
//!
//! - `fields a, b as x, tolower(c) as y` — columns to show (repeated `fields` add columns);
//!   without any, rows show `@timestamp`, `@message` (and `@ptr`), as the service does.
//! - `filter <condition>` — `=`, `!=`, `<`, `<=`, `>`, `>=` (numbers, and strings that are only a
//!   number, compare as numbers; other values as text), `like /regex/`, `=~ /regex/`,
//!   `like "substring"`, `not like`, `in [..]`, `not in [..]`, `and`, `or`, `not`, parentheses;
//!   functions `ispresent(f)`, `isempty`, `isblank`, `tolower`, `toupper`, `strlen`, `concat`,
//!   `coalesce`, `bin(period)`, `datefloor(f, period)`. Regexes use the `regex` crate's syntax,
//!   so flags like `(?i)` work. A comparison with an absent field is false.
//! - `stats agg [as name], ... [by group [as name], ...]` — `count(*)`, `count()`, `count(f)`,
//!   `count_distinct(f)`, `sum(f)`, `avg(f)`, `min(f)`, `max(f)`, `pct(f, 95)`; groups are fields
//!   or `bin(30s|5m|1h|1d|…)` (units ms, s, m, h, d). Unnamed columns are named by their text
//!   as written (`count(*)`, `bin(1m)`). Groups come out in ascending order of their values;
//!   no input records give no rows. Later commands see only the stats columns.
//! - `sort f [asc|desc], ...` — the service's natural order (non-numbers before numbers, digit
//!   runs by value); no direction means `desc`; absent values last.
//! - `limit n` (1–10000; `head n` is accepted as a synonym).
//! - `parse f "glob with * wildcards" as a, b` (one name per `*`; each `*` matches lazily,
//!   a trailing one takes the rest) and `parse f /regex with (?<name>...)/`; records that do
//!   not match keep going without those fields.
//! - `display a, b` — exactly these columns.
//!
//! Record fields: `@timestamp`, `@message`, `@logStream`, `@log` (`account:group`),
//! `@ingestionTime`, `@ptr`, and for JSON-object messages every leaf field by its dotted path
//! (`kubernetes.pod_name`, `list.0`). Without `sort`, records are taken newest first; times
//! render as `2026-04-18 10:22:13.000` (UTC). Anything else (other commands, arithmetic,
//! other functions, `source`, `dedup`, `unmask` …) is a [`QueryError`] naming what is
//! unsupported, which the service answers as `MalformedQueryException`.

mod cursor;
mod eval;
mod expr;
mod lexer;
mod parser;
mod value;

pub use parser::MAX_LIMIT;

/// Longest query string the service accepts.
const MAX_QUERY_LEN: usize = 10_000;

/// Why a query was rejected: what is wrong, and the byte span it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at {start}..{end})")]
pub struct QueryError {
    /// What is wrong or unsupported, in words the query's author can act on.
    pub message: String,
    /// Byte offset where the problem starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
}

impl QueryError {
    pub(crate) fn new(message: impl Into<String>, start: usize, end: usize) -> Self {
        Self {
            message: message.into(),
            start,
            end,
        }
    }
}

/// One log event as a query sees it.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Event time, ms since the epoch.
    pub timestamp_ms: i64,
    /// Ingestion time, ms since the epoch.
    pub ingestion_time_ms: i64,
    /// The raw message.
    pub message: &'a str,
    /// Its log stream.
    pub log_stream: &'a str,
    /// Its log group name.
    pub log_group: &'a str,
    /// Its `@ptr`.
    pub ptr: &'a str,
}

/// A finished query's rows and statistics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOutput {
    /// Each row's `(field, value)` pairs in column order; absent fields are left out.
    pub rows: Vec<Vec<(String, String)>>,
    /// Records that passed the filters before the first `stats`.
    pub records_matched: u64,
    /// Records in the queried groups and time range.
    pub records_scanned: u64,
    /// Bytes of those records' messages.
    pub bytes_scanned: u64,
}

/// A parsed query, ready to run over any set of records.
#[derive(Debug, Clone)]
pub struct Query {
    stages: Vec<parser::Stage>,
}

impl Query {
    /// Parses a query string; see the module documentation for the supported subset.
    pub fn parse(query: &str) -> Result<Self, QueryError> {
        if query.len() > MAX_QUERY_LEN {
            return Err(QueryError::new(
                format!("query is longer than {MAX_QUERY_LEN} characters"),
                MAX_QUERY_LEN,
                query.len(),
            ));
        }
        let tokens = lexer::lex(query)?;
        let stages = parser::parse(query, &tokens)?;
        Ok(Self { stages })
    }

    /// Runs the query over `records` and keeps at most `limit` rows.
    pub fn run(&self, records: &[Record<'_>], limit: usize) -> QueryOutput {
        eval::run(&self.stages, records, limit)
    }
}

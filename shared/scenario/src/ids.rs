//! Chat ids derived from times: Slack `ts` strings and Discord snowflakes, plus the `at`
//! expressions (`-4m`, RFC 3339) that scenario files use for times.

use jiff::{SignedDuration, Span, SpanRelativeTo, Timestamp};

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
pub const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// Parses an `at` expression: an RFC 3339 instant, `now`, or an offset from `now` in jiff's
/// friendly duration syntax (`-90s`, `-4m`, `+30s`, `-1h30m`, `4m ago`, and days or weeks of
/// 24 hours each: `-3d`, `-1w`). Returns a message suitable for an error on failure.
pub fn resolve_at(expr: &str, now: Timestamp) -> Result<Timestamp, String> {
    let s = expr.trim();
    if s.is_empty() {
        return Err("empty time (expected an RFC 3339 instant or an offset like -4m)".into());
    }
    if s.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    let offset: SignedDuration = s
        .parse()
        .or_else(|_| {
            s.parse::<Span>()
                .and_then(|span| span.to_duration(SpanRelativeTo::days_are_24_hours()))
        })
        .map_err(|_| {
            format!("'{s}' is neither an RFC 3339 instant (2026-04-18T10:25:00Z) nor an offset from now (-90s, -4m, -2h, -3d, +30s)")
        })?;
    now.checked_add(offset)
        .map_err(|_| format!("'{s}' moves the time out of range"))
}

/// Microseconds since the Unix epoch.
pub fn micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

/// Formats Unix microseconds as a Slack `ts` (`"1776507900.000100"`).
pub fn format_slack_ts(micros: i64) -> String {
    format!(
        "{}.{:06}",
        micros.div_euclid(1_000_000),
        micros.rem_euclid(1_000_000)
    )
}

/// The Slack `ts` of an instant (no uniqueness bump).
pub fn slack_ts(at: Timestamp) -> String {
    format_slack_ts(micros(at))
}

/// Parses a Slack `ts` (`"1776507900.000100"`, or whole seconds) into Unix microseconds.
pub fn parse_slack_ts(ts: &str) -> Option<i64> {
    let (secs, frac) = match ts.split_once('.') {
        Some((s, f)) => (s, f),
        None => (ts, ""),
    };
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) || secs.len() > 12 {
        return None;
    }
    if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let s: i64 = secs.parse().ok()?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().ok()?
    };
    s.checked_mul(1_000_000)?.checked_add(f)
}

/// The instant of a Slack `ts`.
pub fn slack_ts_time(ts: &str) -> Option<Timestamp> {
    Timestamp::from_microsecond(parse_slack_ts(ts)?).ok()
}

/// Unix milliseconds of an instant.
pub fn millis(at: Timestamp) -> i64 {
    at.as_millisecond()
}

/// A Discord snowflake for Unix milliseconds `ms` and a sequence number (`None` before 2015).
pub fn snowflake(ms: i64, seq: u64) -> Option<u64> {
    let since = u64::try_from(ms.checked_sub(DISCORD_EPOCH_MS)?).ok()?;
    if since >= (1 << 42) {
        return None;
    }
    Some((since << 22) | (seq & ((1 << 22) - 1)))
}

/// The instant a snowflake encodes.
pub fn snowflake_time(id: u64) -> Option<Timestamp> {
    let ms = i64::try_from(id >> 22)
        .ok()?
        .checked_add(DISCORD_EPOCH_MS)?;
    Timestamp::from_millisecond(ms).ok()
}

/// Assigns unique, increasing Slack `ts` values to instants given oldest first: an instant that
/// collides with (or precedes) the previous one gets the previous value plus one microsecond.
pub fn unique_slack_ts(times: &[Timestamp]) -> Vec<String> {
    let mut last: Option<i64> = None;
    times
        .iter()
        .map(|t| {
            let mut u = micros(*t);
            if let Some(l) = last
                && u <= l
            {
                u = l.saturating_add(1);
            }
            last = Some(u);
            format_slack_ts(u)
        })
        .collect()
}

/// Hands out Discord snowflakes: the sequence part counts messages within the same millisecond,
/// so ids are unique across everything one allocator numbers.
#[derive(Debug, Default, Clone)]
pub struct SnowflakeAllocator {
    used: std::collections::BTreeMap<i64, u64>,
}

impl SnowflakeAllocator {
    /// The next id for an instant (`None` before 2015 or after 2154).
    pub fn next(&mut self, at: Timestamp) -> Option<u64> {
        let ms = millis(at);
        let seq = self.used.entry(ms).or_insert(0);
        let id = snowflake(ms, *seq)?;
        *seq += 1;
        Some(id)
    }
}

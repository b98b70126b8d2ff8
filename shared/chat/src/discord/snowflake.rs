//! Discord snowflakes ⇄ time: the top 42 bits of an id are milliseconds since 2015-01-01.

use jiff::Timestamp;

/// Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds.
pub const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

/// Parses an id (decimal digits only, fits in 64 bits).
pub fn parse_snowflake(id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

/// When the object with this id was created.
pub fn snowflake_time(id: u64) -> Option<Timestamp> {
    let ms = i64::try_from(id >> 22)
        .ok()?
        .checked_add(DISCORD_EPOCH_MS)?;
    Timestamp::from_millisecond(ms).ok()
}

/// The smallest id created at `at` (0 before Discord's epoch): ids `>=` it are not older.
pub fn snowflake_at(at: Timestamp) -> u64 {
    let ms = at.as_millisecond().saturating_sub(DISCORD_EPOCH_MS);
    u64::try_from(ms).map_or(0, |ms| ms.min((1 << 42) - 1) << 22)
}

/// The exclusive id bounds `(after, before)` of the messages posted in `[start, end]`.
pub fn window_bounds(start: Timestamp, end: Timestamp) -> (u64, u64) {
    let after = snowflake_at(start).saturating_sub(1);
    let end_next = end
        .checked_add(jiff::SignedDuration::from_millis(1))
        .unwrap_or(end);
    (after, snowflake_at(end_next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_time() {
        let t: Timestamp = "2026-04-18T10:25:00.123Z".parse().unwrap();
        let id = snowflake_at(t) | 0x3f_ffff; // any worker/sequence bits
        assert_eq!(snowflake_time(id), Some(t));
        assert_eq!(snowflake_time(snowflake_at(t)), Some(t));
        assert_eq!(snowflake_at("2014-01-01T00:00:00Z".parse().unwrap()), 0);
        let (after, before) = window_bounds(t, t);
        assert!(after < snowflake_at(t) && snowflake_at(t) < before);
        assert_eq!(
            parse_snowflake("1100000000000000001"),
            Some(1_100_000_000_000_000_001)
        );
        for bad in ["", "12a", "-1", "123456789012345678901"] {
            assert_eq!(parse_snowflake(bad), None, "{bad}");
        }
    }
}

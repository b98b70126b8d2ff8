//! Numbers a process reports about itself in its logs (`"rss_mb":842`, `open_fds=65498
//! rlimit_nofile=65536`): a memory gauge that keeps rising across a run ([`memory_growth`]),
//! and a gauge at its own limit ([`at_limit`]) — the evidence behind a leak or an exhausted
//! resource, in the process's own words.

use super::LogLine;
use super::facts::hms;
use jiff::Timestamp;
use regex::Regex;
use std::sync::LazyLock;

/// One reading of a gauge: when, and the value.
type Reading = (Option<Timestamp>, f64);

/// `"rss_mb":342`, `heap_used=611`, `memory: 1.2` — a memory gauge and its value.
static GAUGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)"?\b((?:[a-z]+_)*(?:rss|heap|mem|memory|resident|working_?set)(?:_[a-z]+)*)"?\s*[:=]\s*"?(\d+(?:\.\d+)?)\b"#,
    )
    .expect("static regex")
});

/// The memory gauge a log reports rising across a run: `rss_mb 342 → 1004 (05:15:00 → 07:10:00)`.
/// At least three readings, mostly rising, the last at least 30% above the first.
pub fn memory_growth(lines: &[LogLine]) -> Option<String> {
    let mut series: Vec<(String, Vec<Reading>)> = Vec::new();
    for l in lines {
        for c in GAUGE.captures_iter(&l.text) {
            let Ok(v) = c[2].parse::<f64>() else {
                continue;
            };
            let key = c[1].to_owned();
            match series.iter_mut().find(|(k, _)| *k == key) {
                Some((_, vs)) => vs.push((l.at, v)),
                None => series.push((key, vec![(l.at, v)])),
            }
        }
    }
    series.into_iter().find_map(|(key, vs)| {
        let (first, last) = (vs.first()?, vs.last()?);
        let ups = vs.windows(2).filter(|w| w[1].1 > w[0].1).count();
        let steps = vs.len() - 1;
        (vs.len() >= 3 && first.1 > 0.0 && last.1 >= first.1 * 1.3 && ups * 4 >= steps * 3).then(
            || {
                let span = match (first.0, last.0) {
                    (Some(a), Some(b)) => format!(" ({} → {})", hms(a), hms(b)),
                    _ => String::new(),
                };
                format!("{key} {} → {}{span}", first.1, last.1)
            },
        )
    })
}

/// `key=12`, `"key": 12`, `key: 12` — every numeric field of a line.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""?\b([A-Za-z][A-Za-z0-9_.]*)"?\s*[:=]\s*"?(\d+(?:\.\d+)?)\b"#)
        .expect("static regex")
});

fn is_limit(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("limit") || k.starts_with("max") || k.ends_with("max") || k.contains("_max")
}

/// A gauge at 90% or more of a limit the same line reports: `open_fds 65498 of rlimit_nofile
/// 65536 (100%)`.
pub fn at_limit(text: &str) -> Option<String> {
    let nums: Vec<(&str, f64)> = NUMBER
        .captures_iter(text)
        .filter_map(|c| {
            let k = c.get(1)?.as_str();
            Some((k, c.get(2)?.as_str().parse::<f64>().ok()?))
        })
        .collect();
    nums.iter()
        .filter(|(k, v)| is_limit(k) && *v > 0.0)
        .find_map(|(lk, lv)| {
            nums.iter()
                .filter(|(k, v)| !is_limit(k) && *v >= lv * 0.9 && *v <= lv * 1.01)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(k, v)| format!("{k} {v} of {lk} {lv} ({:.0}%)", v / lv * 100.0))
        })
}

/// The latest at-limit reading in a log, with its time.
pub fn latest_at_limit(lines: &[LogLine]) -> Option<String> {
    lines.iter().rev().find_map(|l| {
        at_limit(&l.text).map(|g| match l.at {
            Some(t) => format!("{g} at {}", hms(t)),
            None => g,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(xs: &[(&str, &str)]) -> Vec<LogLine> {
        xs.iter()
            .map(|(at, t)| LogLine {
                at: Some(format!("2026-01-05T{at}:00Z").parse().expect("test time")),
                text: (*t).to_owned(),
            })
            .collect()
    }

    /// A memory gauge that climbs across a run is growth; a flat or noisy one is not.
    #[test]
    fn memory_growth_cases() {
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case] = &[
            (
                &[
                    ("01:00", r#"{"msg":"stats","heap_used_mb":200,"conns":4}"#),
                    ("02:00", r#"{"msg":"stats","heap_used_mb":410,"conns":5}"#),
                    ("03:00", r#"{"msg":"stats","heap_used_mb":655,"conns":4}"#),
                ],
                Some("heap_used_mb 200 → 655 (01:00:00 → 03:00:00)"),
            ),
            (
                &[
                    ("01:00", "gc done memory=512 pause=3"),
                    ("02:00", "gc done memory=498 pause=4"),
                    ("03:00", "gc done memory=530 pause=2"),
                ],
                None,
            ),
            (
                &[("01:00", "resident_kb=100"), ("02:00", "resident_kb=900")],
                None,
            ),
            (&[("01:00", "no numbers here")], None),
        ];
        for (input, want) in cases {
            assert_eq!(memory_growth(&lines(input)).as_deref(), *want, "{input:?}");
        }
    }

    /// A gauge next to its own limit is reported only when it is close to it.
    #[test]
    fn at_limit_cases() {
        let cases = [
            (
                r#"{"msg":"proc","fd_count":1019,"fd_limit":1024,"threads":88}"#,
                Some("fd_count 1019 of fd_limit 1024 (100%)"),
            ),
            (
                "pool stats active=48 idle=0 max_active=50",
                Some("active 48 of max_active 50 (96%)"),
            ),
            ("pool stats active=12 idle=30 max_active=50", None),
            ("limit=0 used=0", None),
            ("nothing to see", None),
        ];
        for (text, want) in cases {
            assert_eq!(at_limit(text).as_deref(), want, "{text}");
        }
    }
}

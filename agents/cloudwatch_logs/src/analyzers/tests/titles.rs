//! What titles quote: the decisive phrase of a line — the signature's (last) match with a
//! little of what leads to it, or the message without its preamble — never a long prefix of
//! timestamps, levels and logger names.

use super::super::render::{decisive, message_part};
use super::*;

/// `(line, must contain, must not contain)`; quotes are at most 160 characters.
type TitleCase = (String, &'static [&'static str], &'static [&'static str]);

#[test]
fn titles_quote_the_decisive_phrase() {
    let java_prefix = "2026-02-11 08:14:55.102 ERROR 1 --- [batch-writer-3] c.e.s.persist.BatchWriter : flush failed for 500 rows (shard 12, lsn 0/1A2B3C4D), giving up after 3 attempts: ";
    let cases: Vec<TitleCase> = vec![
        (
            format!("{java_prefix}org.postgresql.util.PSQLException: ERROR: cannot execute DELETE in a read-only transaction"),
            &["cannot execute DELETE in a read-only transaction"],
            &["08:14:55", "BatchWriter :"],
        ),
        (
            // The root cause at the end of a wrapped error wins over its first mention.
            r#"E0301 11:00:02.5 status.go:71] "Unhandled Error" err="wrapped: &errors.errorString{s:\"etcdserver: leader changed\"}: etcdserver: leader changed" logger="UnhandledError""#.to_owned(),
            &["}: etcdserver: leader changed"],
            &["E0301", "logger="],
        ),
        (
            r#"time=2026-02-11T08:00:00Z level=error msg="config: invalid value for QUEUE_URL" err="no scheme""#.to_owned(),
            &["config: invalid value for QUEUE_URL"],
            &["time=", "level="],
        ),
        (
            "Feb 11 08:00:01 ip-10-1-2-3 chronyd[77]: System clock wrong by 31.2 seconds".to_owned(),
            &["System clock wrong by 31.2 seconds"],
            &["chronyd[77]", "Feb 11"],
        ),
        (
            // Signature-less: the message without its preamble.
            "2026-02-11 08:00:00,001 WARNING billing.jobs: invoice 42 skipped: customer has no address".to_owned(),
            &["invoice 42 skipped: customer has no address"],
            &["WARNING", "billing.jobs"],
        ),
        (
            // A quoted clause ends at its closing quote; an unquoted one runs on.
            r#"request failed: java.lang.NullPointerException: Cannot invoke "com.example.Cart.total()" because "cart" is null"#.to_owned(),
            &["NullPointerException: Cannot invoke \"com.example.Cart.total()\" because"],
            &[],
        ),
    ];
    for (line, keeps, drops) in cases {
        let got = decisive(&line, signals::classify(&line), 160);
        assert!(got.chars().count() <= 160, "{got}");
        for k in keeps {
            assert!(got.contains(k), "{k:?} lost from {got:?}");
        }
        for d in drops {
            assert!(!got.contains(d), "{d:?} kept in {got:?}");
        }
    }
}

#[test]
fn message_parts_drop_the_preamble_only() {
    let cases = [
        (
            "2026-02-11 08:00:00.1 INFO 1 --- [main] c.e.App : started in 3.2s",
            "started in 3.2s",
        ),
        (
            "[ERROR]\t2026-02-11T08:00:00.000Z\t0a1b2c3d-1111-2222-3333-444455556666\tboom happened",
            "boom happened",
        ),
        ("ERROR: cannot execute INSERT", "cannot execute INSERT"),
        ("plain words only", "plain words only"),
        ("2026-02-11 08:00:00", "2026-02-11 08:00:00"),
    ];
    for (line, want) in cases {
        assert_eq!(message_part(line), want, "{line}");
    }
}

//! `logs_quiet`: errors that stopped are quoted as what recovered — except a single line whose
//! source logged on without it, which is counted as a one-off, never quoted as a cause.

use super::super::{Activity, Candidate, Input, SourceActivity};
use crate::discovery::{KeywordKind, Target};
use crate::records::LogRecord;
use jiff::{SignedDuration, Timestamp};
use sremesh_core::TimeWindow;

const ALERT: &str = "2026-08-12T03:04:00Z";
const GROUP: &str = "/aws/rds/instance/orders-db/postgresql";
const LINE: &str = "2026-08-12 02:54:02 UTC:10.30.51.9(44120):reporting_ro@orders:[30871]:FATAL:  terminating connection due to idle-in-transaction timeout";

fn at(min_before_alert: i64) -> Timestamp {
    ALERT
        .parse::<Timestamp>()
        .unwrap()
        .checked_sub(SignedDuration::from_mins(min_before_alert))
        .unwrap()
}

fn input(minutes: &[i64], source_last: i64, also: &[(i64, &str)]) -> Input {
    let mut t = Target::default();
    t.add("orders-db", KeywordKind::Name);
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    let mut i = Input::new(at(0), w, "eu-west-1".into(), t);
    i.groups = vec![Candidate {
        name: GROUP.into(),
        score: 3,
        matched: vec!["orders-db".into()],
        dedicated: true,
        stored_bytes: None,
    }];
    i.records = minutes
        .iter()
        .map(|m| LogRecord::parse(GROUP, "orders-db.0", at(*m), LINE))
        .chain(
            also.iter()
                .map(|(m, l)| LogRecord::parse(GROUP, "orders-db.0", at(*m), l)),
        )
        .collect();
    i.baseline_records = Some(vec![]);
    let mut activity = Activity::new();
    activity.insert(
        (GROUP.to_owned(), "orders-db.0".to_owned()),
        SourceActivity {
            first: at(60),
            last: at(source_last),
            lines: 120,
        },
    );
    i.activity = Some(activity);
    i.finish()
}

/// `(what, error lines at, the source's last line at, its other lines, quoted, evidence
/// contains)`.
#[test]
fn one_off_lines_are_counted_not_quoted() {
    let shutdown = "2026-08-12 02:54:03 UTC::@:[512]:FATAL:  the database system is shutting down";
    type Case<'a> = (&'a str, &'a [i64], i64, &'a [(i64, &'a str)], bool, &'a str);
    let cases: &[Case] = &[
        (
            "one line, the source logged on: a one-off",
            &[10],
            1,
            &[],
            false,
            "1 one-off error line(s) that did not recur, the last at 02:54 UTC",
        ),
        (
            "the same line three times, then recovered: quoted",
            &[16, 13, 10],
            1,
            &[],
            true,
            "×3",
        ),
        (
            "one line beside another failure of the same source: part of it, quoted",
            &[10],
            1,
            &[(12, shutdown), (11, shutdown)],
            true,
            "×1",
        ),
    ];
    for (what, minutes, last, also, quoted, words) in cases {
        let i = input(minutes, *last, also);
        let got = super::analyze(&i);
        assert_eq!(got.len(), 1, "{what}");
        let f = &got[0];
        assert_eq!(f.kind, "logs_quiet", "{what}");
        let text = f.evidence.join("\n");
        assert_eq!(
            text.contains("idle-in-transaction"),
            *quoted,
            "{what}: {text}"
        );
        assert!(text.contains(words), "{what}: {words:?} not in {text}");
        assert!(
            f.title.contains("errors stopped at 02:54 UTC"),
            "{what}: {}",
            f.title
        );
    }
}

/// Runs that passed after the errors stopped (a canary's `Result: PASSED`) are quoted in the
/// title and evidence as the recovery; passes before the stop, or a failed result, are not.
#[test]
fn passes_since_the_stop_are_quoted() {
    let pass = "2026-08-12T02:58:19.877Z\t3c9b\tINFO\tCanary successfully executed. Result: PASSED (steps 6/6, 18.7 s)";
    let failed =
        "2026-08-12T02:58:19.877Z\t3c9b\tERROR\tCanary error: TimeoutError. Result: FAILED";
    type Case<'a> = (&'a str, &'a [(i64, &'a str)], Option<&'a str>);
    let cases: &[Case] = &[
        (
            "two passes after the stop: quoted with their count",
            &[(6, pass), (2, pass)],
            Some(
                "\"Canary successfully executed. Result: PASSED (steps 6/6, 18.7 s)\" ×2 (the last at 03:02 UTC)",
            ),
        ),
        ("a pass only before the stop: nothing", &[(20, pass)], None),
        ("no passes at all: nothing", &[], None),
    ];
    for (what, also, clause) in cases {
        let i = input(&[16, 13, 10], 1, also);
        let got = super::analyze(&i);
        let f = &got[0];
        match clause {
            Some(c) => {
                assert!(f.title.contains(c), "{what}: {}", f.title);
                assert!(
                    f.evidence.iter().any(|e| e.contains("Result: PASSED")),
                    "{what}: {:?}",
                    f.evidence
                );
            }
            None => assert!(!f.title.contains("PASSED"), "{what}: {}", f.title),
        }
        assert!(!f.title.contains("FAILED"), "{what}: {}", f.title);
    }
    // A failed result after the stop is no pass (it is an error line).
    let i = input(&[16, 13, 10], 1, &[(4, failed)]);
    assert!(
        super::analyze(&i)
            .iter()
            .all(|f| !f.title.contains("since then")),
        "a FAILED result read as a pass"
    );
}

//! When an announced activity runs: stated spans and whether they cover the alert.

use jiff::Timestamp;
use sremesh_chatscan::planned::{self, When};
use sremesh_chatscan::vocab::ChangeKind;

fn t(s: &str) -> Timestamp {
    s.parse().expect("a valid time")
}

/// A span as `(start, end)` in RFC 3339.
type Span = (&'static str, &'static str);

/// `check(text, posted, expected span)`.
fn check(text: &str, posted: &str, want: Option<Span>) {
    let got = planned::stated_span(text, t(posted)).map(|s| (s.start, s.end));
    assert_eq!(got, want.map(|(a, b)| (t(a), t(b))), "{text}");
}

#[test]
fn spans_are_read_from_the_announcement() {
    let cases: [(&str, &str, Option<Span>); 8] = [
        (
            "Planned load test, product-api, 14:00–15:00 UTC, k6",
            "2026-05-15T13:37:00Z",
            Some(("2026-05-15T14:00:00Z", "2026-05-15T15:00:00Z")),
        ),
        (
            "instance-reboot in window 2026-05-27 05:30–07:30 UTC",
            "2026-05-21T00:00:00Z",
            Some(("2026-05-27T05:30:00Z", "2026-05-27T07:30:00Z")),
        ),
        (
            "maintenance on orders-db 23:30-00:30",
            "2026-05-15T20:00:00Z",
            Some(("2026-05-15T23:30:00Z", "2026-05-16T00:30:00Z")),
        ),
        (
            "patching tonight 01:00 to 02:00 UTC",
            "2026-05-15T22:00:00Z",
            Some(("2026-05-16T01:00:00Z", "2026-05-16T02:00:00Z")),
        ),
        (
            "node rotation tomorrow 09:00–10:00 UTC",
            "2026-05-15T16:00:00Z",
            Some(("2026-05-16T09:00:00Z", "2026-05-16T10:00:00Z")),
        ),
        (
            "kicking off the soak test on cart-api now, for 2 hours",
            "2026-05-15T10:00:00Z",
            Some(("2026-05-15T10:00:00Z", "2026-05-15T12:00:00Z")),
        ),
        // Another time zone is not guessed at.
        (
            "load test 16:00–17:00 CEST on search",
            "2026-05-15T10:00:00Z",
            None,
        ),
        (
            "load test on search later today",
            "2026-05-15T10:00:00Z",
            None,
        ),
    ];
    for (text, posted, want) in cases {
        check(text, posted, want);
    }
}

#[test]
fn early_announcements_count_only_while_they_still_explain_the_alert() {
    let alert = t("2026-05-15T14:22:00Z");
    let cases = [
        // The stated span covers the alert.
        (
            ChangeKind::LoadTest,
            "load test 14:00–15:00 UTC",
            "2026-05-15T13:37:00Z",
            true,
        ),
        (
            ChangeKind::Config,
            "scheduled config change 14:00-14:30 UTC",
            "2026-05-15T09:00:00Z",
            true,
        ),
        // Over an hour before the alert, or still to come.
        (
            ChangeKind::LoadTest,
            "load test 11:00–12:00 UTC",
            "2026-05-15T10:50:00Z",
            false,
        ),
        (
            ChangeKind::Maintenance,
            "maintenance 20:00–21:00 UTC",
            "2026-05-15T12:00:00Z",
            false,
        ),
        // No span: a planned activity announced in the last hours; not any other change.
        (
            ChangeKind::LoadTest,
            "starting a load test on product-api",
            "2026-05-15T12:30:00Z",
            true,
        ),
        (
            ChangeKind::LoadTest,
            "starting a load test on product-api",
            "2026-05-15T06:00:00Z",
            false,
        ),
        (
            ChangeKind::Config,
            "scheduled config change on product-api",
            "2026-05-15T12:30:00Z",
            false,
        ),
        (
            ChangeKind::LoadTest,
            "load test on product-api done",
            "2026-05-15T13:30:00Z",
            false,
        ),
    ];
    for (kind, text, posted, want) in cases {
        assert_eq!(
            planned::still_relevant(kind, text, t(posted), alert),
            want,
            "{text} posted {posted}"
        );
    }
    assert!(matches!(
        planned::when(
            "load test 14:00–15:00 UTC",
            t("2026-05-15T13:37:00Z"),
            alert
        ),
        When::Covers(_)
    ));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
            let posted = t("2026-05-15T13:37:00Z");
            if let Some(s) = planned::stated_span(&text, posted) {
                prop_assert!(s.start < s.end);
            }
            let _ = planned::when(&text, posted, posted);
        }
    }
}

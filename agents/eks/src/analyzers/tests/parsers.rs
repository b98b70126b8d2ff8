//! The text parsers the analyzers use never panic, whatever the API server or a container wrote.

use super::*;
use proptest::prelude::*;

proptest! {
    #[test]
    fn message_parsers_never_panic(s in "\\PC{0,300}") {
        let _ = crate::analyzers::scheduling::parse_scheduler_message(&s);
        let _ = crate::analyzers::scheduling::parse_quota(&s);
        let _ = crate::analyzers::containers::missing_object(&s);
        let _ = crate::analyzers::containers::pull_cause(&s);
        let _ = crate::analyzers::logs::level(&s);
        prop_assert!(crate::analyzers::logs::render(&s).chars().count() <= 300);
        for sig in sremesh_core::signals::SIGNATURES.iter().map(|(sig, _)| sig) {
            let _ = crate::analyzers::logs::excerpt(&s, sig);
        }
        let l = ContainerLog::parse("ns", "p", "c", false, &s);
        prop_assert!(l.lines.len() <= s.lines().count());
        if let Some(d) = crate::analyzers::containers::pull_detail(&s) {
            prop_assert!(d.chars().count() <= 170);
        }
        let _ = crate::analyzers::network::failure(&s);
        let _ = crate::analyzers::gauges::at_limit(&s);
        let _ = crate::analyzers::logs::classify(&s);
        let _ = crate::analyzers::gauges::memory_growth(&l.lines);
        let _ = crate::analyzers::frames::top_frame(&l.lines);
        let _ = crate::analyzers::cpu::poll_quote(&s);
        let _ = crate::analyzers::gc::thrashing_pause(&s);
        if let Some(c) = crate::analyzers::capacity::nominated_claim(&s) {
            prop_assert!(!c.is_empty() && s.contains(c));
        }
        let go = format!("goroutine 1 [running]:\n{s}\n\t/src/x.go:1 +0x1");
        let _ = crate::analyzers::frames::top_frame(&ContainerLog::parse("ns", "p", "c", true, &go).lines);
    }

    /// Connection-failure lines with arbitrary surroundings: the destination is found, and the
    /// quoted failure stays short.
    #[test]
    fn failure_lines_never_panic(
        pre in "\\PC{0,120}",
        a in 0u8..=255, b in 0u8..=255, port in 1u16..,
        phrase in "(connection timed out|i/o timeout|no route to host|ETIMEDOUT)",
        post in "\\PC{0,120}",
    ) {
        let text = format!("{pre} dial tcp 10.{a}.{b}.7:{port}: connect: {phrase} {post}");
        let f = crate::analyzers::network::failure(&text);
        prop_assert!(f.as_ref().is_some_and(|f| f.excerpt.chars().count() <= 240), "{text}");
    }

    #[test]
    fn scheduler_shaped_messages_never_panic(
        n in 0u32..100,
        reason in "[a-zA-Z(){}:/. -]{0,60}",
        tail in "\\PC{0,40}",
    ) {
        let m = format!("0/{n} nodes are available: {n} {reason}, {reason}. preemption: {tail}");
        let r = crate::analyzers::scheduling::parse_scheduler_message(&m);
        prop_assert!(!r.is_empty() || reason.trim().is_empty());
    }

    #[test]
    fn json_and_logfmt_lines_never_panic(
        k in "[a-z_]{1,8}",
        v in "\\PC{0,40}",
    ) {
        let json = serde_json::json!({"level": v, "msg": v, k.clone(): v}).to_string();
        let _ = crate::analyzers::logs::render(&json);
        let _ = crate::analyzers::logs::level(&json);
        let logfmt = format!("level={v} msg=\"{v}\" {k}={v}");
        let _ = crate::analyzers::logs::render(&logfmt);
        let _ = crate::analyzers::logs::is_error(&logfmt);
    }
}

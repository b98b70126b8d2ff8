//! Log signatures.

use super::*;

#[test]
fn log_signatures() {
    let ready = || vec![pod("app-abc12345-aaaaa", running(true, 0, None))];
    let dns = "ERROR could not translate host name \"db\" to address: Temporary failure in name resolution";
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "repeated DNS failures",
            Given {
                pods: ready(),
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[("11:40", dns), ("11:45", dns), ("11:50", dns)],
                )],
                ..Default::default()
            },
            vec![yes(
                "log_signature",
                Some(Infrastructure),
                &["×3", "name resolution"],
            )],
        ),
        (
            "one line is context, not a cause",
            Given {
                pods: ready(),
                logs: vec![log("app-abc12345-aaaaa", false, &[("11:40", dns)])],
                ..Default::default()
            },
            vec![yes("log_signature", None, &["×1"])],
        ),
        (
            "lines before the window only",
            Given {
                pods: ready(),
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[("10:40", dns), ("10:45", dns)],
                )],
                ..Default::default()
            },
            vec![no("log_signature")],
        ),
        (
            "info lines that mention a timeout are not errors",
            Given {
                pods: ready(),
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[
                        (
                            "11:40",
                            r#"{"level":"info","msg":"shutting down","drain_timeout":"45s"}"#,
                        ),
                        ("11:41", "INFO request timed out? no, served in 3ms"),
                    ],
                )],
                ..Default::default()
            },
            vec![no("log_signature")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::logs::analyze, g, &want);
    }
    // A signature that was already there at the start of the history (before the window) is
    // steady noise.
    let s = scene(Given {
        pods: ready(),
        logs: vec![log(
            "app-abc12345-aaaaa",
            false,
            &[("11:00", dns), ("11:40", dns), ("11:45", dns)],
        )],
        ..Default::default()
    });
    let f = crate::analyzers::logs::analyze(&s);
    assert_eq!(f[0].attributes["new"], false);
    assert_eq!(f[0].attributes["count"], 2);
    assert_eq!(f[0].attributes["onset"], t("11:00"));
    assert_eq!(f[0].attributes["last_seen"], t("11:45"));
}

/// Novelty by onset: `(log lines, the signature's expected `new`, its onset)`.
#[test]
fn novelty_by_onset() {
    let ready = || vec![pod("app-abc12345-aaaaa", running(true, 0, None))];
    let oom = "java.lang.OutOfMemoryError: Java heap space";
    let noise = "WARN SQL Error: canceling statement due to statement timeout";
    /// (name, log lines, signature, expected `new`, expected onset).
    type Case = (
        &'static str,
        Vec<(&'static str, &'static str)>,
        &'static str,
        Option<bool>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "first seen partway through, before the window: new since its onset",
            vec![
                ("11:00", "INFO up"),
                ("11:20", oom),
                ("11:40", oom),
                ("11:50", oom),
            ],
            "oom",
            Some(true),
            "11:20",
        ),
        (
            "there from the start, before the window: steady",
            vec![("11:00", noise), ("11:40", noise), ("11:50", noise)],
            "timeout",
            Some(false),
            "11:00",
        ),
        (
            "a periodic line not yet due when the history starts: steady",
            vec![
                ("11:00", "INFO up"),
                ("11:10", noise),
                ("11:40", noise),
                ("11:55", noise),
            ],
            "timeout",
            Some(false),
            "11:10",
        ),
        (
            "history starting inside the window, there from its start: cannot tell",
            vec![("11:40", noise), ("11:50", noise)],
            "timeout",
            None,
            "11:40",
        ),
    ];
    for (name, lines, sig, want, onset) in cases {
        let s = scene(Given {
            pods: ready(),
            logs: vec![log("app-abc12345-aaaaa", false, &lines)],
            ..Default::default()
        });
        let out = crate::analyzers::logs::analyze(&s);
        let f = out
            .iter()
            .find(|f| f.attributes["signature"] == sig)
            .unwrap_or_else(|| panic!("{name}: no {sig} in {out:#?}"));
        assert_eq!(
            f.attributes.get("new").and_then(|v| v.as_bool()),
            want,
            "{name}"
        );
        assert_eq!(f.attributes["onset"], t(onset), "{name}");
    }
    // What a restarted run died of is never steady noise, however early it shows.
    let s = scene(Given {
        pods: vec![pod(
            "app-abc12345-aaaaa",
            running(true, 3, Some(("Error", 1, "11:41"))),
        )],
        logs: vec![
            log(
                "app-abc12345-aaaaa",
                true,
                &[("11:00", "INFO up"), ("11:00", oom), ("11:41", oom)],
            ),
            log(
                "app-abc12345-aaaaa",
                false,
                &[("11:42", oom), ("11:50", oom)],
            ),
        ],
        ..Default::default()
    });
    let out = crate::analyzers::logs::analyze(&s);
    let f = out
        .iter()
        .find(|f| f.attributes["signature"] == "oom")
        .expect("oom");
    assert_ne!(
        f.attributes.get("new").and_then(|v| v.as_bool()),
        Some(false)
    );
    assert_eq!(f.attributes["terminal"], true);
}

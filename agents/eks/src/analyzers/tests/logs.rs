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
    // A signature that was already there before the window is marked not new.
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
}

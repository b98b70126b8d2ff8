//! A Lambda function's callers: which functions are looked for (only those the alert names
//! whose group was chosen), in which groups, by what query, and which groups join.

use super::*;

fn listed(names: &[&str]) -> Vec<GroupInfo> {
    names
        .iter()
        .map(|n| GroupInfo {
            name: (*n).to_owned(),
            stored_bytes: None,
        })
        .collect()
}

fn chosen(name: &str) -> Candidate {
    Candidate {
        name: name.to_owned(),
        score: 3,
        matched: Vec::new(),
        dedicated: true,
        stored_bytes: None,
    }
}

/// `check(keywords, chosen groups, expected functions)`.
fn check_functions(keywords: &[(&str, KeywordKind)], groups: &[&str], expected: &[&str]) {
    let mut t = Target::default();
    for (k, kind) in keywords {
        t.add(k, *kind);
    }
    let groups: Vec<Candidate> = groups.iter().map(|g| chosen(g)).collect();
    assert_eq!(
        callers::functions(&t, &groups),
        expected,
        "{keywords:?} {groups:?}"
    );
}

/// `(keywords, chosen groups, expected functions)`.
type FunctionCase = (
    &'static [(&'static str, KeywordKind)],
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn only_the_functions_the_alert_names_are_followed_to_their_callers() {
    const W: KeywordKind = KeywordKind::Workload;
    let cases: &[FunctionCase] = &[
        (
            &[("image-resize", W)],
            &["/aws/lambda/image-resize"],
            &["image-resize"],
        ),
        // A function group chosen by a stem, not by the function's name: not followed.
        (
            &[("image", KeywordKind::Name)],
            &["/aws/lambda/image-resize"],
            &[],
        ),
        // Not a Lambda group.
        (&[("image-resize", W)], &["/ecs/image-resize"], &[]),
        (
            &[("orders-api", W)],
            &["/aws/containerinsights/c/application"],
            &[],
        ),
    ];
    for (keywords, groups, expected) in cases {
        check_functions(keywords, groups, expected);
    }
}

#[test]
fn callers_are_looked_for_outside_the_chosen_groups_and_the_trail() {
    let all = listed(&[
        "/aws/lambda/image-resize",
        "/app/web",
        "/aws/containerinsights/c/application",
        "/aws/containerinsights/c/performance",
        "/aws/cloudtrail/main",
        "/aws/lambda/backfill",
    ]);
    let got = callers::groups(&all, &[chosen("/aws/lambda/image-resize")]);
    assert_eq!(
        got,
        [
            "/aws/containerinsights/c/application",
            "/app/web",
            "/aws/lambda/backfill"
        ]
    );
    let q = callers::query(&["image-resize".to_owned()]);
    assert!(
        q.contains("filter @message like /(?i)(^|[^a-z0-9_-])(image-resize)([^a-z0-9_-]|$)/"),
        "{q}"
    );
    assert!(q.contains("stats count(*) as lines by @log"), "{q}");
    let rows = vec![
        ("/app/web".to_owned(), 2.0),
        ("/aws/lambda/backfill".to_owned(), 0.0),
        ("/aws/containerinsights/c/application".to_owned(), 9.0),
        ("/not/listed".to_owned(), 50.0),
    ];
    let got: Vec<(String, bool)> = callers::candidates(&rows, &["image-resize".into()], &all, 5)
        .into_iter()
        .map(|c| (c.name, c.dedicated))
        .collect();
    assert_eq!(
        got,
        [
            ("/aws/containerinsights/c/application".to_owned(), false),
            ("/app/web".to_owned(), false)
        ]
    );
    assert_eq!(
        callers::candidates(&rows, &["image-resize".into()], &all, 1).len(),
        1,
        "capped by the room left"
    );
}

//! The node-level groups that follow a probe: a cluster's host and dataplane groups come with
//! its application group, no other cluster's, never twice.

use super::*;

fn shared(name: &str) -> Candidate {
    Candidate {
        name: name.to_owned(),
        score: 1,
        matched: Vec::new(),
        dedicated: false,
        stored_bytes: None,
    }
}

/// `check(chosen, room, expected node groups)`.
fn check(chosen: &[&str], room: usize, expected: &[&str]) {
    let listed: Vec<GroupInfo> = [
        "/aws/containerinsights/blue/application",
        "/aws/containerinsights/blue/host",
        "/aws/containerinsights/blue/dataplane",
        "/aws/containerinsights/blue/performance",
        "/aws/containerinsights/green/application",
        "/aws/containerinsights/green/host",
        "/aws/eks/blue/cluster",
        "/aws/lambda/host",
    ]
    .iter()
    .map(|n| GroupInfo {
        name: (*n).to_owned(),
        stored_bytes: None,
    })
    .collect();
    let chosen: Vec<Candidate> = chosen.iter().map(|n| shared(n)).collect();
    let got: Vec<String> = node_groups(&chosen, &listed, room)
        .into_iter()
        .map(|c| {
            assert!(!c.dedicated, "{}", c.name);
            c.name
        })
        .collect();
    assert_eq!(got, expected, "{chosen:?}");
}

#[test]
fn node_groups_follow_the_clusters_application_group() {
    let cases: &[(&[&str], usize, &[&str])] = &[
        (
            &["/aws/containerinsights/blue/application"],
            10,
            &[
                "/aws/containerinsights/blue/host",
                "/aws/containerinsights/blue/dataplane",
            ],
        ),
        (
            &[
                "/aws/containerinsights/blue/application",
                "/aws/containerinsights/blue/host",
            ],
            10,
            &["/aws/containerinsights/blue/dataplane"],
        ),
        (
            &["/aws/containerinsights/blue/application"],
            1,
            &["/aws/containerinsights/blue/host"],
        ),
        (&["/aws/lambda/host"], 10, &[]),
        (&[], 10, &[]),
    ];
    for (chosen, room, expected) in cases {
        check(chosen, *room, expected);
    }
}

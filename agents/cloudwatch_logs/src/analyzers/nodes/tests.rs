//! Host faults: a kernel or disk fault in the nodes' own logs becomes one infrastructure
//! finding with the node names — when it concerns the alert — and names the change to those
//! nodes that preceded it.

use super::super::{Candidate, Input};
use crate::discovery::{KeywordKind, Target};
use crate::records::LogRecord;
use crate::trail;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sremesh_core::{Category, TimeWindow};

const ALERT: &str = "2026-09-03T03:00:00Z";
const CLUSTER: &str = "media-prod-eks";
const HOST: &str = "/aws/containerinsights/media-prod-eks/host";
const APP: &str = "/aws/containerinsights/media-prod-eks/application";

fn at(min_before_alert: i64) -> Timestamp {
    ALERT
        .parse::<Timestamp>()
        .unwrap()
        .checked_sub(SignedDuration::from_mins(min_before_alert))
        .unwrap()
}

fn lockup(min: i64, node: &str) -> LogRecord {
    let line = format!(
        "Sep  3 02:50:01 {node} kernel: watchdog: BUG: soft lockup - CPU#19 stuck for 23s! [ffmpeg:48211]"
    );
    LogRecord::parse(
        HOST,
        &format!("{node}.ec2.internal.host.messages"),
        at(min),
        &line,
    )
}

fn oom(min: i64, node: &str) -> LogRecord {
    let line = format!(
        "Sep  3 02:50:01 {node} kernel: Memory cgroup out of memory: Killed process 40112 (ffmpeg)"
    );
    LogRecord::parse(
        HOST,
        &format!("{node}.ec2.internal.host.messages"),
        at(min),
        &line,
    )
}

/// A line of the alert's workload, from a pod on `node`.
fn worker(min: i64, node: &str) -> LogRecord {
    let msg = json!({"log": "ERROR job 81 failed: worker lost",
        "kubernetes": {"pod_name": "transcode-worker-6f5b9c7d8e-9k2lm", "namespace_name": "media",
                       "host": format!("{node}.ec2.internal")}});
    LogRecord::parse(APP, "s", at(min), &msg.to_string())
}

fn input(records: Vec<LogRecord>, baseline: Vec<LogRecord>, about_cluster: bool) -> Input {
    let mut t = Target::default();
    t.add(CLUSTER, KeywordKind::Cluster);
    // The alert names a workload either way: with no line-level keyword every line would be
    // the target's own (and reported by `log_pattern`).
    t.add("transcode-worker", KeywordKind::Workload);
    t.about_cluster = about_cluster;
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    let mut i = Input::new(at(0), w, "us-east-1".into(), t);
    i.groups = [HOST, APP]
        .iter()
        .map(|g| Candidate {
            name: (*g).into(),
            score: 1,
            matched: vec![],
            dedicated: false,
            stored_bytes: None,
        })
        .collect();
    i.records = records;
    i.baseline_records = Some(baseline);
    i
}

/// The nodes of the one finding (or none), and words its title and evidence contain.
type Want = Option<(&'static [&'static str], &'static [&'static str])>;

fn check(what: &str, input: Input, want: Want) {
    let input = input.finish();
    let got = super::analyze(&input);
    let summary: Vec<String> = got
        .iter()
        .map(|f| format!("{} {:?}", f.title, f.evidence))
        .collect();
    let Some((nodes, words)) = want else {
        assert!(got.is_empty(), "{what}: {summary:#?}");
        return;
    };
    assert_eq!(got.len(), 1, "{what}: {summary:#?}");
    let f = &got[0];
    assert_eq!(
        (f.kind.as_str(), f.category),
        ("log_pattern", Some(Category::Infrastructure)),
        "{what}"
    );
    assert_eq!(f.attributes["signature"], "kernel_fault", "{what}");
    assert_eq!(f.attributes["nodes"], json!(nodes), "{what}");
    match nodes {
        [one] => assert_eq!(f.attributes["node"], *one, "{what}"),
        _ => assert!(!f.attributes.contains_key("node"), "{what}"),
    }
    let text = format!("{} {}", f.title, f.evidence.join(" "));
    for w in words {
        assert!(text.contains(w), "{what}: {w:?} not in {text}");
    }
}

#[test]
fn host_faults_that_concern_the_alert() {
    let a = "ip-10-90-12-45";
    let b = "ip-10-90-27-200";
    let nodegroup = trail::parse(
        "aws-cloudtrail-logs",
        at(50),
        &json!({"eventTime": at(50).to_string(), "eventSource": "eks.amazonaws.com",
            "eventName": "UpdateNodegroupVersion",
            "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/platform-ami-pipeline/cb"},
            "requestParameters": {"name": CLUSTER, "nodegroupName": "ng-transcode-c6i",
                "launchTemplate": {"id": "lt-0c5e7a9b1d3f24680"}}})
        .to_string(),
    )
    .unwrap();
    let template = trail::parse(
        "aws-cloudtrail-logs",
        at(51),
        &json!({"eventTime": at(51).to_string(), "eventSource": "ec2.amazonaws.com",
            "eventName": "CreateLaunchTemplateVersion",
            "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/platform-ami-pipeline/cb"},
            "requestParameters": {"LaunchTemplateId": "lt-0c5e7a9b1d3f24680",
                "LaunchTemplateData": {"ImageId": "ami-0f3c9e2d7b1a84c55"}}})
        .to_string(),
    )
    .unwrap();
    let with_trail = |mut i: Input, trail| {
        i.trail = trail;
        i
    };
    let cases: Vec<(&str, Input, Want)> = vec![
        (
            "an alert about the cluster's nodes: a soft lockup on one node, named",
            input(vec![lockup(10, a), lockup(5, a)], vec![], true),
            Some((
                &["ip-10-90-12-45.ec2.internal"],
                &[
                    "kernel on 1 node(s) (ip-10-90-12-45.ec2.internal)",
                    "soft lockup - CPU#19",
                    "×2",
                ],
            )),
        ),
        (
            "an alert about a workload: a fault on a node that does not run it is not its concern",
            input(
                vec![lockup(10, a), lockup(3, a), worker(8, b)],
                vec![],
                false,
            ),
            None,
        ),
        (
            "... but on the node its pod runs on, it is",
            input(
                vec![lockup(10, a), lockup(3, a), worker(8, a)],
                vec![],
                false,
            ),
            Some((&["ip-10-90-12-45.ec2.internal"], &["soft lockup"])),
        ),
        (
            "... and so is one on several nodes at once",
            input(vec![lockup(10, a), lockup(6, b)], vec![], false),
            Some((
                &[
                    "ip-10-90-12-45.ec2.internal",
                    "ip-10-90-27-200.ec2.internal",
                ],
                &["on 2 node(s)"],
            )),
        ),
        (
            "a fault already there before the window is steady, not news",
            input(
                vec![lockup(20, a), lockup(10, a), lockup(2, a)],
                vec![lockup(60, a), lockup(50, a), lockup(40, a)],
                true,
            ),
            None,
        ),
        (
            "a process killed for its memory is not a host fault",
            input(vec![oom(10, a), oom(5, a)], vec![], true),
            None,
        ),
        (
            "the node group update and the new image before it are named",
            with_trail(
                input(vec![lockup(10, a), lockup(5, a)], vec![], true),
                vec![template.clone(), nodegroup.clone()],
            ),
            Some((
                &["ip-10-90-12-45.ec2.internal"],
                &[
                    "after CloudTrail UpdateNodegroupVersion on nodegroup ng-transcode-c6i (media-prod-eks) by platform-ami-pipeline",
                    "40 min before it began",
                    "ImageId ami-0f3c9e2d7b1a84c55 (CreateLaunchTemplateVersion",
                ],
            )),
        ),
    ];
    for (what, input, want) in cases {
        check(what, input, want);
    }
}

/// A change made after the fault began, or to another cluster, is not named.
#[test]
fn unrelated_changes_are_not_named() {
    let a = "ip-10-90-12-45";
    let change = |min: i64, cluster: &str| {
        trail::parse(
            "aws-cloudtrail-logs",
            at(min),
            &json!({"eventTime": at(min).to_string(), "eventSource": "eks.amazonaws.com",
                "eventName": "UpdateNodegroupVersion", "userIdentity": {"userName": "ops"},
                "requestParameters": {"name": cluster, "nodegroupName": "ng-x1"}})
            .to_string(),
        )
        .unwrap()
    };
    for (what, trail) in [
        ("after the onset", change(5, CLUSTER)),
        ("another cluster", change(50, "search-prod-eks")),
        ("over 3 h before", change(250, CLUSTER)),
    ] {
        let mut i = input(vec![lockup(10, a), lockup(5, a)], vec![], true);
        i.trail = vec![trail];
        let i = i.finish();
        let got = super::analyze(&i);
        assert_eq!(got.len(), 1, "{what}");
        assert!(
            !got[0].evidence.iter().any(|l| l.contains("CloudTrail")),
            "{what}: {:?}",
            got[0].evidence
        );
    }
}

fn conntrack(min: i64, node: &str) -> LogRecord {
    LogRecord::parse(
        HOST,
        &format!("{node}.us-east-1.compute.internal-dmesg"),
        at(min),
        "kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
    )
}

/// A node's own limit running out (conntrack full) reads as a host fault with its own category;
/// one on a single node concerns a workload alert when where that workload runs is unknown.
#[test]
fn node_limits_and_unknown_target_nodes() {
    let a = "ip-10-20-41-128";
    let b = "ip-10-20-17-54";
    // (what, records, baseline, expected signature / category / words, or nothing)
    type Case = (
        &'static str,
        Vec<LogRecord>,
        Vec<LogRecord>,
        Option<(&'static str, Category, &'static [&'static str])>,
    );
    let cases: Vec<Case> = vec![
        (
            "conntrack full on one node, the workload's nodes unknown: reported, named",
            vec![conntrack(10, a), conntrack(3, a)],
            vec![],
            Some((
                "conntrack_full",
                Category::ResourceExhaustion,
                &[
                    "ip-10-20-41-128.us-east-1.compute.internal",
                    "nf_conntrack: table full, dropping packet",
                ],
            )),
        ),
        (
            "a soft lockup on one node, the workload's nodes unknown: reported too",
            vec![lockup(10, a), lockup(5, a)],
            vec![],
            Some(("kernel_fault", Category::Infrastructure, &["soft lockup"])),
        ),
        (
            "... but not once the workload's lines show it runs elsewhere",
            vec![conntrack(10, a), conntrack(3, a), worker(8, b)],
            vec![],
            None,
        ),
        (
            "... nor when it was already there before the window",
            vec![conntrack(10, a), conntrack(3, a)],
            vec![conntrack(50, a), conntrack(40, a)],
            None,
        ),
    ];
    for (what, records, baseline, want) in cases {
        let got = super::analyze(&input(records, baseline, false).finish());
        let Some((sig, category, words)) = want else {
            assert!(got.is_empty(), "{what}: {got:#?}");
            continue;
        };
        assert_eq!(got.len(), 1, "{what}: {got:#?}");
        let f = &got[0];
        assert_eq!(f.attributes["signature"], sig, "{what}");
        assert_eq!(f.category, Some(category), "{what}");
        let text = format!("{} {}", f.title, f.evidence.join(" "));
        for w in words {
            assert!(text.contains(w), "{what}: {w:?} not in {text}");
        }
    }
}

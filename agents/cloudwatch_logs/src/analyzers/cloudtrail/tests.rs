//! `change_logged` (`change: aws_api`) from CloudTrail: a change to what the failures name, or
//! to the cluster the alert names, shortly before the failures began — and nothing else.

use super::super::{Candidate, Input};
use crate::discovery::{KeywordKind, Target};
use crate::records::LogRecord;
use crate::trail::{self, TrailEvent};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sremesh_core::{Severity, TimeWindow};

const ALERT: &str = "2026-09-03T03:00:00Z";
const CI: &str = "/aws/containerinsights/shop-prod-eks/application";
const HOST: &str = "/aws/containerinsights/shop-prod-eks/host";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/invoice-exporter-irsa";

fn at(min_before_alert: i64) -> Timestamp {
    ALERT
        .parse::<Timestamp>()
        .unwrap()
        .checked_sub(SignedDuration::from_mins(min_before_alert))
        .unwrap()
}

fn call(min: i64, name: &str, params: serde_json::Value, error: Option<&str>) -> TrailEvent {
    let mut v = json!({
        "eventTime": at(min).to_string(), "eventSource": "iam.amazonaws.com", "eventName": name,
        "userIdentity": {"arn": "arn:aws:sts::111122223333:assumed-role/deployer/tf-9"},
        "requestParameters": params,
    });
    if let Some(code) = error {
        v["errorCode"] = json!(code);
        v["errorMessage"] = json!("Not authorized to perform sts:AssumeRoleWithWebIdentity");
        v["userIdentity"] = json!({"type": "WebIdentityUser",
            "userName": "system:serviceaccount:billing:invoice-exporter"});
    }
    trail::parse("aws-cloudtrail-logs", at(min), &v.to_string()).expect("an event")
}

fn failing(min: i64) -> LogRecord {
    let line = format!(
        "ERROR export failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity on {ROLE_ARN}"
    );
    let msg = json!({"log": line, "kubernetes": {"pod_name": "invoice-exporter-5c9d7b8f6-4kd9s", "namespace_name": "billing"}});
    LogRecord::parse(CI, "s", at(min), &msg.to_string())
}

fn host(min: i64, line: &str) -> LogRecord {
    LogRecord::parse(
        HOST,
        "ip-10-0-3-77.ec2.internal.host.messages",
        at(min),
        line,
    )
}

fn input(records: Vec<LogRecord>, trail: Vec<TrailEvent>, about_cluster: bool) -> Input {
    let mut t = Target::default();
    t.add("invoice-exporter", KeywordKind::Workload);
    t.add("shop-prod-eks", KeywordKind::Cluster);
    t.about_cluster = about_cluster;
    let w = TimeWindow {
        start: at(30),
        end: at(-5),
    };
    let mut i = Input::new(at(0), w, "eu-west-1".into(), t);
    i.groups = [CI, HOST]
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
    i.baseline_records = Some(vec![]);
    i.trail = trail;
    i.finish()
}

/// `(severity, subject, event_name, title and evidence contain)` of the one finding, or none.
type Want = Option<(
    Severity,
    &'static str,
    &'static str,
    &'static [&'static str],
)>;

fn check(what: &str, input: &Input, want: Want) {
    let got = super::analyze(input);
    let summary: Vec<String> = got
        .iter()
        .map(|f| format!("{:?} {} {:?}", f.severity, f.title, f.evidence))
        .collect();
    let Some((severity, subject, event, words)) = want else {
        assert!(got.is_empty(), "{what}: {summary:#?}");
        return;
    };
    assert_eq!(got.len(), 1, "{what}: {summary:#?}");
    let f = &got[0];
    assert_eq!(f.kind, "change_logged", "{what}");
    assert_eq!(f.category, None, "{what}: a change is context");
    assert_eq!(f.severity, severity, "{what}: {summary:#?}");
    assert_eq!(f.attributes["change"], "aws_api", "{what}");
    assert_eq!(f.attributes["subject"], subject, "{what}");
    assert_eq!(f.attributes["event_name"], event, "{what}");
    assert_eq!(f.attributes["who"], "deployer/tf-9", "{what}");
    let text = format!("{} {}", f.title, f.evidence.join(" "));
    for w in words {
        assert!(text.contains(w), "{what}: {w:?} not in {text}");
    }
}

#[test]
fn changes_before_the_failures_they_explain() {
    let role = json!({"roleName": "invoice-exporter-irsa"});
    let other = json!({"roleName": "reporting-readonly"});
    let denied = call(
        10,
        "AssumeRoleWithWebIdentity",
        json!({"roleArn": ROLE_ARN, "roleSessionName": "s"}),
        Some("AccessDenied"),
    );
    let lockup = "Sep  3 02:50:01 ip-10-0-3-77 kernel: watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [java:881]";
    let nodegroup = |min| {
        trail::parse(
            "aws-cloudtrail-logs",
            at(min),
            &json!({"eventTime": at(min).to_string(), "eventSource": "eks.amazonaws.com",
                "eventName": "UpdateNodegroupVersion",
                "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/deployer/tf-9"},
                "requestParameters": {"name": "shop-prod-eks", "nodegroupName": "ng-general",
                    "launchTemplate": {"id": "lt-0abc123def"}}})
            .to_string(),
        )
        .unwrap()
    };
    let template = trail::parse(
        "aws-cloudtrail-logs",
        at(42),
        &json!({"eventTime": at(42).to_string(), "eventSource": "ec2.amazonaws.com",
            "eventName": "CreateLaunchTemplateVersion",
            "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/deployer/tf-9"},
            "requestParameters": {"CreateLaunchTemplateVersionRequest": {"LaunchTemplateId": "lt-0abc123def",
                "LaunchTemplateData": {"ImageId": "ami-0f3c9e2d7b1a84c55"}}}})
        .to_string(),
    )
    .unwrap();
    let cases: Vec<(&str, Input, Want)> = vec![
        (
            "the trust policy of the role the failures name, changed 10 min before: a medium lead",
            input(
                vec![failing(10), failing(5)],
                vec![call(20, "UpdateAssumeRolePolicy", role.clone(), None)],
                false,
            ),
            Some((
                Severity::Medium,
                "invoice-exporter-irsa",
                "UpdateAssumeRolePolicy",
                &[
                    "CloudTrail: UpdateAssumeRolePolicy on role invoice-exporter-irsa",
                    "by deployer",
                    "began 10 min later",
                ],
            )),
        ),
        (
            "CloudTrail's own denials of the service's identity are quoted",
            input(
                vec![failing(10)],
                vec![
                    call(20, "UpdateAssumeRolePolicy", role.clone(), None),
                    denied.clone(),
                ],
                false,
            ),
            Some((
                Severity::Medium,
                "invoice-exporter-irsa",
                "UpdateAssumeRolePolicy",
                &[
                    "then ×1 AssumeRoleWithWebIdentity AccessDenied for system:serviceaccount:billing:invoice-exporter",
                ],
            )),
        ),
        (
            "a change long before the failures (over an hour) is a low lead",
            input(
                vec![failing(10)],
                vec![call(100, "UpdateAssumeRolePolicy", role.clone(), None)],
                false,
            ),
            Some((
                Severity::Low,
                "invoice-exporter-irsa",
                "UpdateAssumeRolePolicy",
                &["90 min later"],
            )),
        ),
        (
            "a change more than 3 h before the failures is not linked",
            input(
                vec![failing(10)],
                vec![call(200, "UpdateAssumeRolePolicy", role.clone(), None)],
                false,
            ),
            None,
        ),
        (
            "a change after the failures began cannot explain them",
            input(
                vec![failing(20)],
                vec![call(10, "UpdateAssumeRolePolicy", role.clone(), None)],
                false,
            ),
            None,
        ),
        (
            "a call that failed changed nothing",
            input(
                vec![failing(10)],
                vec![call(
                    20,
                    "UpdateAssumeRolePolicy",
                    role.clone(),
                    Some("MalformedPolicyDocument"),
                )],
                false,
            ),
            None,
        ),
        (
            "a read changes nothing",
            input(
                vec![failing(10)],
                vec![call(20, "GetRole", role.clone(), None)],
                false,
            ),
            None,
        ),
        (
            "a change to a resource the failures do not name",
            input(
                vec![failing(10)],
                vec![call(20, "UpdateAssumeRolePolicy", other, None)],
                false,
            ),
            None,
        ),
        (
            "no failures, no lead",
            input(
                vec![],
                vec![call(20, "UpdateAssumeRolePolicy", role, None)],
                false,
            ),
            None,
        ),
        (
            "a node group update of the cluster before its nodes' kernel fault, with the new image",
            input(
                vec![host(10, lockup), host(5, lockup)],
                vec![template.clone(), nodegroup(40)],
                true,
            ),
            Some((
                Severity::Medium,
                "ng-general",
                "UpdateNodegroupVersion",
                &[
                    "nodegroup ng-general (shop-prod-eks)",
                    "new image: ImageId ami-0f3c9e2d7b1a84c55 (CreateLaunchTemplateVersion",
                    "soft lockup",
                ],
            )),
        ),
        (
            "... but not after the fault began",
            input(
                vec![host(30, lockup), host(5, lockup)],
                vec![template, nodegroup(20)],
                true,
            ),
            None,
        ),
    ];
    for (what, input, want) in cases {
        check(what, &input, want);
    }
}

/// A security-group rule revoked on the port the target's connections then fail to reach is a
/// configuration error of its own, naming the group, the port and the first failure; a revoke
/// on another port, after the failures, or an unrelated failure is not.
#[test]
fn access_revoked_on_the_failing_port() {
    let revoke = |min: i64, port: u32| {
        let v = json!({
            "eventTime": at(min).to_string(), "eventSource": "ec2.amazonaws.com",
            "eventName": "RevokeSecurityGroupIngress",
            "userIdentity": {"arn": "arn:aws:sts::1:assumed-role/ci-terraform/run-7"},
            "requestParameters": {"groupId": "sg-0aa11bb22cc33dd44", "ipPermissions": {"items": [
                {"ipProtocol": "tcp", "fromPort": port, "toPort": port,
                 "groups": {"items": [{"groupId": "sg-0ee55ff66aa77bb88"}]}}]}},
        });
        trail::parse("aws-cloudtrail-logs", at(min), &v.to_string()).expect("an event")
    };
    let timeout = |min: i64, line: &str| {
        let msg = json!({"log": line, "kubernetes": {"pod_name": "invoice-exporter-5c9d7b8f6-4kd9s", "namespace_name": "billing"}});
        LogRecord::parse(CI, "s", at(min), &msg.to_string())
    };
    let db = "ERROR PSQLException: The connection attempt failed. Caused by: java.net.SocketTimeoutException: Connect timed out (orders-db.cluster-x.rds.amazonaws.com/10.0.9.17:5432)";
    let other = "ERROR PSQLException: permission denied for table invoices";
    // (what, revoke minutes before / port, failure line, expect a cause)
    let cases: &[(&str, i64, u32, &str, bool)] = &[
        (
            "revoked on 5432, then connect timeouts to :5432",
            20,
            5432,
            db,
            true,
        ),
        ("revoked on another port", 20, 6379, db, false),
        ("revoked after the failures began", 5, 5432, db, false),
        ("failures that are not connections", 20, 5432, other, false),
    ];
    for (what, min, port, line, want) in cases {
        let got = super::analyze(&input(
            vec![timeout(15, line), timeout(10, line)],
            vec![revoke(*min, *port)],
            false,
        ));
        let cause = got
            .iter()
            .find(|f| f.category == Some(sremesh_core::Category::ConfigurationError));
        assert_eq!(cause.is_some(), *want, "{what}: {got:#?}");
        if let Some(f) = cause {
            assert_eq!(f.severity, Severity::High, "{what}");
            assert_eq!(f.service.as_deref(), Some("invoice-exporter"), "{what}");
            for w in [
                "RevokeSecurityGroupIngress",
                "sg-0aa11bb22cc33dd44",
                "port 5432",
                "Connect timed out",
            ] {
                assert!(f.title.contains(w), "{what}: {w:?} not in {}", f.title);
            }
        }
    }
}

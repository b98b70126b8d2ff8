//! CloudTrail events as the analyzers read them: who called what, on which resources, whether
//! it changed anything; and the resources an application's error line names.

use super::*;

fn at() -> Timestamp {
    "2026-09-03T03:00:00Z".parse().unwrap()
}

fn event(json: serde_json::Value) -> TrailEvent {
    parse("trail", at(), &json.to_string()).expect("a CloudTrail event")
}

/// `(name, source, who, error, at, resources)` of a parsed event.
type Read = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

fn check(json: serde_json::Value, want: Read) {
    let e = event(json.clone());
    let resources: Vec<(&str, String)> = e.resources();
    let resources: Vec<(&str, &str)> = resources.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        (
            e.name.as_str(),
            e.source.as_str(),
            e.who.as_str(),
            e.error.as_deref(),
            e.at.to_string().as_str(),
            resources
        ),
        (want.0, want.1, want.2, want.3, want.4, want.5),
        "{json}"
    );
}

#[test]
fn events_read_as_who_did_what_to_which_resource() {
    use serde_json::json;
    let cases: Vec<(serde_json::Value, Read)> = vec![
        // An assumed role: its role and session; a policy document sent as a string is
        // flattened, but only the role's name identifies the resource.
        (
            json!({"eventTime": "2026-09-03T02:38:12Z", "eventSource": "iam.amazonaws.com",
                   "eventName": "UpdateAssumeRolePolicy",
                   "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/deployer/tf-run-9"},
                   "requestParameters": {"roleName": "invoice-exporter-irsa",
                       "policyDocument": "{\"Statement\":[{\"Condition\":{\"StringEquals\":{\"oidc.eks.amazonaws.com/id/X:sub\":\"system:serviceaccount:billing:exporter\"}}}]}"}}),
            (
                "UpdateAssumeRolePolicy",
                "iam.amazonaws.com",
                "deployer/tf-run-9",
                None,
                "2026-09-03T02:38:12Z",
                vec![("roleName", "invoice-exporter-irsa")],
            ),
        ),
        // A failed call by a web identity: the error code, the ARN reduced to the role's
        // name; the session name is never a resource.
        (
            json!({"eventTime": "2026-09-03T02:40:00Z", "eventSource": "sts.amazonaws.com",
                   "eventName": "AssumeRoleWithWebIdentity", "errorCode": "AccessDenied",
                   "userIdentity": {"type": "WebIdentityUser", "userName": "system:serviceaccount:billing:exporter"},
                   "requestParameters": {"roleArn": "arn:aws:iam::1:role/svc/invoice-exporter-irsa",
                                         "roleSessionName": "botocore-session-1"}}),
            (
                "AssumeRoleWithWebIdentity",
                "sts.amazonaws.com",
                "system:serviceaccount:billing:exporter",
                Some("AccessDenied"),
                "2026-09-03T02:40:00Z",
                vec![("roleArn", "invoice-exporter-irsa")],
            ),
        ),
        // A node group update: nested parameters, numbers kept as text; no eventTime → the
        // delivery time.
        (
            json!({"eventSource": "eks.amazonaws.com", "eventName": "UpdateNodegroupVersion",
                   "userIdentity": {"principalId": "AROAEXAMPLE:ci"},
                   "requestParameters": {"name": "media-prod-eks", "nodegroupName": "ng-transcode-c6i",
                                         "launchTemplate": {"id": "lt-0c5e7a9b1d3f24680", "version": 14}}}),
            (
                "UpdateNodegroupVersion",
                "eks.amazonaws.com",
                "AROAEXAMPLE:ci",
                None,
                "2026-09-03T03:00:00Z",
                vec![
                    ("id", "lt-0c5e7a9b1d3f24680"),
                    ("name", "media-prod-eks"),
                    ("nodegroupName", "ng-transcode-c6i"),
                ],
            ),
        ),
        // `resources[].ARN` counts; a bucket is a resource; short values are not.
        (
            json!({"eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy",
                   "userIdentity": {"arn": "arn:aws:iam::1:user/alice"},
                   "requestParameters": {"bucket": "acme-exports", "key": "ab"},
                   "resources": [{"ARN": "arn:aws:s3:::acme-exports"}]}),
            (
                "PutBucketPolicy",
                "s3.amazonaws.com",
                "alice",
                None,
                "2026-09-03T03:00:00Z",
                vec![("bucket", "acme-exports"), ("ARN", "acme-exports")],
            ),
        ),
    ];
    for (json, want) in cases {
        check(json, want);
    }
}

/// Anything that is not a CloudTrail event is none.
#[test]
fn other_lines_are_not_events() {
    for line in [
        "",
        "not json",
        "{}",
        r#"{"eventName": "PutObject"}"#,
        r#"{"eventSource": "s3.amazonaws.com"}"#,
        r#"{"eventName": "", "eventSource": "s3.amazonaws.com"}"#,
        r#"[{"eventName": "PutObject", "eventSource": "s3.amazonaws.com"}]"#,
        r#"{"level":"INFO","msg":"upserted prices"}"#,
    ] {
        assert_eq!(parse("g", at(), line), None, "{line}");
    }
}

/// A call changes something when its name starts with a changing verb followed by a word.
#[test]
fn mutating_calls() {
    let cases = [
        ("UpdateNodegroupVersion", true),
        ("PutBucketPolicy", true),
        ("DeleteTable", true),
        ("AttachRolePolicy", true),
        ("CreateLaunchTemplateVersion", true),
        ("TerminateInstances", true),
        ("SetDefaultPolicyVersion", true),
        ("GetObject", false),
        ("ScheduleKeyDeletion", true),
        ("DescribeNodegroup", false),
        ("ListRoles", false),
        ("AssumeRoleWithWebIdentity", false),
        ("Update", false),
        ("Settle", false),
        ("Putty", false),
    ];
    for (name, want) in cases {
        let e = event(serde_json::json!({"eventName": name, "eventSource": "x.amazonaws.com"}));
        assert_eq!(e.is_mutating(), want, "{name}");
    }
}

/// An ARN, a URL or a plain value, as the name it stands for.
#[test]
fn resource_names() {
    let cases = [
        (
            "arn:aws:iam::123456789012:role/invoice-exporter-irsa",
            "invoice-exporter-irsa",
        ),
        (
            "arn:aws:iam::123456789012:role/service-role/path/etl",
            "etl",
        ),
        ("arn:aws:s3:::acme-exports/2026/09/x.csv", "acme-exports"),
        (
            "arn:aws:dynamodb:us-east-1:1:table/catalog-prices",
            "catalog-prices",
        ),
        (
            "arn:aws:lambda:us-east-1:1:function:pricing-feed-ingest",
            "pricing-feed-ingest",
        ),
        (
            "arn:aws:eks:us-east-1:1:nodegroup/media-prod-eks/ng-transcode/5b2c8e1f",
            "ng-transcode",
        ),
        ("arn:aws:sqs:us-east-1:1:refund-requests", "refund-requests"),
        (
            "https://sqs.us-east-1.amazonaws.com/1/refund-requests/",
            "refund-requests",
        ),
        ("plain-name", "plain-name"),
        ("arn:aws:iam::1:", "arn:aws:iam::1:"),
    ];
    for (value, want) in cases {
        assert_eq!(resource_name(value), want, "{value}");
    }
}

/// The AWS resources an application's error line names.
#[test]
fn resources_named_in_error_lines() {
    let cases: &[(&str, &[&str])] = &[
        (
            "AccessDenied: not authorized to perform: s3:PutObject on resource: arn:aws:s3:::acme-exports/x.csv",
            &["acme-exports"],
        ),
        (
            "Not authorized to perform sts:AssumeRoleWithWebIdentity on arn:aws:iam::1:role/invoice-exporter-irsa.",
            &["invoice-exporter-irsa"],
        ),
        (
            "upload to s3://acme-db-backups/orders failed",
            &["acme-db-backups"],
        ),
        (
            "send to https://sqs.eu-west-1.amazonaws.com/1/refund-dlq failed",
            &["refund-dlq"],
        ),
        (
            r#"{"msg":"put failed","table":"catalog-prices"}"#,
            &["catalog-prices"],
        ),
        ("bucket=acme-exports key=x", &["acme-exports"]),
        ("connection refused to 10.0.0.1:5432", &[]),
    ];
    for (line, want) in cases {
        assert_eq!(named_in(line), *want, "{line}");
    }
}

/// The conditions of a policy document a call sets, keyed by their last segment.
#[test]
fn policy_conditions() {
    let e = event(serde_json::json!({
        "eventName": "UpdateAssumeRolePolicy", "eventSource": "iam.amazonaws.com",
        "requestParameters": {"roleName": "r1x",
            "policyDocument": "{\"Statement\":[{\"Condition\":{\"StringEquals\":{\"oidc.eks.amazonaws.com/id/X:sub\":\"system:serviceaccount:billing:exporter-v2\"}}}]}"}
    }));
    assert_eq!(
        e.conditions(),
        vec!["…:sub = system:serviceaccount:billing:exporter-v2".to_owned()]
    );
    assert!(e.names("R1X"));
    assert!(!e.names("exporter-v2"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "\\PC{0,20}".prop_map(serde_json::Value::from),
            prop_oneof![
                Just("arn:aws:iam::1:role/x"),
                Just("https://sqs.x.amazonaws.com/1/q"),
                Just("{\"a\":"),
                Just("eventName"),
                Just("UpdateX"),
            ]
            .prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("eventName".to_owned()),
                        Just("eventSource".to_owned()),
                        Just("userIdentity".to_owned()),
                        Just("arn".to_owned()),
                        Just("requestParameters".to_owned()),
                        Just("resources".to_owned()),
                        Just("ARN".to_owned()),
                        Just("roleName".to_owned()),
                        Just("Condition".to_owned()),
                        "[a-zA-Z]{1,8}",
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Arbitrary text never panics the parser or the line reader.
        #[test]
        fn arbitrary_text_never_panics(line in "\\PC{0,200}") {
            if let Some(e) = parse("g", at(), &line) {
                let _ = (e.is_mutating(), e.resources(), e.conditions());
            }
            let _ = named_in(&line);
            let _ = resource_name(&line);
        }

        /// Arbitrary JSON never panics it; whatever parses has a name and a source.
        #[test]
        fn arbitrary_json_never_panics(v in json()) {
            if let Some(e) = parse("g", at(), &v.to_string()) {
                prop_assert!(!e.name.is_empty() && !e.source.is_empty());
                let _ = (e.is_mutating(), e.resources(), e.conditions(), e.names("x"));
            }
        }
    }
}

//! Clues that explain a signature join its finding (the eviction policy, the credential rotation
//! before an authentication failure, the lock holder's statement), and a dependency's cause
//! outranks the symptoms it explains (connections piling up behind a lock).

use super::*;

const PG: &str = "/aws/rds/instance/orders-pg/postgresql";

fn rec(group: &str, min: i64, stream: &str, line: &str) -> LogRecord {
    if group == CI {
        LogRecord::parse(CI, "s", at(min), &ci(stream, "orders", line))
    } else {
        LogRecord::parse(group, stream, at(min), line)
    }
}

/// `(what, window records, baseline records, expected findings as (category, severity, words
/// that must be in the title or evidence))`, the first finding checked in full.
type ClueCase = (
    &'static str,
    Vec<LogRecord>,
    Vec<LogRecord>,
    Vec<(Option<Category>, Severity, &'static [&'static str])>,
);

fn check_clues(
    what: &str,
    window: Vec<LogRecord>,
    baseline: Vec<LogRecord>,
    expected: &[(Option<Category>, Severity, &[&str])],
) {
    let groups = [candidate(CI, false), candidate(PG, false)];
    let got: Vec<Finding> = run(&input(&groups, window, Some(baseline)))
        .into_iter()
        .filter(|f| f.kind == "log_pattern")
        .collect();
    let summary: Vec<String> = got
        .iter()
        .map(|f| {
            format!(
                "{:?} {:?} {} | {:?}",
                f.category, f.severity, f.title, f.evidence
            )
        })
        .collect();
    assert!(got.len() >= expected.len(), "{what}: {summary:#?}");
    for (f, (cat, sev, words)) in got.iter().zip(expected) {
        assert_eq!(
            (f.category, f.severity),
            (*cat, *sev),
            "{what}: {summary:#?}"
        );
        let text = format!("{} {}", f.title, f.evidence.join(" "));
        if f.category.is_none() {
            let id = f.id.as_str();
            assert!(
                got.iter().any(|c| c
                    .attributes
                    .get("explains")
                    .and_then(|v| v.as_array())
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(id)))),
                "{what}: no cause explains {id}: {summary:#?}"
            );
        }
        for w in *words {
            match w.strip_prefix('!') {
                Some(absent) => {
                    assert!(!text.contains(absent), "{what}: {absent:?} in {summary:#?}")
                }
                None => assert!(text.contains(w), "{what}: {w:?} not in {summary:#?}"),
            }
        }
    }
}

#[test]
fn clues_join_the_signature_they_explain() {
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let exporter = "redis-exporter-7d9f8c6b5-kq2lz";
    let oom = r#"{"level":"error","msg":"add to cart failed","err":"ReplyError: OOM command not allowed when used memory > 'maxmemory'."}"#;
    let snapshot = "level=info msg=\"INFO memory snapshot\" used_memory_human=12.71G maxmemory_human=12.71G maxmemory_policy=noeviction evicted_keys=0";
    let auth_app = "ERROR HikariPool-1 - Failed to create connection: FATAL: password authentication failed for user \"orders_app\"";
    let pool = "ERROR HikariPool-1 - Connection is not available, request timed out after 30000ms.";
    let finish = "[INFO]\t2026-04-18T09:55:02Z\t7c2d\tfinishSecret: Successfully set AWSCURRENT stage to version 9f0e for secret arn:aws:secretsmanager:eu-west-1:1:secret:prod/orders/db";
    let ddl = "2026-04-18 10:05:09 UTC:10.0.9.14(38812):flyway@orders:[29904]:LOG:  statement: ALTER TABLE orders ALTER COLUMN amount TYPE numeric(14,2)";
    let waiting = "2026-04-18 10:05:11 UTC:10.0.7.33(50112):app@orders:[30221]:LOG:  process 30221 still waiting for RowExclusiveLock on relation 16811 of database 16402 after 1000.092 ms";
    let holder = "2026-04-18 10:05:11 UTC:10.0.7.33(50112):app@orders:[30221]:DETAIL:  Process holding the lock: 29904. Wait queue: 30221.";
    let insert = "2026-04-18 10:05:11 UTC:10.0.7.33(50112):app@orders:[30221]:STATEMENT:  INSERT INTO orders (id, amount) VALUES ($1, $2)";
    let slots = "ERROR HikariPool-1 - Failed to create connection: FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute";
    use Category::*;
    let cases: Vec<ClueCase> = vec![
        (
            "the datastore's eviction policy joins its full-memory errors",
            vec![
                rec(CI, 20, api, oom),
                rec(CI, 5, api, oom),
                rec(CI, 10, exporter, snapshot),
            ],
            vec![],
            vec![(
                Some(ResourceExhaustion),
                Severity::Critical,
                &["OOM command not allowed", "maxmemory_policy=noeviction"],
            )],
        ),
        (
            "no policy logged: the full-memory finding stands alone",
            vec![rec(CI, 20, api, oom), rec(CI, 5, api, oom)],
            vec![],
            vec![(
                Some(ResourceExhaustion),
                Severity::Critical,
                &["OOM command not allowed"],
            )],
        ),
        (
            "a rotation before the authentication failures is quoted; the pool timeouts after them are a symptom",
            vec![
                rec(CI, 12, api, auth_app),
                rec(CI, 8, api, auth_app),
                rec(CI, 3, api, pool),
            ],
            vec![rec(CI, 35, "rotation", finish)],
            vec![
                (
                    Some(ConfigurationError),
                    Severity::High,
                    &[
                        "password authentication failed",
                        "AWSCURRENT",
                        "credential rotation at 09:55 UTC",
                    ],
                ),
                (None, Severity::Medium, &["a symptom: credentials rejected"]),
            ],
        ),
        (
            "a rotation only after the failures began explains nothing",
            vec![
                rec(CI, 12, api, auth_app),
                rec(CI, 8, api, auth_app),
                rec(CI, 9, "rotation", finish),
            ],
            vec![],
            vec![(
                Some(ConfigurationError),
                Severity::High,
                &["password authentication failed", "!AWSCURRENT"],
            )],
        ),
        (
            "the database's lock wait explains the target's exhausted connections, with the holder's statement",
            vec![
                rec(PG, 25, "pg.0", ddl),
                rec(PG, 24, "pg.0", waiting),
                rec(PG, 24, "pg.0", holder),
                rec(PG, 24, "pg.0", insert),
                rec(PG, 10, "pg.0", waiting),
                rec(CI, 4, api, slots),
            ],
            vec![],
            vec![
                (
                    Some(CodeDefect),
                    Severity::High,
                    &[
                        "still waiting for RowExclusiveLock",
                        "lock held by process 29904 (flyway)",
                        "ALTER TABLE orders",
                    ],
                ),
                (
                    None,
                    Severity::Medium,
                    &["remaining connection slots", "a symptom"],
                ),
            ],
        ),
        (
            "connections exhausted before any lock wait began: the connections stay the cause",
            vec![
                rec(CI, 20, api, slots),
                rec(CI, 3, api, slots),
                rec(PG, 10, "pg.0", waiting),
                rec(PG, 2, "pg.0", waiting),
                rec(PG, 2, "pg.0", holder),
            ],
            vec![],
            vec![(
                Some(ResourceExhaustion),
                Severity::Critical,
                &["remaining connection slots"],
            )],
        ),
    ];
    for (what, window, baseline, expected) in cases {
        check_clues(what, window, baseline, &expected);
    }
}

/// A CloudTrail call that set the setting governing a signature (a queue's VisibilityTimeout
/// before `ReceiptHandleIsInvalid`) joins the pattern, with the queue and the value; a call
/// after the onset, one that failed, or one that set another attribute does not.
#[test]
fn a_setting_changed_before_the_pattern_is_its_clue() {
    let api = "orders-api-5c9d7b8f6-4kd9s";
    let invalid = "ERROR delete failed: botocore.exceptions.ClientError: An error occurred (ReceiptHandleIsInvalid) when calling the DeleteMessage operation: The receipt handle has expired.";
    let call = |min: i64, attr: &str, error: bool| {
        let err = if error {
            r#","errorCode":"AccessDenied""#
        } else {
            ""
        };
        let msg = format!(
            r#"{{"eventTime":"{}","eventSource":"sqs.amazonaws.com","eventName":"SetQueueAttributes","userIdentity":{{"arn":"arn:aws:sts::1:assumed-role/terraform-ci/run-1"}},"requestParameters":{{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/1/order-emails","attributes":{{"{attr}":"30"}}}}{err}}}"#,
            at(min)
        );
        crate::trail::parse("/aws/cloudtrail/org", at(min), &msg).expect("a CloudTrail event")
    };
    let cases = [
        (
            "set 90 min before the onset: quoted",
            call(110, "VisibilityTimeout", false),
            Some("SetQueueAttributes on order-emails set VisibilityTimeout \"30\""),
        ),
        (
            "set after the onset: not its clue",
            call(10, "VisibilityTimeout", false),
            None,
        ),
        (
            "the call failed: not its clue",
            call(110, "VisibilityTimeout", true),
            None,
        ),
        (
            "another attribute: not its clue",
            call(110, "MessageRetentionPeriod", false),
            None,
        ),
    ];
    for (what, event, expected) in cases {
        let groups = [candidate(CI, false)];
        let mut i = input(
            &groups,
            vec![rec(CI, 20, api, invalid), rec(CI, 5, api, invalid)],
            Some(vec![]),
        );
        i.trail = vec![event];
        let got = run(&i);
        let f = got
            .iter()
            .find(|f| f.kind == "log_pattern")
            .expect("a pattern");
        assert_eq!(f.category, Some(Category::ConfigurationError), "{what}");
        let text = format!("{} {}", f.title, f.evidence.join(" "));
        match expected {
            Some(words) => assert!(text.contains(words), "{what}: {text}"),
            None => assert!(!text.contains("SetQueueAttributes"), "{what}: {text}"),
        }
    }
}

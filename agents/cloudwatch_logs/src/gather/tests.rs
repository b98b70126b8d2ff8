//! Database follow-ups: which RDS groups the app's errors (or the alert) point to.
use super::*;
use crate::discovery::KeywordKind;

fn rec(line: &str) -> LogRecord {
    LogRecord::parse("/app/x", "s", "2026-04-18T10:00:00Z".parse().unwrap(), line)
}

/// `check(alert mentions a database, app lines, expected follow-up groups)`.
fn check(db: bool, lines: &[&str], expected: &[&str]) {
    let listed: Vec<GroupInfo> = [
        "/aws/rds/instance/orders-db/postgresql",
        "/aws/rds/instance/risk-db/postgresql",
        "/aws/rds/instance/billing-db/postgresql",
        "/aws/lambda/orders-export",
    ]
    .iter()
    .map(|n| GroupInfo {
        name: (*n).to_owned(),
        stored_bytes: None,
    })
    .collect();
    let mut target = Target::default();
    target.add("orders-api", KeywordKind::Workload);
    target.mentions_database = db;
    let records: Vec<LogRecord> = lines.iter().map(|l| rec(l)).collect();
    let got: Vec<String> = database_followups(&listed, &[], &records, &target)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(got, expected, "{db} {lines:?}");
}

#[test]
fn the_database_follows_from_the_apps_errors_or_the_alert() {
    let cases: [(bool, &[&str], &[&str]); 5] = [
        (false, &["ERROR request failed: 500"], &[]),
        (
            false,
            &["FATAL: sorry, too many clients already"],
            &["/aws/rds/instance/orders-db/postgresql"],
        ),
        (true, &[], &["/aws/rds/instance/orders-db/postgresql"]),
        (
            false,
            &[
                "could not translate host name \"risk-db.c9xq2kz1a7bn.us-east-1.rds.amazonaws.com\" to address",
            ],
            &["/aws/rds/instance/risk-db/postgresql"],
        ),
        (
            false,
            &["Knex: Timeout acquiring a connection"],
            &["/aws/rds/instance/orders-db/postgresql"],
        ),
    ];
    for (db, lines, expected) in cases {
        check(db, lines, expected);
    }
}

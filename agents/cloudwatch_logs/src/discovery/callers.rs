//! Discovery of a Lambda function's callers: when the alert names a function whose own group
//! was chosen, its throttles and refusals are often logged only by whoever invoked it (an API's
//! `TooManyRequestsException … "function":"image-resize"`), or by an account-level report that
//! names it. One Insights query counts, per other group, the lines naming the function.

use super::{Candidate, GroupInfo, KeywordKind, Target, is_metrics_group};
use crate::records::lambda_function;

/// Most groups looked through for lines naming the function.
pub const MAX_GROUPS: usize = 20;
/// Most caller groups added.
pub const MAX_ADDED: usize = 3;

/// The functions the alert names whose own group (`/aws/lambda/<fn>`) was chosen.
pub fn functions(target: &Target, chosen: &[Candidate]) -> Vec<String> {
    chosen
        .iter()
        .filter_map(|c| lambda_function(&c.name))
        .filter(|f| {
            target.keywords.iter().any(|k| {
                matches!(
                    k.kind,
                    KeywordKind::Workload | KeywordKind::Pod | KeywordKind::Name
                ) && k.text.eq_ignore_ascii_case(f)
            })
        })
        .filter(|f| {
            f.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        })
        .map(str::to_owned)
        .collect()
}

/// The groups that may hold lines naming the function: every listed group not chosen yet, but
/// metrics, CloudTrail and flow logs; Container Insights application groups first.
pub fn groups(listed: &[GroupInfo], chosen: &[Candidate]) -> Vec<String> {
    let mut out: Vec<&GroupInfo> = listed
        .iter()
        .filter(|g| !chosen.iter().any(|c| c.name == g.name))
        .filter(|g| {
            let lower = g.name.to_ascii_lowercase();
            !is_metrics_group(&g.name)
                && !lower.contains("cloudtrail")
                && !lower.contains("flow-log")
                && !lower.contains("flowlog")
        })
        .collect();
    out.sort_by_key(|g| {
        (
            !super::probe::is_ci_application(&g.name),
            std::cmp::Reverse(g.stored_bytes.unwrap_or(0)),
        )
    });
    out.into_iter()
        .take(MAX_GROUPS)
        .map(|g| g.name.clone())
        .collect()
}

/// The query: lines per group naming one of `functions` as a whole token. Function names hold
/// only letters, digits, `-` and `_` (checked by [`functions`]), so no `/` reaches the regex.
pub fn query(functions: &[String]) -> String {
    let alt = functions.join("|");
    format!(
        "fields @log\n\
         | filter @message like /(?i)(^|[^a-z0-9_-])({alt})([^a-z0-9_-]|$)/\n\
         | stats count(*) as lines by @log\n\
         | sort lines desc\n\
         | limit 50"
    )
}

/// The groups whose lines name the function, most lines first, at most `room`: shared
/// (`dedicated: false`), so only the lines naming it count as the target's.
pub fn candidates(
    rows: &[(String, f64)],
    functions: &[String],
    listed: &[GroupInfo],
    room: usize,
) -> Vec<Candidate> {
    // Only groups we listed: a row naming any other is not ours to read.
    let rows: Vec<(String, f64)> = rows
        .iter()
        .filter(|(g, _)| listed.iter().any(|l| l.name == *g))
        .cloned()
        .collect();
    super::probe::candidates(&rows, functions, listed, room.min(MAX_ADDED))
}

//! The one trait a chat platform implements for the scan driver (`ChatSource`), and the budget
//! every call runs under.

use crate::message::{Channel, ChatMessage, Identity, Listing};
use sremesh_agent::Deadline;
use sremesh_chat::ApiError;
use sremesh_core::{Platform, TimeWindow};
use std::fmt;
use std::future::Future;
use std::time::Duration;

/// Read access to one chat platform, in platform-neutral terms.
pub trait ChatSource: Send + Sync {
    /// Which platform this is.
    fn platform(&self) -> Platform;

    /// Who the bot is (`auth.test`, `GET /users/@me`).
    fn identity(&self) -> impl Future<Output = Result<Identity, ApiError>> + Send;

    /// The channels the bot can read (Slack: its conversations; Discord: its guilds' text
    /// channels), at most `cap`.
    fn member_channels(
        &self,
        cap: usize,
    ) -> impl Future<Output = Result<Listing<Channel>, ApiError>> + Send;

    /// One channel's name (the id alone when the platform cannot say).
    fn channel(&self, id: &str) -> impl Future<Output = Result<Channel, ApiError>> + Send;

    /// The messages of `channel` posted in `window`, paging through it; at most `cap` (the
    /// newest), oldest first.
    fn history(
        &self,
        channel: &Channel,
        window: TimeWindow,
        cap: usize,
    ) -> impl Future<Output = Result<Listing<ChatMessage>, ApiError>> + Send;

    /// The replies of a thread whose root is `root` (not the root itself), at most `cap`.
    fn replies(
        &self,
        channel: &Channel,
        root: &ChatMessage,
        cap: usize,
    ) -> impl Future<Output = Result<Listing<ChatMessage>, ApiError>> + Send;
}

/// How a budgeted call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The platform answered with an error (after the client's retries).
    Api(ApiError),
    /// The job's deadline left no time for it (or it ran out).
    Deadline,
}

impl Step {
    /// True when the deadline cut it.
    pub fn is_deadline(&self) -> bool {
        matches!(self, Step::Deadline)
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Api(e) => write!(f, "{e}"),
            Step::Deadline => f.write_str("cut short by the deadline"),
        }
    }
}

/// Runs `call` within what is left before `deadline`, minus `reserve`.
pub async fn within<T>(
    deadline: Deadline,
    reserve: Duration,
    call: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, Step> {
    let budget = deadline.budget(reserve);
    if budget.is_zero() {
        return Err(Step::Deadline);
    }
    match tokio::time::timeout(budget, call).await {
        Ok(r) => r.map_err(Step::Api),
        Err(_) => Err(Step::Deadline),
    }
}

/// Slack error codes that mean the token itself is refused.
const SLACK_AUTH_ERRORS: &[&str] = &[
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "missing_scope",
    "not_allowed_token_type",
    "ekm_access_denied",
];

/// True when the error says the bot cannot work here at all (credential unreadable, token
/// refused) rather than that this call failed.
pub fn is_auth(e: &ApiError) -> bool {
    match e {
        ApiError::Credential { .. } => true,
        ApiError::Permanent {
            status: 401 | 403, ..
        } => true,
        _ => e
            .slack_error()
            .is_some_and(|c| SLACK_AUTH_ERRORS.contains(&c)),
    }
}

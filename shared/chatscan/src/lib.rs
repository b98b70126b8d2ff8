//! The chat scanners' shared core (the Slack and Discord scanners differ only in their client
//! adapters): a platform-neutral message model, the alert's target words, whole-name matching,
//! the analyzers that turn messages into findings, and the budgeted scan driver.
//!
//! * [`message`]: [`ChatMessage`], [`Channel`], [`Identity`].
//! * [`targets`] and [`names`]: what the alert names (services, namespaces, clusters, resource
//!   ids) and where a message names it.
//! * [`vocab`] and [`classify`]: what a message is (alert, deploy, change, report, handled);
//!   [`planned`]: when an announced activity runs and whether it covers the alert.
//! * [`analyzers`]: classified messages → `related_alert`, `deploy_announced`,
//!   `change_announced`, `human_report`, `already_handled`, `alert_history`,
//!   `provider_incident` findings (pure); [`recurrence`] recognises the same alert again,
//!   [`provider`] a provider's status post, [`places`] regions however they are spelled,
//!   [`words`] plain words for comparing texts.
//! * [`source`] and [`scan`]: the [`ChatSource`] trait a platform implements and the scan
//!   that reads channels under the job's deadline; [`result`] turns a scan into an AgentResult.
//! * [`agent`]: the scanner agent itself (settings, `Executor`, tools) over any
//!   [`agent::Platform`] — the Slack and Discord crates implement that trait and nothing more;
//!   [`testing`] (feature `testing`): the harness and the shared test bodies both crates run
//!   against the sandbox.
//!
//! Architecture invariant: no platform wire types here (they stay in `sremesh-chat` and the
//! scanner crates' adapters); the analysis never invents a cause — chat findings carry no
//! category.

pub mod agent;
pub mod analyzers;
pub mod classify;
pub mod evidence;
pub mod message;
pub mod names;
mod pick;
pub mod places;
pub mod planned;
pub mod provider;
pub mod recurrence;
pub mod result;
pub mod scan;
pub mod source;
pub mod targets;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tool;
pub mod vocab;
pub mod words;

pub use message::{Channel, ChatMessage, Identity, Listing};
pub use scan::{Fatal, ScanOutcome, ScanRequest, ScanSettings, scan};
pub use source::{ChatSource, Step, is_auth, within};
pub use targets::{Hit, Strength, Target, TargetKind, Targets};

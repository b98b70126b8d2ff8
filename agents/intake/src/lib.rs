//! The intake: the webhook front door of sremesh. It verifies a request (Slack v0 signature,
//! Discord Ed25519, Alertmanager bearer token), claims the delivery in a dedup store, gates
//! chatter, and hands the alert to the master (`returnImmediately`) — answering the platform
//! within its deadline whatever the master does. It runs as a local server or, with the same
//! router, under the Lambda runtime.
//!
//! * [`app`]: the router (`/slack/events`, `/slack/commands`, `/discord/interactions`,
//!   `/alertmanager`, `/` by detection, `/healthz`) and [`app::serve`].
//! * [`Intake`]: the state every request shares, built from [`Settings`] and a [`Dedup`] store.
//! * [`dedup`]: the one-method [`Dedup`] trait — DynamoDB (conditional put) or an embedded redb
//!   file that survives a restart.
//! * [`classify`]: the alert-vs-chatter gate (rules, then an optional model tier, then
//!   fail-open).
//! * [`alertmanager`]: the v4 webhook payload and its summary.
//! * [`discord::Webhooks`]: follow-ups through the interaction webhook.
//!
//! # What is investigated
//! A Slack mention on a top-level message investigates that message; a mention in a thread
//! investigates the thread's parent (read with `conversations.replies`), and the gate judges
//! the parent's text. The report goes to the thread. `/investigate <text>` posts
//! "🔎 Investigating: <text>" and investigates it in that message's thread; `/sre-snapshot`
//! asks the master for a snapshot posted to the channel. An Alertmanager firing group is posted
//! to `ALERTMANAGER_TARGET` and investigated in that post's thread.
//!
//! # Duplicates and replays
//! Every delivery has a key (`slack#<channel>#<ts>`, `discord#<channel>#<interaction id>`,
//! `alertmanager#<groupKey>#<hash of the firing fingerprints>`) claimed for 24 h with one atomic
//! check-and-insert, so concurrent retries start one investigation. A *replay* — the same
//! validly signed body sent again — is refused with 401 once its timestamp is more than 300 s
//! from now (the signature window), and within those 300 s it is acknowledged (200) but not
//! re-run, because its delivery key is already claimed. Slack's `X-Slack-Retry-Num`
//! redeliveries are the same case.
//!
//! # Discord mentions (not built)
//! Discord delivers only interactions (slash commands) over HTTP. Investigating a message in
//! which the bot is mentioned needs a gateway connection: a small always-on bot that holds a
//! websocket to the Discord gateway with the `GUILD_MESSAGES` and `MESSAGE_CONTENT` intents,
//! and forwards each `MESSAGE_CREATE` that mentions the bot to the intake (signed with a
//! shared key), which would then treat it like a Slack mention — dedup key
//! `discord#<channel>#<message id>`, parent via `message_reference`. Lambda cannot hold that
//! socket, so it would run beside the agents.
//!
//! Architecture invariant: Slack/Discord wire shapes come from `sremesh-chat`, A2A from
//! `sremesh-agent`; this crate owns only the Alertmanager payload. Never reads the environment
//! (the binary does, through clap).

pub mod alertmanager;
pub mod app;
pub mod classify;
mod commands;
pub mod dedup;
pub mod discord;
mod error;
mod intake;
pub mod lambda;
pub mod master;
mod messages;
pub mod model_tier;
mod settings;
mod slack;

pub use classify::{Gate, LlmTier, NoLlm};
pub use dedup::{Dedup, DedupError, DynamoDedup, EmbeddedDedup};
pub use error::Reject;
pub use intake::Intake;
pub use messages::{HANDOFF_FAILED, PAUSED};
pub use settings::{ChatTarget, Limits, Mode, Settings, SetupError};

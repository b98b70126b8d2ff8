//! The analyzers: the Slack and Discord scanners share one implementation, in
//! `sremesh-chatscan` (one file per family there: `related`, `deploys`, `changes`, `people`).
//! This module re-exports the explicit list so the crate keeps the standard specialist shape.

pub use sremesh_chatscan::analyzers::{Analyzer, Input, all, run};

//! CloudWatch Logs sandbox: filter patterns, Insights queries, and the real Rust SDK on loopback.

mod filter_pattern;
mod insights;
mod parsers_prop;
mod sdk;

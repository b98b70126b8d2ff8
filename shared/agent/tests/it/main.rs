//! Integration tests of the agent harness: requests in, typed answers out, deadlines kept.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod harness;

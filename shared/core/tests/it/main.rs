//! Integration tests of sremesh-core through its public surface.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod config;

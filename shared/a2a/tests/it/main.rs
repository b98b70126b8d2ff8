//! Integration tests of the A2A server layer and client through their public surface.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod support;

mod client;
mod conversion;
mod rpc;
mod store;

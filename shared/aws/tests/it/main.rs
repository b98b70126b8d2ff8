//! Integration tests of sremesh-aws against local peers (moto for Secrets Manager).
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod secrets;

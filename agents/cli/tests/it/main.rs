//! End-to-end tests of the `sremesh` command (built binaries, real processes, the sandbox).
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod binaries;
mod demo;
mod eval;

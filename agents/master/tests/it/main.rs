//! Integration tests of the master through its public surface.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod support;

mod delivery;
mod faults;
mod hypotheses;
mod model;
mod snapshot;

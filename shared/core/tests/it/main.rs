//! Integration tests of sremesh-core through its public surface.

mod config;

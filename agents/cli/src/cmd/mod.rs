//! One module per subcommand.

pub mod config;
pub mod demo;
pub mod dev;
pub mod eval;
pub mod investigate;
pub mod mesh;
pub mod sandbox;
pub mod stack;

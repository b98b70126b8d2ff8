//! One module per subcommand.

pub mod config;
pub mod eval;
pub mod investigate;
pub mod mesh;
pub mod sandbox;

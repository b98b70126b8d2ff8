//! Sandbox (issue 3).

//! Scenario loader (issue 3).

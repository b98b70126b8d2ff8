//! Loader and validator of `sremesh/scenario/v1` incident scenario files (see SCENARIOS.md).
//!
//! [`load`] / [`load_str`] parse a file into a [`Scenario`] with every time absolute and every
//! chat id derived (Slack `ts`, Discord snowflakes, thread links; the alert placed in its
//! channel). A bad file yields a [`ScenarioError`] naming the file, the key path and the
//! problem; unknown keys are tolerated and reported in [`Scenario::warnings`].
//! [`Scenario::shifted`] moves a whole scenario in time (the sandbox's live mode).
//!
//! Architecture invariant: no network, no environment; the only I/O is reading the files named.

mod chat;
mod error;
pub mod ids;
mod kube;
mod model;
mod parse;
mod reader;
pub mod score;
mod shift;
mod world;

pub use error::{Problem, ScenarioError};
pub use kube::{DEFAULT_K8S_VERSION, split_prefix};
pub use model::*;
pub use parse::SCHEMA;
pub use score::{Score, score};
pub use shift::{K8S_TIME_KEYS, k8s_time, shift_object};
pub use world::DEFAULT_GUILD;

pub use sremesh_core::{Category, Platform};

use std::path::{Path, PathBuf};

/// Reads and validates one scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut s = load_str(&path.display().to_string(), &text)?;
    s.source = Some(path.to_path_buf());
    Ok(s)
}

/// Parses and validates scenario text; `name_for_errors` names it in error messages.
pub fn load_str(name_for_errors: &str, text: &str) -> Result<Scenario, ScenarioError> {
    parse::parse(name_for_errors, text)
}

/// Expands paths into scenario files: a file stays as given, a folder becomes its `*.yaml` /
/// `*.yml` files (not recursive), sorted by name.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ScenarioError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ScenarioError::Io {
            path: path.clone(),
            source,
        })?;
        if !meta.is_dir() {
            out.push(path.clone());
            continue;
        }
        let io = |source| ScenarioError::Io {
            path: path.clone(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            let is_yaml = p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e == "yaml" || e == "yml");
            if is_yaml && p.is_file() {
                files.push(p);
            }
        }
        if files.is_empty() {
            return Err(ScenarioError::NoScenarios { path: path.clone() });
        }
        files.sort();
        out.extend(files);
    }
    Ok(out)
}

/// `(major, minor)` of a Kubernetes version string (`v1.30.4` → `(1, 30)`).
pub fn kube_version(v: &str) -> Option<(u32, u32)> {
    let rest = v.strip_prefix('v')?;
    let mut parts = rest.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

//! What can go wrong loading a scenario; every message names the file, and for a bad value the
//! key path (`world.slack.channels[0].messages[3].at`) and the problem.

use std::fmt;
use std::path::PathBuf;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path from the document root, e.g. `world.slack.channels[0].messages[3].at`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Loading failed. Every variant is the user's to fix (the file, or the path given).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file or folder could not be read: check the path.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A folder given to [`crate::collect`] holds no `*.yaml` / `*.yml` file.
    #[error("{}: no scenario files (*.yaml, *.yml) in this folder", path.display())]
    NoScenarios { path: PathBuf },
    /// The text is not YAML (or not a mapping at the top): fix the syntax at `line`.
    #[error("{file}{}: not a valid scenario document: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Syntax {
        file: String,
        line: Option<u64>,
        message: String,
    },
    /// The YAML parsed but breaks the scenario format: each problem names its key path.
    #[error("{}", render(file, problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
}

fn render(file: &str, problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("{file}: {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl ScenarioError {
    /// The problems of an [`ScenarioError::Invalid`] file (empty for other variants).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

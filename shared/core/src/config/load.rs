//! Finding, reading and parsing `config.yaml` and the skills it names.

use super::MeshConfig;
use super::skill::{Skill, parse_skill};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a config file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the problem is in (config.yaml or a SKILL.md).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// Why the config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No config.yaml was given and none was found walking up from the working directory.
    #[error(
        "no config.yaml found (searched {searched} and its parents); pass --config PATH or set SREMESH_CONFIG"
    )]
    NotFound { searched: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file was read but is invalid; every problem found is listed.
    #[error("{}", join(.0))]
    Invalid(Vec<ConfigError>),
}

fn join(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A loaded, validated config with its skills.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The config.yaml path.
    pub path: PathBuf,
    /// The directory that holds config.yaml (skills are under `skills/` there).
    pub root: PathBuf,
    pub config: MeshConfig,
    /// Every skill named by any agent, by name.
    pub skills: BTreeMap<String, Skill>,
}

impl Loaded {
    /// The skills of one agent, in config order.
    pub fn skills_for(&self, agent: &str) -> Vec<&Skill> {
        self.config
            .agent(agent)
            .map(|a| a.skills.iter().filter_map(|s| self.skills.get(s)).collect())
            .unwrap_or_default()
    }
}

/// Where config.yaml is: `explicit` (`--config`), else `from_env` (`SREMESH_CONFIG`), else the
/// first `config.yaml` walking up from `cwd`.
pub fn find_config(
    explicit: Option<&Path>,
    from_env: Option<&Path>,
    cwd: &Path,
) -> Result<PathBuf, LoadError> {
    if let Some(p) = explicit.or(from_env) {
        return Ok(p.to_path_buf());
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let candidate = d.join("config.yaml");
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent();
    }
    Err(LoadError::NotFound {
        searched: cwd.to_path_buf(),
    })
}

/// Reads, parses and validates `path` and the SKILL.md files it names.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let root = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    load_str(path, &text, &root)
}

/// Parses and validates config text (`path` names it in messages; skills are read under
/// `root/skills/`).
pub fn load_str(path: &Path, text: &str, root: &Path) -> Result<Loaded, LoadError> {
    let config: MeshConfig = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line()).filter(|l| *l > 0);
        LoadError::Invalid(vec![ConfigError {
            file: path.to_path_buf(),
            line,
            message: yaml_message(&e.to_string(), line.and_then(|l| key_on_line(text, l))),
        }])
    })?;
    let mut errors = super::validate::validate(&config, text, path);
    let mut skills = BTreeMap::new();
    let names: std::collections::BTreeSet<&String> = config
        .agents
        .values()
        .flat_map(|a| a.skills.iter())
        .collect();
    for name in names {
        if !is_skill_name(name) {
            continue; // reported by validate
        }
        let file = root.join("skills").join(name).join("SKILL.md");
        match std::fs::read_to_string(&file) {
            Ok(body) => match parse_skill(name, &body) {
                Ok(skill) => {
                    skills.insert(name.clone(), skill);
                }
                Err(e) => errors.push(ConfigError {
                    file,
                    line: e.line(),
                    message: e.to_string(),
                }),
            },
            Err(_) => errors.push(ConfigError {
                file: path.to_path_buf(),
                line: super::validate::line_of(text, name, 0),
                message: format!("skill '{name}': {} is missing", file.display()),
            }),
        }
    }
    errors.extend(super::validate::validate_tools(
        &config, &skills, text, path,
    ));
    if errors.is_empty() {
        Ok(Loaded {
            path: path.to_path_buf(),
            root: root.to_path_buf(),
            config,
            skills,
        })
    } else {
        Err(LoadError::Invalid(errors))
    }
}

/// The parser's first message line without its own "error: line N column M:" prefix (we print
/// `file:line:`), prefixed with the key on the offending line when there is one.
fn yaml_message(raw: &str, key: Option<&str>) -> String {
    let first = raw.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let first = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map_or(first, |(_, m)| m),
        None => first,
    };
    match key {
        Some(k) if !first.contains(k) => format!("'{k}': {first}"),
        _ => first.to_owned(),
    }
}

/// The mapping key on a 1-based line (`  window_before: soon` → `window_before`).
fn key_on_line(text: &str, line: u64) -> Option<&str> {
    let l = text.lines().nth(line.checked_sub(1)? as usize)?;
    let (key, _) = l.trim_start().trim_start_matches("- ").split_once(':')?;
    let key = key.trim();
    (!key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
    .then_some(key)
}

/// Skill names are folder names: `[a-z0-9_]+`.
pub(super) fn is_skill_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

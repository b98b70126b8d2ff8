//! `sremesh config validate`: load config.yaml and every SKILL.md it names, report each problem.

use clap::Subcommand;
use sremesh_core::config::{self, LoadError};
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Check config.yaml and its skills; print every problem with file and line.
    Validate,
}

pub fn run(cmd: ConfigCommand, explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    match cmd {
        ConfigCommand::Validate => validate(explicit),
    }
}

fn validate(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let path = config::find_config(explicit, None, &cwd)?;
    match config::load(&path) {
        Ok(loaded) => {
            let c = &loaded.config;
            let enabled: Vec<&str> = c
                .agents
                .iter()
                .filter(|(_, a)| a.enabled)
                .map(|(id, _)| id.as_str())
                .collect();
            println!(
                "{}: ok — {} agents ({} enabled: {}), {} skills",
                path.display(),
                c.agents.len(),
                enabled.len(),
                enabled.join(", "),
                loaded.skills.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(LoadError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("{}: {} problem(s)", path.display(), errors.len());
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

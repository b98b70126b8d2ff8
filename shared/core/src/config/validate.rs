//! Semantic checks of a parsed config: each problem named, with the line where it can be found.

use super::load::{ConfigError, is_skill_name};
use super::{McpTransport, MeshConfig, Skill};
use crate::catalogue::{self, MASTER};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Every problem of `config` (whose source text is `text`), except skills and tools.
pub(super) fn validate(config: &MeshConfig, text: &str, path: &Path) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut err = |line: Option<u64>, message: String| {
        errors.push(ConfigError {
            file: path.to_path_buf(),
            line,
            message,
        });
    };
    let agents_line = line_of(text, "agents", 0).unwrap_or(0);
    let known: Vec<&str> = catalogue::AGENTS.iter().map(|a| a.id).collect();

    match config.agents.get(MASTER) {
        None => err(
            Some(agents_line).filter(|l| *l > 0),
            "the master agent must be listed under 'agents'".into(),
        ),
        Some(m) if !m.enabled => err(
            agent_line(text, MASTER, agents_line),
            "the master agent cannot be disabled".into(),
        ),
        Some(_) => {}
    }

    let mut ports: HashMap<u16, &str> = HashMap::new();
    // Catalogue order (master first), so a clash is reported on the later agent's line.
    let mut ordered: Vec<_> = config.agents.iter().collect();
    ordered.sort_by_key(|(id, _)| catalogue::order(id));
    for (id, agent) in ordered {
        let line = agent_line(text, id, agents_line);
        let Some(info) = catalogue::agent(id) else {
            err(
                line,
                format!("unknown agent '{id}' (known agents: {})", known.join(", ")),
            );
            continue;
        };
        if agent.enabled && !info.built {
            err(
                line,
                format!(
                    "agent '{id}' is not built in this release; set 'enabled: false' or remove it"
                ),
            );
        }
        let port = agent.port.unwrap_or(info.port);
        let port_line = agent
            .port
            .and_then(|_| line_of(text, "port", line.unwrap_or(0)))
            .or(line);
        if port == 0 {
            err(
                port_line,
                format!("agent '{id}': port 0 is not a valid port"),
            );
        } else if let Some(other) = ports.insert(port, id) {
            err(
                port_line,
                format!("duplicate port {port}: agents '{other}' and '{id}' both use it"),
            );
        }
        if port == catalogue::INTAKE_PORT {
            err(
                port_line,
                format!("agent '{id}': port {port} is the intake's"),
            );
        }
        for skill in &agent.skills {
            if !is_skill_name(skill) {
                err(
                    line_of(text, skill, line.unwrap_or(0)),
                    format!(
                        "agent '{id}': skill name '{skill}' must be a folder name of [a-z0-9_]"
                    ),
                );
            }
        }
        if !agent.watch_channels.is_empty()
            && !matches!(id.as_str(), "slack_scanner" | "discord_scanner")
        {
            err(
                line_of(text, "watch_channels", line.unwrap_or(0)),
                format!("agent '{id}': 'watch_channels' is only for the chat scanners"),
            );
        }
        if agent.max_tool_cycles == Some(0) {
            err(
                line_of(text, "max_tool_cycles", line.unwrap_or(0)),
                format!("agent '{id}': max_tool_cycles must be at least 1"),
            );
        }
        let mut mcp_names = HashMap::new();
        for mcp in &agent.mcps {
            let mline = line_of(text, &mcp.name, line.unwrap_or(0)).or(line);
            if mcp.name.is_empty()
                || !mcp
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                || mcp.name.contains("__")
            {
                err(
                    mline,
                    format!(
                        "agent '{id}': MCP server name '{}' must be [a-z0-9_] without '__'",
                        mcp.name
                    ),
                );
            }
            if mcp_names.insert(mcp.name.as_str(), ()).is_some() {
                err(
                    mline,
                    format!("agent '{id}': MCP server '{}' is listed twice", mcp.name),
                );
            }
            match mcp.transport {
                McpTransport::StreamableHttp => {
                    if !(mcp.endpoint.starts_with("http://")
                        || mcp.endpoint.starts_with("https://"))
                    {
                        err(
                            mline,
                            format!(
                                "agent '{id}': MCP server '{}' uses streamable_http, so its endpoint must be an http(s) URL, not '{}'",
                                mcp.name, mcp.endpoint
                            ),
                        );
                    }
                    if !mcp.args.is_empty() {
                        err(
                            mline,
                            format!(
                                "agent '{id}': MCP server '{}': 'args' only applies to the stdio transport",
                                mcp.name
                            ),
                        );
                    }
                }
                McpTransport::Stdio => {
                    if mcp.endpoint.trim().is_empty() {
                        err(
                            mline,
                            format!(
                                "agent '{id}': MCP server '{}' uses stdio, so its endpoint must be the command to run",
                                mcp.name
                            ),
                        );
                    }
                }
            }
            let auth_ok = mcp.auth == "none"
                || mcp.auth.strip_prefix("bearer:").is_some_and(|v| {
                    !v.is_empty()
                        && v.bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                });
            if !auth_ok {
                err(
                    mline,
                    format!(
                        "agent '{id}': MCP server '{}': auth must be 'none' or 'bearer:<ENV_VAR>', not '{}'",
                        mcp.name, mcp.auth
                    ),
                );
            }
            if mcp.transport == McpTransport::Stdio && mcp.auth != "none" {
                err(
                    mline,
                    format!(
                        "agent '{id}': MCP server '{}': bearer auth needs the streamable_http transport",
                        mcp.name
                    ),
                );
            }
        }
    }

    let inv = &config.investigation;
    let inv_line = line_of(text, "investigation", 0);
    let positive = [
        ("window_before", inv.window_before),
        ("window_after", inv.window_after),
        ("initial_deadline", inv.initial_deadline),
        ("hard_cutoff", inv.hard_cutoff),
        ("snapshot_cutoff", inv.snapshot_cutoff),
        ("routing_timeout", inv.routing_timeout),
    ];
    for (name, d) in positive {
        if d.is_negative() || (d.is_zero() && name != "window_after") {
            err(
                line_of(text, name, inv_line.unwrap_or(0)).or(inv_line),
                format!("investigation.{name} must be positive"),
            );
        }
    }
    if inv.synthesis_timeout.is_negative()
        || inv.synthesis_timeout + inv.agent_margin >= inv.initial_deadline
    {
        err(
            line_of(text, "synthesis_timeout", inv_line.unwrap_or(0)).or(inv_line),
            "investigation.synthesis_timeout plus agent_margin must be shorter than initial_deadline".into(),
        );
    }
    if inv.hard_cutoff < inv.initial_deadline {
        err(
            line_of(text, "hard_cutoff", inv_line.unwrap_or(0)).or(inv_line),
            "investigation.hard_cutoff must not be shorter than initial_deadline".into(),
        );
    }
    if inv.agent_margin.is_negative() || inv.agent_margin >= inv.initial_deadline {
        err(
            line_of(text, "agent_margin", inv_line.unwrap_or(0)).or(inv_line),
            "investigation.agent_margin must be between 0 and initial_deadline".into(),
        );
    }
    if inv.max_channels == 0 {
        err(
            line_of(text, "max_channels", inv_line.unwrap_or(0)).or(inv_line),
            "investigation.max_channels must be at least 1".into(),
        );
    }
    for (model, price) in &config.pricing {
        if !(price.input >= 0.0
            && price.output >= 0.0
            && price.input.is_finite()
            && price.output.is_finite())
        {
            err(
                line_of(text, model, 0),
                format!("pricing for '{model}' must be non-negative numbers"),
            );
        }
    }
    errors
}

/// Checks that every skill's tool is one its agent registers (catalogue).
pub(super) fn validate_tools(
    config: &MeshConfig,
    skills: &BTreeMap<String, Skill>,
    text: &str,
    path: &Path,
) -> Vec<ConfigError> {
    let agents_line = line_of(text, "agents", 0).unwrap_or(0);
    let mut errors = Vec::new();
    for (id, agent) in &config.agents {
        let Some(info) = catalogue::agent(id) else {
            continue;
        };
        let line = agent_line(text, id, agents_line);
        for name in &agent.skills {
            let Some(skill) = skills.get(name) else {
                continue;
            };
            if !info.tools.contains(&skill.tool.as_str()) {
                errors.push(ConfigError {
                    file: path.to_path_buf(),
                    line: line_of(text, name, line.unwrap_or(0)),
                    message: format!(
                        "agent '{id}': skill '{name}' names tool '{}', which '{id}' does not register (its tools: {})",
                        skill.tool,
                        info.tools.join(", ")
                    ),
                });
            }
        }
    }
    errors
}

fn agent_line(text: &str, id: &str, agents_line: u64) -> Option<u64> {
    line_of(text, id, agents_line)
}

/// The first line (1-based) at or after `after` that mentions `word` as a key (`word:`) or a
/// list item / flow value — a best-effort pointer for messages.
pub(super) fn line_of(text: &str, word: &str, after: u64) -> Option<u64> {
    text.lines()
        .enumerate()
        .skip(after.saturating_sub(1) as usize)
        .find_map(|(i, line)| {
            let code = line.split(" #").next().unwrap_or(line);
            let t = code.trim_start().trim_start_matches("- ").trim_start();
            let as_key = t
                .strip_prefix(word)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            let as_value = crate::text::contains_word(code, word) && !t.starts_with('#');
            (as_key || (as_value && i as u64 + 1 > after)).then_some(i as u64 + 1)
        })
}

//! Startup check that the tools a prompt or skill names exist in the agent's final tool set
//! (the upstream let skills name tools that were never loaded).

use sremesh_agent::tool::ToolSet;

/// The names in `named` that `tools` lacks, in first-seen order, each once.
pub fn missing_tools<'a>(named: impl IntoIterator<Item = &'a str>, tools: &ToolSet) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for name in named {
        let name = name.trim();
        if !name.is_empty() && tools.get(name).is_none() && !missing.iter().any(|m| m == name) {
            missing.push(name.to_owned());
        }
    }
    missing
}

/// MCP tool names (`<server>__<tool>`) mentioned in a prompt's text, each once, in order.
/// Agent tools are named by a skill's `tool:` field instead; pass those to [`missing_tools`].
pub fn tools_named_in(prompt: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let words = prompt.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
    for word in words {
        let Some((server, tool)) = word.split_once("__") else {
            continue;
        };
        let server_ok = !server.is_empty()
            && server
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        let tool_ok = tool.chars().any(|c| c.is_ascii_alphanumeric());
        if server_ok && tool_ok && !found.iter().any(|f| f == word) {
            found.push(word.to_owned());
        }
    }
    found
}

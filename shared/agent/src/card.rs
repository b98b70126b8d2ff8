//! The agent card, built from the catalogue and the agent's skills in config.yaml.

use sremesh_a2a::types::{AgentCapabilities, AgentCard, AgentInterface, AgentSkill};
use sremesh_core::config::Skill;
use sremesh_core::{AgentInfo, media};

/// A clean A2A 1.0 card: JSON-RPC at `url`, no streaming, push or extended card.
pub fn build_card(info: &AgentInfo, skills: &[&Skill], url: &str) -> AgentCard {
    let mut description = format!("sremesh {} agent.", info.display_name);
    for s in skills {
        description.push(' ');
        description.push_str(&s.description);
    }
    let modes = vec!["text/plain".to_owned(), "application/json".to_owned()];
    let mut inputs = modes.clone();
    inputs.extend([media::INVESTIGATE.to_owned(), media::SNAPSHOT.to_owned()]);
    let mut outputs = modes;
    outputs.extend([
        media::AGENT_RESULT.to_owned(),
        media::SNAPSHOT.to_owned(),
        media::REPORT.to_owned(),
    ]);
    AgentCard {
        name: format!("sremesh {}", info.display_name),
        description,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        supported_interfaces: vec![AgentInterface {
            url: url.to_owned(),
            protocol_binding: "JSONRPC".to_owned(),
            protocol_version: "1.0".to_owned(),
        }],
        capabilities: AgentCapabilities::default(),
        default_input_modes: inputs,
        default_output_modes: outputs,
        skills: skills
            .iter()
            .map(|s| AgentSkill {
                id: s.name.clone(),
                name: s.name.clone(),
                description: s.description.clone(),
                tags: if s.tags.is_empty() {
                    vec![info.id.to_owned()]
                } else {
                    s.tags.clone()
                },
                examples: s.examples.clone(),
                input_modes: Vec::new(),
                output_modes: Vec::new(),
            })
            .collect(),
        provider: None,
        documentation_url: None,
    }
}

//! Where the master finds each specialist: `<AGENT>_AGENT_RUNTIME_ARN` (wins), else
//! `<AGENT>_AGENT_URL`, else the local default from config.yaml's port.

use crate::orchestrator::Specialist;
use sremesh_a2a::client::ClientOptions;
use sremesh_agent::AgentClient;
use sremesh_core::config::MeshConfig;
use std::collections::HashMap;
use std::sync::Arc;

/// The endpoint for one agent, from an environment map.
pub fn endpoint(config: &MeshConfig, id: &str, env: &HashMap<String, String>) -> Option<String> {
    let info = sremesh_core::catalogue::agent(id)?;
    let pick = |k: String| {
        env.get(&k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    pick(info.arn_env())
        .or_else(|| pick(info.url_env()))
        .or_else(|| config.port(id).map(|p| format!("http://127.0.0.1:{p}/")))
}

/// Every specialist listed in config.yaml, in catalogue order; disabled ones have no client.
pub fn specialists(
    config: &MeshConfig,
    env: &HashMap<String, String>,
    opts: &ClientOptions,
) -> Result<Vec<Specialist>, String> {
    config
        .specialists()
        .into_iter()
        .map(|info| {
            if !config.is_enabled(info.id) {
                return Ok(Specialist { info, client: None });
            }
            let ep = endpoint(config, info.id, env)
                .ok_or_else(|| format!("no endpoint for {}", info.id))?;
            let client = AgentClient::with_options(info.id, &ep, opts.clone())
                .map_err(|e| format!("{}: {e}", info.id))?;
            Ok(Specialist {
                info,
                client: Some(Arc::new(client)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MeshConfig {
        let text = "project: p\nenvironment: e\nagents:\n  master: {}\n  eks: {port: 9105}\n  slack_scanner: {enabled: false}\n";
        serde_saphyr_free_parse(text)
    }

    // The core loader needs skills on disk; this test only needs the parsed struct.
    fn serde_saphyr_free_parse(text: &str) -> MeshConfig {
        sremesh_core::config::load_str(
            std::path::Path::new("t.yaml"),
            text,
            std::path::Path::new("/nonexistent"),
        )
        .unwrap()
        .config
    }

    #[test]
    fn arn_beats_url_beats_local_default() {
        let c = config();
        let mut env = HashMap::new();
        assert_eq!(
            endpoint(&c, "eks", &env).as_deref(),
            Some("http://127.0.0.1:9105/")
        );
        env.insert(
            "EKS_AGENT_URL".to_owned(),
            "http://10.0.0.5:9000/".to_owned(),
        );
        assert_eq!(
            endpoint(&c, "eks", &env).as_deref(),
            Some("http://10.0.0.5:9000/")
        );
        env.insert(
            "EKS_AGENT_RUNTIME_ARN".to_owned(),
            " arn:aws:bedrock-agentcore:us-east-1:1:runtime/eks ".to_owned(),
        );
        assert_eq!(
            endpoint(&c, "eks", &env).as_deref(),
            Some("arn:aws:bedrock-agentcore:us-east-1:1:runtime/eks")
        );
        let s = specialists(&c, &env, &ClientOptions::default()).unwrap();
        let ids: Vec<(&str, bool)> = s.iter().map(|s| (s.info.id, s.client.is_some())).collect();
        assert_eq!(ids, [("slack_scanner", false), ("eks", true)]);
    }
}

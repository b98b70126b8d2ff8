//! The agents sremesh knows: one line each. Adding a specialist adds one line here.

/// Static facts about one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentInfo {
    /// The id used in config.yaml, env var names and A2A results (`cloudwatch_logs`).
    pub id: &'static str,
    /// Human name in reports.
    pub display_name: &'static str,
    pub emoji: &'static str,
    /// Local port (DESIGN.md). In a container every agent listens on 9000.
    pub port: u16,
    /// The tools its skills may name (SKILL.md frontmatter `tool`).
    pub tools: &'static [&'static str],
    /// Whether this repository builds its binary yet (`sremesh-<id with dashes>`).
    pub built: bool,
}

impl AgentInfo {
    /// The binary name: `sremesh-cloudwatch-logs`.
    pub fn binary(&self) -> String {
        format!("sremesh-{}", self.id.replace('_', "-"))
    }

    /// The env var that holds this agent's URL as seen by the master (`EKS_AGENT_URL`).
    pub fn url_env(&self) -> String {
        format!("{}_AGENT_URL", self.id.to_ascii_uppercase())
    }

    /// The env var that holds this agent's AgentCore runtime ARN (`EKS_AGENT_RUNTIME_ARN`).
    pub fn arn_env(&self) -> String {
        format!("{}_AGENT_RUNTIME_ARN", self.id.to_ascii_uppercase())
    }

    /// The default local URL (`http://127.0.0.1:9005/`).
    pub fn local_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// True for the master.
    pub fn is_master(&self) -> bool {
        self.id == MASTER
    }
}

/// The master's id.
pub const MASTER: &str = "master";

/// The intake's local port.
pub const INTAKE_PORT: u16 = 8080;

/// Every agent, in report order (the master first).
pub const AGENTS: &[AgentInfo] = &[
    AgentInfo {
        id: MASTER,
        display_name: "Master",
        emoji: "🎯",
        port: 9000,
        tools: &["investigate_alert", "capture_status_snapshot"],
        built: true,
    },
    AgentInfo {
        id: "slack_scanner",
        display_name: "Slack Scanner",
        emoji: "📡",
        port: 9001,
        tools: &["scan_slack_channels", "capture_snapshot"],
        built: true,
    },
    AgentInfo {
        id: "discord_scanner",
        display_name: "Discord Scanner",
        emoji: "🎮",
        port: 9002,
        tools: &["scan_discord_channels", "capture_snapshot"],
        built: true,
    },
    AgentInfo {
        id: "prometheus",
        display_name: "Prometheus",
        emoji: "📈",
        port: 9003,
        tools: &["query_prometheus", "capture_snapshot"],
        built: false,
    },
    AgentInfo {
        id: "cloudwatch_logs",
        display_name: "CloudWatch Logs",
        emoji: "📋",
        port: 9004,
        tools: &[
            "discover_log_groups",
            "query_cloudwatch_logs",
            "capture_snapshot",
        ],
        built: true,
    },
    AgentInfo {
        id: "eks",
        display_name: "EKS",
        emoji: "☸️",
        port: 9005,
        tools: &[
            "gather_eks_state",
            "detect_recent_changes",
            "capture_snapshot",
        ],
        built: true,
    },
    AgentInfo {
        id: "incident_history",
        display_name: "Incident History",
        emoji: "📚",
        port: 9006,
        tools: &["find_similar_incidents", "capture_snapshot"],
        built: false,
    },
];

/// Looks an agent up by id.
pub fn agent(id: &str) -> Option<&'static AgentInfo> {
    AGENTS.iter().find(|a| a.id == id)
}

/// Position of an agent in report order (unknown ids sort last).
pub fn order(id: &str) -> usize {
    AGENTS
        .iter()
        .position(|a| a.id == id)
        .unwrap_or(AGENTS.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_design_contract() {
        let cw = agent("cloudwatch_logs").unwrap();
        assert_eq!(cw.binary(), "sremesh-cloudwatch-logs");
        assert_eq!(cw.url_env(), "CLOUDWATCH_LOGS_AGENT_URL");
        assert_eq!(cw.arn_env(), "CLOUDWATCH_LOGS_AGENT_RUNTIME_ARN");
        assert_eq!(cw.port, 9004);
        let ports: Vec<u16> = AGENTS.iter().map(|a| a.port).collect();
        assert_eq!(ports, vec![9000, 9001, 9002, 9003, 9004, 9005, 9006]);
        assert!(agent("nope").is_none());
        assert_eq!(order("master"), 0);
        assert_eq!(order("zzz"), AGENTS.len());
    }
}

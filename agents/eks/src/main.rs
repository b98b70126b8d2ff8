//! `sremesh-eks`: the EKS specialist. Wiring only; the logic is in the library.
use clap::Parser;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "sremesh-eks",
    about = "The EKS / Kubernetes specialist agent (A2A)"
)]
struct Args {
    #[command(flatten)]
    agent: sremesh_agent::AgentArgs,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// Kubeconfig to use (the first path if several); wins over in-cluster and EKS.
    #[arg(long, env = "KUBECONFIG")]
    kubeconfig: Option<std::ffi::OsString>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, env = "KUBE_CONTEXT")]
    context: Option<String>,
    /// EKS cluster to reach through DescribeCluster and an STS token when there is no
    /// kubeconfig and no in-cluster service account.
    #[arg(long, env = "EKS_CLUSTER_NAME")]
    eks_cluster_name: Option<String>,
    /// AWS region for DescribeCluster and the token.
    #[arg(long, env = "AWS_REGION")]
    aws_region: Option<String>,
    /// The longest one Kubernetes API call may take, in seconds.
    #[arg(long, env = "EKS_CALL_TIMEOUT_SECS", default_value_t = 10)]
    call_timeout_secs: u64,
    /// Log lines read per container (tailLines).
    #[arg(long, env = "EKS_LOG_TAIL_LINES", default_value_t = 300)]
    log_tail_lines: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let setup = sremesh_agent::Setup::new("eks", &args.agent)?;
    let kubeconfig = args
        .kubeconfig
        .as_deref()
        .and_then(|k| std::env::split_paths(k).find(|p| !p.as_os_str().is_empty()));
    let settings = sremesh_eks::Settings {
        kubeconfig,
        context: args.context,
        eks_cluster: args.eks_cluster_name,
        aws_region: args.aws_region,
        call_timeout: Duration::from_secs(args.call_timeout_secs.max(1)),
        limits: sremesh_eks::gather::Limits {
            log_tail: args.log_tail_lines.clamp(1, 1000),
            ..Default::default()
        },
        ..Default::default()
    };
    let agent = Arc::new(sremesh_eks::EksAgent::new(settings, &setup.loaded).await);
    let tools = sremesh_eks::tools::tools(agent.clone());
    // MCP servers' bearer tokens are named in config.yaml, so the environment is read as a map.
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    let agent = sremesh_llm::specialist::wrap(agent, tools, &setup, &args.llm, &env).await?;
    sremesh_agent::serve(
        setup,
        Arc::new(agent),
        Arc::new(sremesh_agent::Busy::default()),
    )
    .await?;
    Ok(())
}

//! The kubeconfig that points kubectl and kube-rs at the sandbox's API server.

use crate::SandboxError;
use sremesh_scenario::Scenario;
use std::path::{Path, PathBuf};

/// The token written into the kubeconfig (the sandbox accepts any).
pub const TOKEN: &str = "sremesh-sandbox-token";

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn q(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The kubeconfig text: one cluster, one user, one context named after the cluster.
pub fn render(cluster: &str, server: &str) -> String {
    let (c, srv, user) = (q(cluster), q(server), q("sremesh-sandbox"));
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {c}\n  cluster:\n    server: {srv}\nusers:\n- name: {user}\n  user:\n    token: {tok}\ncontexts:\n- name: {c}\n  context:\n    cluster: {c}\n    user: {user}\n    namespace: default\ncurrent-context: {c}\npreferences: {{}}\n",
        tok = q(TOKEN)
    )
}

/// Writes `kubeconfig-<port>.yaml` into `dir` (created if missing) and returns its path.
pub(crate) fn write(
    dir: &Path,
    s: &Scenario,
    listener: &tokio::net::TcpListener,
    server: &str,
) -> Result<PathBuf, SandboxError> {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let path = dir.join(format!("kubeconfig-{port}.yaml"));
    let cluster = s
        .world
        .kubernetes
        .as_ref()
        .map_or("sremesh-sandbox", |k| k.cluster.as_str());
    let err = |source| SandboxError::Kubeconfig {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    std::fs::write(&path, render(cluster, server)).map_err(err)?;
    // Absolute, so it stays right when the caller changes directory.
    Ok(std::path::absolute(&path).unwrap_or(path))
}

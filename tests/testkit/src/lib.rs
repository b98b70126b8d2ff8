//! Test support shared by the workspace's integration tests.
//!
//! Local peers (a Python venv with a2a-sdk, moto, boto3, slack_sdk; kubectl; npm packages) are
//! installed by `scripts/setup-peers.sh`, which `scripts/test.sh` runs first. Tests that need a
//! peer fail with a message saying so — they never skip silently.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the testkit lives two levels under the workspace root")
}

/// Where `scripts/setup-peers.sh` installs the peers (`<root>/.peers`).
pub fn peers_dir() -> PathBuf {
    workspace_root().join(".peers")
}

fn require(path: PathBuf, what: &str) -> PathBuf {
    assert!(
        path.exists(),
        "{what} not found at {}: run scripts/setup-peers.sh (scripts/test.sh does) first",
        path.display()
    );
    path
}

/// The peers venv's Python interpreter.
pub fn python() -> PathBuf {
    require(peers_dir().join("venv/bin/python"), "the peers Python venv")
}

/// A kubectl binary: `.peers/bin/kubectl` if present, else the first `kubectl` on PATH.
#[allow(
    clippy::disallowed_methods,
    reason = "test support looks up PATH like a shell would"
)]
pub fn kubectl() -> PathBuf {
    let local = peers_dir().join("bin/kubectl");
    if local.exists() {
        return local;
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let candidate = dir.join("kubectl");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("kubectl not found: run scripts/setup-peers.sh (it installs Debian's kubernetes-client)")
}

/// A workspace binary built by `cargo build` (e.g. `sremesh`, `sremesh-eks`), found next to the
/// running test executable's target directory.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    // target/debug/deps/it-xxxx → target/debug/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    require(
        dir.join(name),
        &format!("binary '{name}' (build it with `cargo build --workspace --bins`)"),
    )
}

/// A TCP port free on 127.0.0.1 right now (for a child process that must be told its port).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port on loopback");
    l.local_addr()
        .expect("a bound listener has an address")
        .port()
}

/// A child process killed when dropped.
pub struct Child(pub tokio::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

/// Spawns `cmd` with stdout/stderr inherited and kill-on-drop.
pub fn spawn(cmd: &mut tokio::process::Command) -> anyhow::Result<Child> {
    let child = cmd.stdin(Stdio::null()).kill_on_drop(true).spawn()?;
    Ok(Child(child))
}

/// A `moto_server` from the peers venv on a free loopback port (killed on drop), once it
/// accepts connections; with its base URL (`http://127.0.0.1:PORT`).
pub async fn moto_server() -> anyhow::Result<(Child, String)> {
    let bin = require(peers_dir().join("venv/bin/moto_server"), "moto_server");
    let port = free_port();
    let child = spawn(
        tokio::process::Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    let addr = format!("127.0.0.1:{port}");
    wait_for_tcp(&addr, Duration::from_secs(30)).await?;
    Ok((child, format!("http://{addr}")))
}

/// Waits until `url` answers any HTTP status (or `timeout` passes).
pub async fn wait_for_tcp(addr: &str, timeout: Duration) -> anyhow::Result<()> {
    let start = tokio::time::Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            anyhow::bail!("nothing listening on {addr} after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

"""Shared pytest fixtures: locate workspace binaries and start agents on free loopback ports."""
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug"


def binary(name: str) -> Path:
    """A workspace binary (or example) built by `cargo build --workspace --bins --examples`."""
    for candidate in (TARGET / name, TARGET / "examples" / name):
        if candidate.exists():
            return candidate
    raise RuntimeError(f"{name} is not built: run `cargo build --workspace --bins --examples` (scripts/test.sh does)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError as e:  # not up yet
            last = e
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up within {timeout}s: {last}")


class Proc:
    """A child process killed at the end of the test."""

    def __init__(self, args, env=None, cwd=ROOT):
        self.p = subprocess.Popen([str(a) for a in args], cwd=cwd, env={**os.environ, **(env or {})},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()


@pytest.fixture
def spawn():
    procs = []

    def _spawn(args, env=None, cwd=ROOT):
        proc = Proc(args, env, cwd)
        procs.append(proc)
        return proc

    yield _spawn
    for p in procs:
        p.stop()


@pytest.fixture
def echo_agent(spawn):
    """The harness-served echo agent on a free port; yields its base URL."""
    port = free_port()
    spawn([binary("echo_agent"), "--port", port], env={"RUST_LOG": "warn"})
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping")
    return url

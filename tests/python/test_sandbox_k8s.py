"""kubectl (Debian's 1.20 on CI, newer here) against the sandbox's Kubernetes API, started by
`sremesh sandbox` on the sandbox's own test scenario."""
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, binary, wait_http

FIXTURE = ROOT / "tests/sandbox/tests/fixtures/checkout.yaml"
POD = "checkout-api-5d9c7b8f6-abcde"


def kubectl_path() -> str:
    """$KUBECTL, else .peers/bin/kubectl, else kubectl on PATH (scripts/setup-peers.sh installs one)."""
    for candidate in (os.environ.get("KUBECTL"), ROOT / ".peers/bin/kubectl", shutil.which("kubectl")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise RuntimeError("kubectl not found: run scripts/setup-peers.sh")


def start_sandbox(spawn, tmp_path: Path) -> dict:
    """Runs `sremesh sandbox` and returns the `sandbox` object of its endpoints file."""
    endpoints = tmp_path / "out" / "endpoints.json"
    proc = spawn([binary("sremesh"), "sandbox", "--scenario", FIXTURE, "--endpoints-file", endpoints])
    deadline = time.monotonic() + 15
    while not endpoints.exists():
        if proc.p.poll() is not None:
            raise RuntimeError(f"sremesh sandbox exited: {proc.p.stdout.read()}")
        if time.monotonic() > deadline:
            raise RuntimeError("sremesh sandbox wrote no endpoints file within 15 s")
        time.sleep(0.05)
    sandbox = json.loads(endpoints.read_text())["sandbox"]
    wait_http(sandbox["kubernetes"] + "/version")
    return sandbox


@pytest.fixture
def kubectl(spawn, tmp_path):
    sandbox = start_sandbox(spawn, tmp_path)
    exe = kubectl_path()

    def run(*args, ok=True):
        cmd = [exe, "--kubeconfig", sandbox["kubeconfig"], "--cache-dir", str(tmp_path / "kcache"), *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if ok:
            assert r.returncode == 0, f"{' '.join(args)} failed: {r.stderr}"
        return r

    return run


def names(out: str) -> list:
    return [i["metadata"]["name"] for i in json.loads(out)["items"]]


def test_get_pods_all_namespaces_json(kubectl):
    got = names(kubectl("get", "pods", "-A", "-o", "json").stdout)
    assert got == ["coredns-6d4b75cb6d-q2w3e", "cart-7c6b5d4f3-zzzzz", POD, "checkout-api-5d9c7b8f6-fghij"]


@pytest.mark.parametrize("selector,want", [
    ("app=checkout-api", [POD, "checkout-api-5d9c7b8f6-fghij"]),
    ("app in (cart)", ["cart-7c6b5d4f3-zzzzz"]),
    ("tier=backend,!version", ["cart-7c6b5d4f3-zzzzz", "checkout-api-5d9c7b8f6-fghij"]),
])
def test_get_pods_by_label_selector(kubectl, selector, want):
    assert names(kubectl("get", "pods", "-n", "shop", "-l", selector, "-o", "json").stdout) == want


def test_get_pods_by_field_selector(kubectl):
    got = names(kubectl("get", "pods", "--field-selector", "status.phase=Running", "-A", "-o", "json").stdout)
    assert got == ["coredns-6d4b75cb6d-q2w3e", POD, "checkout-api-5d9c7b8f6-fghij"]
    events = json.loads(kubectl("get", "events", "-n", "shop", "--field-selector",
                                f"involvedObject.name={POD}", "-o", "json").stdout)["items"]
    assert [e["reason"] for e in events] == ["BackOff"]


def test_get_events_default_table(kubectl):
    out = kubectl("get", "events", "-n", "shop").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], out
    backoff = next(line for line in lines if "BackOff" in line)
    assert "Warning" in backoff and f"pod/{POD}" in backoff and "(x14 over" in backoff, out
    assert len(lines) == 4, out


def test_get_pods_default_table_shows_kubectl_status(kubectl):
    out = kubectl("get", "pods", "-n", "shop").stdout
    row = next(line for line in out.splitlines() if line.startswith(POD)).split()
    assert row[1:4] == ["1/2", "CrashLoopBackOff", "5"], out
    wide = kubectl("get", "pods", "-A", "-o", "wide").stdout
    assert "ip-10-0-1-12.ec2.internal" in wide and "NAMESPACE" in wide.splitlines()[0]


def test_logs_previous_tail(kubectl):
    out = kubectl("logs", POD, "-n", "shop", "-c", "checkout-api", "--previous", "--tail", "5").stdout
    assert out.splitlines() == [
        "connecting to postgres at db.shop.svc:5432",
        "listening on :8080",
        "WARN payment provider timeout budget is 0ms",
        "ERROR invalid config: PAYMENT_TIMEOUT must be > 0",
        "FATAL exiting with code 1",
    ]
    stamped = kubectl("logs", POD, "-n", "shop", "-c", "envoy", "--timestamps").stdout
    assert stamped.splitlines()[0] == "2026-04-18T10:02:05Z envoy started"


def test_version_and_errors_read_like_a_real_server(kubectl):
    v = json.loads(kubectl("version", "-o", "json").stdout)
    assert v["serverVersion"]["gitVersion"] == "v1.30.4"
    missing = kubectl("get", "pod", "nope", "-n", "shop", ok=False)
    assert missing.returncode != 0 and 'pods "nope" not found' in missing.stderr
    delete = kubectl("delete", "pod", POD, "-n", "shop", ok=False)
    assert delete.returncode != 0 and "MethodNotAllowed" in delete.stderr, delete.stderr
    bad = kubectl("get", "pods", "-A", "--field-selector", "spec.foo=bar", ok=False)
    assert bad.returncode != 0 and "field label not supported: spec.foo" in bad.stderr


def test_a_bad_scenario_is_a_clear_error_and_exit_1(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FIXTURE.read_text().replace('at: "-4m"', 'at: "four minutes ago"'))
    r = subprocess.run([str(binary("sremesh")), "sandbox", "--scenario", str(bad),
                        "--endpoints-file", str(tmp_path / "e.json")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert f"{bad}: world.cloudwatch_logs.groups[0].events[0].at: 'four minutes ago' is neither" in r.stderr, r.stderr
    assert not (tmp_path / "e.json").exists()

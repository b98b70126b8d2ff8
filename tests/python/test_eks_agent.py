"""The official a2a-sdk client sends a plain-text alert to `sremesh-eks`, which investigates a
scenario served live by `sremesh sandbox` (its Kubernetes API and kubeconfig), and gets a
completed task whose agent-result data part holds the decisive findings."""
import asyncio
import json
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml  # in the peers venv (moto depends on it)
from a2a.client import ClientConfig, create_client
from a2a.types import Message, Part, Role, SendMessageRequest, TaskState
from google.protobuf.json_format import MessageToDict

from conftest import ROOT, binary, free_port, wait_http

AGENT_RESULT = "application/vnd.sremesh.agent-result+json"
SCENARIOS = ROOT / "tests/scenarios"


def start_sandbox(spawn, tmp_path: Path, scenario: str) -> dict:
    """`sremesh sandbox --live` on a scenario; returns its `sandbox` endpoints."""
    endpoints = tmp_path / "endpoints.json"
    proc = spawn([binary("sremesh"), "sandbox", "--scenario", SCENARIOS / f"{scenario}.yaml", "--live",
                  "--endpoints-file", endpoints])
    deadline = time.monotonic() + 20
    while not endpoints.exists():
        if proc.p.poll() is not None:
            raise RuntimeError(f"sremesh sandbox exited: {proc.p.stdout.read()}")
        if time.monotonic() > deadline:
            raise RuntimeError("sremesh sandbox wrote no endpoints file within 20 s")
        time.sleep(0.05)
    sandbox = json.loads(endpoints.read_text())["sandbox"]
    wait_http(sandbox["kubernetes"] + "/version")
    return sandbox


def start_agent(spawn, sandbox: dict) -> str:
    port = free_port()
    spawn([binary("sremesh-eks")], env={
        "KUBECONFIG": sandbox["kubeconfig"],
        "A2A_PORT": str(port),
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "RUST_LOG": "warn",
    })
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping")
    return url


def alert_text(scenario: str) -> str:
    """The scenario's alert text, exactly as posted."""
    return yaml.safe_load((SCENARIOS / f"{scenario}.yaml").read_text())["alert"]["text"]


async def send_text(url: str, text: str):
    client = await create_client(url, client_config=ClientConfig(streaming=False))
    req = SendMessageRequest(message=Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER,
                                             parts=[Part(text=text)]))
    out = []
    async with client:
        async for resp in client.send_message(req):
            out.append(resp)
    return out


@pytest.mark.parametrize("scenario,kind,category,words", [
    ("oom-recommendation-svc", "oom_killed", "resource_exhaustion", ["OOMKilled", "exit code 137"]),
    ("liveness-wrong-port-ledger-api", "probe_failed", "configuration_error", ["Liveness probe failed", "8081"]),
    ("recovered-orders-worker", "target_healthy", "healthy", ["orders-worker", "recovered"]),
])
def test_plain_text_alert_gets_the_decisive_findings(spawn, tmp_path, scenario, kind, category, words):
    sandbox = start_sandbox(spawn, tmp_path, scenario)
    url = start_agent(spawn, sandbox)
    responses = asyncio.run(send_text(url, alert_text(scenario)))
    assert len(responses) == 1 and responses[0].HasField("task"), responses
    task = responses[0].task
    assert TaskState.Name(task.status.state) == "TASK_STATE_COMPLETED"
    parts = [MessageToDict(p) for a in task.artifacts for p in a.parts]
    data = [p for p in parts if "data" in p]
    assert len(data) == 1 and data[0]["mediaType"] == AGENT_RESULT, parts
    result = data[0]["data"]
    assert result["agent"] == "eks" and result["status"] == "ok", result
    assert not result.get("partial"), result
    hits = [f for f in result["findings"] if f["kind"] == kind and f.get("category") == category]
    assert hits, json.dumps(result, indent=1)
    text = hits[0]["title"] + "\n" + "\n".join(hits[0].get("evidence", []))
    for w in words:
        assert w in text, text
    if category == "healthy":
        assert all(f.get("category") in (None, "healthy") for f in result["findings"]), result
    # The human text part says the same.
    texts = [p["text"] for p in parts if "text" in p]
    assert texts and texts[0].startswith("eks (Ok"), texts


def test_card_lists_the_eks_skills(spawn, tmp_path):
    sandbox = start_sandbox(spawn, tmp_path, "oom-recommendation-svc")
    url = start_agent(spawn, sandbox)
    card = httpx.get(url + "/.well-known/agent-card.json").json()
    names = {s["id"] for s in card["skills"]}
    assert {"gather_eks_state", "detect_recent_changes", "capture_snapshot"} <= names, card["skills"]

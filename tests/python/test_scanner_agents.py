"""The Slack and Discord scanner binaries against `sremesh sandbox --live`: the official a2a-sdk
client sends the scenario's alert as plain text (no channel named, so the scanner reads the
channels its bot is a member of) and gets a completed task whose agent-result data part holds
the decisive chat finding."""
import asyncio
import json
import time
import uuid

import httpx
import pytest
from a2a.client import ClientConfig, create_client
from a2a.types import Message, Part, Role, SendMessageRequest, TaskState
from google.protobuf.json_format import MessageToDict

from conftest import ROOT, binary, free_port, wait_http

AGENT_RESULT = "application/vnd.sremesh.agent-result+json"
SCENARIOS = ROOT / "tests" / "scenarios"


def start_live_sandbox(spawn, tmp_path, scenario: str) -> dict:
    """`sremesh sandbox --live` on a library scenario; returns the `sandbox` endpoints object."""
    endpoints = tmp_path / "endpoints.json"
    proc = spawn([binary("sremesh"), "sandbox", "--scenario", SCENARIOS / scenario, "--live",
                  "--endpoints-file", endpoints])
    deadline = time.monotonic() + 15
    while not endpoints.exists():
        if proc.p.poll() is not None:
            raise RuntimeError(f"sremesh sandbox exited: {proc.p.stdout.read()}")
        if time.monotonic() > deadline:
            raise RuntimeError("sremesh sandbox wrote no endpoints file within 15 s")
        time.sleep(0.05)
    time.sleep(0.05)  # the file is written in one go, but give the writer a moment to close it
    return json.loads(endpoints.read_text())["sandbox"]


async def send_text(url: str, text: str):
    client = await create_client(url, client_config=ClientConfig(streaming=False))
    req = SendMessageRequest(message=Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER,
                                             parts=[Part(text=text)]))
    out = []
    async with client:
        async for resp in client.send_message(req):
            out.append(resp)
    return out


CASES = [
    pytest.param("sremesh-slack-scanner", "bad-rollout-payments-api.yaml",
                 {"SLACK_BOT_TOKEN": "xoxb-sandbox"}, "SLACK_API_URL", "slack",
                 "payments-api v1.8.0", "v1.8.0", 4, id="slack"),
    pytest.param("sremesh-discord-scanner", "imagepull-bad-tag-search-api.yaml",
                 {"DISCORD_BOT_TOKEN": "sandbox-token"}, "DISCORD_API_URL", "discord",
                 "search-api v2.3.1", "v2.3.1", 16, id="discord"),
]


@pytest.mark.parametrize("exe,scenario,token,url_env,platform,title,version,minutes", CASES)
def test_plain_text_alert_gets_the_deploy_announcement(spawn, tmp_path, exe, scenario, token, url_env,
                                                      platform, title, version, minutes):
    sandbox = start_live_sandbox(spawn, tmp_path, scenario)
    control = sandbox[platform].split("/api")[0] + "/_sandbox"
    alert_text = httpx.get(control + "/scenario").json()["alert"]["text"]
    port = free_port()
    spawn([binary(exe)], env={**token, url_env: sandbox[platform], "A2A_PORT": str(port), "RUST_LOG": "warn"})
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping")

    responses = asyncio.run(send_text(url, alert_text))
    assert len(responses) == 1 and responses[0].HasField("task"), responses
    task = responses[0].task
    assert TaskState.Name(task.status.state) == "TASK_STATE_COMPLETED"
    parts = [MessageToDict(p) for a in task.artifacts for p in a.parts]
    data = [p for p in parts if "data" in p]
    assert len(data) == 1 and data[0]["mediaType"] == AGENT_RESULT, parts
    result = data[0]["data"]
    assert result["status"] == "ok", result
    assert not result.get("partial"), result
    assert len(result["scanned"]) >= 2, "no channel named: the bot's channels are read"
    deploys = [f for f in result["findings"] if f["kind"] == "deploy_announced"]
    assert deploys, result
    d = deploys[0]
    assert title in d["title"], d
    assert d["attributes"]["version"] == version
    # Live mode moves the world to the sandbox's start (rounded to the second); the plain-text
    # alert's time is when the agent received it, a moment earlier or later.
    assert minutes - 1 <= d["attributes"]["minutes_before_alert"] <= minutes + 1, d
    assert all("category" not in f for f in result["findings"]), "chat findings never carry a category"
    texts = [p["text"] for p in parts if "text" in p]
    assert texts and title in texts[0], texts

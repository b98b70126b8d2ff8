"""The official a2a-sdk client (and a raw 0.3 client) talking to a Rust agent served by the harness."""
import asyncio
import uuid

import httpx
from a2a.client import ClientConfig, create_client
from a2a.types import Message, Part, Role, SendMessageRequest, TaskState
from google.protobuf.json_format import MessageToDict

AGENT_RESULT = "application/vnd.sremesh.agent-result+json"


async def _send(url: str, text: str):
    client = await create_client(url, client_config=ClientConfig(streaming=False))
    req = SendMessageRequest(message=Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)]))
    out = []
    async with client:
        async for resp in client.send_message(req):
            out.append(resp)
    return out


def test_sdk_client_gets_a_completed_task_with_text_and_data_parts(echo_agent):
    responses = asyncio.run(_send(echo_agent, "KubePodCrashLooping payments/payments-api"))
    assert len(responses) == 1
    resp = responses[0]
    assert resp.HasField("task"), resp
    task = resp.task
    assert TaskState.Name(task.status.state) == "TASK_STATE_COMPLETED"
    parts = [MessageToDict(p) for a in task.artifacts for p in a.parts]
    texts = [p["text"] for p in parts if "text" in p]
    data = [p for p in parts if "data" in p]
    assert texts and "echoed" in texts[0]
    assert len(data) == 1 and data[0]["mediaType"] == AGENT_RESULT
    result = data[0]["data"]
    assert result["status"] == "ok"
    assert result["findings"][0]["evidence"] == ["KubePodCrashLooping payments/payments-api"]


def test_sdk_reads_the_agent_card(echo_agent):
    card = httpx.get(echo_agent + "/.well-known/agent-card.json", headers={"A2A-Version": "1.0"}).json()
    assert card["supportedInterfaces"][0] == {"url": echo_agent + "/", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}
    assert "kind" not in card and "url" not in card


def test_a_03_shaped_message_send_round_trips(echo_agent):
    body = {"jsonrpc": "2.0", "id": 7, "method": "message/send", "params": {
        "message": {"kind": "message", "messageId": "m03", "role": "user", "parts": [{"kind": "text", "text": "hi from 0.3"}]},
        "configuration": {"blocking": True, "acceptedOutputModes": ["text/plain"]}}}
    r = httpx.post(echo_agent + "/", json=body).json()  # no A2A-Version header, as a 0.3 client sends
    task = r["result"]
    assert task["kind"] == "task" and task["status"]["state"] == "completed", r
    parts = task["artifacts"][0]["parts"]
    assert {p["kind"] for p in parts} == {"text", "data"}
    data = next(p for p in parts if p["kind"] == "data")
    assert data["metadata"]["mediaType"] == AGENT_RESULT
    assert data["data"]["findings"][0]["evidence"] == ["hi from 0.3"]
    got = httpx.post(echo_agent + "/", json={"jsonrpc": "2.0", "id": 8, "method": "tasks/get", "params": {"id": task["id"]}}).json()
    assert got["result"]["kind"] == "task" and got["result"]["id"] == task["id"]

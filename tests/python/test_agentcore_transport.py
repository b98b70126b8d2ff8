"""The master reaches a specialist through AgentCore `InvokeAgentRuntime` when its endpoint is a
runtime ARN: the real `aws-sdk-bedrockagentcore` client (SigV4, the REST path with the ARN, the
session header) talks to a local stand-in for the AgentCore data plane
(`AWS_ENDPOINT_URL_BEDROCK_AGENTCORE`), which hands the JSON-RPC body to a real `sremesh-eks` on a
sandbox scenario — as AgentCore hands it to the container's port 9000 — and returns its answer.
A failing runtime is called once (never retried: a retry would run the investigation twice) and
named in the report."""
import asyncio
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from a2a.types import TaskState
from google.protobuf.json_format import MessageToDict

from conftest import binary, free_port, wait_http
from test_eks_agent import alert_text, send_text, start_agent, start_sandbox

ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/sremesh_eks-Ab12Cd34Ef"
REPORT = "application/vnd.sremesh.report+json"


class AgentCore:
    """`POST /runtimes/{arn}/invocations` → the agent's `POST /`; records every call."""

    def __init__(self, agent_url: str | None):
        self.calls = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if agent_url is None:
                    err = json.dumps({"message": "runtime crashed"}).encode()
                    self.send_response(500)
                    self.send_header("content-type", "application/json")
                    self.send_header("x-amzn-errortype", "RuntimeClientError")
                    self.send_header("content-length", str(len(err)))
                    self.end_headers()
                    self.wfile.write(err)
                    return
                r = httpx.post(agent_url + "/", content=body, timeout=60,
                               headers={"content-type": "application/json"})
                self.send_response(r.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("x-amzn-bedrock-agentcore-runtime-session-id",
                                 self.headers.get("x-amzn-bedrock-agentcore-runtime-session-id", ""))
                self.send_header("content-length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def start_master(spawn, agentcore_url: str) -> str:
    """The master with eks behind an AgentCore ARN and every other specialist unreachable."""
    port = free_port()
    dead = f"http://127.0.0.1:{free_port()}/"
    spawn([binary("sremesh-master")], env={
        "A2A_PORT": str(port),
        "EKS_AGENT_RUNTIME_ARN": ARN,
        "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE": agentcore_url,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SLACK_SCANNER_AGENT_URL": dead,
        "DISCORD_SCANNER_AGENT_URL": dead,
        "CLOUDWATCH_LOGS_AGENT_URL": dead,
        "RUST_LOG": "warn",
    })
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping")
    return url


def report_of(responses) -> dict:
    assert len(responses) == 1 and responses[0].HasField("task"), responses
    task = responses[0].task
    assert TaskState.Name(task.status.state) == "TASK_STATE_COMPLETED", task
    parts = [MessageToDict(p) for a in task.artifacts for p in a.parts]
    data = [p["data"] for p in parts if p.get("mediaType") == REPORT]
    assert len(data) == 1, parts
    return data[0]


def eks_block(report: dict) -> dict:
    blocks = [b for b in report["evidence"] if b["agent"] == "eks"]
    assert len(blocks) == 1, report["evidence"]
    return blocks[0]


@pytest.fixture
def agentcore():
    made = []

    def _make(agent_url):
        ac = AgentCore(agent_url)
        made.append(ac)
        return ac

    yield _make
    for ac in made:
        ac.close()


def test_an_arn_endpoint_investigates_through_invoke_agent_runtime(spawn, tmp_path, agentcore):
    scenario = "oom-recommendation-svc"
    sandbox = start_sandbox(spawn, tmp_path, scenario)
    ac = agentcore(start_agent(spawn, sandbox))
    master = start_master(spawn, ac.url)
    report = report_of(asyncio.run(send_text(master, alert_text(scenario))))
    block = eks_block(report)
    assert block["state"] == "ok", block
    assert any(f["kind"] == "oom_killed" for f in block["findings"]), block
    assert report["hypotheses"][0]["category"] == "resource_exhaustion", report["hypotheses"][0]
    # One InvokeAgentRuntime call, shaped as the service expects it.
    assert len(ac.calls) == 1, [c["path"] for c in ac.calls]
    call = ac.calls[0]
    path = urllib.parse.urlsplit(call["path"]).path
    assert urllib.parse.unquote(path) == f"/runtimes/{ARN}/invocations", call["path"]
    headers = {k.lower(): v for k, v in call["headers"].items()}
    assert len(headers["x-amzn-bedrock-agentcore-runtime-session-id"]) >= 33, headers
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=testing/"), headers
    assert "/bedrock-agentcore/aws4_request" in headers["authorization"], headers
    rpc = json.loads(call["body"])
    assert rpc["jsonrpc"] == "2.0" and rpc["method"] == "SendMessage", rpc


def test_a_failing_runtime_is_called_once_and_named(spawn, agentcore):
    ac = agentcore(None)
    master = start_master(spawn, ac.url)
    report = report_of(asyncio.run(send_text(master, "[FIRING:1] KubePodCrashLooping shop/cart-api")))
    block = eks_block(report)
    assert block["state"] != "ok", block
    assert "runtime crashed" in json.dumps(block), block
    assert len(ac.calls) == 1, [c["path"] for c in ac.calls]

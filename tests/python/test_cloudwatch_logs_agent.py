"""The CloudWatch Logs specialist as any A2A client sees it.

Starts `target/debug/sremesh sandbox --live` on the Lambda-timeout scenario and
`target/debug/sremesh-cloudwatch-logs` pointed at the sandbox's CloudWatch Logs endpoint through the
AWS SDK's standard `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` (dummy credentials, `AWS_REGION=us-east-1`),
both on free loopback ports. The official a2a-sdk client sends the alert as plain text and reads the
typed AgentResult from the completed task's data part.
"""
import asyncio
import json
import time
import uuid

import pytest
from a2a.client import ClientConfig, create_client
from a2a.types import Message, Part, Role, SendMessageRequest, TaskState
from google.protobuf.json_format import MessageToDict

from conftest import ROOT, binary, free_port, wait_http

AGENT_RESULT = "application/vnd.sremesh.agent-result+json"
SCENARIO = ROOT / "tests" / "scenarios" / "lambda-timeout-payments-webhook.yaml"
ALERT = (
    ':rotating_light: CloudWatch Alarm | payments-webhook-handler-errors | us-east-1 | Account: 123456789012\n'
    'ALARM: "payments-webhook-handler-errors" in US East (N. Virginia)\n'
    "Namespace: AWS/Lambda · Metric: Errors · Dimensions: FunctionName = payments-webhook-handler · "
    "Statistic: Sum · Period: 60 seconds"
)


@pytest.fixture
def agent(spawn, tmp_path):
    """The sandbox (live) and the agent pointed at it; yields the agent's base URL."""
    endpoints = tmp_path / "endpoints.json"
    sandbox = spawn([binary("sremesh"), "sandbox", "--scenario", SCENARIO, "--live",
                     "--endpoints-file", endpoints])
    deadline = time.monotonic() + 20
    while not endpoints.exists():
        assert sandbox.p.poll() is None, sandbox.p.stdout.read()
        assert time.monotonic() < deadline, "the sandbox wrote no endpoints file"
        time.sleep(0.05)
    logs_url = json.loads(endpoints.read_text())["sandbox"]["cloudwatch_logs"]
    port = free_port()
    spawn([binary("sremesh-cloudwatch-logs")], env={
        "A2A_PORT": str(port),
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": logs_url,
        "AWS_ACCESS_KEY_ID": "AKIDSANDBOX",
        "AWS_SECRET_ACCESS_KEY": "sandbox-secret",
        "AWS_EC2_METADATA_DISABLED": "true",
        "RUST_LOG": "warn",
    })
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/ping")
    return url


async def _send(url: str, text: str):
    client = await create_client(url, client_config=ClientConfig(streaming=False))
    req = SendMessageRequest(message=Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER,
                                             parts=[Part(text=text)]))
    out = []
    async with client:
        async for resp in client.send_message(req):
            out.append(resp)
    return out


def test_a_plain_text_alert_gets_the_lambda_timeouts_back(agent):
    responses = asyncio.run(_send(agent, ALERT))
    assert len(responses) == 1 and responses[0].HasField("task"), responses
    task = responses[0].task
    assert TaskState.Name(task.status.state) == "TASK_STATE_COMPLETED"
    parts = [MessageToDict(p) for a in task.artifacts for p in a.parts]
    data = [p for p in parts if p.get("mediaType") == AGENT_RESULT]
    assert len(data) == 1, parts
    result = data[0]["data"]
    assert result["agent"] == "cloudwatch_logs"
    assert result["status"] == "ok", result
    assert result["scanned"] == ["log-group:/aws/lambda/payments-webhook-handler"], result
    by_kind = {f["kind"]: f for f in result["findings"]}
    timeout = by_kind["lambda_timeout"]
    assert "Task timed out after 6.01 seconds" in timeout["title"]
    assert timeout["category"] == "dependency_failure"
    assert timeout["service"] == "payments-webhook-handler"
    assert any("acmebank" in e for e in timeout["evidence"]), timeout["evidence"]
    assert timeout["link"].startswith(
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights")
    assert "*2faws*2flambda*2fpayments-webhook-handler" in timeout["link"]
    # The red herring (another function deployed 25 minutes earlier) is not even queried.
    assert "invoice-pdf-renderer" not in json.dumps(result)
    texts = [p["text"] for p in parts if "text" in p]
    assert texts and "Task timed out" in texts[0]

"""The sandbox's CloudWatch Logs server through boto3, and its filter patterns against moto's.

Starts `target/debug/sremesh sandbox` on tests/python/fixtures/cloudwatch.yaml (scenario times,
not --live) and, for the agreement test, a moto server; both on 127.0.0.1 free ports.
"""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
SREMESH = ROOT / "target" / "debug" / "sremesh"
MOTO = Path(sys.executable).parent / "moto_server"
FIXTURE = ROOT / "tests" / "python" / "fixtures" / "cloudwatch.yaml"
APP = "/app/payments-api"
CI = "/aws/containerinsights/pay-prod-eks/application"
# 2026-04-18T10:10:00Z and 10:25:00Z, in seconds.
WINDOW = (1776507000, 1776507900)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logs_client(url):
    return boto3.client(
        "logs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDSANDBOX",
        aws_secret_access_key="secret",
    )


def wait_until(check, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    assert SREMESH.exists(), f"{SREMESH} not found: build it with `cargo build -p sremesh-cli`"
    tmp = tmp_path_factory.mktemp("sandbox")
    endpoints = tmp / "endpoints.json"
    log = open(tmp / "sandbox.log", "w")
    proc = subprocess.Popen(
        [str(SREMESH), "sandbox", "--scenario", str(FIXTURE), "--endpoints-file", str(endpoints)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def ready():
        assert proc.poll() is None, f"sandbox exited: {(tmp / 'sandbox.log').read_text()}"
        try:
            return json.loads(endpoints.read_text())["sandbox"]["cloudwatch_logs"]
        except (OSError, ValueError, KeyError):
            return None

    try:
        yield logs_client(wait_until(ready, "the sandbox's endpoints file"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def moto():
    assert MOTO.exists(), f"{MOTO} not found: run scripts/setup-peers.sh"
    port = free_port()
    proc = subprocess.Popen(
        [str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"

    def ready():
        try:
            with urllib.request.urlopen(url, timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(ready, "moto_server")
        yield logs_client(url)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def filtered(client, group, pattern=None, page_size=None):
    """All events FilterLogEvents returns, through boto3's paginator, and the page count."""
    kwargs = {"logGroupName": group}
    if pattern is not None:
        kwargs["filterPattern"] = pattern
    config = {"PageSize": page_size} if page_size else {}
    events, pages = [], 0
    for page in client.get_paginator("filter_log_events").paginate(
        **kwargs, PaginationConfig=config
    ):
        pages += 1
        events.extend(page["events"])
    return events, pages


def test_filter_log_events_pattern_through_the_boto3_paginator(sandbox):
    events, pages = filtered(sandbox, APP, "ERROR", page_size=2)
    assert [e["message"] for e in events] == [
        "ERROR upstream timeout calling ledger after 5000ms",
        "ERROR upstream timeout calling ledger after 5000ms",
        "ERROR connection refused by ledger:8443",
        "ERROR connection refused by ledger:8443",
        "ERROR 503 Service Unavailable returned to client",
        "ERROR timeout waiting for db pool",
    ]
    assert pages == 3
    assert [e["logStreamName"] for e in events[:2]] == ["payments-api-a1", "payments-api-b2"]
    assert events[0]["timestamp"] == 1776507390000  # 10:16:30Z
    assert len({e["eventId"] for e in events}) == 6


def run_query(client, group, query):
    query_id = client.start_query(
        logGroupName=group, startTime=WINDOW[0], endTime=WINDOW[1], queryString=query
    )["queryId"]
    statuses = []

    def finished():
        r = client.get_query_results(queryId=query_id)
        statuses.append(r["status"])
        return r if r["status"] == "Complete" else None

    result = wait_until(finished, f"query {query!r} to complete", timeout=10)
    assert statuses[0] == "Running", statuses
    return result, [{f["field"]: f["value"] for f in row} for row in result["results"]]


def test_insights_stats_count_by_bin_matches_hand_computed_counts(sandbox):
    result, rows = run_query(
        sandbox, APP, "filter @message like /ERROR|FATAL/ | stats count(*) as n by bin(1m)"
    )
    assert rows == [
        {"bin(1m)": "2026-04-18 10:16:00.000", "n": "1"},
        {"bin(1m)": "2026-04-18 10:17:00.000", "n": "1"},
        {"bin(1m)": "2026-04-18 10:18:00.000", "n": "2"},
        {"bin(1m)": "2026-04-18 10:20:00.000", "n": "2"},
        {"bin(1m)": "2026-04-18 10:22:00.000", "n": "1"},
    ]
    assert result["statistics"]["recordsScanned"] == 12
    assert result["statistics"]["recordsMatched"] == 7


def test_insights_discovers_container_insights_json_fields(sandbox):
    _, rows = run_query(
        sandbox,
        CI,
        "fields @timestamp, kubernetes.pod_name, log | filter log like /ERROR/",
    )
    assert len(rows) == 1
    assert rows[0]["kubernetes.pod_name"] == "payments-api-a1"
    assert rows[0]["log"] == "ERROR upstream timeout calling ledger"
    assert rows[0]["@timestamp"] == "2026-04-18 10:19:00.000"
    assert rows[0]["@ptr"]


def test_malformed_query_and_unknown_group_errors(sandbox):
    with pytest.raises(sandbox.exceptions.MalformedQueryException) as err:
        sandbox.start_query(
            logGroupName=APP,
            startTime=WINDOW[0],
            endTime=WINDOW[1],
            queryString="fields @message | dedup @message",
        )
    assert "dedup" in str(err.value)
    with pytest.raises(sandbox.exceptions.ResourceNotFoundException):
        sandbox.filter_log_events(logGroupName="/no/such/group")


# Patterns moto evaluates (plain terms, several terms, a whole quoted phrase); moto treats
# JSON, ?term and -term patterns as match-all, so those are pinned by the Rust tests instead.
AGREEMENT = [
    (APP, "ERROR"),
    (APP, "ERROR timeout"),
    (APP, "ledger refused"),
    (APP, '"connection refused"'),
    (APP, '"ERROR 503"'),
    (APP, "healthz"),
    (APP, "INFO healthz ok"),
    (APP, "Refused"),
    (APP, "killed process"),
    (APP, "nomatch"),
    (CI, "ERROR"),
    (CI, "oom"),
    (CI, "payments"),
]


def test_filter_patterns_agree_with_moto(sandbox, moto):
    # Copy every event into moto, moved in time so the newest is a minute old (moto, like the
    # service, refuses events older than 14 days).
    now_ms = int(time.time() * 1000)
    for group in {g for g, _ in AGREEMENT}:
        events, _ = filtered(sandbox, group)
        shift = now_ms - 60_000 - max(e["timestamp"] for e in events)
        moto.create_log_group(logGroupName=group)
        for stream in sorted({e["logStreamName"] for e in events}):
            moto.create_log_stream(logGroupName=group, logStreamName=stream)
            moto.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[
                    {"timestamp": e["timestamp"] + shift, "message": e["message"]}
                    for e in events
                    if e["logStreamName"] == stream
                ],
            )
    non_empty = 0
    for group, pattern in AGREEMENT:
        ours, _ = filtered(sandbox, group, pattern)
        theirs, _ = filtered(moto, group, pattern)
        ours_msgs = sorted(e["message"] for e in ours)
        assert ours_msgs == sorted(e["message"] for e in theirs), (group, pattern)
        assert [e["timestamp"] for e in ours] == sorted(e["timestamp"] for e in ours)
        non_empty += bool(ours_msgs)
    assert non_empty == len(AGREEMENT) - 1  # only "nomatch" finds nothing

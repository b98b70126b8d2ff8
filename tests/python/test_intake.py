"""The real `sremesh-intake` binary over HTTP, cross-checked with the platforms' own libraries:
requests signed by slack_sdk's SignatureVerifier and by PyNaCl are accepted; a flipped byte, a
stale timestamp, a missing header are refused with 401 (slack_sdk's own verdict agrees on every
Slack case); a replayed, validly signed event within the 300 s window is acknowledged but not
re-run; Discord PING gets PONG; and scripts/synthetic-slack-event.py drives it end to end.

The master is a small recording JSON-RPC server speaking A2A 1.0 (answers SendMessage with a
working task), so the tests count the investigations the intake handed off."""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey
from slack_sdk.signature import SignatureVerifier

from conftest import ROOT, binary, free_port, wait_http

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
INVESTIGATE = "application/vnd.sremesh.investigate+json"
SNAPSHOT = "application/vnd.sremesh.snapshot+json"


class FakeMaster:
    """Records SendMessage calls; answers each with a working task."""

    def __init__(self):
        self.calls = []
        master = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                master.calls.append(body)
                out = json.dumps({"jsonrpc": "2.0", "id": body.get("id"), "result": {"task": {
                    "id": f"task-{len(master.calls)}", "contextId": "ctx",
                    "status": {"state": "TASK_STATE_WORKING"}}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def data(self, media):
        """The data parts of `media` the master was sent, in order."""
        out = []
        for c in self.calls:
            for p in c["params"]["message"]["parts"]:
                if p.get("mediaType") == media or p.get("metadata", {}).get("mediaType") == media:
                    out.append(p["data"])
        return out


@pytest.fixture
def master():
    m = FakeMaster()
    yield m
    m.server.shutdown()


@pytest.fixture
def intake(spawn, tmp_path, master):
    """The intake binary on a free port, with a Slack secret and a Discord key."""
    key = SigningKey.generate()
    port = free_port()
    env = {
        "INTAKE_PORT": str(port), "MASTER_AGENT_URL": master.url,
        "SLACK_SIGNING_SECRET": SECRET,
        "DISCORD_PUBLIC_KEY": key.verify_key.encode(encoder=HexEncoder).decode(),
        "DISCORD_API_URL": f"http://127.0.0.1:{free_port()}/api/v10",
        "DEDUP_PATH": str(tmp_path / "dedup.redb"), "SREMESH_CONFIG": str(ROOT / "config.yaml"),
        "RUST_LOG": "warn",
    }
    spawn([binary("sremesh-intake")], env=env)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/healthz")
    return {"url": url, "key": key}


def mention(ts: str, text: str = "<@U0SREMESH> payments-api 5xx error rate above 5%") -> str:
    return json.dumps({"type": "event_callback", "event_id": f"Ev{ts.replace('.', '')}", "team_id": "T1",
                       "event": {"type": "app_mention", "channel": "C0ALERTS", "user": "U0ALICE",
                                 "text": text, "ts": ts, "event_ts": ts}}, ensure_ascii=False)


def flip(s: str, i: int) -> str:
    return s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:]


def test_slack_signatures_from_slack_sdk(intake, master):
    sdk = SignatureVerifier(SECRET)
    now = str(int(time.time()))
    body = mention(f"{time.time():.6f}")
    sig = sdk.generate_signature(timestamp=now, body=body)
    stale = str(int(time.time()) - 301)
    h = lambda t, s: {k: v for k, v in (("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", s)) if v is not None}
    cases = [
        ("signed by slack_sdk", h(now, sig), body, 200),
        ("flipped body byte", h(now, sig), flip(body, 40), 401),
        ("flipped signature digit", h(now, flip(sig, 20)), body, 401),
        ("stale timestamp", h(stale, sdk.generate_signature(timestamp=stale, body=body)), body, 401),
        ("missing signature", h(now, None), body, 401),
        ("missing timestamp", h(None, sig), body, 401),
        ("another secret", h(now, SignatureVerifier("other").generate_signature(timestamp=now, body=body)), body, 401),
    ]
    for name, headers, payload, status in cases:
        r = httpx.post(intake["url"] + "/slack/events", content=payload.encode(),
                       headers={**headers, "Content-Type": "application/json"})
        assert r.status_code == status, f"{name}: {r.status_code} {r.text}"
        lower = {k.lower(): v for k, v in headers.items()}
        assert sdk.is_valid_request(payload, lower) == (status == 200), name
        if status == 401:
            assert "invalid signature" in r.json()["error"], name
    # Only the valid one was handed to the master, with the message as the alert.
    ctxs = master.data(INVESTIGATE)
    assert len(ctxs) == 1
    assert ctxs[0]["alert_text"] == json.loads(body)["event"]["text"]
    assert ctxs[0]["platform"] == "slack" and ctxs[0]["channel_id"] == "C0ALERTS"


def test_a_replay_within_the_window_is_acknowledged_not_rerun(intake, master):
    sdk = SignatureVerifier(SECRET)
    body = mention(f"{time.time():.6f}")
    now = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sdk.generate_signature(timestamp=now, body=body),
               "Content-Type": "application/json"}
    first = httpx.post(intake["url"] + "/slack/events", content=body.encode(), headers=headers)
    again = httpx.post(intake["url"] + "/", content=body.encode(), headers=headers)  # same bytes, via `/`
    assert first.status_code == 200 and "investigation_id" in first.json(), first.text
    assert again.status_code == 200 and again.json().get("duplicate") is True, again.text
    assert len(master.data(INVESTIGATE)) == 1


def signed_discord(key: SigningKey, body: str, ts: str | None = None):
    ts = ts or str(int(time.time()))
    sig = key.sign((ts + body).encode()).signature.hex()
    return {"X-Signature-Ed25519": sig, "X-Signature-Timestamp": ts, "Content-Type": "application/json"}


def test_discord_signatures_from_pynacl(intake, master):
    key, url = intake["key"], intake["url"] + "/discord/interactions"
    ping = json.dumps({"type": 1})
    r = httpx.post(url, content=ping, headers=signed_discord(key, ping))
    assert r.status_code == 200 and r.json() == {"type": 1}, r.text
    # Through `/` as well (one Function URL for everything).
    r = httpx.post(intake["url"] + "/", content=ping, headers=signed_discord(key, ping))
    assert r.json() == {"type": 1}
    bad = [
        ("tampered body", ping.replace("1", "2"), signed_discord(key, ping)),
        ("another key", ping, signed_discord(SigningKey.generate(), ping)),
        ("stale", ping, signed_discord(key, ping, str(int(time.time()) - 301))),
        ("no signature", ping, {"X-Signature-Timestamp": str(int(time.time()))}),
    ]
    for name, body, headers in bad:
        r = httpx.post(url, content=body, headers=headers)
        assert r.status_code == 401, f"{name}: {r.status_code} {r.text}"
    cmd = json.dumps({"type": 2, "id": "1600000000000000001", "application_id": "1300000000000000001",
                      "token": "tok", "channel_id": "1100000000000000001",
                      "member": {"user": {"id": "1500000000000000001"}}, "data": {"name": "sre-snapshot"}})
    r = httpx.post(url, content=cmd, headers=signed_discord(key, cmd))
    assert r.json() == {"type": 5, "data": {"flags": 64}}, r.text
    deadline = time.monotonic() + 5
    while not master.data(SNAPSHOT) and time.monotonic() < deadline:
        time.sleep(0.05)
    snaps = master.data(SNAPSHOT)
    assert len(snaps) == 1 and snaps[0]["platform"] == "discord" and snaps[0]["channel_id"] == "1100000000000000001"


def run_script(*args, secret=SECRET):
    env = {**os.environ, "SLACK_SIGNING_SECRET": secret}
    p = subprocess.run([sys.executable, str(ROOT / "scripts/synthetic-slack-event.py"), *args],
                       capture_output=True, text=True, timeout=30, env=env)
    return p.returncode, p.stdout.splitlines()


def test_the_synthetic_event_script(intake, master):
    code, out = run_script("--url", intake["url"] + "/", "--text", "<@U0SREMESH> checkout latency spike")
    assert (code, out[0]) == (0, "200"), out
    assert "investigation_id" in json.loads(out[1])
    code, out = run_script("--url", intake["url"] + "/slack/commands", "--command", "/sre-snapshot")
    assert (code, out[0]) == (0, "200"), out
    assert json.loads(out[1]) == {"response_type": "ephemeral", "text": "🩺 Capturing status snapshot…"}
    code, out = run_script("--url", intake["url"] + "/", "--text", "hi", secret="wrong")
    assert (code, out[0]) == (1, "401"), out
    assert len(master.data(INVESTIGATE)) == 1 and len(master.data(SNAPSHOT)) == 1

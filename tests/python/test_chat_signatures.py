"""Cross-checks sremesh-chat's request verification (through the `verify_signature` example)
against the platforms' own libraries: requests signed by slack_sdk's SignatureVerifier and by
PyNaCl are accepted; a flipped byte, a stale timestamp or a missing header is rejected; and on
every Slack case the Rust verdict agrees with slack_sdk's `is_valid_request`."""
import json
import subprocess
import time

import pytest
from nacl.encoding import HexEncoder
from nacl.signing import SigningKey
from slack_sdk.signature import Clock, SignatureVerifier

from conftest import binary

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1776507900
SLACK_BODY = json.dumps({
    "type": "event_callback", "event_id": "Ev1", "team_id": "T1",
    "event": {"type": "app_mention", "channel": "C0ALERTS", "user": "U1", "text": "<@UBOT> investigate 🔥 é",
              "ts": "1776507900.000100"},
}, ensure_ascii=False)
DISCORD_BODY = json.dumps({"type": 2, "id": "1", "data": {"name": "sre-snapshot"}})


class FixedClock(Clock):
    def now(self) -> float:
        return float(NOW)


def verify(req: dict) -> tuple[int, str]:
    """Runs the Rust verifier on one request; returns (exit status, printed verdict)."""
    p = subprocess.run([str(binary("verify_signature"))], input=json.dumps(req), capture_output=True,
                       text=True, timeout=30)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, p.stdout.strip()


def flip(s: str, i: int) -> str:
    """`s` with the character at `i` changed."""
    return s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:]


def slack_cases():
    sdk = SignatureVerifier(SECRET, clock=FixedClock())
    ts = str(NOW)
    sig = sdk.generate_signature(timestamp=ts, body=SLACK_BODY)
    stale_ts = str(NOW - 301)
    stale_sig = sdk.generate_signature(timestamp=stale_ts, body=SLACK_BODY)
    edge_ts = str(NOW + 300)
    edge_sig = sdk.generate_signature(timestamp=edge_ts, body=SLACK_BODY)
    h = lambda t, s: {k: v for k, v in (("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", s)) if v is not None}
    return [
        ("signed by slack_sdk", h(ts, sig), SLACK_BODY, "ok"),
        ("at the edge of the window", h(edge_ts, edge_sig), SLACK_BODY, "ok"),
        ("flipped body byte", h(ts, sig), flip(SLACK_BODY, 10), "error: signature does not match"),
        ("flipped signature digit", h(ts, flip(sig, 20)), SLACK_BODY, "error: signature does not match"),
        ("other secret", h(ts, SignatureVerifier("another-secret").generate_signature(timestamp=ts, body=SLACK_BODY)),
         SLACK_BODY, "error: signature does not match"),
        ("stale timestamp", h(stale_ts, stale_sig), SLACK_BODY, "error: stale request"),
        ("timestamp moved", h(str(NOW - 1), sig), SLACK_BODY, "error: signature does not match"),
        ("missing signature", h(ts, None), SLACK_BODY, "error: missing header x-slack-signature"),
        ("missing timestamp", h(None, sig), SLACK_BODY, "error: missing header x-slack-request-timestamp"),
    ]


@pytest.mark.parametrize("name,headers,body,want", slack_cases(), ids=[c[0] for c in slack_cases()])
def test_slack_requests_signed_by_slack_sdk(name, headers, body, want):
    code, out = verify({"platform": "slack", "secret": SECRET, "headers": headers, "body": body, "now": NOW})
    assert out.startswith(want), (name, out)
    assert (code == 0) == (want == "ok")
    # slack_sdk's own verifier agrees.
    sdk_ok = SignatureVerifier(SECRET, clock=FixedClock()).is_valid_request(body, headers)
    assert sdk_ok == (code == 0), name


def test_slack_real_clock_round_trip():
    """A request signed now (wall clock) by slack_sdk verifies with `now` = the wall clock."""
    ts = str(int(time.time()))
    sig = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body="command=%2Fsre-snapshot")
    code, out = verify({"platform": "slack", "secret": SECRET, "body": "command=%2Fsre-snapshot",
                        "headers": {"x-slack-request-timestamp": ts, "x-slack-signature": sig}, "now": int(time.time())})
    assert (code, out) == (0, "ok")


def discord_cases():
    key = SigningKey(b"\x07" * 32)
    public = key.verify_key.encode(encoder=HexEncoder).decode()
    ts = str(NOW)
    sign = lambda t, body, k=key: k.sign((t + body).encode()).signature.hex()
    sig = sign(ts, DISCORD_BODY)
    stale = str(NOW - 301)
    h = lambda s, t: {k: v for k, v in (("X-Signature-Ed25519", s), ("X-Signature-Timestamp", t)) if v is not None}
    return public, [
        ("signed by PyNaCl", h(sig, ts), DISCORD_BODY, "ok"),
        ("tampered body", h(sig, ts), DISCORD_BODY.replace("snapshot", "snapshoT"), "error: signature does not match"),
        ("flipped signature digit", h(flip(sig, 7), ts), DISCORD_BODY, "error: signature does not match"),
        ("another key", h(sign(ts, DISCORD_BODY, SigningKey.generate()), ts), DISCORD_BODY, "error: signature does not match"),
        ("stale timestamp", h(sign(stale, DISCORD_BODY), stale), DISCORD_BODY, "error: stale request"),
        ("missing signature", h(None, ts), DISCORD_BODY, "error: missing header x-signature-ed25519"),
        ("missing timestamp", h(sig, None), DISCORD_BODY, "error: missing header x-signature-timestamp"),
    ]


@pytest.mark.parametrize("case", discord_cases()[1], ids=[c[0] for c in discord_cases()[1]])
def test_discord_requests_signed_by_pynacl(case):
    public = discord_cases()[0]
    name, headers, body, want = case
    code, out = verify({"platform": "discord", "public_key": public, "headers": headers, "body": body, "now": NOW})
    assert out.startswith(want), (name, out)
    assert (code == 0) == (want == "ok")


def test_random_keys_round_trip():
    """Fresh PyNaCl keys and random bodies: accepted as signed, rejected with one byte changed."""
    for i in range(5):
        key = SigningKey.generate()
        body = json.dumps({"type": 1, "n": i, "pad": "x" * (i * 37)})
        ts = str(NOW + i)
        sig = key.sign((ts + body).encode()).signature.hex()
        req = {"platform": "discord", "public_key": key.verify_key.encode(encoder=HexEncoder).decode(),
               "headers": {"x-signature-ed25519": sig, "x-signature-timestamp": ts}, "body": body, "now": NOW}
        assert verify(req) == (0, "ok")
        req["body"] = flip(body, len(body) // 2)
        assert verify(req)[0] == 1

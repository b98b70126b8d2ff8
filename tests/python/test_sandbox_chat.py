"""slack_sdk's WebClient (and a plain HTTP Discord bot client) against the sandbox started by
`sremesh sandbox`; the control API under /_sandbox/ drives faults and shows what was posted."""
import time

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from test_sandbox_k8s import start_sandbox

DISCORD_CHANNEL = "1100000000000000001"


@pytest.fixture
def sandbox(spawn, tmp_path):
    return start_sandbox(spawn, tmp_path)


def control(base: str) -> str:
    """The control API of the port serving `base`."""
    return base.split("/api")[0] + "/_sandbox"


def slack(sandbox) -> WebClient:
    return WebClient(token="xoxb-sandbox", base_url=sandbox["slack"] + "/")


def test_history_pages_with_limit_and_cursor_reading_every_message_once(sandbox):
    client = slack(sandbox)
    everything = client.conversations_history(channel="C0ALERTS")["messages"]
    assert len(everything) == 5
    seen, cursor, pages = [], None, 0
    while True:
        r = client.conversations_history(channel="C0ALERTS", limit=2, cursor=cursor)
        pages += 1
        seen += [m["ts"] for m in r["messages"]]
        cursor = r["response_metadata"]["next_cursor"]
        if not cursor:
            assert r["has_more"] is False
            break
    assert pages == 3
    assert seen == [m["ts"] for m in everything]
    assert len(set(seen)) == len(seen)
    assert seen == sorted(seen, reverse=True)  # newest first, like Slack
    # slack_sdk's own page iterator follows next_cursor the same way.
    via_iterator = [m["ts"] for page in client.conversations_history(channel="C0ALERTS", limit=2) for m in page["messages"]]
    assert via_iterator == seen


def test_post_in_the_alert_thread_update_and_read_back(sandbox):
    client = slack(sandbox)
    assert client.auth_test()["user_id"] == "U0SREMESH"
    alert_ts = httpx.get(control(sandbox["slack"]) + "/scenario").json()["alert"]["ts"]
    posted = client.chat_postMessage(channel="C0ALERTS", thread_ts=alert_ts, text="report", blocks=[
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Root cause*: config"}}])
    client.chat_update(channel="C0ALERTS", ts=posted["ts"], text="report (updated)")
    thread = client.conversations_replies(channel="C0ALERTS", ts=alert_ts)["messages"]
    assert [m["ts"] for m in thread] == [alert_ts, posted["ts"]]
    assert thread[1]["text"] == "report (updated)" and thread[1]["bot_id"] == "B0SREMESH"
    record = httpx.get(control(sandbox["slack"]) + "/posted").json()
    assert [(p["action"], p["thread"]) for p in record] == [("post", alert_ts), ("update", alert_ts)]
    assert record[0]["request"]["blocks"][0]["type"] == "section"


def test_slack_errors_and_rate_limits(sandbox):
    client = slack(sandbox)
    with pytest.raises(SlackApiError) as e:
        client.conversations_history(channel="C0NOPE")
    assert e.value.response["error"] == "channel_not_found"

    faults = control(sandbox["slack"]) + "/faults"
    httpx.post(faults, json={"slack": {"fail_next": 1, "error_status": 429, "retry_after": 1}}).raise_for_status()
    with pytest.raises(SlackApiError) as e:
        client.conversations_history(channel="C0ALERTS")
    assert e.value.response.status_code == 429
    assert e.value.response.headers["retry-after"] in ("1", ["1"])

    # slack_sdk's rate-limit handler honours Retry-After and the retry succeeds.
    httpx.post(faults, json={"slack": {"fail_next": 1, "error_status": 429, "retry_after": 1}}).raise_for_status()
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    start = time.monotonic()
    assert client.conversations_history(channel="C0ALERTS")["ok"] is True
    assert time.monotonic() - start >= 1.0


def test_discord_paging_and_replies(sandbox):
    base, auth = sandbox["discord"], {"Authorization": "Bot sandbox"}
    all_msgs = httpx.get(f"{base}/channels/{DISCORD_CHANNEL}/messages", headers=auth).json()
    assert [m["content"] for m in all_msgs][:2] == ["paging db team", "still crashing"]
    seen, before = [], None
    while True:
        params = {"limit": 2, **({"before": before} if before else {})}
        page = httpx.get(f"{base}/channels/{DISCORD_CHANNEL}/messages", headers=auth, params=params).json()
        if not page:
            break
        seen += [m["id"] for m in page]
        before = page[-1]["id"]
    assert seen == [m["id"] for m in all_msgs]

    reply = httpx.post(f"{base}/channels/{DISCORD_CHANNEL}/messages", headers=auth, json={
        "content": "report", "message_reference": {"message_id": all_msgs[0]["id"]},
        "allowed_mentions": {"parse": []}})
    assert reply.status_code == 200, reply.text
    got = httpx.get(f"{base}/channels/{DISCORD_CHANNEL}/messages/{reply.json()['id']}", headers=auth).json()
    assert got["referenced_message"]["id"] == all_msgs[0]["id"]
    too_long = httpx.post(f"{base}/channels/{DISCORD_CHANNEL}/messages", headers=auth, json={"content": "x" * 2001})
    assert too_long.status_code == 400 and too_long.json()["code"] == 50035
    assert httpx.get(f"{base}/users/@me").status_code == 401
    assert [p["platform"] for p in httpx.get(control(base) + "/posted").json()] == ["discord"]

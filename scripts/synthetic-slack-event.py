#!/usr/bin/env python3
"""Sends the intake a Slack request signed like Slack does (v0 HMAC-SHA256 with
SLACK_SIGNING_SECRET): an `app_mention` event, or a slash command with --command. Prints the
HTTP status and the answer's body. Standard library only.

  SLACK_SIGNING_SECRET=... scripts/synthetic-slack-event.py --text "payments-api 5xx spike"
  scripts/synthetic-slack-event.py --channel C0ALERTS --text "can you look?" --thread-ts 1776507900.000100
  scripts/synthetic-slack-event.py --command /sre-snapshot
  scripts/synthetic-slack-event.py --command /investigate --text "disk full on db-1"

Exit status: 0 for a 2xx answer, 1 otherwise (2 for bad usage).
"""
import argparse
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def mention_body(args, ts: str) -> bytes:
    event = {"type": "app_mention", "channel": args.channel, "user": args.user,
             "text": args.text, "ts": ts, "event_ts": ts}
    if args.thread_ts:
        event["thread_ts"] = args.thread_ts
    return json.dumps({
        "type": "event_callback", "token": "synthetic", "team_id": args.team, "api_app_id": "ASYNTHETIC",
        "event": event, "event_id": "Ev" + uuid.uuid4().hex[:12].upper(), "event_time": int(float(ts)),
    }).encode()


def command_body(args) -> bytes:
    return urllib.parse.urlencode({
        "command": args.command, "text": args.text or "", "channel_id": args.channel,
        "user_id": args.user, "team_id": args.team, "trigger_id": uuid.uuid4().hex,
        "response_url": "https://hooks.slack.com/commands/synthetic",
    }).encode()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8080/",
                   help="the intake (its / route detects Slack; /slack/events and /slack/commands work too)")
    p.add_argument("--channel", default="C0ALERTS")
    p.add_argument("--text", default=None, help="the message (or the command's text)")
    p.add_argument("--thread-ts", default=None, help="post the mention as a reply in this thread")
    p.add_argument("--ts", default=None, help="the mention's ts (default: now)")
    p.add_argument("--user", default="U0SYNTHETIC")
    p.add_argument("--team", default="T0SYNTHETIC")
    p.add_argument("--command", default=None, help="send this slash command (e.g. /sre-snapshot) instead")
    p.add_argument("--retry-num", default=None, help="send X-Slack-Retry-Num as a redelivery would")
    p.add_argument("--secret", default=None, help="signing secret (default: $SLACK_SIGNING_SECRET)")
    args = p.parse_args()
    secret = args.secret or os.environ.get("SLACK_SIGNING_SECRET", "")
    if not secret:
        print("set SLACK_SIGNING_SECRET (or pass --secret)", file=sys.stderr)
        return 2
    if args.command:
        body, content_type = command_body(args), "application/x-www-form-urlencoded"
    else:
        if not args.text:
            print("--text is required for a mention", file=sys.stderr)
            return 2
        ts = args.ts or f"{time.time():.6f}"
        body, content_type = mention_body(args, ts), "application/json"
    timestamp = str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": sign(secret, timestamp, body), "User-Agent": "Slackbot 1.0 (synthetic)"}
    if args.retry_num is not None:
        headers["X-Slack-Retry-Num"] = args.retry_num
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    req = urllib.request.Request(args.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, answer = resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, answer = e.code, e.read().decode("utf-8", "replace")
    except urllib.error.URLError as e:
        print(f"cannot reach {args.url}: {e.reason}", file=sys.stderr)
        return 1
    print(status)
    print(answer)
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())

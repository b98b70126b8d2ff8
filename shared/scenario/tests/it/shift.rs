//! Live mode: `shifted` moves every time and re-derives chat ids, leaving log text alone.

use super::fixture_path;
use jiff::SignedDuration;
use sremesh_scenario::{Platform, load};

#[test]
fn shifting_moves_times_object_fields_and_ids() {
    let s = load(&fixture_path()).unwrap();
    let by = SignedDuration::from_hours(24 * 30) + SignedDuration::from_millis(500);
    let t = s.shifted(by);
    assert_eq!(t.now, s.now.checked_add(by).unwrap());

    let k = t.world.kubernetes.as_ref().unwrap();
    let pod = k
        .objects
        .iter()
        .find(|o| o["metadata"]["name"] == "checkout-api-5d9c7b8f6-abcde")
        .unwrap();
    // Whole-second fields stay whole seconds (the API server's `Time`).
    assert_eq!(pod["metadata"]["creationTimestamp"], "2026-05-18T10:02:00Z");
    assert_eq!(
        pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["finishedAt"],
        "2026-05-18T10:21:07Z"
    );
    let ev = k.objects.iter().find(|o| o["reason"] == "BackOff").unwrap();
    assert_eq!(ev["lastTimestamp"], "2026-05-18T10:24:00Z");
    // Log text untouched, its time moved.
    let prev = k.logs.iter().find(|l| l.previous).unwrap();
    let orig = s
        .world
        .kubernetes
        .as_ref()
        .unwrap()
        .logs
        .iter()
        .find(|l| l.previous)
        .unwrap();
    assert_eq!(prev.lines[0].text, orig.lines[0].text);
    assert_eq!(
        prev.lines[0].at,
        orig.lines[0].at.map(|a| a.checked_add(by).unwrap())
    );

    let cw = &t.world.cloudwatch_logs.as_ref().unwrap().groups[0];
    assert_eq!(
        cw.events[0].at,
        s.world.cloudwatch_logs.as_ref().unwrap().groups[0].events[0]
            .at
            .checked_add(by)
            .unwrap()
    );

    // Slack: ts re-derived; thread links follow; the alert's ts is its message's.
    let ch = &t.world.slack.as_ref().unwrap().channels[0];
    let all_ts: Vec<&str> = ch.messages.iter().map(|m| m.ts.as_str()).collect();
    for m in &ch.messages {
        let at = sremesh_scenario::ids::slack_ts_time(&m.ts).unwrap();
        assert!(at >= m.at, "ts {} precedes its time {}", m.ts, m.at);
        if let Some(p) = &m.thread_ts {
            assert!(all_ts.contains(&p.as_str()), "dangling thread_ts {p}");
        }
    }
    assert_eq!(
        ch.messages[1].thread_ts.as_deref(),
        Some(ch.messages[1].ts.as_str())
    );
    assert_eq!(
        ch.messages[2].thread_ts.as_deref(),
        Some(ch.messages[1].ts.as_str())
    );
    assert_eq!(t.alert.ts, ch.messages.last().unwrap().ts);
    assert_eq!(t.alert.ts, "1779099900.500000");

    // Discord: ids are the snowflakes of the moved times.
    let d = &t.world.discord.as_ref().unwrap().channels[0];
    for m in &d.messages {
        let id: u64 = m.id.parse().unwrap();
        assert_eq!(sremesh_scenario::ids::snowflake_time(id), Some(m.at));
    }
}

#[test]
fn shifting_a_discord_alert_moves_its_message_id() {
    let text = super::BASE
        .replace("platform: slack", "platform: discord")
        .replace("channel: C0ALERTS", "channel: \"42\"");
    let s = sremesh_scenario::load_str("d.yaml", &text).unwrap();
    assert_eq!(s.alert.platform, Platform::Discord);
    let t = s.shifted(SignedDuration::from_secs(3600));
    let msgs = &t.world.discord.as_ref().unwrap().channels[0].messages;
    assert_eq!(t.alert.message_id, msgs[0].id);
    assert_ne!(t.alert.message_id, s.alert.message_id);
    assert_eq!(t.alert.ts, "1776511500.000000");
}

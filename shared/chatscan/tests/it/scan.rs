//! The scan driver over an in-memory source on tokio's paused clock: channel choice, the bot's
//! own messages and the alert itself filtered out, deadlines (partial answers on time) and
//! failures (unhealthy vs error).

use super::{msg, now};
use jiff::SignedDuration;
use sremesh_agent::{Deadline, Partial};
use sremesh_chat::ApiError;
use sremesh_chatscan::{
    Channel, ChatMessage, ChatSource, Fatal, Identity, Listing, ScanOutcome, ScanRequest,
    ScanSettings, Targets, scan,
};
use sremesh_core::{AlertContext, Platform, TimeWindow};
use std::sync::Mutex;
use std::time::Duration;

const ALERT: &str = "[FIRING:1] KubePodCrashLooping (shop-prod-use1 orders orders-api)";

/// Channels and messages in memory; every call takes `delay` and is logged.
struct Fake {
    channels: Vec<Channel>,
    messages: Vec<ChatMessage>,
    delay: Duration,
    identity: Result<Identity, ApiError>,
    calls: Mutex<Vec<String>>,
}

impl Fake {
    fn new(messages: Vec<ChatMessage>) -> Self {
        let channels = [
            "C0ALERTS:alerts",
            "C0DEPLOYS:deploys",
            "C0RANDOM:random",
            "C0ORDERS:orders-eng",
        ]
        .iter()
        .map(|s| {
            let (id, name) = s.split_once(':').expect("id:name");
            Channel {
                id: id.into(),
                name: Some(name.into()),
            }
        })
        .collect();
        Self {
            channels,
            messages,
            delay: Duration::from_millis(100),
            identity: Ok(Identity {
                ids: vec!["U0BOT".into()],
                name: Some("sremesh".into()),
            }),
            calls: Mutex::new(Vec::new()),
        }
    }

    async fn call(&self, what: String) {
        self.calls.lock().expect("not poisoned").push(what);
        tokio::time::sleep(self.delay).await;
    }
}

impl ChatSource for Fake {
    fn platform(&self) -> Platform {
        Platform::Slack
    }
    async fn identity(&self) -> Result<Identity, ApiError> {
        self.call("identity".into()).await;
        self.identity.clone()
    }
    async fn member_channels(&self, cap: usize) -> Result<Listing<Channel>, ApiError> {
        self.call("list".into()).await;
        Ok(Listing {
            items: self.channels.iter().take(cap).cloned().collect(),
            truncated: self.channels.len() > cap,
        })
    }
    async fn channel(&self, id: &str) -> Result<Channel, ApiError> {
        self.call(format!("info {id}")).await;
        Ok(Channel::id_only(id))
    }
    async fn history(
        &self,
        c: &Channel,
        w: TimeWindow,
        cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        self.call(format!("history {}", c.id)).await;
        let items: Vec<ChatMessage> = self
            .messages
            .iter()
            .filter(|m| m.channel == c.id && m.thread.is_none() && w.contains(m.at))
            .take(cap)
            .cloned()
            .collect();
        Ok(Listing {
            items,
            truncated: false,
        })
    }
    async fn replies(
        &self,
        c: &Channel,
        root: &ChatMessage,
        _cap: usize,
    ) -> Result<Listing<ChatMessage>, ApiError> {
        self.call(format!("replies {}", c.id)).await;
        let items = self
            .messages
            .iter()
            .filter(|m| m.thread.as_deref() == Some(root.id.as_str()))
            .cloned()
            .collect();
        Ok(Listing {
            items,
            truncated: false,
        })
    }
}

fn request(channels: &[&str]) -> ScanRequest {
    let mut ctx = AlertContext::from_text(
        ALERT,
        now(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.scan_channels = channels.iter().map(|c| c.to_string()).collect();
    ScanRequest::from_alert(&ctx, Platform::Slack)
}

fn world() -> Vec<ChatMessage> {
    let mut root = msg(
        "C0ORDERS",
        20,
        "U0FELIX",
        false,
        "running a migration on orders db now",
    );
    root.replies = 1;
    let mut reply = msg("C0ORDERS", 10, "U0FELIX", false, "migration done");
    reply.thread = Some(root.id.clone());
    vec![
        msg("C0ALERTS", 0, "U0ALERTMGR", true, ALERT),
        msg(
            "C0ALERTS",
            2,
            "U0BOT",
            true,
            "[FIRING:1] report by sremesh about orders-api",
        ),
        msg(
            "C0DEPLOYS",
            4,
            "U0DANA",
            false,
            "deploying orders-api v1.8.0",
        ),
        msg(
            "C0DEPLOYS",
            90,
            "U0DANA",
            false,
            "deploying orders-api v1.7.9",
        ),
        msg("C0RANDOM", 3, "U0LEE", false, "lunch?"),
        root,
        reply,
    ]
}

async fn run(
    src: &Fake,
    req: &ScanRequest,
    set: &ScanSettings,
    budget: Duration,
) -> (ScanOutcome, Duration) {
    let started = tokio::time::Instant::now();
    let out = scan(src, req, set, Deadline::after(budget), &Partial::default()).await;
    (out, started.elapsed())
}

#[tokio::test(start_paused = true)]
async fn reads_the_alert_channel_first_then_fills_with_the_bots_channels() {
    let src = Fake::new(world());
    let (out, _) = run(
        &src,
        &request(&["C0ALERTS"]),
        &ScanSettings::default(),
        Duration::from_secs(20),
    )
    .await;
    assert!(out.fatal.is_none() && !out.partial, "{out:?}");
    assert_eq!(out.scanned.len(), 4);
    let kinds: Vec<&str> = out.findings.iter().map(|f| f.kind.as_str()).collect();
    assert!(
        kinds.contains(&"deploy_announced") && kinds.contains(&"change_announced"),
        "{kinds:?}"
    );
    // The alert itself and the bot's own message are never findings; the old deploy is outside the window.
    assert!(!kinds.contains(&"related_alert"), "{:#?}", out.findings);
    assert!(out.findings.iter().all(|f| !f.text().contains("v1.7.9")));
    let change = out
        .findings
        .iter()
        .find(|f| f.kind == "change_announced")
        .unwrap();
    assert_eq!(
        change.attributes["completed"], true,
        "the thread reply was read"
    );
    let calls = src.calls.lock().unwrap().clone();
    assert!(calls.iter().any(|c| c == "replies C0ORDERS"), "{calls:?}");
}

async fn check_channels(channels: &[&str], watch: &[&str], max: usize, want: &[&str]) {
    let src = Fake::new(world());
    let set = ScanSettings {
        watch_channels: watch.iter().map(|s| s.to_string()).collect(),
        max_channels: max,
        ..Default::default()
    };
    let (out, _) = run(&src, &request(channels), &set, Duration::from_secs(20)).await;
    let mut got: Vec<&str> = out.channels.iter().map(|c| c.id.as_str()).collect();
    got.sort();
    let mut want = want.to_vec();
    want.sort();
    assert_eq!(got, want, "channels {channels:?} watch {watch:?} max {max}");
}

#[tokio::test(start_paused = true)]
async fn channel_choice_follows_request_watch_list_and_cap() {
    // Nothing asked: the bot's channels, those named like the alert's namespace first.
    check_channels(&[], &[], 2, &["C0ORDERS", "C0DEPLOYS"]).await;
    // Asked and nothing watched: the asked one, then the fill.
    check_channels(
        &["C0RANDOM"],
        &[],
        3,
        &["C0RANDOM", "C0ORDERS", "C0DEPLOYS"],
    )
    .await;
    // Asked and watched: exactly those.
    check_channels(
        &["C0ALERTS"],
        &["C0DEPLOYS"],
        10,
        &["C0ALERTS", "C0DEPLOYS"],
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn answers_by_the_deadline_with_what_it_read() {
    let mut src = Fake::new(world());
    src.delay = Duration::from_secs(1);
    let set = ScanSettings {
        concurrency: 1,
        ..Default::default()
    };
    // identity+list (1 s), then one channel a second: C0DEPLOYS (the request's) is read,
    // the deadline (2.6 s, 0.3 s reserve) cuts the rest.
    let (out, took) = run(
        &src,
        &request(&["C0DEPLOYS"]),
        &set,
        Duration::from_millis(2600),
    )
    .await;
    assert!(took <= Duration::from_millis(2600), "{took:?}");
    assert!(out.partial, "{out:?}");
    assert!(
        out.findings.iter().any(|f| f.kind == "deploy_announced"),
        "{:#?}",
        out.findings
    );
    assert!(
        out.problems.iter().any(|p| p.contains("deadline")),
        "{:?}",
        out.problems
    );
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_is_unhealthy_and_an_outage_an_error() {
    let mut src = Fake::new(world());
    src.identity = Err(ApiError::Permanent {
        platform: Platform::Slack,
        status: 200,
        error: "invalid_auth".into(),
        message: String::new(),
    });
    let (out, _) = run(
        &src,
        &request(&["C0ALERTS"]),
        &ScanSettings::default(),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        matches!(out.fatal, Some(Fatal::Unhealthy(ref r)) if r.contains("invalid_auth")),
        "{:?}",
        out.fatal
    );

    let mut src = Fake::new(world());
    src.identity = Err(ApiError::Transient {
        platform: Platform::Slack,
        reason: "HTTP 503".into(),
    });
    let (out, _) = run(
        &src,
        &request(&["C0DEPLOYS"]),
        &ScanSettings::default(),
        Duration::from_secs(5),
    )
    .await;
    assert!(
        out.fatal.is_none(),
        "an identity outage alone does not stop the scan"
    );
    assert!(
        out.problems.iter().any(|p| p.contains("identity")),
        "{:?}",
        out.problems
    );
    assert!(!out.findings.is_empty());
}

#[test]
fn an_alert_from_the_other_platform_names_no_channel_here() {
    let mut ctx = AlertContext::from_text(
        ALERT,
        now(),
        SignedDuration::from_mins(30),
        SignedDuration::ZERO,
    );
    ctx.channel_id = Some("C0ALERTS".into());
    ctx.scan_channels = vec!["C0ALERTS".into(), "C0DEPLOYS".into()];
    ctx.message_id = Some("1774866300.000100".into());
    ctx.platform = Some(Platform::Slack);
    let slack = ScanRequest::from_alert(&ctx, Platform::Slack);
    assert_eq!(slack.channels, ["C0ALERTS", "C0DEPLOYS"]);
    assert_eq!(slack.alert_message.as_deref(), Some("1774866300.000100"));
    assert_eq!(slack.alert_channel.as_deref(), Some("C0ALERTS"));
    let discord = ScanRequest::from_alert(&ctx, Platform::Discord);
    assert!(
        discord.channels.is_empty()
            && discord.alert_message.is_none()
            && discord.alert_channel.is_none()
    );
    ctx.platform = None; // a plain-text alert: whatever it names is taken
    assert_eq!(
        ScanRequest::from_alert(&ctx, Platform::Discord)
            .channels
            .len(),
        2
    );
}

#[tokio::test(start_paused = true)]
async fn targets_from_a_query_find_what_the_alert_would() {
    let t = Targets::from_terms(&["orders-api"]);
    assert!(t.best_hit("deploying orders-api v1.8.0").is_some());
    assert!(t.best_hit("deploying cart-api v1.8.0").is_none());
}

/// Planned activities are announced hours before they run: the scan reads the hours before the
/// window for them (and only them), within the setting's lookback.
#[tokio::test(start_paused = true)]
async fn announcements_before_the_window_are_read_for_planned_activities() {
    // now() is 10:25 UTC.
    let mut messages = world();
    messages.push(msg(
        "C0DEPLOYS",
        150,
        "U0PERF",
        true,
        "Planned load test on orders-api, 09:00–11:00 UTC (k6, 3x peak)",
    ));
    let cases = [
        (Duration::from_secs(12 * 3600), true),
        (Duration::from_secs(3600), false),
        (Duration::ZERO, false),
    ];
    for (lookback, found) in cases {
        let src = Fake::new(messages.clone());
        let set = ScanSettings {
            announcement_lookback: lookback,
            ..Default::default()
        };
        let (out, _) = run(
            &src,
            &request(&["C0DEPLOYS"]),
            &set,
            Duration::from_secs(20),
        )
        .await;
        assert!(out.fatal.is_none() && !out.partial, "{out:?}");
        let load_test = out
            .findings
            .iter()
            .find(|f| f.attributes.get("change").and_then(|c| c.as_str()) == Some("load_test"));
        assert_eq!(
            load_test.is_some(),
            found,
            "lookback {lookback:?}: {:#?}",
            out.findings
        );
        if let Some(f) = load_test {
            assert!(f.title.contains("in progress at the alert"), "{}", f.title);
        }
        // The superseded deploy 90 min before the alert stays out: only planned activities
        // are read from before the window.
        assert!(
            out.findings.iter().all(|f| !f.text().contains("v1.7.9")),
            "{:#?}",
            out.findings
        );
    }
}

/// The alert's own channel is read days back for earlier firings of the same alert (within the
/// setting's look-back and cap), and only that channel.
#[tokio::test(start_paused = true)]
async fn the_alert_channel_is_read_further_back_for_earlier_firings() {
    let mut messages = world();
    for (mins, text) in [
        (3 * 24 * 60, ALERT),
        (
            3 * 24 * 60 - 40,
            "[RESOLVED] KubePodCrashLooping (shop-prod-use1 orders orders-api)",
        ),
        (26 * 60, ALERT),
        (
            26 * 60 - 30,
            "[RESOLVED] KubePodCrashLooping (shop-prod-use1 orders orders-api)",
        ),
    ] {
        messages.push(msg("C0ALERTS", mins, "U0ALERTMGR", true, text));
    }
    // The same alert in another channel, days ago: not read that far back.
    messages.push(msg("C0DEPLOYS", 2 * 24 * 60, "U0ALERTMGR", true, ALERT));
    let cases = [
        (Duration::from_secs(7 * 24 * 3600), 400, Some(2)),
        (Duration::from_secs(2 * 24 * 3600), 400, Some(1)),
        (Duration::ZERO, 400, None),
    ];
    for (lookback, cap, want) in cases {
        let src = Fake::new(messages.clone());
        let set = ScanSettings {
            history_lookback: lookback,
            max_history_messages: cap,
            ..Default::default()
        };
        let mut req = request(&["C0ALERTS"]);
        req.alert_channel = Some("C0ALERTS".into());
        let (out, _) = run(&src, &req, &set, Duration::from_secs(20)).await;
        assert!(out.fatal.is_none() && !out.partial, "{out:?}");
        assert!(
            out.history.iter().all(|m| m.channel == "C0ALERTS"),
            "{:?}",
            out.history
        );
        let history = out.findings.iter().find(|f| f.kind == "alert_history");
        assert_eq!(
            history.and_then(|f| f.attributes["count"].as_u64()),
            want,
            "lookback {lookback:?}: {:#?}",
            out.findings
        );
        if let Some(f) = history {
            assert_eq!(f.attributes["flapping"], want == Some(2), "{f:#?}");
        }
    }
}

/// A provider's notice naming an affected resource, and our alarm on that resource, both before
/// the window and in different channels: the scan keeps that alarm (and no other early one) and
/// reports the notice with it.
#[tokio::test(start_paused = true)]
async fn an_early_alarm_on_a_resource_a_notice_names_is_read_with_it() {
    let notice = "AWS Health event: [RDS] Operational issue — us-east-1. Increased replication lag for some readers. Affected resources: billing-db-reader-3";
    let cases = [
        (
            "ALARM — ReplicaLag 41230 ms > 1000 ms (DBInstanceIdentifier: billing-db-reader-3)",
            true,
        ),
        (
            "ALARM — ReplicaLag 41230 ms > 1000 ms (DBInstanceIdentifier: billing-db-reader-1)",
            false,
        ),
    ];
    for (alarm, found) in cases {
        let mut messages = world();
        messages.push(msg("C0HEALTH", 50, "U0AWS", true, notice));
        messages.push(msg("C0DBALERTS", 45, "U0CW", true, alarm));
        let src = Fake::new(messages);
        let (out, _) = run(
            &src,
            &request(&["C0HEALTH", "C0DBALERTS"]),
            &ScanSettings::default(),
            Duration::from_secs(20),
        )
        .await;
        assert!(out.fatal.is_none() && !out.partial, "{out:?}");
        assert_eq!(
            out.messages.iter().any(|m| m.text == alarm),
            found,
            "{alarm}: {:#?}",
            out.messages
        );
        let corroborated = out
            .findings
            .iter()
            .any(|f| f.kind == "provider_incident" && f.attributes.contains_key("corroborated_by"));
        assert_eq!(corroborated, found, "{alarm}: {:#?}", out.findings);
    }
}

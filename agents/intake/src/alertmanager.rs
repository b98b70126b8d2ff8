//! Alertmanager in: the v4 webhook payload (a notification for one alert group). A firing group
//! is posted to `ALERTMANAGER_TARGET` as a top-level summary in the style of Alertmanager's
//! default Slack template and investigated in that message's thread; a resolved one is
//! acknowledged and left alone.

use crate::error::Reject;
use crate::intake::{Alert, Budget, HandOff, Intake};
use axum::Json;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer};
use serde_json::json;
use sha2::{Digest, Sha256};
use sremesh_chat::Target;
use sremesh_chat::render::Dialect;
use std::collections::BTreeMap;
use std::time::Duration;

/// Most alerts listed one by one in the summary.
const MAX_LISTED: usize = 10;

/// Firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

type Labels = BTreeMap<String, String>;

/// The webhook body (`version: "4"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub version: String,
    pub group_key: String,
    pub status: Status,
    #[serde(default, deserialize_with = "nullable")]
    pub receiver: String,
    #[serde(default, deserialize_with = "nullable")]
    pub group_labels: Labels,
    #[serde(default, deserialize_with = "nullable")]
    pub common_labels: Labels,
    #[serde(default, deserialize_with = "nullable")]
    pub common_annotations: Labels,
    #[serde(default, rename = "externalURL", deserialize_with = "nullable")]
    pub external_url: String,
    pub alerts: Vec<AmAlert>,
    #[serde(default, deserialize_with = "nullable")]
    pub truncated_alerts: u64,
}

/// One alert of the group.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmAlert {
    pub status: Status,
    #[serde(default, deserialize_with = "nullable")]
    pub labels: Labels,
    #[serde(default, deserialize_with = "nullable")]
    pub annotations: Labels,
    #[serde(default, deserialize_with = "nullable")]
    pub starts_at: String,
    #[serde(default, deserialize_with = "nullable")]
    pub ends_at: String,
    #[serde(default, rename = "generatorURL", deserialize_with = "nullable")]
    pub generator_url: String,
    #[serde(default, deserialize_with = "nullable")]
    pub fingerprint: String,
}

impl AmAlert {
    /// Alertmanager's fingerprint, or one derived from the labels when it is missing.
    pub fn fingerprint(&self) -> String {
        if !self.fingerprint.is_empty() {
            return self.fingerprint.clone();
        }
        let mut h = Sha256::new();
        for (k, v) in &self.labels {
            h.update(k.as_bytes());
            h.update([0xff]);
            h.update(v.as_bytes());
            h.update([0xff]);
        }
        hex::encode(&h.finalize()[..8])
    }
}

/// Parses a notification (400 with the reason when it is not one).
pub fn parse(body: &[u8]) -> Result<Notification, Reject> {
    let n: Notification = serde_json::from_slice(body).map_err(|e| {
        Reject::BadRequest(format!("not an Alertmanager webhook notification: {e}"))
    })?;
    if n.version != "4" {
        return Err(Reject::BadRequest(format!(
            "unsupported Alertmanager webhook version '{}' (expected \"4\")",
            n.version
        )));
    }
    if n.group_key.trim().is_empty() {
        return Err(Reject::BadRequest("groupKey is empty".into()));
    }
    Ok(n)
}

/// A group's summary: the title line and labelled lines (rendered per dialect in
/// [`crate::messages`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    /// `(Some("Summary"), text)` or `(None, bullet text)`.
    pub lines: Vec<(Option<&'static str>, String)>,
}

impl Notification {
    /// The firing alerts.
    pub fn firing(&self) -> Vec<&AmAlert> {
        self.alerts
            .iter()
            .filter(|a| a.status == Status::Firing)
            .collect()
    }

    /// `[FIRING:n] <group label values> (<other common label values>)` and the annotations.
    pub fn summary(&self) -> Summary {
        let firing = self.firing();
        let mut title = format!("[FIRING:{}]", firing.len());
        for v in self.group_labels.values() {
            title.push(' ');
            title.push_str(v);
        }
        let extra: Vec<&str> = self
            .common_labels
            .iter()
            .filter(|(k, _)| !self.group_labels.contains_key(*k))
            .map(|(_, v)| v.as_str())
            .collect();
        if !extra.is_empty() {
            title.push_str(&format!(" ({})", extra.join(" ")));
        }
        let mut lines = Vec::new();
        let common = |k: &str| {
            self.common_annotations
                .get(k)
                .filter(|v| !v.trim().is_empty())
        };
        if let Some(s) = common("summary") {
            lines.push((Some("Summary"), s.clone()));
        }
        if let Some(d) = common("description") {
            lines.push((Some("Description"), d.clone()));
        }
        if common("summary").is_none() {
            for a in firing.iter().take(MAX_LISTED) {
                let name = a
                    .annotations
                    .get("summary")
                    .or_else(|| a.labels.get("alertname"))
                    .cloned()
                    .unwrap_or_else(|| "alert".into());
                let line = match a.annotations.get("description") {
                    Some(d) if common("description").is_none() => format!("{name} — {d}"),
                    _ => name,
                };
                lines.push((None, line));
            }
            if firing.len() > MAX_LISTED {
                lines.push((None, format!("… and {} more", firing.len() - MAX_LISTED)));
            }
        }
        if self.truncated_alerts > 0 {
            lines.push((
                None,
                format!(
                    "… {} alerts truncated by Alertmanager",
                    self.truncated_alerts
                ),
            ));
        }
        Summary { title, lines }
    }

    /// The labels for the AlertContext: the common labels, with `alertname` always present.
    pub fn labels(&self) -> Labels {
        let mut labels = self.common_labels.clone();
        if !labels.contains_key("alertname") {
            let mut names: Vec<&str> = self
                .firing()
                .iter()
                .filter_map(|a| a.labels.get("alertname").map(String::as_str))
                .collect();
            names.sort_unstable();
            names.dedup();
            if let Some(g) = self.group_labels.get("alertname") {
                labels.insert("alertname".into(), g.clone());
            } else if !names.is_empty() {
                labels.insert("alertname".into(), names.join(","));
            }
        }
        labels
    }

    /// When the earliest firing alert started.
    pub fn started(&self) -> Option<Timestamp> {
        self.firing()
            .iter()
            .filter_map(|a| a.starts_at.parse::<Timestamp>().ok())
            .min()
    }

    /// The dedup key of this notification.
    pub fn key(&self) -> String {
        let fps: Vec<String> = self.firing().iter().map(|a| a.fingerprint()).collect();
        crate::dedup::keys::alertmanager(&self.group_key, &fps)
    }
}

/// Checks `Authorization: Bearer <ALERTMANAGER_TOKEN>` when a token is configured.
async fn check_bearer(intake: &Intake, headers: &HeaderMap) -> Result<(), Reject> {
    let Some(src) = &intake.am_token else {
        return Ok(());
    };
    let want = Intake::secret(src, "the Alertmanager token").await?;
    let got = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| Reject::Unauthorized("missing bearer token".into()))?;
    // Compare digests: equal-length, so the comparison time says nothing about the token.
    if Sha256::digest(got.as_bytes()) == Sha256::digest(want.expose().as_bytes()) {
        Ok(())
    } else {
        Err(Reject::Unauthorized("wrong bearer token".into()))
    }
}

fn ok(v: serde_json::Value) -> Response {
    Json(v).into_response()
}

/// `POST /alertmanager`.
pub(crate) async fn handle(
    intake: &Intake,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Reject> {
    let budget = Budget::new(intake.limits.ack_budget);
    check_bearer(intake, headers).await?;
    let n = parse(body)?;
    if n.status == Status::Resolved || n.firing().is_empty() {
        tracing::info!(platform = "alertmanager", reason = "resolved", group_key = %n.group_key, "intake_event_ignored");
        return Ok(ok(json!({"ok": true, "ignored": "resolved"})));
    }
    let Some(target) = intake.am_target.clone() else {
        return Err(Reject::NotConfigured(
            "Alertmanager alerts are not accepted: ALERTMANAGER_TARGET is not set".into(),
        ));
    };
    if !intake.claim(&n.key()).await? {
        return Ok(ok(json!({"ok": true, "duplicate": true})));
    }
    if intake.paused {
        tracing::info!(platform = "alertmanager", reason = "paused", group_key = %n.group_key, "intake_event_ignored");
        return Ok(ok(json!({"ok": true, "paused": true})));
    }
    let summary = n.summary();
    let to = Target::channel(target.platform, target.channel.clone());
    let posted = intake
        .post(&to, &summary, &budget, Duration::from_millis(1200))
        .await
        .and_then(|refs| refs.into_iter().next());
    let alert = Alert {
        platform: target.platform,
        channel: target.channel,
        message_id: posted.as_ref().map(|r| r.id.clone()),
        thread: posted.as_ref().map(|r| r.id.clone()),
        text: sremesh_chat::Render::render(&summary, Dialect::Terminal { color: false }),
        time: n.started().unwrap_or_else(Timestamp::now),
        labels: n.labels(),
    };
    Ok(ok(match intake.hand_off(&alert, &budget).await {
        HandOff::Started { investigation_id } => {
            json!({"ok": true, "investigation_id": investigation_id})
        }
        HandOff::Failed { reason } => json!({"ok": true, "error": reason}),
    }))
}

//! `GET /api/v1/namespaces/{ns}/pods/{pod}/log` with `container`, `previous`, `tailLines`,
//! `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes` — and the API server's errors for a
//! missing container name, an unknown container, or no previous instance.

use super::Query;
use super::status::Failure;
use super::store::Store;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};

fn container_names(pod: &serde_json::Value, key: &str) -> Vec<String> {
    pod["spec"][key]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn int(q: &Query, k: &str) -> Result<Option<i64>, Failure> {
    match q.get(k) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            Failure::bad_request(format!("{k}: Invalid value: \"{v}\": must be an integer"))
        }),
    }
}

pub(super) fn pod_log(
    store: &Store,
    now: Timestamp,
    ns: &str,
    pod: &str,
    q: &Query,
) -> Result<Response, Failure> {
    let streams: Vec<_> = store
        .logs
        .iter()
        .filter(|l| l.namespace == ns && l.pod == pod)
        .collect();
    let (containers, init) = match store.pod(ns, pod) {
        Some(p) => (
            container_names(p, "containers"),
            container_names(p, "initContainers"),
        ),
        None if !streams.is_empty() => {
            let mut cs: Vec<String> = streams.iter().map(|l| l.container.clone()).collect();
            cs.sort();
            cs.dedup();
            (cs, vec![])
        }
        None => return Err(Failure::not_found("", "pods", pod)),
    };
    let container = match q.get("container").filter(|c| !c.is_empty()) {
        Some(c) => {
            if !containers.contains(c) && !init.contains(c) {
                return Err(Failure::bad_request(format!(
                    "container {c} is not valid for pod {pod}"
                )));
            }
            c.clone()
        }
        None => match containers.as_slice() {
            [only] => only.clone(),
            _ => {
                let mut msg = format!(
                    "a container name must be specified for pod {pod}, choose one of: [{}]",
                    containers.join(" ")
                );
                if !init.is_empty() {
                    msg.push_str(&format!(
                        " or one of the init containers: [{}]",
                        init.join(" ")
                    ));
                }
                return Err(Failure::bad_request(msg));
            }
        },
    };
    let previous = q.get("previous").is_some_and(|v| v == "true" || v == "1");
    let stream = streams
        .iter()
        .find(|l| l.container == container && l.previous == previous);
    if previous && stream.is_none() {
        return Err(Failure::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{pod}\" not found"
        )));
    }
    let mut lines: Vec<&(Timestamp, String)> =
        stream.map(|s| s.lines.iter().collect()).unwrap_or_default();

    if let Some(secs) = int(q, "sinceSeconds")? {
        if secs < 1 {
            return Err(Failure::bad_request(
                "sinceSeconds: Invalid value: must be greater than 0",
            ));
        }
        let since = now
            .checked_sub(SignedDuration::from_secs(secs))
            .unwrap_or(Timestamp::MIN);
        lines.retain(|(t, _)| *t >= since);
    } else if let Some(t) = q.get("sinceTime") {
        let since: Timestamp = t.parse().map_err(|_| {
            Failure::bad_request(format!(
                "sinceTime: Invalid value: \"{t}\": not an RFC 3339 time"
            ))
        })?;
        lines.retain(|(t, _)| *t >= since);
    }
    if let Some(n) = int(q, "tailLines")? {
        if n < 0 {
            return Err(Failure::bad_request(
                "tailLines: Invalid value: must be greater than or equal to 0",
            ));
        }
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let timestamps = q.get("timestamps").is_some_and(|v| v == "true" || v == "1");
    let mut body = String::new();
    for (t, text) in lines {
        if timestamps {
            // Go's RFC3339Nano: trailing zeros of the fraction dropped, as jiff prints.
            body.push_str(&t.to_string());
            body.push(' ');
        }
        body.push_str(text);
        body.push('\n');
    }
    let mut bytes = body.into_bytes();
    if let Some(n) = int(q, "limitBytes")? {
        if n < 1 {
            return Err(Failure::bad_request(
                "limitBytes: Invalid value: must be greater than 0",
            ));
        }
        bytes.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
    Ok(([(http::header::CONTENT_TYPE, "text/plain")], bytes).into_response())
}

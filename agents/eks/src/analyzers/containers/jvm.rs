//! A JVM told to use more heap than its container may hold: `-Xmx` (in the container's
//! command, args or a `JAVA_*OPTIONS` env value) at or above the memory limit. The heap alone
//! fills the limit before metaspace, threads and buffers are counted, so the kernel kills the
//! process however well the code behaves: the setting, not the load, is the cause.

use k8s_openapi::api::core::v1::Pod;
use regex::Regex;
use std::sync::LazyLock;

static XMX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-Xmx(\d+)([kKmMgGtT]?)\b").expect("static regex"));

/// Bytes of a JVM size (`3g`, `512m`, `1048576`): binary multiples.
fn jvm_bytes(n: &str, unit: &str) -> Option<u64> {
    let n: u64 = n.parse().ok()?;
    let shift = match unit {
        "" => 0,
        "k" | "K" => 10,
        "m" | "M" => 20,
        "g" | "G" => 30,
        _ => 40,
    };
    n.checked_mul(1u64 << shift)
}

/// Bytes of a Kubernetes memory quantity (`2Gi`, `1536Mi`, `2G`, `500M`, `1073741824`).
pub fn quantity_bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    let split = q
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(q.len());
    let (num, suffix) = q.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0f64.powi(4),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        _ => return None,
    };
    let bytes = n * mult;
    (0.0..1e19).contains(&bytes).then_some(bytes as u64)
}

/// The `-Xmx` setting of `container` when it is at least the container's memory `limit`.
pub fn heap_over_limit(pod: &Pod, container: &str, limit: &str) -> Option<String> {
    let limit = quantity_bytes(limit)?;
    let c = pod
        .spec
        .as_ref()?
        .containers
        .iter()
        .find(|c| c.name == container)?;
    let env = c
        .env
        .iter()
        .flatten()
        .filter(|e| e.name.to_ascii_uppercase().contains("JAVA") || e.name.ends_with("OPTS"))
        .filter_map(|e| e.value.as_deref());
    let words = c.command.iter().flatten().chain(c.args.iter().flatten());
    env.chain(words.map(String::as_str))
        .flat_map(|s| XMX.captures_iter(s))
        .find_map(|m| {
            let heap = jvm_bytes(&m[1], &m[2])?;
            (heap >= limit).then(|| m[0].to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(env: &str, args: &[&str], limit: &str) -> (Pod, String) {
        let p: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{
                "name": "app",
                "args": args,
                "env": [{"name": "JAVA_TOOL_OPTIONS", "value": env}, {"name": "TZ", "value": "-Xmx9g"}],
                "resources": {"limits": {"memory": limit}}
            }]}
        }))
        .expect("a valid pod");
        (p, limit.to_owned())
    }

    #[test]
    fn a_heap_at_or_over_the_limit_is_named() {
        for (env, args, limit, want) in [
            ("-XX:+UseG1GC -Xms3g -Xmx3g", &[][..], "2Gi", Some("-Xmx3g")),
            (
                "",
                &["-jar", "app.jar", "-Xmx2048m"][..],
                "2Gi",
                Some("-Xmx2048m"),
            ),
            ("-Xmx1536m", &[][..], "1536Mi", Some("-Xmx1536m")),
            ("-Xmx3g", &[][..], "3G", Some("-Xmx3g")),
            // Room left for the rest of the JVM: not this failure.
            ("-Xmx1g", &[][..], "2Gi", None),
            ("-XX:MaxRAMPercentage=75", &[][..], "2Gi", None),
            // An env var that is no JVM option is not read.
            ("", &[][..], "2Gi", None),
        ] {
            let (p, l) = pod(env, args, limit);
            assert_eq!(
                heap_over_limit(&p, "app", &l).as_deref(),
                want,
                "{env} {args:?} {limit}"
            );
        }
    }

    #[test]
    fn quantities() {
        for (q, want) in [
            ("2Gi", Some(2 << 30)),
            ("1536Mi", Some(1536 << 20)),
            ("2G", Some(2_000_000_000)),
            ("1.5Gi", Some(3 << 29)),
            ("1048576", Some(1 << 20)),
            ("2Xi", None),
            ("", None),
        ] {
            assert_eq!(quantity_bytes(q), want, "{q}");
        }
    }
}

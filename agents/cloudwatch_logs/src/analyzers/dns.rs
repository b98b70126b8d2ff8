//! Which DNS failure a `dns_failure` pattern is. Resolution that fails intermittently or for
//! many names (`EAI_AGAIN`, "Temporary failure", timeouts to port 53, CoreDNS complaining) is the
//! cluster's DNS: infrastructure. One name that the resolver answers does not exist
//! (`ENOTFOUND`, NXDOMAIN, "no such host"), every time, while other lookups work, is that
//! dependency's address being gone: a dependency failure, named by its host.

use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// A resolver's definitive "no such name" answer.
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\benotfound\b|no such host|\bnxdomain\b|unknownhostexception|name or service not known|could not resolve host|name does not resolve")
        .expect("static regex")
});
/// A resolver that did not answer, or answered with a failure of its own.
static TRANSIENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)eai_again|temporary failure|try again|timed? ?out|i/o timeout|servfail|server misbehaving|connection refused")
        .expect("static regex")
});
/// Services whose own logs are the cluster's DNS.
const DNS_SERVERS: &[&str] = &[
    "coredns",
    "kube-dns",
    "node-local-dns",
    "nodelocaldns",
    "dnsmasq",
];
/// Dotted tokens that are file names or code, not hosts.
const NOT_TLDS: &[&str] = &[
    "js", "ts", "py", "go", "rb", "java", "kt", "rs", "php", "cs", "json", "yaml", "yml", "log",
    "conf", "txt", "sh",
];

/// The host names a line mentions (lowercase dotted names with a letter in the last label,
/// not IP addresses, not source files or class names).
fn hosts(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .map(|t| t.trim_matches(|c| c == '.' || c == '-'))
        .filter(|t| t.contains('.') && !t.contains(".."))
        .filter(|t| !t.bytes().any(|b| b.is_ascii_uppercase()))
        .filter(|t| {
            t.rsplit('.').next().is_some_and(|tld| {
                tld.len() >= 2
                    && tld.bytes().all(|b| b.is_ascii_lowercase())
                    && !NOT_TLDS.contains(&tld)
            })
        })
}

/// The one host that the lines say does not exist, when that is all they say: every line is a
/// definitive not-found for the same single name, none is a transient failure, and no DNS
/// server of the cluster complains (`services` are the services logging this signature).
pub fn missing_host<'a>(lines: &[&'a str], services: &[&str]) -> Option<&'a str> {
    if lines.is_empty()
        || services
            .iter()
            .any(|s| DNS_SERVERS.iter().any(|d| s.contains(d)))
    {
        return None;
    }
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for line in lines {
        if !NOT_FOUND.is_match(line) || TRANSIENT.is_match(line) {
            return None;
        }
        names.extend(hosts(line));
    }
    let mut it = names.into_iter();
    match (it.next(), it.next()) {
        (Some(host), None) => Some(host),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(lines: &[&str], services: &[&str], want: Option<&str>) {
        assert_eq!(
            missing_host(lines, services),
            want,
            "{lines:?} {services:?}"
        );
    }

    #[test]
    fn one_name_that_does_not_exist_is_a_missing_host() {
        let app = &["quote-engine"];
        check(
            &[
                "fx rates refresh failed: getaddrinfo ENOTFOUND fx-feed.int.lumentravel.net",
                "POST /v3/quotes 502: FxUnavailableError: getaddrinfo ENOTFOUND fx-feed.int.lumentravel.net",
            ],
            app,
            Some("fx-feed.int.lumentravel.net"),
        );
        check(
            &["dial tcp: lookup ledger.payments.svc.cluster.local on 172.20.0.10:53: no such host"],
            app,
            Some("ledger.payments.svc.cluster.local"),
        );
        check(
            &["java.net.UnknownHostException: rates.partner.example: Name or service not known"],
            app,
            Some("rates.partner.example"),
        );
        check(
            &["curl: (6) Could not resolve host: api.vendor.io (at worker.py line 3)"],
            app,
            Some("api.vendor.io"),
        );
    }

    #[test]
    fn the_clusters_dns_failing_is_not_a_missing_host() {
        let app = &["checkout-api"];
        // Transient: the resolver did not answer.
        check(&["getaddrinfo EAI_AGAIN api.stripe.com"], app, None);
        check(
            &["socket.gaierror: [Errno -3] Temporary failure in name resolution (api.stripe.com)"],
            app,
            None,
        );
        check(
            &[
                "lookup db.internal on 10.0.0.10:53: read udp 10.1.2.3:4000->10.0.0.10:53: i/o timeout",
            ],
            app,
            None,
        );
        // Several names fail.
        check(
            &[
                "getaddrinfo ENOTFOUND api.stripe.com",
                "getaddrinfo ENOTFOUND hooks.slack.com",
            ],
            app,
            None,
        );
        // CoreDNS itself logs the failures.
        check(
            &["getaddrinfo ENOTFOUND db.internal"],
            &["orders-api", "coredns"],
            None,
        );
        // A line that is not a not-found at all.
        check(&["connect ECONNREFUSED 10.0.3.4:5432"], app, None);
        check(&[], app, None);
    }
}

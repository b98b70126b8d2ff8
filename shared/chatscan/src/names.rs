//! Name matching in chat text: where a service, namespace or resource name occurs as a whole
//! name, and which token of the message it belongs to.
//!
//! The rule (documented decision, pinned by the table test in `tests/it/names.rs`):
//!
//! * ASCII case-insensitive; the name must start a token — the character before it is not a
//!   letter, digit, `_` or `-` (`payments-api` is not found in `old-payments-api` or
//!   `mypayments-api`);
//! * it must end a word — the character after it is not a letter, digit or `_`. A `-` or `.`
//!   after it is allowed, because that names the service's own objects: its pods
//!   (`cart-api-7d9f8b6c4-x2k4q`), ConfigMaps (`cart-api-config`), Argo apps (`cart-api-prod`),
//!   hostnames (`cart-api.cart.svc`);
//! * except a version suffix: `cart-api-v2` is a different service (`-v` followed by digits),
//!   so `cart-api` does not match it.
//!
//! `sremesh_core::text::contains_word` is used for vocabulary (plain words, phrases); this
//! module is for names.

/// Byte ranges `(start, end)` of every whole-name occurrence of `name` in `text`.
pub fn find_name(text: &str, name: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if name.is_empty() || !name.is_ascii() {
        return out;
    }
    let hay = text.to_ascii_lowercase();
    let needle = name.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = hay.get(from..).and_then(|h| h.find(&needle)) {
        let start = from + pos;
        let end = start + needle.len();
        if left_ok(&hay, start) && right_ok(&hay, end) {
            out.push((start, end));
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// True when `name` occurs in `text` as a whole name (see the module docs).
pub fn contains_name(text: &str, name: &str) -> bool {
    !find_name(text, name).is_empty()
}

fn left_ok(hay: &str, start: usize) -> bool {
    hay[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'))
}

fn right_ok(hay: &str, end: usize) -> bool {
    let rest = &hay[end..];
    let Some(c) = rest.chars().next() else {
        return true;
    };
    if c.is_alphanumeric() || c == '_' {
        return false;
    }
    if c == '-' {
        // `-v2`, `-v10`: a versioned sibling, not this service.
        let component: String = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let is_version = component.len() >= 2
            && component.starts_with('v')
            && component[1..].bytes().all(|b| b.is_ascii_digit());
        return !is_version;
    }
    true
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The name-like token of `text` that contains the byte range `[start, end)`: letters,
/// digits, `-`, `_` and `.`, without trailing punctuation (`orders-rabbitmq` around `orders`).
pub fn token_at(text: &str, start: usize, end: usize) -> &str {
    let begin = text[..start]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_token_char(*c))
        .last()
        .map_or(start, |(i, _)| i);
    let stop = text[end..]
        .char_indices()
        .take_while(|(_, c)| is_token_char(*c))
        .last()
        .map_or(end, |(i, c)| end + i + c.len_utf8());
    text[begin..stop].trim_end_matches(['.', '-', '_'])
}

/// The word right after byte `end` (skipping spaces), lowercased: `db` in `orders db now`.
pub fn next_word(text: &str, end: usize) -> String {
    text[end..]
        .trim_start_matches([' ', '\t'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Storage and messaging systems: a change to one of these (named with the alert's namespace
/// or product, like `orders-db` or `orders rabbitmq`) is a change to the service's dependency.
#[rustfmt::skip]
const DATASTORES: &[&str] = &[
    "db", "database", "rds", "aurora", "postgres", "postgresql", "pg", "pgbouncer", "mysql",
    "mariadb", "redis", "elasticache", "memcached", "cache", "rabbitmq", "rabbit", "kafka", "msk",
    "queue", "sqs", "dynamodb", "dynamo", "mongo", "mongodb", "cassandra", "elasticsearch",
    "opensearch", "clickhouse", "nats", "zookeeper", "etcd", "broker", "kinesis", "table", "topic",
];

/// True when `word` (one component) names a storage or messaging system.
pub fn is_datastore_word(word: &str) -> bool {
    DATASTORES.contains(&word.to_ascii_lowercase().as_str())
}

/// True when one `-`/`_`/`.` component of `token` names a storage or messaging system
/// (`orders-rabbitmq`, `orders_db`, `orders-db-connections-high`).
pub fn has_datastore_part(token: &str) -> bool {
    token.split(['-', '_', '.']).any(is_datastore_word)
}

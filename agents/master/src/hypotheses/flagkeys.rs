//! A feature flag's key against the code that fails: `bundle_discounts_v2` shares `bundle` and
//! `discount` with a crash in `internal/discount/bundle.go` — the flag guards that code.

use super::Group;

/// Words of a name for comparing a flag key with code paths: split at punctuation and inner
/// capitals, lowercased, a plural `s` dropped; four letters or more and not a flag's own
/// vocabulary.
fn name_words(text: &str) -> Vec<String> {
    const NOT_TELLING: &[&str] = &[
        "enable",
        "enabled",
        "disable",
        "disabled",
        "flag",
        "feature",
        "toggle",
        "switch",
        "kill",
        "launch",
        "rollout",
        "experiment",
        "test",
        "beta",
    ];
    let mut out: Vec<String> = Vec::new();
    for part in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cur = String::new();
        let mut words = Vec::new();
        for (i, ch) in part.char_indices() {
            let prev_lower = i > 0 && part[..i].ends_with(|p: char| p.is_ascii_lowercase());
            if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            cur.push(ch.to_ascii_lowercase());
        }
        words.push(cur);
        for w in words {
            let w = w
                .strip_suffix('s')
                .filter(|s| !s.ends_with('s'))
                .unwrap_or(&w)
                .to_owned();
            if w.len() >= 4
                && w.chars().all(|c| c.is_ascii_alphabetic())
                && !NOT_TELLING.contains(&w.as_str())
                && !out.contains(&w)
            {
                out.push(w);
            }
        }
    }
    out
}

/// Two of the key's words (or its only one) among the words of the group's failures: their
/// titles, evidence and the frame they died in.
pub(crate) fn key_words_in_failures(key: &str, g: &Group<'_>) -> bool {
    let own = name_words(key);
    if own.is_empty() {
        return false;
    }
    let mut seen: Vec<String> = Vec::new();
    for (e, _) in &g.members {
        seen.extend(name_words(&e.f.title));
        for l in &e.f.evidence {
            seen.extend(name_words(l));
        }
        if let Some(t) = e.f.attributes.get("top_frame").and_then(|v| v.as_str()) {
            seen.extend(name_words(t));
        }
    }
    own.iter().filter(|w| seen.contains(w)).count() >= own.len().min(2)
}

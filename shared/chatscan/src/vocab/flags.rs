//! Feature flags and toggles: a message that turns one on or off (`turning on
//! tiered-discounts-v2 for 100% in LaunchDarkly now`, `rolled out flag new-checkout to 50%`,
//! `disabled the kill switch`), and the flag's name.

use regex::Regex;
use sremesh_core::text::contains_word;
use std::sync::LazyLock;

/// Words that name a flag or a flag service.
#[rustfmt::skip]
const FLAG_WORDS: &[&str] = &[
    "feature flag", "feature flags", "feature toggle", "flag", "flags", "toggle", "kill switch",
    "killswitch", "launchdarkly", "launch darkly", "unleash", "flagsmith", "growthbook",
    "configcat", "statsig", "split.io", "optimizely", "flipt", "flagd",
];
/// Verbs that switch something on or off.
#[rustfmt::skip]
const SWITCH_VERBS: &[&str] = &[
    "turned on", "turned off", "turning on", "turning off", "turn on", "turn off",
    "switched on", "switched off", "switching on", "switching off", "enabled", "enabling",
    "enable", "disabled", "disabling", "disable", "flipped", "flipping", "flip", "toggled",
    "toggling", "ramped", "ramping", "ramp up", "ramped up", "ramping up",
];
/// Verbs that roll something out (a flag only when a flag word is beside them: a canary
/// deploy is rolled out to 50% too).
const ROLLOUT_VERBS: &[&str] = &["rolled out", "rolling out", "roll out", "rollout", "set to"];

/// `for 100%`, `to 50 %`, `for all users`: the audience of a toggle.
static AUDIENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b\d{1,3}(?:\.\d+)?\s?%|\bfor (?:all|every)(?:one| users| customers| tenants| accounts)\b")
        .expect("static regex")
});
/// `` `name` ``, `"name"`, `'name'`, `“name”`.
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[`"'“‘]([A-Za-z][A-Za-z0-9_.:/-]{1,80})[`"'”’]"#).expect("static regex")
});

fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(text, w))
}

/// True when the text switches a feature flag or toggle: a switch verb beside a flag word or
/// an audience (`for 100%`), or a rollout verb beside a flag word.
pub fn is_flag_toggle(text: &str) -> bool {
    let flag = any_word(text, FLAG_WORDS);
    (any_word(text, SWITCH_VERBS) && (flag || AUDIENCE.is_match(text)))
        || (flag && any_word(text, ROLLOUT_VERBS))
}

/// A flag key: has a `-`, `_`, `.` or `:` between letters, or inner capitals
/// (`tiered-discounts-v2`, `new_checkout`, `checkout.v2`, `newCheckout`), and is no version,
/// percentage or URL.
fn is_key(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let lower = w.to_ascii_lowercase();
    let joined = w.contains(['-', '_', '.', ':'])
        || w.chars().skip(1).any(|c| c.is_ascii_uppercase())
            && w.chars().any(|c| c.is_ascii_lowercase());
    w.len() >= 3
        && w.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && joined
        && !lower.starts_with("http")
        && !lower.contains("://")
        && !w
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == 'v')
        && !FLAG_WORDS.contains(&lower.as_str())
        && !SWITCH_VERBS.contains(&lower.as_str())
}

/// The name of the flag `text` switches: the key right after a flag word or a switch verb
/// (`flag new-checkout`, `turning on **tiered-discounts-v2** for 100% of \`eu-launch\``: the
/// audience's segment quoted later is not the flag), else a quoted key, else the key right
/// before a flag word (`the new-checkout flag`).
pub fn flag_name(text: &str) -> Option<String> {
    let quoted = || {
        QUOTED
            .captures_iter(text)
            .find(|c| is_key(&c[1]))
            .map(|c| c[1].to_owned())
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let clean = |w: &str| {
        w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_owned()
    };
    let lower: Vec<String> = words
        .iter()
        .map(|w| clean(w).to_ascii_lowercase())
        .collect();
    let is_trigger = |i: usize| {
        let one = lower[i].as_str();
        let two = lower
            .get(i + 1)
            .map(|n| format!("{one} {n}"))
            .unwrap_or_default();
        [one, two.as_str()].iter().any(|w| {
            FLAG_WORDS.contains(w) || SWITCH_VERBS.contains(w) || ROLLOUT_VERBS.contains(w)
        })
    };
    // After a trigger, within four words.
    for i in 0..words.len() {
        if is_trigger(i)
            && let Some(k) = words[i + 1..].iter().take(4).find(|w| is_key(w))
        {
            return Some(clean(k));
        }
    }
    if let Some(q) = quoted() {
        return Some(q);
    }
    // Before a flag word.
    (1..words.len())
        .filter(|&i| FLAG_WORDS.contains(&lower[i].as_str()))
        .find_map(|i| words[..i].iter().rev().take(2).find(|w| is_key(w)))
        .map(|k| clean(k))
}

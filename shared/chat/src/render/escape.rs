//! Neutralising untrusted text (alert text, log lines, chat messages, finding titles, error
//! strings): it can never ping anyone, link anywhere, or break the markup around it.
//!
//! * Slack: `&`, `<`, `>` become entities (so `<!channel>`, `<@U1>`, `<#C1>`, `<url|label>` are
//!   inert text), `@channel` / `@here` / `@everyone` get a zero-width space after the `@`,
//!   backticks become `ˋ` (Slack has no escape for them), and `*` `_` `~` at a word boundary
//!   become look-alikes (`∗` `ˍ` `∼`) so they cannot open or close our bold/italic/strike.
//!   Inside words (`PAYMENT_TIMEOUT`) they stay as they are.
//! * Discord: markdown characters are backslash-escaped (`\*`, `\_`, `\~`, `\|`, `` \` ``,
//!   `\[`, `\]`, and `#`, `>`, `-`, `+` at the start), so masked links `[label](url)`, spoilers,
//!   code and headings stay text; `<` gets a zero-width space after it (`<@1>`, `<@&1>`, `<#1>`,
//!   `</cmd:1>`, `<t:1>` stay text) and so does the `@` of `@everyone` / `@here`. Messages are
//!   also sent with `allowed_mentions: {"parse": []}`.
//! * Everywhere: control characters (ANSI escapes included) and bidi overrides are dropped,
//!   tabs become spaces, line breaks become spaces ([`escape`]) or separate lines
//!   ([`escape_lines`]).

use super::Dialect;

/// Zero-width space: invisible, but breaks a mention token.
pub const ZWSP: char = '\u{200B}';

/// Words that notify a whole channel after an `@`.
const BROADCASTS: [&str; 3] = ["channel", "here", "everyone"];

/// Escapes `text` as one line for `dialect`.
pub fn escape(text: &str, dialect: Dialect) -> String {
    let chars = clean(text, true);
    match dialect {
        Dialect::Slack => slack(&chars),
        Dialect::Discord => discord(&chars),
        Dialect::Terminal { .. } => chars.into_iter().collect(),
    }
}

/// Escapes multi-line `text` for `dialect`, one escaped string per line (trailing blank lines
/// dropped).
pub fn escape_lines(text: &str, dialect: Dialect) -> Vec<String> {
    let mut lines: Vec<String> = text.lines().map(|l| escape(l, dialect)).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Drops control and bidi characters; tabs (and, when `one_line`, line breaks) become spaces.
fn clean(text: &str, one_line: bool) -> Vec<char> {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\n' if one_line => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() || is_bidi_control(c) => None,
            c => Some(c),
        })
        .collect()
}

/// True when `@` at `i` starts `@channel`, `@here` or `@everyone` (any case, even as the start
/// of a longer word: the platforms' own parsers are not documented to need a boundary).
fn broadcast_after(chars: &[char], i: usize) -> bool {
    BROADCASTS.iter().any(|w| {
        let end = i + 1 + w.len();
        end <= chars.len()
            && chars[i + 1..end]
                .iter()
                .zip(w.chars())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    })
}

fn slack(chars: &[char]) -> String {
    let word = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphanumeric())
    };
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let boundary = !word(i.checked_sub(1)) || !word(Some(i + 1));
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push('ˋ'),
            '*' if boundary => out.push('∗'),
            '_' if boundary => out.push('ˍ'),
            '~' if boundary => out.push('∼'),
            '@' => {
                out.push('@');
                if broadcast_after(chars, i) {
                    out.push(ZWSP);
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn discord(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '*' | '_' | '~' | '|' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '>' | '-' | '+' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '<' => {
                out.push('<');
                out.push(ZWSP);
            }
            '@' => {
                out.push('@');
                if broadcast_after(chars, i) {
                    out.push(ZWSP);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The URL if it is safe to make a link of (http(s), no spaces, no markup characters).
pub(crate) fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme = url.starts_with("https://") || url.starts_with("http://");
    let clean = url.chars().all(|c| {
        !c.is_whitespace() && !c.is_control() && !matches!(c, '<' | '>' | '|' | '`' | '"')
    });
    (scheme && clean && url.len() > 8 && url.len() <= 2000).then_some(url)
}

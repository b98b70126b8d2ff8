//! How a word is used in its sentence: asked about (`is it the database?`, `why hasn't it
//! scaled out?`), guessed at (`maybe the flag got flipped`), denied (`I don't see a deploy`) or
//! placed in the past (`last night`).

use sremesh_core::text::contains_word;

#[rustfmt::skip]
const QUESTION_OPENERS: &[&str] = &[
    "is", "are", "was", "were", "did", "does", "do", "has", "have", "can", "could", "should",
    "anyone", "any", "anything", "anybody", "something", "somebody", "what", "why", "who",
    "how", "when", "where", "which", "hasn't", "isn't", "wasn't", "didn't", "doesn't",
];
#[rustfmt::skip]
const QUESTION_MARKERS: &[&str] = &[
    "is it", "is that", "was it", "was that", "did", "was there", "were there", "anyone",
    "could it be", "maybe",
];

/// Words that make a sentence a guess rather than a statement.
#[rustfmt::skip]
const GUESSES: &[&str] = &[
    "maybe", "perhaps", "possibly", "probably", "might", "could it be", "could be", "might be",
    "must have", "i wonder", "wondering", "my guess", "i guess", "i suspect", "suspect",
    "not sure if", "not sure whether", "or is it", "or was it", "think", "thought", "doubt",
    "assume", "assuming",
];

#[rustfmt::skip]
const OLD_NEWS: &[&str] = &[
    "last night", "yesterday", "last week", "last month", "days ago", "weeks ago", "last friday",
    "last monday", "over the weekend",
];

/// True when the sentence of `text` at `word_at` places what it tells well before any
/// investigation window ("orders-db had maintenance last night").
pub fn is_old_news(text: &str, word_at: usize) -> bool {
    let sentence = sentence_at(text, word_at);
    OLD_NEWS.iter().any(|p| contains_word(sentence, p))
}

/// True when the word at `word_at` is guessed at (`maybe default_transaction_read_only got
/// flipped`, `could be the failover`): a guess word before it in its sentence, question mark
/// or not. A warning after an announcement (`restarting orders-db now, this might cause
/// errors`) is no guess about it.
pub fn is_speculation(text: &str, word_at: usize) -> bool {
    let mut at = word_at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let sentence = sentence_at(text, at);
    let start = sentence.as_ptr() as usize - text.as_ptr() as usize;
    let before = &text[start..at.max(start)];
    GUESSES.iter().any(|g| contains_word(before, g))
}

/// True when the sentence of `text` containing `word` is a question or a guess
/// (`is it the database?`, `did v2.8.1 break the parser?`, `storefront is slow — why hasn't
/// it scaled out?`) rather than an announcement.
pub fn is_question_about(text: &str, word_at: usize) -> bool {
    let sentence = sentence_at(text, word_at);
    if !sentence.trim_end().ends_with('?') {
        return false;
    }
    let opens = |part: &str| {
        let first = part
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase();
        QUESTION_OPENERS.contains(&first.as_str())
    };
    // The clause the word sits in (after a dash, a semicolon or a comma) may be the question.
    let offset = sentence.as_ptr() as usize - text.as_ptr() as usize;
    let mut within = word_at.saturating_sub(offset).min(sentence.len());
    while !sentence.is_char_boundary(within) {
        within -= 1;
    }
    let clause_start = sentence[..within]
        .rfind(['—', '–', ';', ',', ':'])
        .map_or(0, |i| {
            i + sentence[i..].chars().next().map_or(1, char::len_utf8)
        });
    opens(sentence)
        || opens(&sentence[clause_start..])
        || QUESTION_MARKERS.iter().any(|m| contains_word(sentence, m))
}

/// The sentence around byte `at`: bounded by `. `, `!`, `?` (kept) or a line break.
fn sentence_at(text: &str, at: usize) -> &str {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i >= at {
            break;
        }
        let next = text[i + c.len_utf8()..].chars().next();
        let ends =
            matches!(c, '!' | '?' | '\n') || (c == '.' && next.is_none_or(char::is_whitespace));
        if ends {
            start = i + c.len_utf8();
        }
    }
    let mut end = text.len();
    for (i, c) in text[at..].char_indices() {
        let next = text[at + i + c.len_utf8()..].chars().next();
        let ends =
            matches!(c, '!' | '?' | '\n') || (c == '.' && next.is_none_or(char::is_whitespace));
        if ends {
            end = at + i + c.len_utf8();
            break;
        }
    }
    &text[start..end]
}

#[rustfmt::skip]
const NEGATIONS: &[&str] = &[
    "no", "not", "don't", "dont", "didn't", "didnt", "doesn't", "haven't", "hasn't", "wasn't",
    "weren't", "isn't", "without", "never", "nothing", "nor",
];

/// True when one of the three words before byte `at` (in its sentence) negates it.
pub fn is_negated(text: &str, at: usize) -> bool {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let sentence = sentence_at(text, at);
    let start = sentence.as_ptr() as usize - text.as_ptr() as usize;
    let before = &text[start..at.max(start)];
    before
        .split_whitespace()
        .rev()
        .take(3)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_ascii_lowercase()
                .replace('’', "'")
        })
        .any(|w| NEGATIONS.contains(&w.as_str()))
}

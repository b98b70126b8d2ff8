//! Tokens of a Logs Insights query, each with its byte span (for errors and column names).

use super::QueryError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: command, keyword, field (`@timestamp`, `kubernetes.pod_name`) or `5m`.
    Word(String),
    /// A backtick-quoted field name.
    Field(String),
    Str(String),
    Num(f64),
    /// `/regex/` (the text between the slashes, `\/` unescaped).
    Regex(String),
    Pipe,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`
    Match,
    /// Text the language does not have (arithmetic, stray characters): the parser reports
    /// this message once it knows the command is otherwise supported.
    Invalid(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '@' | '.' | '$')
}

/// Splits `query` into tokens; `#` starts a comment that runs to the end of the line.
pub(crate) fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    let mut out: Vec<Token> = Vec::new();
    let mut it = query.char_indices().peekable();
    while let Some(&(start, c)) = it.peek() {
        let simple = |tok| Some((tok, 1usize));
        let fixed = match c {
            '|' => simple(Tok::Pipe),
            ',' => simple(Tok::Comma),
            '(' => simple(Tok::LParen),
            ')' => simple(Tok::RParen),
            '[' => simple(Tok::LBracket),
            ']' => simple(Tok::RBracket),
            '*' => simple(Tok::Star),
            _ => None,
        };
        if let Some((tok, len)) = fixed {
            it.next();
            out.push(Token {
                tok,
                start,
                end: start + len,
            });
            continue;
        }
        let rest = &query[start..];
        let (tok, len) = if c.is_whitespace() {
            it.next();
            continue;
        } else if c == '#' {
            let len = rest.find('\n').unwrap_or(rest.len());
            skip(&mut it, start + len);
            continue;
        } else if let Some(op) = operator(rest) {
            op
        } else if c == '"' || c == '\'' {
            quoted(rest, c, start)?
        } else if c == '`' {
            let close = rest[1..]
                .find('`')
                .ok_or_else(|| QueryError::new("unterminated `field name`", start, query.len()))?;
            (Tok::Field(rest[1..1 + close].to_string()), close + 2)
        } else if c == '/' {
            regex(rest, start)?
        } else if c == '-' && rest[1..].starts_with(|d: char| d.is_ascii_digit()) {
            let len = 1 + rest[1..]
                .find(|d: char| !word_char(d))
                .unwrap_or(rest.len() - 1);
            number(&rest[..len], start)?
        } else if word_char(c) {
            let len = rest.find(|d: char| !word_char(d)).unwrap_or(rest.len());
            let word = &rest[..len];
            if word.starts_with(|d: char| d.is_ascii_digit()) && word.parse::<f64>().is_ok() {
                number(word, start)?
            } else {
                (Tok::Word(word.to_string()), len)
            }
        } else if matches!(c, '+' | '-' | '%' | '^') {
            let message =
                format!("arithmetic ('{c}') is not supported by this sandbox's Logs Insights");
            (Tok::Invalid(message), 1)
        } else {
            (
                Tok::Invalid(format!("unexpected character '{c}'")),
                c.len_utf8(),
            )
        };
        skip(&mut it, start + len);
        out.push(Token {
            tok,
            start,
            end: start + len,
        });
    }
    Ok(out)
}

fn skip(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, until: usize) {
    while it.peek().is_some_and(|&(i, _)| i < until) {
        it.next();
    }
}

fn operator(rest: &str) -> Option<(Tok, usize)> {
    const OPS: [(&str, Tok); 8] = [
        ("=~", Tok::Match),
        ("!=", Tok::Ne),
        ("<=", Tok::Le),
        (">=", Tok::Ge),
        ("==", Tok::Eq),
        ("=", Tok::Eq),
        ("<", Tok::Lt),
        (">", Tok::Gt),
    ];
    OPS.iter()
        .find(|(text, _)| rest.starts_with(text))
        .map(|(text, tok)| (tok.clone(), text.len()))
}

fn number(text: &str, start: usize) -> Result<(Tok, usize), QueryError> {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Ok((Tok::Num(n), text.len())),
        _ => Err(QueryError::new(
            format!("'{text}' is not a number"),
            start,
            start + text.len(),
        )),
    }
}

fn quoted(rest: &str, quote: char, start: usize) -> Result<(Tok, usize), QueryError> {
    let mut text = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if c == quote {
            return Ok((Tok::Str(text), i + 1));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => break,
            }
        } else {
            text.push(c);
        }
    }
    Err(QueryError::new(
        "unterminated string literal",
        start,
        start + rest.len(),
    ))
}

fn regex(rest: &str, start: usize) -> Result<(Tok, usize), QueryError> {
    let mut source = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '/' => return Ok((Tok::Regex(source), i + 1)),
            '\\' => match chars.next() {
                Some((_, '/')) => source.push('/'),
                Some((_, escaped)) => {
                    source.push('\\');
                    source.push(escaped);
                }
                None => break,
            },
            c => source.push(c),
        }
    }
    Err(QueryError::new(
        "unterminated /regex/ (arithmetic division is not supported either)",
        start,
        start + rest.len(),
    ))
}

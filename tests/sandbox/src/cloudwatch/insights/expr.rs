//! Insights expressions (`filter`, `fields`, `stats` arguments): parsing and evaluation.

use super::QueryError;
use super::cursor::Cursor;
use super::lexer::Tok;
use super::value::{Row, Value, numeric};
use regex::Regex;

#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Field(String),
    Str(String),
    Num(f64),
    Call(Func, Vec<Expr>),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    /// `x like /re/`, `x like "sub"`, `x =~ /re/`; the flag is `not like`.
    Like(Box<Expr>, Matcher, bool),
    /// `x in [a, b]`; the flag is `not in`.
    In(Box<Expr>, Vec<Expr>, bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    Regex(Regex),
    Substr(String),
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Func {
    IsPresent,
    IsEmpty,
    IsBlank,
    ToLower,
    ToUpper,
    StrLen,
    Concat,
    Coalesce,
    /// `bin(period)`: `@timestamp` rounded down to the period (ms).
    Bin(i64),
    /// `datefloor(x, period)`.
    DateFloor(i64),
}

const KEYWORDS: [&str; 9] = ["and", "or", "not", "like", "in", "as", "by", "asc", "desc"];

pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Compiles an Insights regex (the `regex` crate's syntax; `(?i)` and friends work).
pub(crate) fn compile_regex(source: &str, start: usize, end: usize) -> Result<Regex, QueryError> {
    regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| QueryError::new(format!("invalid regular expression: {e}"), start, end))
}

/// A period like `5m`, `30s`, `1h`, `100ms`, `2d` in milliseconds.
pub(crate) fn period(c: &mut Cursor) -> Result<i64, QueryError> {
    let (start, end) = c.span_here();
    let Some(Tok::Word(text)) = c.next().map(|t| t.tok) else {
        return Err(QueryError::new(
            "expected a time period like 1m, 5m, 30s or 1h",
            start,
            end,
        ));
    };
    let digits = text.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(0);
    let unit_ms: Option<i64> = match text[digits..].to_ascii_lowercase().as_str() {
        "ms" => Some(1),
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1_000),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(60_000),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(3_600_000),
        "d" | "day" | "days" => Some(86_400_000),
        _ => None,
    };
    let count = text[..digits].parse::<i64>().ok().filter(|n| *n > 0);
    match (count, unit_ms) {
        (Some(n), Some(unit)) => n.checked_mul(unit).ok_or_else(|| {
            QueryError::new(format!("time period '{text}' is too long"), start, end)
        }),
        _ => Err(QueryError::new(
            format!("unsupported time period '{text}' (supported units: ms, s, m, h, d, e.g. 5m)"),
            start,
            end,
        )),
    }
}

/// `or` < `and` < `not` < comparison.
pub(crate) fn parse(c: &mut Cursor) -> Result<Expr, QueryError> {
    let mut left = parse_and(c)?;
    while c.eat_word("or") {
        left = Expr::Or(Box::new(left), Box::new(parse_and(c)?));
    }
    Ok(left)
}

fn parse_and(c: &mut Cursor) -> Result<Expr, QueryError> {
    let mut left = parse_not(c)?;
    while c.eat_word("and") {
        left = Expr::And(Box::new(left), Box::new(parse_not(c)?));
    }
    Ok(left)
}

fn parse_not(c: &mut Cursor) -> Result<Expr, QueryError> {
    if c.eat_word("not") {
        c.enter()?;
        let inner = parse_not(c)?;
        c.leave();
        return Ok(Expr::Not(Box::new(inner)));
    }
    parse_cmp(c)
}

fn parse_cmp(c: &mut Cursor) -> Result<Expr, QueryError> {
    let left = Box::new(operand(c)?);
    let op = match c.peek() {
        Some(Tok::Eq) => Some(Cmp::Eq),
        Some(Tok::Ne) => Some(Cmp::Ne),
        Some(Tok::Lt) => Some(Cmp::Lt),
        Some(Tok::Le) => Some(Cmp::Le),
        Some(Tok::Gt) => Some(Cmp::Gt),
        Some(Tok::Ge) => Some(Cmp::Ge),
        _ => None,
    };
    if let Some(op) = op {
        c.next();
        return Ok(Expr::Cmp(op, left, Box::new(operand(c)?)));
    }
    if c.peek() == Some(&Tok::Match) {
        c.next();
        return Ok(Expr::Like(left, matcher(c)?, false));
    }
    let negated = c.peek_word("not");
    if negated {
        c.next();
    }
    if c.eat_word("like") {
        return Ok(Expr::Like(left, matcher(c)?, negated));
    }
    if c.eat_word("in") {
        return Ok(Expr::In(left, list(c)?, negated));
    }
    if negated {
        let (start, end) = c.span_here();
        return Err(QueryError::new(
            "expected 'like' or 'in' after 'not'",
            start,
            end,
        ));
    }
    Ok(*left)
}

fn matcher(c: &mut Cursor) -> Result<Matcher, QueryError> {
    let (start, end) = c.span_here();
    match c.next().map(|t| t.tok) {
        Some(Tok::Regex(source)) => Ok(Matcher::Regex(compile_regex(&source, start, end)?)),
        Some(Tok::Str(text)) => Ok(Matcher::Substr(text)),
        _ => Err(QueryError::new(
            "expected /regex/ or \"substring\" after like",
            start,
            end,
        )),
    }
}

fn list(c: &mut Cursor) -> Result<Vec<Expr>, QueryError> {
    c.expect(&Tok::LBracket, "'[' to start a list after in")?;
    let mut items = Vec::new();
    if c.peek() == Some(&Tok::RBracket) {
        c.next();
        return Ok(items);
    }
    loop {
        items.push(operand(c)?);
        if c.peek() == Some(&Tok::Comma) {
            c.next();
            continue;
        }
        c.expect(&Tok::RBracket, "',' or ']' in the list")?;
        return Ok(items);
    }
}

/// A value: literal, field, function call or parenthesised expression.
pub(crate) fn operand(c: &mut Cursor) -> Result<Expr, QueryError> {
    let (start, end) = c.span_here();
    let Some(token) = c.next() else {
        return Err(QueryError::new("expected a value", start, end));
    };
    match token.tok {
        Tok::Str(s) => Ok(Expr::Str(s)),
        Tok::Num(n) => Ok(Expr::Num(n)),
        Tok::Field(f) => Ok(Expr::Field(f)),
        Tok::LParen => {
            c.enter()?;
            let inner = parse(c)?;
            c.expect(&Tok::RParen, "')'")?;
            c.leave();
            Ok(inner)
        }
        Tok::Word(w) if c.peek() == Some(&Tok::LParen) => {
            c.enter()?;
            let value = call(c, &w, start, end)?;
            c.leave();
            Ok(value)
        }
        Tok::Word(w) if !is_keyword(&w) => Ok(Expr::Field(w)),
        Tok::Regex(_) => Err(QueryError::new(
            "a /regex/ is only allowed after like or =~",
            start,
            end,
        )),
        _ => Err(QueryError::new("expected a value", start, end)),
    }
}

fn call(c: &mut Cursor, name: &str, start: usize, end: usize) -> Result<Expr, QueryError> {
    c.next(); // '('
    let lower = name.to_ascii_lowercase();
    if lower == "bin" {
        let p = period(c)?;
        c.expect(&Tok::RParen, "')' after the bin period")?;
        return Ok(Expr::Call(
            Func::Bin(p),
            vec![Expr::Field("@timestamp".into())],
        ));
    }
    if lower == "datefloor" {
        let arg = operand(c)?;
        c.expect(&Tok::Comma, "',' and a period in datefloor(field, period)")?;
        let p = period(c)?;
        c.expect(&Tok::RParen, "')'")?;
        return Ok(Expr::Call(Func::DateFloor(p), vec![arg]));
    }
    let (func, arity) = match lower.as_str() {
        "ispresent" => (Func::IsPresent, 1..=1),
        "isempty" => (Func::IsEmpty, 1..=1),
        "isblank" => (Func::IsBlank, 1..=1),
        "tolower" => (Func::ToLower, 1..=1),
        "toupper" => (Func::ToUpper, 1..=1),
        "strlen" => (Func::StrLen, 1..=1),
        "concat" => (Func::Concat, 1..=usize::MAX),
        "coalesce" => (Func::Coalesce, 1..=usize::MAX),
        _ => {
            return Err(QueryError::new(
                format!(
                    "function '{name}' is not supported by this sandbox (supported: ispresent, \
                     isempty, isblank, tolower, toupper, strlen, concat, coalesce, bin, \
                     datefloor; in stats: count, count_distinct, sum, avg, min, max, pct)"
                ),
                start,
                end,
            ));
        }
    };
    let mut args = Vec::new();
    if c.peek() != Some(&Tok::RParen) {
        loop {
            args.push(parse(c)?);
            if c.peek() == Some(&Tok::Comma) {
                c.next();
            } else {
                break;
            }
        }
    }
    c.expect(&Tok::RParen, "')' to close the function call")?;
    if !arity.contains(&args.len()) {
        return Err(QueryError::new(
            format!("wrong number of arguments to {name}()"),
            start,
            end,
        ));
    }
    if matches!(func, Func::IsPresent) && !matches!(args[0], Expr::Field(_)) {
        return Err(QueryError::new(
            "ispresent() takes a field name",
            start,
            end,
        ));
    }
    Ok(Expr::Call(func, args))
}

impl Expr {
    /// The expression's value for a row; `None` when a field it needs is absent.
    pub fn eval(&self, row: &Row) -> Option<Value> {
        match self {
            Expr::Field(f) => row.get(f).cloned(),
            Expr::Str(s) => Some(Value::Str(s.clone())),
            Expr::Num(n) => Some(Value::Num(*n)),
            Expr::Call(func, args) => call_value(*func, args, row),
            _ => Some(Value::Bool(self.holds(row))),
        }
    }

    /// The expression as a condition (`filter`).
    pub fn holds(&self, row: &Row) -> bool {
        match self {
            Expr::And(a, b) => a.holds(row) && b.holds(row),
            Expr::Or(a, b) => a.holds(row) || b.holds(row),
            Expr::Not(a) => !a.holds(row),
            Expr::Cmp(op, a, b) => match (a.eval(row), b.eval(row)) {
                (Some(x), Some(y)) => compare(*op, &x, &y),
                _ => false,
            },
            Expr::Like(a, m, negated) => {
                let found = a.eval(row).is_some_and(|v| {
                    let text = v.render();
                    match m {
                        Matcher::Regex(r) => r.is_match(&text),
                        Matcher::Substr(s) => text.contains(s.as_str()),
                    }
                });
                found != *negated
            }
            Expr::In(a, items, negated) => {
                let found = a.eval(row).is_some_and(|v| {
                    items
                        .iter()
                        .filter_map(|i| i.eval(row))
                        .any(|i| compare(Cmp::Eq, &v, &i))
                });
                found != *negated
            }
            other => match other.eval(row) {
                Some(Value::Bool(b)) => b,
                Some(Value::Num(n)) => n != 0.0,
                Some(_) => true,
                None => false,
            },
        }
    }
}

/// Numbers (and number-only strings) compare as numbers, everything else as text.
fn compare(op: Cmp, x: &Value, y: &Value) -> bool {
    let ord = match (x.as_f64(), y.as_f64()) {
        (Some(a), Some(b)) => a.partial_cmp(&b),
        _ => Some(x.render().cmp(&y.render())),
    };
    let Some(ord) = ord else { return false };
    match op {
        Cmp::Eq => ord.is_eq(),
        Cmp::Ne => ord.is_ne(),
        Cmp::Lt => ord.is_lt(),
        Cmp::Le => ord.is_le(),
        Cmp::Gt => ord.is_gt(),
        Cmp::Ge => ord.is_ge(),
    }
}

fn call_value(func: Func, args: &[Expr], row: &Row) -> Option<Value> {
    let text = |i: usize| args.get(i).and_then(|a| a.eval(row)).map(|v| v.render());
    match func {
        Func::IsPresent => Some(Value::Bool(args.first()?.eval(row).is_some())),
        Func::IsEmpty => Some(Value::Bool(text(0).is_none_or(|t| t.is_empty()))),
        Func::IsBlank => Some(Value::Bool(text(0).is_none_or(|t| t.trim().is_empty()))),
        Func::ToLower => text(0).map(|t| Value::Str(t.to_lowercase())),
        Func::ToUpper => text(0).map(|t| Value::Str(t.to_uppercase())),
        Func::StrLen => text(0).map(|t| Value::Num(t.chars().count() as f64)),
        Func::Concat => Some(Value::Str(
            (0..args.len()).filter_map(text).collect::<String>(),
        )),
        Func::Coalesce => args.iter().find_map(|a| a.eval(row)),
        Func::Bin(period) | Func::DateFloor(period) => {
            let ms = match args.first()?.eval(row)? {
                Value::Time(ms) => ms,
                Value::Num(n) => n as i64,
                Value::Str(s) => numeric(&s)? as i64,
                Value::Bool(_) => return None,
            };
            Some(Value::Time(ms.div_euclid(period) * period))
        }
    }
}

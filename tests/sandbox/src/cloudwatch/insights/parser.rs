//! Insights query commands: splits the token stream on `|` and parses each command.

use super::QueryError;
use super::cursor::Cursor;
use super::expr::{self, Expr, compile_regex};
use super::lexer::{Tok, Token};
use regex::Regex;

/// Largest `limit` a query may ask for (and the default page of `GetQueryResults`).
pub const MAX_LIMIT: usize = 10_000;

#[derive(Debug, Clone)]
pub(crate) enum Stage {
    Fields(Vec<Item>),
    Filter(Expr),
    Stats(Stats),
    Sort(Vec<SortKey>),
    Limit(usize),
    Parse(Parse),
    Display(Vec<String>),
}

/// An expression and the column name it produces (its alias, or its text as written).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub name: String,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub(crate) struct Stats {
    pub aggs: Vec<Agg>,
    pub groups: Vec<Item>,
}

#[derive(Debug, Clone)]
pub(crate) struct Agg {
    pub name: String,
    pub func: AggFunc,
    /// `None` for `count(*)` / `count()`.
    pub arg: Option<Expr>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum AggFunc {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    Pct(f64),
}

#[derive(Debug, Clone)]
pub(crate) struct SortKey {
    pub field: String,
    pub descending: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Parse {
    pub source: Expr,
    pub regex: Regex,
    /// (capture group index, field name)
    pub captures: Vec<(usize, String)>,
}

/// Parses a whole query into its stages.
pub(crate) fn parse(query: &str, tokens: &[Token]) -> Result<Vec<Stage>, QueryError> {
    let mut stages = Vec::new();
    for command in tokens.split(|t| t.tok == Tok::Pipe) {
        let mut c = Cursor::new(query, command);
        let (start, end) = c.span_here();
        let Some(Tok::Word(name)) = c.next().map(|t| t.tok) else {
            return Err(QueryError::new(
                "expected a command (fields, filter, stats, sort, limit, parse, display)",
                start,
                end,
            ));
        };
        if let Some((message, s, e)) = command.iter().find_map(|t| match &t.tok {
            Tok::Invalid(message) if is_supported(&name) => Some((message, t.start, t.end)),
            _ => None,
        }) {
            return Err(QueryError::new(message.clone(), s, e));
        }
        let stage = match name.to_ascii_lowercase().as_str() {
            "fields" => Stage::Fields(items(&mut c)?),
            "filter" => Stage::Filter(expr::parse(&mut c)?),
            "stats" => Stage::Stats(stats(&mut c)?),
            "sort" => Stage::Sort(sort(&mut c)?),
            "limit" | "head" => Stage::Limit(limit(&mut c)?),
            "parse" => Stage::Parse(parse_command(&mut c)?),
            "display" => Stage::Display(names(&mut c)?),
            _ => {
                return Err(QueryError::new(
                    format!(
                        "command '{name}' is not supported by this sandbox (supported: fields, \
                         filter, stats, sort, limit, parse, display)"
                    ),
                    start,
                    end,
                ));
            }
        };
        if !c.done() {
            let (s, e) = c.span_here();
            return Err(QueryError::new(
                format!("unexpected text in the {name} command"),
                s,
                e,
            ));
        }
        stages.push(stage);
    }
    Ok(stages)
}

fn is_supported(command: &str) -> bool {
    const COMMANDS: [&str; 8] = [
        "fields", "filter", "stats", "sort", "limit", "head", "parse", "display",
    ];
    COMMANDS.iter().any(|c| c.eq_ignore_ascii_case(command))
}

fn items(c: &mut Cursor) -> Result<Vec<Item>, QueryError> {
    let mut out = Vec::new();
    loop {
        let (start, _) = c.span_here();
        let expr = expr::parse(c)?;
        let text = c.text_from(start);
        let name = match (c.alias()?, &expr) {
            (Some(alias), _) => alias,
            (None, Expr::Field(f)) => f.clone(),
            (None, _) => text,
        };
        out.push(Item { name, expr });
        if !c.comma() {
            return Ok(out);
        }
    }
}

fn names(c: &mut Cursor) -> Result<Vec<String>, QueryError> {
    let mut out = vec![c.field_name("a field name")?];
    while c.comma() {
        out.push(c.field_name("a field name")?);
    }
    Ok(out)
}

fn stats(c: &mut Cursor) -> Result<Stats, QueryError> {
    let mut aggs = Vec::new();
    loop {
        aggs.push(agg(c)?);
        if !c.comma() {
            break;
        }
    }
    let groups = if c.eat_word("by") {
        items(c)?
    } else {
        Vec::new()
    };
    Ok(Stats { aggs, groups })
}

fn agg(c: &mut Cursor) -> Result<Agg, QueryError> {
    let (start, end) = c.span_here();
    let name = match c.next().map(|t| t.tok) {
        Some(Tok::Word(w)) => w.to_ascii_lowercase(),
        _ => {
            return Err(QueryError::new(
                "expected an aggregate function such as count(*)",
                start,
                end,
            ));
        }
    };
    c.expect(&Tok::LParen, "'(' after the aggregate function")?;
    let mut func = match name.as_str() {
        "count" => AggFunc::Count,
        "count_distinct" => AggFunc::CountDistinct,
        "sum" => AggFunc::Sum,
        "avg" => AggFunc::Avg,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "pct" | "percentile" => AggFunc::Pct(0.0),
        _ => {
            return Err(QueryError::new(
                format!(
                    "stats function '{name}' is not supported by this sandbox (supported: count, \
                     count_distinct, sum, avg, min, max, pct)"
                ),
                start,
                end,
            ));
        }
    };
    let arg = if matches!(func, AggFunc::Count) && matches!(c.peek(), Some(Tok::Star | Tok::RParen))
    {
        if c.peek() == Some(&Tok::Star) {
            c.next();
        }
        None
    } else {
        Some(expr::parse(c)?)
    };
    if let AggFunc::Pct(_) = func {
        c.expect(&Tok::Comma, "',' and a percentile in pct(field, 95)")?;
        let (s, e) = c.span_here();
        match c.next().map(|t| t.tok) {
            Some(Tok::Num(n)) if (0.0..=100.0).contains(&n) => func = AggFunc::Pct(n),
            _ => return Err(QueryError::new("expected a percentile 0-100", s, e)),
        }
    }
    c.expect(&Tok::RParen, "')' to close the aggregate")?;
    let text = c.text_from(start);
    let name = c.alias()?.unwrap_or(text);
    Ok(Agg { name, func, arg })
}

fn sort(c: &mut Cursor) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    loop {
        let field = c.field_name("a field to sort by")?;
        let descending = if c.eat_word("asc") {
            false
        } else {
            // `desc`, or no direction: newest / largest first.
            c.eat_word("desc");
            true
        };
        keys.push(SortKey { field, descending });
        if !c.comma() {
            return Ok(keys);
        }
    }
}

fn limit(c: &mut Cursor) -> Result<usize, QueryError> {
    let (start, end) = c.span_here();
    match c.next().map(|t| t.tok) {
        Some(Tok::Num(n)) if n.fract() == 0.0 && n >= 1.0 && n <= MAX_LIMIT as f64 => {
            Ok(n as usize)
        }
        _ => Err(QueryError::new(
            format!("limit takes a whole number from 1 to {MAX_LIMIT}"),
            start,
            end,
        )),
    }
}

fn parse_command(c: &mut Cursor) -> Result<Parse, QueryError> {
    let source = Expr::Field(c.field_name("the field to parse, e.g. @message")?);
    let (start, end) = c.span_here();
    match c.next().map(|t| t.tok) {
        Some(Tok::Str(glob)) => {
            let stars = glob.matches('*').count();
            if !c.eat_word("as") {
                let (s, e) = c.span_here();
                return Err(QueryError::new(
                    "parse with a \"pattern\" needs 'as' and one name per *",
                    s,
                    e,
                ));
            }
            let fields = names(c)?;
            if stars == 0 || stars != fields.len() {
                return Err(QueryError::new(
                    format!(
                        "the parse pattern has {stars} '*' but {} names follow 'as'",
                        fields.len()
                    ),
                    start,
                    end,
                ));
            }
            let regex = compile_regex(&glob_to_regex(&glob), start, end)?;
            let captures = fields.into_iter().enumerate().map(|(i, f)| (i + 1, f));
            Ok(Parse {
                source,
                regex,
                captures: captures.collect(),
            })
        }
        Some(Tok::Regex(source_text)) => {
            let regex = compile_regex(&source_text, start, end)?;
            let captures: Vec<(usize, String)> = regex
                .capture_names()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (i, n.to_string())))
                .collect();
            if captures.is_empty() {
                return Err(QueryError::new(
                    "a parse /regex/ needs named groups like (?<name>...)",
                    start,
                    end,
                ));
            }
            Ok(Parse {
                source,
                regex,
                captures,
            })
        }
        _ => Err(QueryError::new(
            "expected a \"glob pattern\" or a /regex/ after the parsed field",
            start,
            end,
        )),
    }
}

/// `user=*, method:*` → `(?s)user=(.*?), method:(.*)`: each `*` captures lazily, except a
/// trailing one, which takes the rest.
fn glob_to_regex(glob: &str) -> String {
    let parts: Vec<&str> = glob.split('*').collect();
    let mut out = String::from("(?s)");
    for (i, part) in parts.iter().enumerate() {
        out.push_str(&regex::escape(part));
        if i + 1 < parts.len() {
            let last_star = i + 2 == parts.len() && parts[i + 1].is_empty();
            out.push_str(if last_star { "(.*)" } else { "(.*?)" });
        }
    }
    out
}

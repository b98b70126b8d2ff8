//! JSON filter patterns (`{ $.level = "error" && $.latency > 500 }`): parser and evaluator.

use super::filter_pattern::{PatternError, percent_regex, quoted};
use regex::Regex;
use serde_json::Value as Json;

/// Deepest parenthesis nesting accepted (keeps the recursive parser's stack bounded).
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone)]
pub(crate) struct JsonPattern(Expr);

#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cond(Vec<Step>, Test),
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone)]
enum Test {
    Eq(Literal, bool),
    Order(Order, f64),
    IsNull,
    IsBool(bool),
    NotExists,
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
enum Literal {
    Num(f64, String),
    Glob(String),
    Regex(Regex),
}

impl JsonPattern {
    /// Parses `pattern`, whose first non-blank byte (at `start`) is `{`.
    pub fn parse(pattern: &str, start: usize) -> Result<Self, PatternError> {
        let mut p = Parser {
            s: pattern,
            i: start + 1,
            depth: 0,
        };
        let expr = p.or()?;
        p.ws();
        if !p.eat("}") {
            return Err(p.err("expected '}' or '&&' / '||'"));
        }
        p.ws();
        if p.i < p.s.len() {
            return Err(p.err("unexpected text after the closing '}'"));
        }
        Ok(Self(expr))
    }

    /// Whether a message (parsed as JSON) satisfies the pattern; non-JSON never matches.
    pub fn matches(&self, message: &str) -> bool {
        match serde_json::from_str::<Json>(message) {
            Ok(doc) => eval(&self.0, &doc),
            Err(_) => false,
        }
    }
}

fn eval(expr: &Expr, doc: &Json) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, doc) && eval(b, doc),
        Expr::Or(a, b) => eval(a, doc) || eval(b, doc),
        Expr::Cond(path, test) => {
            let node = path.iter().try_fold(doc, |node, step| match step {
                Step::Key(k) => node.get(k.as_str()),
                Step::Index(i) => node.get(*i),
            });
            check(node, test)
        }
    }
}

fn check(node: Option<&Json>, test: &Test) -> bool {
    match (test, node) {
        (Test::NotExists, node) => node.is_none(),
        (Test::IsNull, node) => node.is_some_and(Json::is_null),
        (Test::IsBool(b), node) => node.and_then(Json::as_bool) == Some(*b),
        (_, None | Some(Json::Null | Json::Array(_) | Json::Object(_))) => false,
        (Test::Order(op, n), Some(node)) => match node.as_f64() {
            Some(v) => match op {
                Order::Lt => v < *n,
                Order::Le => v <= *n,
                Order::Gt => v > *n,
                Order::Ge => v >= *n,
            },
            None => false,
        },
        (Test::Eq(lit, equal), Some(node)) => {
            let text = match node {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            let same = match lit {
                Literal::Num(n, raw) => match node.as_f64() {
                    Some(v) => v == *n,
                    None => text == *raw,
                },
                Literal::Glob(g) => glob_match(g, &text),
                Literal::Regex(r) => r.is_match(&text),
            };
            same == *equal
        }
    }
}

/// `*` matches any run of characters; everything else literally.
fn glob_match(glob: &str, text: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> PatternError {
        PatternError::new(format!("invalid JSON filter pattern: {message}"), self.i)
    }
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }
    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.i = self.s.len() - trimmed.len();
    }
    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.i += token.len();
            true
        } else {
            false
        }
    }
    fn eat_word(&mut self, word: &str) -> bool {
        self.ws();
        let rest = self.rest();
        let matches = rest.len() >= word.len()
            && rest.is_char_boundary(word.len())
            && rest[..word.len()].eq_ignore_ascii_case(word)
            && !rest[word.len()..].starts_with(|c: char| c.is_ascii_alphanumeric());
        if matches {
            self.i += word.len();
        }
        matches
    }

    fn or(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.and()?;
        loop {
            self.ws();
            if !self.eat("||") {
                return Ok(left);
            }
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
    }

    fn and(&mut self) -> Result<Expr, PatternError> {
        let mut left = self.unary()?;
        loop {
            self.ws();
            if !self.eat("&&") {
                return Ok(left);
            }
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, PatternError> {
        self.ws();
        if self.eat("(") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(self.err("parentheses nested too deeply"));
            }
            let inner = self.or()?;
            self.ws();
            if !self.eat(")") {
                return Err(self.err("expected ')'"));
            }
            self.depth -= 1;
            return Ok(inner);
        }
        let path = self.selector()?;
        let test = self.test()?;
        Ok(Expr::Cond(path, test))
    }

    fn selector(&mut self) -> Result<Vec<Step>, PatternError> {
        if !self.eat("$") {
            return Err(self.err("expected a selector starting with '$' (e.g. $.level)"));
        }
        let mut path = Vec::new();
        loop {
            if self.eat(".") {
                let len = self
                    .rest()
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '@'))
                    .unwrap_or(self.rest().len());
                if len == 0 {
                    return Err(self.err("expected a property name after '.'"));
                }
                path.push(Step::Key(self.rest()[..len].to_string()));
                self.i += len;
            } else if self.eat("[") {
                let len = self
                    .rest()
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(self.rest().len());
                let index = self.rest()[..len]
                    .parse::<usize>()
                    .map_err(|_| self.err("expected an array index like [0]"))?;
                self.i += len;
                if !self.eat("]") {
                    return Err(self.err("expected ']'"));
                }
                path.push(Step::Index(index));
            } else if path.is_empty() {
                return Err(self.err("a selector needs at least one .property or [index]"));
            } else {
                return Ok(path);
            }
        }
    }

    fn test(&mut self) -> Result<Test, PatternError> {
        if self.eat_word("IS") {
            if self.eat_word("NULL") {
                return Ok(Test::IsNull);
            }
            if self.eat_word("TRUE") {
                return Ok(Test::IsBool(true));
            }
            if self.eat_word("FALSE") {
                return Ok(Test::IsBool(false));
            }
            return Err(self.err("expected NULL, TRUE or FALSE after IS"));
        }
        if self.eat_word("NOT") {
            if self.eat_word("EXISTS") {
                return Ok(Test::NotExists);
            }
            return Err(self.err("expected EXISTS after NOT"));
        }
        self.ws();
        let order = if self.eat("!=") {
            None
        } else if self.eat("<=") {
            Some(Order::Le)
        } else if self.eat(">=") {
            Some(Order::Ge)
        } else if self.eat("<") {
            Some(Order::Lt)
        } else if self.eat(">") {
            Some(Order::Gt)
        } else if self.eat("=") {
            return Ok(Test::Eq(self.literal()?, true));
        } else {
            return Err(self.err("expected an operator (=, !=, <, >, <=, >=, IS, NOT EXISTS)"));
        };
        let at = self.i;
        match (order, self.literal()?) {
            (None, lit) => Ok(Test::Eq(lit, false)),
            (Some(op), Literal::Num(n, _)) => Ok(Test::Order(op, n)),
            (Some(_), _) => Err(PatternError::new(
                "invalid JSON filter pattern: <, >, <= and >= need a number",
                at,
            )),
        }
    }

    fn literal(&mut self) -> Result<Literal, PatternError> {
        self.ws();
        let at = self.i;
        let rest = self.rest();
        if rest.starts_with('"') {
            let (text, len) = quoted(rest, at)?;
            self.i += len;
            return Ok(Literal::Glob(text));
        }
        if let Some(body) = rest.strip_prefix('%') {
            let (regex, len) = percent_regex(body, at)?;
            self.i += 1 + len;
            return Ok(Literal::Regex(regex));
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '}' | '&' | '|' | '"'))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.err("expected a value"));
        }
        let raw = rest[..len].to_string();
        self.i += len;
        let numeric = raw.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.'));
        match raw.parse::<f64>() {
            Ok(n) if numeric && n.is_finite() => Ok(Literal::Num(n, raw)),
            _ => Ok(Literal::Glob(raw)),
        }
    }
}

//! A cursor over one command's tokens, shared by the command and expression parsers.

use super::QueryError;
use super::expr::is_keyword;
use super::lexer::{Tok, Token};

/// Deepest nesting of parentheses / `not` / calls accepted (bounds the parsers' stack).
const MAX_DEPTH: usize = 64;

/// A cursor over one command's tokens.
pub(crate) struct Cursor<'a> {
    query: &'a str,
    toks: &'a [Token],
    pos: usize,
    depth: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(query: &'a str, toks: &'a [Token]) -> Self {
        Self {
            query,
            toks,
            pos: 0,
            depth: 0,
        }
    }
    pub fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    pub fn next(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }
    /// The span of the next token (or the end of the command).
    pub fn span_here(&self) -> (usize, usize) {
        match self.toks.get(self.pos) {
            Some(t) => (t.start, t.end),
            None => {
                let end = self.toks.last().map_or(self.query.len(), |t| t.end);
                (end, end)
            }
        }
    }
    pub fn end_of_previous(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.end)
    }
    pub fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
    }
    pub fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_word(word);
        if found {
            self.pos += 1;
        }
        found
    }
    pub fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), QueryError> {
        if self.peek() == Some(tok) {
            self.pos += 1;
            return Ok(());
        }
        let (start, end) = self.span_here();
        Err(QueryError::new(format!("expected {what}"), start, end))
    }
    pub fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let (start, end) = self.span_here();
            return Err(QueryError::new("expression nested too deeply", start, end));
        }
        Ok(())
    }
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
    pub fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }
    pub fn text_from(&self, start: usize) -> String {
        self.query[start..self.end_of_previous().max(start)].to_string()
    }
    pub fn field_name(&mut self, what: &str) -> Result<String, QueryError> {
        let (start, end) = self.span_here();
        match self.next().map(|t| t.tok) {
            Some(Tok::Word(w)) if !is_keyword(&w) => Ok(w),
            Some(Tok::Field(f)) => Ok(f),
            _ => Err(QueryError::new(format!("expected {what}"), start, end)),
        }
    }
    pub fn alias(&mut self) -> Result<Option<String>, QueryError> {
        if self.eat_word("as") {
            return self.field_name("a name after 'as'").map(Some);
        }
        Ok(None)
    }
    pub fn comma(&mut self) -> bool {
        let found = self.peek() == Some(&Tok::Comma);
        self.pos += usize::from(found);
        found
    }
}

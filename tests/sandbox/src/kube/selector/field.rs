//! Field selectors (`status.phase=Running,spec.nodeName!=n1`): parser and matcher.

use super::SelectorError;

/// One field requirement: `field=value` or `field!=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRequirement {
    pub field: String,
    pub negate: bool,
    pub value: String,
}

/// A parsed field selector (empty matches everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(pub Vec<FieldRequirement>);

/// Splits on unescaped commas, keeping escapes for the term parser.
fn split_terms(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if let Some(last) = out.last_mut() {
                last.push('\\');
                last.push(c);
            }
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == ',' {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    if esc && let Some(last) = out.last_mut() {
        last.push('\\');
    }
    out
}

fn unescape(s: &str, term: &str) -> Result<String, SelectorError> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(e @ ('\\' | ',' | '=' | '!')) => out.push(e),
                _ => {
                    return Err(SelectorError(format!(
                        "invalid field selector: '{term}': invalid escape sequence"
                    )));
                }
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

impl FieldSelector {
    /// Parses `fieldSelector` (which fields a kind supports is checked by the caller).
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        if s.trim().is_empty() {
            return Ok(Self::default());
        }
        let mut reqs = Vec::new();
        for term in split_terms(s) {
            let (field, negate, raw) = if let Some((f, v)) = term.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, false, v)
            } else {
                return Err(SelectorError(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                )));
            };
            let field = field.trim();
            if field.is_empty() || field.contains('\\') {
                return Err(SelectorError(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                )));
            }
            reqs.push(FieldRequirement {
                field: field.to_string(),
                negate,
                value: unescape(raw.trim(), &term)?,
            });
        }
        Ok(Self(reqs))
    }

    /// Whether the object's field values (looked up by `value_of`) satisfy every term.
    pub fn matches(&self, value_of: impl Fn(&str) -> String) -> bool {
        self.0
            .iter()
            .all(|r| (value_of(&r.field) == r.value) != r.negate)
    }
}

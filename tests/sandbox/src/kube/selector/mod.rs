//! Kubernetes label and field selectors: parsing (with the API server's error wording) and
//! matching against objects.
//!
//! Labels: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k`, `k>1`,
//! `k<1`, comma-separated (all must hold). Fields: `f=v`, `f==v`, `f!=v`, comma-separated, with
//! `\,` `\=` `\\` escapes in values.

mod field;
mod label;

pub use field::{FieldRequirement, FieldSelector};
pub use label::{LabelSelector, Op, Requirement};

/// A selector the API server would reject: answered as a 400 `BadRequest` Status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(pub String);

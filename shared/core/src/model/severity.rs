//! The one severity scale and the root-cause categories (DESIGN.md).

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding (or an incident) is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The lowercase wire name (`"critical"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// The emoji used by chat renderings.
    pub fn emoji(self) -> &'static str {
        match self {
            Severity::Critical => "🔴",
            Severity::High => "🟠",
            Severity::Medium => "🟡",
            Severity::Low => "🔵",
            Severity::Info => "⚪",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of root cause a hypothesis names; a hypothesis has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ResourceExhaustion,
    ConfigurationError,
    DependencyFailure,
    CodeDefect,
    Infrastructure,
    DataQuality,
    /// No active failure: a false alarm, or one that has recovered.
    Healthy,
    Unknown,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 8] = [
        Category::ResourceExhaustion,
        Category::ConfigurationError,
        Category::DependencyFailure,
        Category::CodeDefect,
        Category::Infrastructure,
        Category::DataQuality,
        Category::Healthy,
        Category::Unknown,
    ];

    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ResourceExhaustion => "resource_exhaustion",
            Category::ConfigurationError => "configuration_error",
            Category::DependencyFailure => "dependency_failure",
            Category::CodeDefect => "code_defect",
            Category::Infrastructure => "infrastructure",
            Category::DataQuality => "data_quality",
            Category::Healthy => "healthy",
            Category::Unknown => "unknown",
        }
    }

    /// A short human label ("resource exhaustion").
    pub fn label(self) -> &'static str {
        match self {
            Category::ResourceExhaustion => "resource exhaustion",
            Category::ConfigurationError => "configuration error",
            Category::DependencyFailure => "dependency failure",
            Category::CodeDefect => "code defect",
            Category::Infrastructure => "infrastructure",
            Category::DataQuality => "data quality",
            Category::Healthy => "healthy / no active failure",
            Category::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Category::ALL.iter().map(|c| c.as_str()).collect();
                format!(
                    "unknown category '{s}' (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_from_info_to_critical_and_serializes_lowercase() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!(serde_json::to_string(&Severity::High).unwrap(), "\"high\"");
        let back: Severity = serde_json::from_str("\"medium\"").unwrap();
        assert_eq!(back, Severity::Medium);
    }

    #[test]
    fn category_round_trips_through_its_wire_name() {
        for c in Category::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
        }
        assert!("resource-exhaustion".parse::<Category>().is_err());
    }
}

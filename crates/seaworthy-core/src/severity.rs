use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Unknown < Info < Low < Medium < High < Critical`.
///
/// `Unknown` is a vulnerability that no source rates: shown and counted as such, never
/// relabelled, and below every threshold unless a team maps it (`unknown-severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Worst first; `Unknown` last.
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
        Severity::Unknown,
    ];

    /// The severities a threshold can name (`--fail-on`, `unknown-severity`), worst first.
    pub const RATED: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// The severity a gate compares: an unrated match counts as `unknown_as` when a team
    /// set one (`unknown-severity = "high"`), else it stays below every threshold.
    pub fn for_gate(self, unknown_as: Option<Severity>) -> Severity {
        match (self, unknown_as) {
            (Severity::Unknown, Some(s)) => s,
            (s, _) => s,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown severity `{0}` (expected one of: critical, high, medium, low, info)")]
pub struct ParseSeverityError(pub String);

impl FromStr for Severity {
    type Err = ParseSeverityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "style" | "ignore" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" | "warning" => Ok(Severity::Medium),
            "high" | "error" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            "unknown" => Ok(Severity::Unknown),
            _ => Err(ParseSeverityError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_and_parsing() {
        assert!(Severity::Info < Severity::Low && Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().ok(), Some(Severity::High));
        assert_eq!("warning".parse::<Severity>().ok(), Some(Severity::Medium));
        assert!("urgent".parse::<Severity>().is_err());
        assert!(Severity::Unknown < Severity::Info);
        assert_eq!(Severity::Unknown.for_gate(None), Severity::Unknown);
        assert_eq!(
            Severity::Unknown.for_gate(Some(Severity::High)),
            Severity::High
        );
        assert_eq!(Severity::Low.for_gate(Some(Severity::High)), Severity::Low);
    }
}

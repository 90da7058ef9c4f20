use serde::{Deserialize, Serialize};

use crate::{Location, Severity};

/// One problem found by one rule at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub title: String,
    /// Specific to this occurrence.
    pub message: String,
    pub location: Location,
    /// The offending text or value, as found (secrets masked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub remediation: String,
    /// Cross-references, e.g. `hadolint:DL3008`, `cis-docker-1.6.0:4.1`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Set when a pragma, config or waiver silenced this finding; it is still reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<Suppression>,
}

/// Why a finding does not count towards the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inline`, `global`, `hadolint-pragma`, `config`.
    pub kind: String,
    /// Where the suppression was written, when it was written somewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Finding {
    /// Deterministic order: path, position, rule id, message.
    pub fn sort_key(&self) -> (&str, &Location, &str, &str) {
        (
            self.location.path(),
            &self.location,
            &self.rule_id,
            &self.message,
        )
    }

    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }
}

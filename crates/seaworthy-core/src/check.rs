//! Checks with a verdict for every item (CIS style): unlike a finding, a check also records a
//! pass, an informational result or that it does not apply, with the evidence behind it.

use serde::{Deserialize, Serialize};

use crate::{Finding, Location, Severity};

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    /// The check failed; becomes a finding.
    Warn,
    /// Facts gathered for a manual check, or a check that could not decide.
    Info,
    /// The check does not apply here (e.g. swarm checks when swarm is inactive).
    NotApplicable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Info => "info",
            Status::NotApplicable => "not_applicable",
        }
    }
}

/// CIS profile level. Checks the benchmark lists as "L1/L2" belong to level 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    L1,
    L2,
}

/// One fact behind a result: the value seen and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// e.g. `icc=false`, `mode 0644 owner 0:0`.
    pub value: String,
    /// e.g. `/etc/docker/daemon.json`, `dockerd command line`, `GET /info`, `default`.
    pub source: String,
}

impl Evidence {
    pub fn new(value: impl Into<String>, source: impl Into<String>) -> Self {
        Evidence {
            value: value.into(),
            source: source.into(),
        }
    }
}

/// The result of one check on one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// e.g. `SW-HOST-2.2`.
    pub rule_id: String,
    /// The CIS Docker Benchmark 1.6.0 id, e.g. `2.2`.
    pub cis_id: String,
    pub title: String,
    pub level: Level,
    /// Automated checks decide pass/warn; manual ones report facts as `info`.
    pub automated: bool,
    pub status: Status,
    /// The severity a `warn` carries.
    pub severity: Severity,
    /// Specific to this result.
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    pub remediation: String,
    pub location: Location,
}

impl CheckResult {
    /// A `warn` as a finding of the common model (evidence joined as `value (source)`).
    pub fn to_finding(&self) -> Option<Finding> {
        (self.status == Status::Warn).then(|| Finding {
            rule_id: self.rule_id.clone(),
            severity: self.severity,
            title: self.title.clone(),
            message: self.message.clone(),
            location: self.location.clone(),
            evidence: (!self.evidence.is_empty()).then(|| {
                self.evidence
                    .iter()
                    .map(|e| format!("{} ({})", e.value, e.source))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
            remediation: self.remediation.clone(),
            references: vec![format!("cis-docker-1.6.0:{}", self.cis_id)],
            suppressed: None,
            origin: None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    fn result(status: Status) -> CheckResult {
        CheckResult {
            rule_id: "SW-HOST-2.2".into(),
            cis_id: "2.2".into(),
            title: "Restrict network traffic between containers".into(),
            level: Level::L1,
            automated: true,
            status,
            severity: Severity::Medium,
            message: "icc is enabled".into(),
            evidence: vec![Evidence::new("icc=true", "GET /info")],
            remediation: "Set \"icc\": false in daemon.json".into(),
            location: Location::Host {
                host: "localhost".into(),
                object: "daemon:icc".into(),
            },
        }
    }

    #[test]
    fn only_warnings_become_findings() {
        let f = result(Status::Warn)
            .to_finding()
            .expect("a warn is a finding");
        assert_eq!(f.evidence.as_deref(), Some("icc=true (GET /info)"));
        assert_eq!(f.references, ["cis-docker-1.6.0:2.2"]);
        assert_eq!(f.location.display(), "localhost daemon:icc");
        for s in [Status::Pass, Status::Info, Status::NotApplicable] {
            assert!(result(s).to_finding().is_none());
        }
    }

    #[test]
    fn status_serializes_snake_case() {
        let json = serde_json::to_string(&Status::NotApplicable).expect("serializes");
        assert_eq!(json, "\"not_applicable\"");
    }
}

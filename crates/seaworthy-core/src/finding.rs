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
    /// For image findings: the layer and build step that brought the problem in, and the
    /// Dockerfile line when the Dockerfile is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Where in an image's build a finding comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Index of the layer (0 = lowest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<u32>,
    /// The layer's diff_id (or blob digest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    /// Index of the config history entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// The history entry's command, cleaned of builder wrappers (`RUN apt-get install …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// The Dockerfile instruction that made it, when a Dockerfile was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<DockerfileLine>,
    /// What to change, when it can be said precisely (`upgrade zlib1g to 1:1.2.13-1 in the RUN at line 7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A line of a Dockerfile, or the base image named by its FROM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerfileLine {
    pub path: String,
    /// 1-based line of the instruction.
    pub line: u32,
    /// The instruction keyword (`RUN`, `COPY`) or `FROM` for a base-image layer.
    pub instruction: String,
    /// For base-image layers: the image the FROM names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
}

/// Why a finding does not count towards the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `inline`, `global`, `hadolint-pragma`, `config`, `waiver`, `vex`.
    pub kind: String,
    /// Where the suppression was written, when it was written somewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why (a waiver's reason, a VEX justification or impact statement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The last day a waiver applies (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

impl Suppression {
    /// A suppression written in a source file or config (no reason, no expiry).
    pub fn at(kind: impl Into<String>, source: impl Into<String>) -> Self {
        Suppression {
            kind: kind.into(),
            source: Some(source.into()),
            reason: None,
            expires: None,
        }
    }
}

impl Finding {
    /// Deterministic order: path; then, for container settings (running containers, compose
    /// files, `docker run` lines), worst first; then position, rule id, message. Dockerfile
    /// and image findings keep their position order, as linters print them.
    pub fn sort_key(&self) -> (&str, std::cmp::Reverse<Severity>, &Location, &str, &str) {
        let worst_first = matches!(self.location, Location::Container { .. })
            || self.rule_id.starts_with("SW-CTR-");
        let rank = if worst_first {
            self.severity
        } else {
            Severity::Info
        };
        (
            self.location.path(),
            std::cmp::Reverse(rank),
            &self.location,
            &self.rule_id,
            &self.message,
        )
    }

    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule_id: &str, severity: Severity, location: Location) -> Finding {
        Finding {
            rule_id: rule_id.into(),
            severity,
            title: String::new(),
            message: String::new(),
            location,
            evidence: None,
            remediation: String::new(),
            references: Vec::new(),
            suppressed: None,
            origin: None,
        }
    }

    fn ids(mut findings: Vec<Finding>) -> Vec<String> {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.into_iter().map(|f| f.rule_id).collect()
    }

    /// A container's findings come worst first (not by field name); a Dockerfile's keep their
    /// line order, as linters print them (issue 19 item 10).
    #[test]
    fn container_findings_worst_first_dockerfile_findings_by_line() {
        let field = |f: &str| Location::Container {
            container: "web".into(),
            image: None,
            field: Some(f.into()),
        };
        assert_eq!(
            ids(vec![
                finding("SW-CTR-5.12", Severity::Low, field("HostConfig.CpuShares")),
                finding(
                    "SW-CTR-5.5",
                    Severity::Critical,
                    field("HostConfig.Privileged")
                ),
                finding("SW-CTR-5.11", Severity::Medium, field("HostConfig.Memory")),
            ]),
            ["SW-CTR-5.5", "SW-CTR-5.11", "SW-CTR-5.12"]
        );
        let line = |n: u32| Location::File {
            path: "Dockerfile".into(),
            span: crate::Span {
                start: crate::Position {
                    line: n,
                    column: 1,
                    offset: 0,
                },
                end: crate::Position {
                    line: n,
                    column: 2,
                    offset: 1,
                },
            },
        };
        assert_eq!(
            ids(vec![
                finding("SW-DF-002", Severity::Critical, line(9)),
                finding("SW-DF-001", Severity::Low, line(2)),
            ]),
            ["SW-DF-001", "SW-DF-002"]
        );
    }
}

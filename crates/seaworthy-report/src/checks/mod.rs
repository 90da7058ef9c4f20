//! Reports of checks with a verdict per item (CIS style, any area): every [`CheckResult`] as a
//! table grouped by CIS section, seaworthy's JSON (`docs/check-report-format.md`), SARIF 2.1.0
//! (warnings as results at logical locations) or JUnit (one test case per check).
//!
//! Every format is a pure function of [`CheckReport`]; results are put in CIS order here.

mod github;
mod json;
mod junit;
mod sarif;
mod table;

use std::cmp::Ordering;
use std::str::FromStr;

use seaworthy_core::{Area, CheckResult, RuleMeta, Severity, Status};

use crate::gates;

/// Output formats of the check commands (`seaworthy host --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Table,
    Json,
    Sarif,
    Junit,
    /// GitHub Actions workflow commands: an annotation per warning and vulnerability.
    Github,
}

impl CheckFormat {
    pub const NAMES: &[&str] = &["table", "json", "sarif", "junit", "github"];
}

impl FromStr for CheckFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => CheckFormat::Table,
            "json" => CheckFormat::Json,
            "sarif" => CheckFormat::Sarif,
            "junit" => CheckFormat::Junit,
            "github" => CheckFormat::Github,
            _ => {
                return Err(format!(
                    "unknown format `{s}` (expected one of: {})",
                    CheckFormat::NAMES.join(", ")
                ));
            }
        })
    }
}

/// What a check report is made of.
pub struct CheckReport<'a> {
    pub area: Area,
    /// What was checked, e.g. `localhost` or `unix:///var/run/docker.sock`.
    pub target: &'a str,
    pub results: &'a [CheckResult],
    /// Gating threshold; `None` reports without gating (warnings never fail the run).
    pub fail_on: Option<Severity>,
    pub tool_version: &'a str,
    /// Remarks about the run (e.g. "daemon not reachable"), shown once.
    pub notes: &'a [String],
    /// Metadata of the rules that can appear (SARIF `rules[]`, remediation).
    pub rules: &'a [&'static RuleMeta],
    /// Known vulnerabilities of the subject's own packages (the host OS), worst first.
    pub vulnerabilities: &'a [seaworthy_vulndb::VulnMatch],
}

impl CheckReport<'_> {
    /// Whether a warning fails the run.
    pub fn gates(&self, r: &CheckResult) -> bool {
        r.status == Status::Warn && self.fail_on.is_some_and(|t| gates(r.severity, t))
    }

    /// How many results and vulnerabilities fail the run.
    pub fn failing(&self) -> usize {
        let vulns = self
            .vulnerabilities
            .iter()
            .filter(|m| self.fail_on.is_some_and(|t| gates(m.severity, t)))
            .count();
        self.results.iter().filter(|r| self.gates(r)).count() + vulns
    }

    pub fn passed(&self) -> bool {
        self.failing() == 0
    }

    /// Results in CIS order (section, then numeric id parts), then by subject.
    pub(crate) fn sorted(&self) -> Vec<&CheckResult> {
        let mut v: Vec<&CheckResult> = self.results.iter().collect();
        v.sort_by(|a, b| {
            cmp_cis(&a.cis_id, &b.cis_id)
                .then_with(|| a.location.cmp(&b.location))
                .then_with(|| a.rule_id.cmp(&b.rule_id))
        });
        v
    }

    pub(crate) fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in self.results {
            match r.status {
                Status::Pass => s.pass += 1,
                Status::Warn => s.warn += 1,
                Status::Info => s.info += 1,
                Status::NotApplicable => s.not_applicable += 1,
            }
        }
        s
    }
}

/// Counts per status.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub(crate) struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub info: usize,
    pub not_applicable: usize,
}

/// Renders the whole output of `format`, ending with a newline (GitHub: nothing at all when
/// there is nothing to annotate).
pub fn render_checks(report: &CheckReport<'_>, format: CheckFormat, color: bool) -> String {
    match format {
        CheckFormat::Github => github::render(report),
        CheckFormat::Table => table::render(report, color),
        CheckFormat::Json => json::render(report),
        CheckFormat::Sarif => sarif::render(report),
        CheckFormat::Junit => junit::render(report),
    }
}

/// Compares CIS ids numerically part by part (`2.10` after `2.9`).
pub fn cmp_cis(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<u32> {
        s.split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect()
    };
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

/// The CIS Docker Benchmark 1.6.0 section of an id (`2` for `2.14`).
pub fn cis_section(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// The title of a CIS Docker Benchmark 1.6.0 section.
pub fn cis_section_name(section: &str) -> &'static str {
    match section {
        "1" => "Host Configuration",
        "2" => "Docker daemon configuration",
        "3" => "Docker daemon configuration files",
        "4" => "Container Images and Build File",
        "5" => "Container Runtime",
        "6" => "Docker Security Operations",
        "7" => "Docker Swarm Configuration",
        _ => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cis_ids_sort_numerically() {
        let mut ids = vec!["2.10", "1.1.10", "2.9", "1.1.2", "10.1", "3.1"];
        ids.sort_by(|a, b| cmp_cis(a, b));
        assert_eq!(ids, ["1.1.2", "1.1.10", "2.9", "2.10", "3.1", "10.1"]);
        assert_eq!(cis_section("1.1.10"), "1");
        assert_eq!(cis_section_name("7"), "Docker Swarm Configuration");
    }
}

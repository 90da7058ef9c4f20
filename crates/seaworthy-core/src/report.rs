use serde::{Deserialize, Serialize};

use crate::{Finding, Severity};

/// Bumped on any incompatible change of the JSON report; documented in `docs/report-format.md` and `docs/report-schema.json`.
pub const REPORT_SCHEMA_VERSION: &str = "1.2.0";

fn is_false(b: &bool) -> bool {
    !*b
}

/// An input that could not be assessed (unreadable, not a Dockerfile, syntax error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    pub message: String,
}

impl InputError {
    pub fn display(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.path, self.message),
            (Some(l), None) => format!("{}:{l}: {}", self.path, self.message),
            _ => format!("{}: {}", self.path, self.message),
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts behind the verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub inputs: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    /// Vulnerabilities no source rates (never in configuration reports).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unknown: usize,
    pub suppressed: usize,
    pub errors: usize,
}

/// The result of one run: what was read, what was found, and whether it passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: String,
    pub version: String,
    /// The severity at or above which an active finding fails the run.
    pub fail_on: Severity,
    /// `--fail-on none` or the area's `mode = "report"`: nothing gates, the run passes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub report_only: bool,
    pub passed: bool,
    pub summary: Summary,
    /// Every input assessed, sorted.
    pub inputs: Vec<String>,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
}

impl Report {
    /// Sorts everything and computes the summary and verdict.
    pub fn new(
        version: &str,
        fail_on: Severity,
        mut inputs: Vec<String>,
        mut findings: Vec<Finding>,
        mut errors: Vec<InputError>,
    ) -> Self {
        inputs.sort();
        inputs.dedup();
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        errors.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        let mut summary = Summary {
            inputs: inputs.len(),
            errors: errors.len(),
            ..Summary::default()
        };
        for f in &findings {
            if !f.is_active() {
                summary.suppressed += 1;
                continue;
            }
            *match f.severity {
                Severity::Critical => &mut summary.critical,
                Severity::High => &mut summary.high,
                Severity::Medium => &mut summary.medium,
                Severity::Low => &mut summary.low,
                Severity::Info => &mut summary.info,
                Severity::Unknown => &mut summary.unknown,
            } += 1;
        }
        let passed = !findings
            .iter()
            .any(|f| f.is_active() && f.severity >= fail_on);
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_string(),
            tool: "seaworthy".to_string(),
            version: version.to_string(),
            fail_on,
            report_only: false,
            passed,
            summary,
            inputs,
            findings,
            errors,
        }
    }

    /// Report only (`--fail-on none`, `mode = "report"`): nothing gates and the run passes.
    pub fn into_report_only(mut self) -> Self {
        self.report_only = true;
        self.passed = true;
        self
    }

    /// Findings that count towards the verdict.
    pub fn gating(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| !self.report_only && f.is_active() && f.severity >= self.fail_on)
    }
}

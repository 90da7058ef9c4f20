//! seaworthy's check report JSON, schema version 1 (`docs/check-report-format.md`).

use seaworthy_core::{Area, CheckResult, Severity};
use seaworthy_vulndb::VulnMatch;
use serde::Serialize;

use super::{CheckReport, Summary};

/// Bump when a field changes meaning or is removed; adding fields keeps the version.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Doc<'a> {
    schema_version: u32,
    tool: Tool<'a>,
    area: Area,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on: Option<Severity>,
    passed: bool,
    summary: Summary,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    results: Vec<&'a CheckResult>,
    /// The subject's own packages' known vulnerabilities (the host OS), worst first.
    #[serde(skip_serializing_if = "<[VulnMatch]>::is_empty")]
    vulnerabilities: &'a [VulnMatch],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

pub(crate) fn render(report: &CheckReport<'_>) -> String {
    let doc = Doc {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "seaworthy",
            version: report.tool_version,
        },
        area: report.area,
        target: report.target,
        fail_on: report.fail_on,
        passed: report.passed(),
        summary: report.summary(),
        notes: report.notes,
        results: report.sorted(),
        vulnerabilities: report.vulnerabilities,
    };
    // Plain structs with string keys: serialization cannot fail.
    let mut out = crate::json_pretty(&doc);
    out.push('\n');
    out
}

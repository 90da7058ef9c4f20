//! seaworthy's own vulnerability report JSON, documented in `docs/vuln-report-format.md`: the
//! tool, the image, the database, a summary, and every match as the matcher models it.

use std::collections::BTreeMap;

use seaworthy_core::{Finding, Scanner, Severity};
use seaworthy_inventory::{CatalogError, OsInfo};
use seaworthy_vulndb::matcher::Uncovered;
use seaworthy_vulndb::{DbSummary, MatchStatus, VulnMatch};
use serde::ser::SerializeMap as _;
use serde::{Serialize, Serializer};

use super::{VulnReportInput, WaivedMatch, counts};
use crate::sbom::sorted_problems;

/// Bump the major version on any breaking change to the document's shape.
pub(crate) const SCHEMA_VERSION: &str = "1.6.0";

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    created: &'a str,
    image: Image<'a>,
    database: &'a DbSummary,
    summary: Summary<'a>,
    matches: Vec<&'a VulnMatch>,
    /// Matches a waiver or VEX statement took out of the gate, each with `waived`.
    waived: &'a [WaivedMatch],
    /// Image configuration, secret and trust findings, in report order.
    findings: &'a [Finding],
    /// Files of the image that could not be inventoried (each makes the run exit 2).
    errors: Vec<&'a CatalogError>,
    /// Parts of files that could not be read while the rest was (warnings).
    skipped: Vec<&'a CatalogError>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Image<'a> {
    reference: &'a str,
    manifest_digest: Option<String>,
    config_digest: Option<String>,
    os: Option<&'a OsInfo>,
}

#[derive(Serialize)]
struct Summary<'a> {
    /// Every severity, worst first.
    by_severity: Ordered,
    /// Every status, keyed as `matches[].status` spells it.
    by_status: Ordered,
    packages: usize,
    affected_packages: usize,
    matches: usize,
    ignored_unfixed: usize,
    /// Distribution releases no loaded advisory covers: their packages were not matched.
    uncovered: &'a [Uncovered],
    waived: usize,
    /// Expired waivers that matched (each fails the report).
    expired_waivers: &'a [String],
    findings: usize,
    /// Files not inventoried (`errors`) and parts of files skipped (`skipped`).
    files_not_read: usize,
    parts_skipped: usize,
    ignored_base: usize,
    fail_on: Option<Severity>,
    /// Per-scanner thresholds over `fail_on` (`null`: that scanner reports only).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    scanner_fail_on: &'a BTreeMap<Scanner, Option<Severity>>,
    /// The scanners that ran (`--scanners`).
    scanners: &'a [Scanner],
    /// Matches listed in CISA KEV.
    kev: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown_severity: Option<Severity>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fail_on_kev: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on_epss: Option<f64>,
    failing: usize,
    passed: bool,
}

pub(crate) fn render(input: &VulnReportInput<'_>) -> String {
    let counts = counts(input.matches);
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "seaworthy",
            version: input.tool_version,
        },
        created: input.created,
        image: Image {
            reference: &input.image.reference,
            manifest_digest: input
                .image
                .manifest_digest
                .as_ref()
                .map(ToString::to_string),
            config_digest: input.image.config_digest.as_ref().map(ToString::to_string),
            os: input.inventory.os.as_ref(),
        },
        database: input.db,
        summary: Summary {
            by_severity: Ordered(
                counts
                    .by_severity
                    .iter()
                    .map(|&(s, n)| (s.as_str().to_string(), n))
                    .collect(),
            ),
            by_status: Ordered(
                counts
                    .by_status
                    .iter()
                    .map(|&(s, n)| (status_key(s), n))
                    .collect(),
            ),
            packages: input.inventory.packages.len(),
            affected_packages: counts.affected_packages,
            matches: input.matches.len(),
            ignored_unfixed: input.ignored_unfixed,
            uncovered: input.uncovered,
            waived: input.waived.len(),
            expired_waivers: input.expired_waivers,
            findings: input.findings.len(),
            files_not_read: input.inventory.errors.len(),
            parts_skipped: input.inventory.skipped.len(),
            ignored_base: input.ignored_base,
            fail_on: input.fail_on,
            scanner_fail_on: input.scanner_fail_on,
            scanners: input.scanners,
            kev: input.matches.iter().filter(|m| m.kev.is_some()).count(),
            unknown_severity: input.risk.unknown_as,
            fail_on_kev: input.risk.kev,
            fail_on_epss: input.risk.epss,
            failing: input.failing() + input.failing_findings(),
            passed: input.passed(),
        },
        matches: input.sorted_matches(),
        waived: input.waived,
        findings: input.findings,
        errors: sorted_problems(&input.inventory.errors),
        skipped: sorted_problems(&input.inventory.skipped),
    };
    crate::json_pretty(&doc)
}

/// A JSON object whose keys keep the order given.
struct Ordered(Vec<(String, usize)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A status as serde writes it in `matches[].status` (`no_dsa`, not the table's `no-dsa`).
fn status_key(status: MatchStatus) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => status.as_str().to_string(),
    }
}

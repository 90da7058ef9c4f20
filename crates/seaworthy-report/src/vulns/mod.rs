//! The result of `seaworthy image REF`, the vulnerabilities found in an image's packages: a
//! table for people, seaworthy's own JSON (`docs/vuln-report-format.md`), SARIF 2.1.0 for code
//! scanning, or CycloneDX 1.6 (the SBOM plus `vulnerabilities`).
//!
//! Every format is a pure function of [`VulnReportInput`]: matches are put in report order
//! here, whatever order they come in, and the only time in the output is the caller's
//! `created`.

mod cyclonedx;
mod findings;

pub use findings::match_finding;
mod json;
mod junit;
mod openvex;
mod sarif;
mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use seaworthy_core::{Finding, Scanner, Severity, Suppression, threshold_of};
use seaworthy_inventory::Inventory;
use seaworthy_oci::ImageInfo;
use seaworthy_vulndb::matcher::Uncovered;
use seaworthy_vulndb::{DbSummary, MatchStatus, RiskGate, SortOrder, VulnMatch};

pub(crate) use findings::vuln_finding;

use crate::gates;

/// Output formats of `seaworthy image --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VulnFormat {
    Table,
    Json,
    Sarif,
    Cyclonedx,
    /// The waived matches as an OpenVEX document.
    Openvex,
    /// JUnit XML: a test case per match and per image finding.
    Junit,
    /// GitHub Actions workflow commands: an annotation per match and per image finding.
    Github,
}

impl VulnFormat {
    pub const NAMES: &[&str] = &[
        "table",
        "json",
        "sarif",
        "cyclonedx",
        "openvex",
        "junit",
        "github",
    ];
}

impl FromStr for VulnFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => VulnFormat::Table,
            "json" => VulnFormat::Json,
            "sarif" => VulnFormat::Sarif,
            "cyclonedx" | "cyclonedx-json" => VulnFormat::Cyclonedx,
            "openvex" | "vex" => VulnFormat::Openvex,
            "junit" => VulnFormat::Junit,
            "github" => VulnFormat::Github,
            _ => {
                return Err(format!(
                    "unknown format `{s}` (expected one of: {})",
                    VulnFormat::NAMES.join(", ")
                ));
            }
        })
    }
}

/// A match a waiver or VEX statement took out of the gate: still reported, with why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WaivedMatch {
    #[serde(flatten)]
    pub vuln: VulnMatch,
    pub waived: Suppression,
}

/// What a vulnerability report is made of.
pub struct VulnReportInput<'a> {
    pub image: &'a ImageInfo,
    pub inventory: &'a Inventory,
    /// The matches to report (in [`VulnMatch::sort_key`] order; renderers sort again anyway).
    pub matches: &'a [VulnMatch],
    pub db: &'a DbSummary,
    /// Matches left out by `--ignore-unfixed` (not in `matches`).
    pub ignored_unfixed: usize,
    /// Distribution releases whose packages were not matched: no loaded advisory covers them.
    pub uncovered: &'a [Uncovered],
    /// Matches waived by a waiver or VEX statement (not in `matches`; they do not gate).
    pub waived: &'a [WaivedMatch],
    /// Expired waivers that matched, one message each: any of them fails the report.
    pub expired_waivers: &'a [String],
    /// Image configuration, secret and trust findings (`SW-IMG-…`).
    pub findings: &'a [Finding],
    /// Findings and matches left out by `--ignore-base` (their layer came from the base image).
    pub ignored_base: usize,
    /// The `--fail-on` threshold, when there is one.
    pub fail_on: Option<Severity>,
    /// Per-scanner thresholds (`[image.scanner-fail-on]`) over `fail_on`; `None`: report only.
    pub scanner_fail_on: &'a BTreeMap<Scanner, Option<Severity>>,
    /// The scanners that ran (`--scanners`): what is absent was not looked for.
    pub scanners: &'a [Scanner],
    /// What else gates a match: `unknown-severity`, `--fail-on-kev`, `--fail-on-epss`.
    pub risk: RiskGate,
    /// `--sort`: the order matches are listed in.
    pub sort: SortOrder,
    pub tool_version: &'a str,
    /// RFC 3339 UTC creation time
    pub created: &'a str,
}

impl VulnReportInput<'_> {
    /// Whether an image finding (`SW-IMG-…`) gates at its scanner's threshold.
    pub fn finding_gates(&self, f: &Finding) -> bool {
        self.gates(Scanner::of_rule(&f.rule_id), f.severity)
    }

    /// Whether an item of `severity` found by `scanner` gates: the scanner's threshold when one
    /// is configured, else `--fail-on`.
    pub fn gates(&self, scanner: Scanner, severity: Severity) -> bool {
        let threshold = threshold_of(scanner, self.fail_on, self.scanner_fail_on);
        threshold.is_some_and(|t| gates(severity, t))
    }

    /// `fail-on: high`, then any per-scanner threshold (`vuln: critical, config: none`); `None`
    /// when nothing gates.
    pub fn gate_label(&self) -> Option<String> {
        let gates = self.fail_on.is_some() || self.scanner_fail_on.values().any(Option::is_some);
        if !gates {
            return None;
        }
        let name = |t: Option<Severity>| t.map_or("none".to_string(), |s| s.to_string());
        let mut label = format!("fail-on: {}", name(self.fail_on));
        let own: Vec<String> = self
            .scanner_fail_on
            .iter()
            .map(|(scanner, t)| format!("{scanner}: {}", name(*t)))
            .collect();
        if !own.is_empty() {
            label.push_str("; ");
            label.push_str(&own.join(", "));
        }
        Some(label)
    }

    /// Whether a match gates: its severity (an unrated one as `unknown-severity` says) at the
    /// vulnerability threshold, or its KEV listing or EPSS score when those gate.
    pub fn match_gates(&self, m: &VulnMatch) -> bool {
        let threshold = threshold_of(Scanner::Vuln, self.fail_on, self.scanner_fail_on);
        self.risk.gates(m, threshold)
    }

    /// How many matches gate (0 without a threshold).
    pub fn failing(&self) -> usize {
        self.matches.iter().filter(|m| self.match_gates(m)).count()
    }

    /// How many active image findings reach their threshold (0 without one).
    pub fn failing_findings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is_active() && self.finding_gates(f))
            .count()
    }

    /// False when some match or image finding reaches the `--fail-on` threshold.
    pub fn passed(&self) -> bool {
        self.failing() == 0 && self.failing_findings() == 0 && self.expired_waivers.is_empty()
    }

    /// The matches in report order (`--sort`).
    fn sorted_matches(&self) -> Vec<&VulnMatch> {
        let mut matches: Vec<&VulnMatch> = self.matches.iter().collect();
        self.sort.sort(&mut matches);
        matches
    }
}

/// Renders the report in `format`, ending with a newline. `color` only affects the table.
pub fn render_vulns(input: &VulnReportInput<'_>, format: VulnFormat, color: bool) -> String {
    let mut out = match format {
        VulnFormat::Table => table::render(input, color),
        VulnFormat::Json => json::render(input),
        VulnFormat::Sarif => sarif::render(input),
        VulnFormat::Cyclonedx => cyclonedx::render(input),
        VulnFormat::Openvex => openvex::render(input),
        VulnFormat::Junit => junit::render(input),
        VulnFormat::Github => {
            // An image without annotations writes nothing at all (not even a newline).
            return findings::github(input);
        }
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Every status, in the order summaries list them.
const STATUSES: [MatchStatus; 7] = [
    MatchStatus::Fixed,
    MatchStatus::Unfixed,
    MatchStatus::Affected,
    MatchStatus::NoDsa,
    MatchStatus::Postponed,
    MatchStatus::Ignored,
    MatchStatus::EndOfLife,
];

/// Position of a status in [`STATUSES`]; the match is exhaustive so a new status cannot be
/// forgotten there.
fn status_index(status: MatchStatus) -> usize {
    match status {
        MatchStatus::Fixed => 0,
        MatchStatus::Unfixed => 1,
        MatchStatus::Affected => 2,
        MatchStatus::NoDsa => 3,
        MatchStatus::Postponed => 4,
        MatchStatus::Ignored => 5,
        MatchStatus::EndOfLife => 6,
    }
}

/// Match counts, as the table and the JSON summary show them.
struct Counts {
    /// In [`Severity::ALL`] order (critical first).
    by_severity: [(Severity, usize); 6],
    /// In [`STATUSES`] order.
    by_status: [(MatchStatus, usize); 7],
    /// Distinct packages (name, version, path) with at least one match.
    affected_packages: usize,
}

fn counts(matches: &[VulnMatch]) -> Counts {
    let mut by_severity = Severity::ALL.map(|s| (s, 0usize));
    let mut by_status = STATUSES.map(|s| (s, 0usize));
    let mut packages = BTreeSet::new();
    for m in matches {
        for (s, n) in &mut by_severity {
            if *s == m.severity {
                *n = n.saturating_add(1);
            }
        }
        if let Some((_, n)) = by_status.get_mut(status_index(m.status)) {
            *n = n.saturating_add(1);
        }
        packages.insert((&m.package.name, &m.package.version, &m.package.path));
    }
    Counts {
        by_severity,
        by_status,
        affected_packages: packages.len(),
    }
}

/// The first 12 hex digits of a digest (`sha256:0123…` → `0123456789ab`).
fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
    hex.chars().take(12).collect()
}

/// `s` cut to `max` characters, the last one `…` when anything was cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The OS as people name it: its pretty name, else `id-version`, else `unknown OS`.
fn os_name(inventory: &Inventory) -> String {
    match &inventory.os {
        Some(os) => os.pretty_name.clone().unwrap_or_else(|| os.distro()),
        None => "unknown OS".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse() {
        for name in VulnFormat::NAMES {
            assert!(name.parse::<VulnFormat>().is_ok(), "{name}");
        }
        assert_eq!("CycloneDX-JSON".parse(), Ok(VulnFormat::Cyclonedx));
        assert!("spdx".parse::<VulnFormat>().is_err());
    }

    #[test]
    fn statuses_are_listed_once_in_index_order() {
        for (i, s) in STATUSES.iter().enumerate() {
            assert_eq!(status_index(*s), i, "{s:?}");
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(short_digest("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short_digest("abc"), "abc");
        assert_eq!(
            crate::sbom::clean_created_by("/bin/sh -c #(nop) ADD file:abc in / ").as_deref(),
            Some("ADD file:abc in /")
        );
        assert_eq!(
            crate::sbom::clean_created_by(
                "RUN /bin/sh -c apt-get update &&\n  apt-get install -y x # buildkit"
            )
            .as_deref(),
            Some("RUN apt-get update && apt-get install -y x")
        );
        assert_eq!(crate::sbom::clean_created_by(" # buildkit"), None);
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(cut("ééé", 3), "ééé");
    }
}

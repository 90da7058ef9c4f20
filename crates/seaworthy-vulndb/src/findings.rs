//! What matching produces: one [`VulnMatch`] per vulnerability and package, advisories from
//! several sources merged through their aliases. Reporters render these; nothing here does I/O.

use seaworthy_core::Severity;
use serde::Serialize;

use crate::intel::{EpssScore, KevEntry};

/// The verdict for one package and one vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    /// Vulnerable; a fixed version exists (`fixed_version`).
    Fixed,
    /// Vulnerable; no fix published yet.
    Unfixed,
    /// Vulnerable; the advisory gives no fixed version (OSV range without `fixed`, `last_affected`).
    Affected,
    /// Vulnerable; the distribution will not ship a security update (Debian `<no-dsa>`).
    NoDsa,
    /// Vulnerable; the distribution ignores it (Debian `<ignored>`).
    Ignored,
    /// Vulnerable; the fix is postponed (Debian `<postponed>`).
    Postponed,
    /// Vulnerable; the package or release is out of support.
    EndOfLife,
}

impl MatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Fixed => "fixed",
            MatchStatus::Unfixed => "unfixed",
            MatchStatus::Affected => "affected",
            MatchStatus::NoDsa => "no-dsa",
            MatchStatus::Ignored => "ignored",
            MatchStatus::Postponed => "postponed",
            MatchStatus::EndOfLife => "end-of-life",
        }
    }

    /// True when upgrading the package (to `fixed_version`) resolves it.
    pub fn has_fix(self) -> bool {
        self == MatchStatus::Fixed
    }
}

/// A CVSS score computed from a vector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssScore {
    /// `2.0`, `3.0`, `3.1`, `4.0`.
    pub version: String,
    pub vector: String,
    pub score: f64,
    pub severity: Severity,
    /// Who published the vector (the advisory source, or `nvd` when the source says so).
    pub source: String,
}

/// The package a match is about, with where it lives in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchedPackage {
    pub name: String,
    pub version: String,
    /// Inventory ecosystem (`deb`, `npm`, …).
    pub ecosystem: String,
    pub purl: String,
    /// The name and version the advisory was matched on (Debian source package, apk origin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_as: Option<(String, String)>,
    /// File the package was found in.
    pub path: String,
    /// Layer that last wrote that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerRef {
    /// 0 = base layer.
    pub index: usize,
    pub diff_id: String,
    /// The history entry's `created_by` (the Dockerfile instruction that made the layer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// One vulnerability in one package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VulnMatch {
    /// The id shown first: a CVE when there is one, else GHSA, else the source's id.
    pub id: String,
    /// Every other id of the same vulnerability (sorted).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Related but different vulnerabilities (the CVEs an ALSA fixes).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    pub package: MatchedPackage,
    pub status: MatchStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    pub severity: Severity,
    /// Where `severity` comes from: `debian-tracker urgency`, `cvss 3.1 (osv)`, `cvss 3.1 (nvd)`,
    /// `osv rating`, or `unrated` (then `severity` is `unknown`).
    pub severity_source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<CvssScore>,
    /// CWE ids (from NVD).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<String>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevEntry>,
    /// FIRST EPSS: probability of exploitation in the next 30 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Sources whose advisories matched (`debian-tracker`, `osv`, …).
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Notes from the sources (`no-dsa: Minor issue`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// With `--dockerfile`: the instruction (or the base image's FROM) that brought the package
    /// in, and the fix to make there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<seaworthy_core::Origin>,
}

/// What makes a vulnerability match gate, besides its severity reaching the threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RiskGate {
    /// `unknown-severity`: what an unrated match counts as at the gate (`None`: it never gates
    /// by severity).
    pub unknown_as: Option<Severity>,
    /// `--fail-on-kev`: a match listed in CISA KEV gates whatever its severity.
    pub kev: bool,
    /// `--fail-on-epss P`: a match whose EPSS score is at least `P` gates.
    pub epss: Option<f64>,
}

impl RiskGate {
    /// Whether `m` gates at `threshold` (`None`: its severity never does).
    pub fn gates(&self, m: &VulnMatch, threshold: Option<Severity>) -> bool {
        threshold.is_some_and(|t| m.severity.for_gate(self.unknown_as) >= t)
            || (self.kev && m.kev.is_some())
            || self
                .epss
                .is_some_and(|p| m.epss.is_some_and(|e| e.score >= p))
    }
}

/// `--sort`: the order of a report's matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// KEV first, then EPSS (highest first), then severity.
    #[default]
    Risk,
    /// Severity (worst first), then id.
    Severity,
    /// Package name, version and path, then severity.
    Package,
}

impl std::str::FromStr for SortOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "risk" => Ok(SortOrder::Risk),
            "severity" => Ok(SortOrder::Severity),
            "package" => Ok(SortOrder::Package),
            _ => Err(format!(
                "unknown sort order `{}` (expected one of: risk, severity, package)",
                seaworthy_core::text::escape_capped(s, 40)
            )),
        }
    }
}

impl SortOrder {
    /// Sorts `matches` in this order; ties fall back to [`VulnMatch::sort_key`].
    pub fn sort<M: std::borrow::Borrow<VulnMatch>>(self, matches: &mut [M]) {
        matches.sort_by(|a, b| self.compare(a.borrow(), b.borrow()));
    }

    pub fn compare(self, a: &VulnMatch, b: &VulnMatch) -> std::cmp::Ordering {
        fn key(m: &VulnMatch) -> (std::cmp::Reverse<Severity>, &str, &str, &str, &str) {
            m.sort_key()
        }
        match self {
            SortOrder::Risk => b
                .kev
                .is_some()
                .cmp(&a.kev.is_some())
                .then_with(|| epss_of(b).total_cmp(&epss_of(a)))
                .then_with(|| key(a).cmp(&key(b))),
            SortOrder::Severity => key(a).cmp(&key(b)),
            SortOrder::Package => (&a.package.name, &a.package.version, &a.package.path)
                .cmp(&(&b.package.name, &b.package.version, &b.package.path))
                .then_with(|| key(a).cmp(&key(b))),
        }
    }
}

/// The EPSS score, -1 without one (so unscored matches come last).
fn epss_of(m: &VulnMatch) -> f64 {
    m.epss.map_or(-1.0, |e| e.score)
}

impl VulnMatch {
    /// Report order: severity (worst first), id, package, version, path.
    pub fn sort_key(&self) -> (std::cmp::Reverse<Severity>, &str, &str, &str, &str) {
        (
            std::cmp::Reverse(self.severity),
            &self.id,
            &self.package.name,
            &self.package.version,
            &self.package.path,
        )
    }
}

/// The database a scan used, for the report header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DbSummary {
    pub schema_version: u32,
    /// RFC 3339 time the database was built.
    pub built: String,
    pub sources: Vec<String>,
}

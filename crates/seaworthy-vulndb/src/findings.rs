//! What matching produces: one [`VulnMatch`] per vulnerability and package, advisories from
//! several sources merged through their aliases. Reporters render these; nothing here does I/O.

use seaworthy_core::Severity;
use serde::Serialize;

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
    /// Where `severity` comes from: `debian urgency`, `cvss 3.1 (nvd)`, `AlmaLinux`, `default`.
    pub severity_source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cvss: Vec<CvssScore>,
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

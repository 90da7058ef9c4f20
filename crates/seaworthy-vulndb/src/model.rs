//! The advisory model every source produces and the store keeps. One shape for all feeds: an
//! advisory (ids, texts, ratings) and, per ecosystem and package, what is affected.

use serde::{Deserialize, Serialize};

/// One advisory as a source publishes it (a CVE entry of the Debian tracker, an OSV record, a
/// RustSec advisory, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The source's own id: `CVE-2023-4911`, `GHSA-…`, `RUSTSEC-2023-0001`, `DSA-5514-1`, `ALSA-2023:5453`.
    pub id: String,
    /// Other ids of the same vulnerability (CVE ↔ GHSA ↔ PYSEC ↔ DSA …), without `id` itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Ids of different but related vulnerabilities (an ALSA names the CVEs it fixes here);
    /// shown with a finding, never used to merge findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Source name (`debian-tracker`, `alpine-secdb`, `osv`, `rustsec`, …).
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// RFC 3339 or `YYYY-MM-DD`, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// Set when the advisory was withdrawn; withdrawn advisories never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

/// A severity statement: a CVSS vector or a distribution's own label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub kind: RatingKind,
    /// The vector (`CVSS:3.1/AV:N/…`) or the label as written (`high`, `Important`, `unimportant`).
    pub value: String,
    /// Who rated it when not the advisory's source (`nvd`, `debian`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingKind {
    CvssV2,
    CvssV3,
    CvssV4,
    /// A distribution or ecosystem label (Debian urgency, AlmaLinux `Important`, GHSA `HIGH`).
    Label,
}

/// What one advisory says about one package in one ecosystem (or distribution release).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// Normalized ecosystem key, see [`crate::ecosystem`]: `debian:bookworm`, `alpine:v3.18`,
    /// `almalinux:9`, `PyPI`, `npm`, `crates.io`, `Go`, `Maven`, `RubyGems`, `Packagist`, `NuGet`.
    pub ecosystem: String,
    /// Package name, normalized per ecosystem (see [`crate::ecosystem::normalize_name`]); for
    /// Debian, Ubuntu and Alpine the **source** package (origin).
    pub package: String,
    pub status: Status,
    /// Affected when any range contains the version (or any entry of `versions` equals it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions (OSV `versions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The distribution's rating for this release (Debian urgency), when it differs per release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Free-text note from the source (`no-dsa: Minor issue`, `GIT ranges ignored`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The source's verdict for a package in a release, before versions are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Affected within `ranges`/`versions`; a `fixed` event gives the fixed version.
    Affected,
    /// The release was never affected (tracker `not-affected`, fixed version `0`).
    NotAffected,
    /// Affected, no fix yet, fix expected (tracker `open`, `<unfixed>`, `undetermined`).
    Unfixed,
    /// Affected; the distribution will not ship a security update (tracker `<no-dsa>`).
    NoDsa,
    /// Affected; the distribution decided to ignore it (tracker `<ignored>`).
    Ignored,
    /// Affected; the fix is postponed to a point release (tracker `<postponed>`).
    Postponed,
    /// Affected; the package or release is no longer supported (tracker `<end-of-life>`).
    EndOfLife,
}

/// A set of affected versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Range {
    /// OSV `ECOSYSTEM` or `SEMVER` events, compared with the ecosystem's version scheme (`SEMVER`
    /// always with SemVer 2.0). Events are kept in source order; evaluation sorts them.
    Events {
        #[serde(default)]
        semver: bool,
        events: Vec<Event>,
    },
    /// Requirement expressions in the ecosystem's own syntax (npm/node-semver, Cargo, RubyGems,
    /// Composer): affected when any of `affected` matches (or `affected` is empty) and none of
    /// `unaffected` matches.
    Requirements {
        syntax: ReqSyntax,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        affected: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unaffected: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// `0` means "every version".
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReqSyntax {
    /// node-semver ranges (`>=1.2.3 <2 || ^3.0.0`, `1.x`, `1.2 - 2.3`).
    Npm,
    /// Cargo version requirements (`>= 1.2, < 1.5`, `^0.3`), as RustSec writes them.
    Cargo,
    /// RubyGems requirements (`~> 1.2.3`, `>= 1.0, < 2`), one requirement per entry.
    Gem,
    /// Composer constraints (`>=1.0,<1.2.5`, `^2.0 || ~1.5`).
    Composer,
}

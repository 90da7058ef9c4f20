//! Advisory intelligence kept per CVE beside the advisories: NVD's CVSS ratings (with who
//! rated), CWE ids and description, CISA's Known Exploited Vulnerabilities catalogue, and FIRST's
//! EPSS exploit-prediction scores. Read by the matcher through [`crate::store::Store::cve_intel`].

use serde::{Deserialize, Serialize};

use crate::model::RatingKind;

/// One CVSS rating of a CVE as NVD publishes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NvdRating {
    /// `CvssV2`, `CvssV3` (3.0 and 3.1) or `CvssV4`.
    pub kind: RatingKind,
    /// The vector as published (`CVSS:3.1/AV:N/…`, a v2 vector without prefix).
    pub vector: String,
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// `nvd` for NVD's own rating (`nvd@nist.gov`), else the CNA's source string as NVD gives
    /// it (an e-mail address or a UUID).
    pub source: String,
    /// NVD's `type`: `Primary` (true) or `Secondary`.
    pub primary: bool,
}

/// What NVD says about one CVE, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NvdRecord {
    /// `CVE-YYYY-NNNN…`, upper case.
    pub cve: String,
    pub published: Option<String>,
    pub last_modified: Option<String>,
    /// Empty when NVD has not rated it yet ("Awaiting Analysis", "Received", …).
    pub ratings: Vec<NvdRating>,
    /// `CWE-79`, … (NVD's `NVD-CWE-noinfo` / `NVD-CWE-Other` are left out).
    pub cwes: Vec<String>,
    /// The English description, at most [`MAX_DESCRIPTION`] bytes.
    pub description: Option<String>,
}

/// A CVE in CISA's Known Exploited Vulnerabilities catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// `YYYY-MM-DD`, as given.
    pub date_added: String,
    /// `YYYY-MM-DD`: when US federal agencies must have remediated it.
    pub due_date: String,
    /// `knownRansomwareCampaignUse` is `Known`.
    pub ransomware: bool,
    /// `vulnerabilityName` (e.g. "Git Link Following Vulnerability").
    pub name: Option<String>,
}

/// A CVE's EPSS score; the score date and model version are the database's
/// ([`crate::store::DbStatus::epss_score_date`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EpssScore {
    /// Probability of exploitation in the next 30 days, in [0, 1].
    pub score: f64,
    /// Rank among all scored CVEs, in [0, 1].
    pub percentile: f64,
}

/// Everything the database knows about one CVE besides its advisories.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CveIntel {
    /// NVD's ratings and the CNAs' it carries, in NVD's order (v4.0, v3.1, v3.0, v2).
    pub nvd: Vec<NvdRating>,
    pub cwes: Vec<String>,
    pub description: Option<String>,
    pub published: Option<String>,
    pub last_modified: Option<String>,
    pub kev: Option<KevEntry>,
    pub epss: Option<EpssScore>,
}

/// What an intelligence feed file held (see [`crate::sources::Parsed::intel`]).
#[derive(Debug, Default)]
pub struct IntelRecords {
    pub nvd: Vec<NvdRecord>,
    pub kev: Vec<(String, KevEntry)>,
    pub epss: Vec<(String, EpssScore)>,
    /// Facts about the feed recorded in the database's `meta` table (`epss_score_date`, …).
    pub meta: Vec<(String, String)>,
}

impl IntelRecords {
    /// Records held, over the three kinds.
    pub fn len(&self) -> usize {
        self.nvd.len() + self.kev.len() + self.epss.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Longest description kept (longer ones are cut at a character boundary, with `…`).
pub const MAX_DESCRIPTION: usize = 1024;
/// Longest short text kept (dates, versions, names, CNA source strings).
pub const MAX_SHORT: usize = 200;

/// `CVE-YYYY-N…` (4 to 19 digits, as CISA's schema says), upper-cased; `None` otherwise.
pub fn cve_id(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() > 32 {
        return None;
    }
    let upper = s.to_ascii_uppercase();
    let rest = upper.strip_prefix("CVE-")?;
    let (year, number) = rest.split_once('-')?;
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    (year.len() == 4 && digits(year) && (4..=19).contains(&number.len()) && digits(number))
        .then_some(upper)
}

/// `s` trimmed, without control characters, at most `max` bytes (cut at a character boundary,
/// `…` appended when cut); `None` when empty.
pub fn bounded(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(s.len().min(max + 3));
    for c in s.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if out.len() + c.len_utf8() > max {
            out.push('…');
            break;
        }
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids_are_checked_and_upper_cased() {
        assert_eq!(
            cve_id(" cve-2021-44228 ").as_deref(),
            Some("CVE-2021-44228")
        );
        assert_eq!(
            cve_id("CVE-2024-1234567").as_deref(),
            Some("CVE-2024-1234567")
        );
        for bad in [
            "",
            "CVE-21-44228",
            "CVE-2021-123",
            "GHSA-xxxx",
            "CVE-2021-4422x",
        ] {
            assert_eq!(cve_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn texts_are_bounded_at_char_boundaries() {
        assert_eq!(bounded("  ", 10), None);
        assert_eq!(bounded("a\nb", 10).as_deref(), Some("a b"));
        assert_eq!(bounded("ééééé", 5).as_deref(), Some("éé…"));
    }
}

//! CVSS base scores from vector strings (v2.0, v3.0, v3.1, v4.0), computed by the `cvss` crate,
//! with the severity band of the score.

use std::str::FromStr;

use cvss::Cvss;
use seaworthy_core::Severity;

/// Longest vector accepted; real ones are under 200 characters (v4 with every metric ~250).
const MAX_VECTOR_LEN: usize = 1024;

/// The score of one vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// 0.0 – 10.0, one decimal.
    pub score: f64,
    pub severity: Severity,
}

/// Scores a vector: `CVSS:3.1/AV:N/…`, `CVSS:4.0/AV:N/…`, or a v2 vector (`AV:N/AC:L/Au:N/…`,
/// also written `CVSS:2.0/AV:N/…` or in parentheses). `None` when it is not a valid vector.
///
/// v2 and v3 give the base score; v4 gives the score of all metrics the vector carries.
pub fn score(vector: &str) -> Option<Score> {
    let vector = vector.trim();
    if vector.is_empty() || vector.len() > MAX_VECTOR_LEN {
        return None;
    }
    let vector = vector
        .strip_prefix('(')
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(vector);
    let (version, value) = match vector.strip_prefix("CVSS:2.0/") {
        Some(v2) if !has_base_metrics(v2, V2_BASE) => return None,
        Some(v2) => ("2.0", cvss::v2::Vector::from_str(v2).ok()?.score().value()),
        None => {
            let parsed = Cvss::from_str(vector).ok()?;
            let (version, base) = match parsed {
                Cvss::CvssV20(_) => ("2.0", V2_BASE),
                Cvss::CvssV30(_) => ("3.0", V3_BASE),
                Cvss::CvssV31(_) => ("3.1", V3_BASE),
                Cvss::CvssV40(_) => ("4.0", V4_BASE),
                _ => return None,
            };
            // The crate scores vectors with base metrics left out; such a vector is no rating.
            if !has_base_metrics(vector, base) {
                return None;
            }
            (version, parsed.score())
        }
    };
    if !value.is_finite() || !(0.0..=10.0).contains(&value) {
        return None;
    }
    Some(Score {
        version: version.to_string(),
        score: value,
        severity: severity(version, value),
    })
}

/// Base metrics every vector of a version must give.
const V2_BASE: &[&str] = &["AV", "AC", "AU", "C", "I", "A"];
const V3_BASE: &[&str] = &["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
const V4_BASE: &[&str] = &[
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// Whether every metric of `base` appears in `vector` (`AV:N/…`, names case-insensitive).
fn has_base_metrics(vector: &str, base: &[&str]) -> bool {
    base.iter().all(|metric| {
        vector.split('/').any(|component| {
            component
                .split_once(':')
                .is_some_and(|(name, _)| name.eq_ignore_ascii_case(metric))
        })
    })
}

/// The qualitative band of a score: 0 → info, then low < 4 ≤ medium < 7 ≤ high < 9 ≤ critical
/// (v2 has no critical band: 7 and above is high).
pub fn severity(version: &str, score: f64) -> Severity {
    if score <= 0.0 {
        Severity::Info
    } else if score < 4.0 {
        Severity::Low
    } else if score < 7.0 {
        Severity::Medium
    } else if score < 9.0 || version == "2.0" {
        Severity::High
    } else {
        Severity::Critical
    }
}

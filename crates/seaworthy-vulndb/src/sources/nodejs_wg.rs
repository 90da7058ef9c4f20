//! The Node.js Security Working Group's legacy ecosystem advisories (nodejs/security-wg,
//! `vuln/npm/<n>.json`): node-semver ranges `vulnerable_versions` / `patched_versions` and a
//! CVSS vector. `vuln/core/` (Node.js itself, not an npm package) is passed over without
//! counting, as are the `index.json` files.

use serde::Deserialize;

use super::tarball::{self, stem};
use super::{FeedError, Parsed};
use crate::ecosystem::normalize_name;
use crate::model::{Advisory, Affected, Range, Rating, RatingKind, ReqSyntax, Status};
use crate::ranges;

pub const SOURCE: &str = "nodejs-security-wg";
const ECOSYSTEM: &str = "npm";

#[derive(Debug, Deserialize)]
struct NpmAdvisory {
    id: u64,
    title: Option<String>,
    module_name: Option<String>,
    cves: Option<Vec<String>>,
    vulnerable_versions: Option<String>,
    patched_versions: Option<String>,
    cvss_vector: Option<String>,
    cvss_score: Option<f64>,
    publish_date: Option<String>,
    updated_at: Option<String>,
    references: Option<Vec<String>>,
}

/// Parses the repository archive (`security-wg.tar.gz`, any top-level directory).
pub fn parse_tar_gz(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut advisories = Vec::new();
    tarball::for_each_member(
        bytes,
        file,
        "vuln/npm/<n>.json advisories",
        |path| npm_file(path).is_some(),
        |path, data| match data.and_then(|d| parse_record(&d)) {
            Ok(adv) => advisories.push(adv),
            Err(why) => parsed.skip(format!("{}: {why}", path.join("/"))),
        },
    )?;
    parsed.advisories = tarball::merge_by_id(advisories);
    Ok(parsed)
}

/// `[…, "vuln", "npm", "<n>.json"]` with at most one leading directory.
fn npm_file<'a>(path: &[&'a str]) -> Option<&'a str> {
    match path {
        ["vuln", "npm", name] | [_, "vuln", "npm", name]
            if name.ends_with(".json")
                && !stem(name).is_empty()
                && stem(name).bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(name)
        }
        _ => None,
    }
}

/// Parses one `vuln/npm/<n>.json` record. The id is its first CVE, else `NSWG-ECO-<id>`; the
/// other CVEs and the `NSWG-ECO-<id>` are aliases.
pub fn parse_record(bytes: &[u8]) -> Result<Advisory, String> {
    let rec: NpmAdvisory =
        serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let module = rec
        .module_name
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .ok_or("no `module_name`")?;
    let vulnerable = rec
        .vulnerable_versions
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or("no `vulnerable_versions`")?
        .to_string();
    ranges::check_requirement(ReqSyntax::Npm, &vulnerable).map_err(|e| e.to_string())?;
    let patched: Vec<String> = rec
        .patched_versions
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .into_iter()
        .collect();
    for p in &patched {
        ranges::check_requirement(ReqSyntax::Npm, p).map_err(|e| e.to_string())?;
    }

    let nswg = format!("NSWG-ECO-{}", rec.id);
    let mut ids: Vec<String> = Vec::new();
    for id in rec
        .cves
        .unwrap_or_default()
        .iter()
        .map(|c| c.trim())
        .chain([nswg.as_str()])
    {
        if !id.is_empty() && !ids.iter().any(|known| known == id) {
            ids.push(id.to_string());
        }
    }
    let id = ids.remove(0);

    Ok(Advisory {
        id,
        aliases: ids,
        source: SOURCE.to_string(),
        summary: rec.title.map(|t| t.trim().to_string()),
        published: rec.publish_date,
        modified: rec.updated_at,
        ratings: rating(rec.cvss_vector.as_deref(), rec.cvss_score)
            .into_iter()
            .collect(),
        references: rec.references.unwrap_or_default(),
        affected: vec![Affected {
            ecosystem: ECOSYSTEM.to_string(),
            package: normalize_name(ECOSYSTEM, module),
            status: Status::Affected,
            ranges: vec![Range::Requirements {
                syntax: ReqSyntax::Npm,
                affected: vec![vulnerable],
                unaffected: patched,
            }],
            versions: Vec::new(),
            severity: None,
            note: None,
        }],
        ..Advisory::default()
    })
}

/// The CVSS vector by its version prefix; without a vector, a bare score in 0–10 as a label
/// `cvss:<score>` (the database writes `-1` for "not rated").
fn rating(vector: Option<&str>, score: Option<f64>) -> Option<Rating> {
    let vector = vector.map(str::trim).filter(|v| !v.is_empty());
    let (kind, value) = match vector {
        Some(v) if v.starts_with("CVSS:4") => (RatingKind::CvssV4, v.to_string()),
        Some(v) if v.starts_with("CVSS:3") => (RatingKind::CvssV3, v.to_string()),
        Some(v) => (RatingKind::CvssV2, v.to_string()),
        None => (
            RatingKind::Label,
            format!("cvss:{}", score.filter(|s| (0.0..=10.0).contains(s))?),
        ),
    };
    Some(Rating {
        kind,
        value,
        by: None,
    })
}

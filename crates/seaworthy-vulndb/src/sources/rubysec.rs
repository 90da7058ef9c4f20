//! The Ruby Advisory Database (rubysec/ruby-advisory-db) in its native layout: one YAML file per
//! advisory at `gems/<gem>/<id>.yml`, with `patched_versions` and `unaffected_versions` as
//! RubyGems requirements. `rubies/` (advisories for Ruby interpreters) is not a package
//! ecosystem and is passed over without counting.
//!
//! Ratings: the database stores CVSS base scores, not vectors (`cvss_v3: 9.8`), so each score is
//! kept as a [`RatingKind::Label`] `cvss_v2:<score>`, `cvss_v3:<score>` or `cvss_v4:<score>`.

use serde::Deserialize;

use super::tarball::{self, first_line, stem};
use super::{FeedError, Parsed};
use crate::ecosystem::normalize_name;
use crate::model::{Advisory, Affected, Range, Rating, RatingKind, ReqSyntax, Status};
use crate::ranges;

pub const SOURCE: &str = "rubysec";
const ECOSYSTEM: &str = "RubyGems";

#[derive(Debug, Deserialize)]
struct GemAdvisory {
    gem: Option<String>,
    cve: Option<String>,
    ghsa: Option<String>,
    osvdb: Option<String>,
    url: Option<String>,
    title: Option<String>,
    date: Option<String>,
    cvss_v2: Option<String>,
    cvss_v3: Option<String>,
    cvss_v4: Option<String>,
    patched_versions: Option<Vec<String>>,
    unaffected_versions: Option<Vec<String>>,
    related: Option<Related>,
}

#[derive(Debug, Deserialize)]
struct Related {
    url: Option<Vec<String>>,
}

/// Parses the repository archive (`ruby-advisory-db.tar.gz`, any top-level directory).
pub fn parse_tar_gz(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut advisories = Vec::new();
    tarball::for_each_member(
        bytes,
        file,
        "gems/<gem>/<id>.yml advisories",
        |path| gem_file(path).is_some(),
        |path, data| {
            let name = path.last().copied().unwrap_or_default();
            match data.and_then(|d| parse_record(name, &d)) {
                Ok(adv) => advisories.push(adv),
                Err(why) => parsed.skip(format!("{}: {why}", path.join("/"))),
            }
        },
    )?;
    parsed.advisories = tarball::merge_by_id(advisories);
    Ok(parsed)
}

/// `[…, "gems", gem, "<id>.yml"]` with at most one leading directory.
fn gem_file<'a>(path: &[&'a str]) -> Option<&'a str> {
    match path {
        ["gems", _, name] | [_, "gems", _, name] if name.ends_with(".yml") => Some(name),
        _ => None,
    }
}

/// Parses one `gems/<gem>/<file>.yml` record; `file_name` supplies the id when the record has
/// no CVE, GHSA or OSVDB id.
pub fn parse_record(file_name: &str, bytes: &[u8]) -> Result<Advisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let rec: GemAdvisory = serde_saphyr::from_str_with_options(text, tarball::yaml_options())
        .map_err(|e| format!("invalid YAML: {}", first_line(&e)))?;
    let gem = rec
        .gem
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .ok_or("no `gem`")?;

    let ids: Vec<String> = [
        ("CVE-", &rec.cve),
        ("GHSA-", &rec.ghsa),
        ("OSVDB-", &rec.osvdb),
    ]
    .into_iter()
    .filter_map(|(prefix, value)| {
        let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
        Some(prefixed(prefix, value))
    })
    .collect();
    let mut ids = ids.into_iter();
    let id = ids.next().unwrap_or_else(|| stem(file_name).to_string());

    let mut unaffected = rec.patched_versions.unwrap_or_default();
    unaffected.extend(rec.unaffected_versions.unwrap_or_default());
    let unaffected: Vec<String> = unaffected.iter().map(|r| r.trim().to_string()).collect();
    for req in &unaffected {
        ranges::check_requirement(ReqSyntax::Gem, req).map_err(|e| e.to_string())?;
    }

    let ratings = [
        ("cvss_v2", &rec.cvss_v2),
        ("cvss_v3", &rec.cvss_v3),
        ("cvss_v4", &rec.cvss_v4),
    ]
    .into_iter()
    .filter_map(|(name, score)| {
        score.as_deref().map(|s| Rating {
            kind: RatingKind::Label,
            value: format!("{name}:{}", s.trim()),
            by: None,
        })
    })
    .collect();

    let mut references: Vec<String> = rec.url.into_iter().collect();
    for url in rec.related.and_then(|r| r.url).unwrap_or_default() {
        if !references.contains(&url) {
            references.push(url);
        }
    }

    Ok(Advisory {
        id,
        aliases: ids.collect(),
        source: SOURCE.to_string(),
        summary: rec.title.map(|t| t.trim().to_string()),
        published: rec.date,
        ratings,
        references,
        affected: vec![Affected {
            ecosystem: ECOSYSTEM.to_string(),
            package: normalize_name(ECOSYSTEM, gem),
            status: Status::Affected,
            ranges: vec![Range::Requirements {
                syntax: ReqSyntax::Gem,
                affected: Vec::new(),
                unaffected,
            }],
            versions: Vec::new(),
            severity: None,
            note: None,
        }],
        ..Advisory::default()
    })
}

/// `CVE-` + `2020-8164`; a value that already carries the prefix is kept as is.
fn prefixed(prefix: &str, value: &str) -> String {
    if value
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    {
        value.to_string()
    } else {
        format!("{prefix}{value}")
    }
}

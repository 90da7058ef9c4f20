//! The PHP Security Advisories Database (FriendsOfPHP/security-advisories) in its native layout:
//! one YAML file per advisory at `<vendor>/<package>/<name>.yaml`, each branch giving Composer
//! constraints (`versions: ['>=2.0.0', '<2.0.24']`, AND-ed). An advisory is affected when any
//! branch's constraints match. Files of one CVE for several packages become one advisory.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::tarball::{self, first_line, stem};
use super::{FeedError, Parsed};
use crate::ecosystem::normalize_name;
use crate::model::{Advisory, Affected, Range, ReqSyntax, Status};
use crate::ranges;

pub const SOURCE: &str = "friendsofphp";
const ECOSYSTEM: &str = "Packagist";

#[derive(Debug, Deserialize)]
struct PhpAdvisory {
    title: Option<String>,
    link: Option<String>,
    cve: Option<String>,
    branches: Option<BTreeMap<String, Branch>>,
    reference: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Branch {
    time: Option<String>,
    versions: Option<Vec<String>>,
}

/// Parses the repository archive (`security-advisories.tar.gz`, any top-level directory).
pub fn parse_tar_gz(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut advisories = Vec::new();
    tarball::for_each_member(
        bytes,
        file,
        "<vendor>/<package>/<name>.yaml advisories",
        |path| advisory_file(path).is_some(),
        |path, data| {
            let Some((vendor, package, name)) = advisory_file(path) else {
                return;
            };
            match data.and_then(|d| parse_record(vendor, package, name, &d)) {
                Ok(adv) => advisories.push(adv),
                Err(why) => parsed.skip(format!("{}: {why}", path.join("/"))),
            }
        },
    )?;
    parsed.advisories = tarball::merge_by_id(advisories);
    Ok(parsed)
}

/// `[vendor, package, "<name>.yaml"]` with at most one leading directory; hidden directories
/// (`.github`) are not packages.
fn advisory_file<'a>(path: &[&'a str]) -> Option<(&'a str, &'a str, &'a str)> {
    let (vendor, package, name) = match path {
        [vendor, package, name] | [_, vendor, package, name] => (*vendor, *package, *name),
        _ => return None,
    };
    let hidden = vendor.starts_with('.') || package.starts_with('.');
    (name.ends_with(".yaml") && !hidden).then_some((vendor, package, name))
}

/// Parses one `<vendor>/<package>/<name>.yaml` record. The id is the CVE when there is one,
/// else `FOP-<vendor>/<package>/<name>`.
pub fn parse_record(
    vendor: &str,
    package: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<Advisory, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let rec: PhpAdvisory = serde_saphyr::from_str_with_options(text, tarball::yaml_options())
        .map_err(|e| format!("invalid YAML: {}", first_line(&e)))?;

    // `composer://vendor/package`; the path names the package when the reference is missing.
    let name = rec
        .reference
        .as_deref()
        .and_then(|r| r.trim().strip_prefix("composer://"))
        .filter(|n| n.contains('/'))
        .map_or_else(|| format!("{vendor}/{package}"), str::to_string);

    let mut affected = Vec::new();
    let mut published: Option<String> = None;
    for (branch_name, branch) in rec.branches.unwrap_or_default() {
        let versions = branch.versions.unwrap_or_default();
        if versions.is_empty() {
            return Err(format!("branch `{branch_name}` has no versions"));
        }
        let expr = versions
            .iter()
            .map(|v| v.trim())
            .collect::<Vec<_>>()
            .join(",");
        ranges::check_requirement(ReqSyntax::Composer, &expr).map_err(|e| e.to_string())?;
        affected.push(expr);
        // `2019-04-16 11:40:42` → `2019-04-16`: the earliest branch fix dates the advisory.
        if let Some(date) = branch.time.as_deref().and_then(day) {
            published = Some(published.map_or(date.clone(), |p| p.min(date)));
        }
    }
    if affected.is_empty() {
        return Err("no branches".into());
    }

    let cve = rec
        .cve
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "~");
    let id = cve.map_or_else(
        || format!("FOP-{vendor}/{package}/{}", stem(file_name)),
        str::to_string,
    );

    Ok(Advisory {
        id,
        source: SOURCE.to_string(),
        summary: rec.title.map(|t| t.trim().to_string()),
        published,
        references: rec.link.into_iter().collect(),
        affected: vec![Affected {
            ecosystem: ECOSYSTEM.to_string(),
            package: normalize_name(ECOSYSTEM, &name),
            status: Status::Affected,
            ranges: vec![Range::Requirements {
                syntax: ReqSyntax::Composer,
                affected,
                unaffected: Vec::new(),
            }],
            versions: Vec::new(),
            severity: None,
            note: None,
        }],
        ..Advisory::default()
    })
}

/// The `YYYY-MM-DD` day of a branch `time`.
fn day(time: &str) -> Option<String> {
    let day = time.trim().get(..10)?;
    let shape_ok = day.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        _ => b.is_ascii_digit(),
    });
    shape_ok.then(|| day.to_string())
}

//! Alpine packages from apk's database, `lib/apk/db/installed`: blocks separated by blank
//! lines, one `X:value` line per field (`P` name, `V` version, `A` arch, `o` origin, `L`
//! license, `m` maintainer; file lists and checksums are skipped). Each package is attributed to
//! the layer that added it, read from the database's earlier versions (see
//! [`crate::attribution`]).

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env, check_count};
use crate::package::{Ecosystem, Package, SourcePackage};
use crate::purl::purl;

const NAME: &str = "apk";
const INSTALLED: &str = "lib/apk/db/installed";
/// How much of a bad line an error quotes.
const QUOTE_CHARS: usize = 40;

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(Apk)
}

struct Apk;

impl Cataloger for Apk {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path == INSTALLED
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let text = String::from_utf8_lossy(file.data);
        let blocks = parse_blocks(&text, env.limits.max_packages_per_file)?;
        let mut packages = Vec::with_capacity(blocks.len());
        for (n, b) in blocks.iter().enumerate() {
            match (to_package(b, env), b.name) {
                (Some(p), _) => packages.push(p),
                // apk skips it too, but a package it names is not silently left out.
                (None, Some(name)) => env.skip(format!("block {n}: package {name} has no V:")),
                (None, None) => {}
            }
        }
        Ok(packages)
    }

    fn owned_files(
        &self,
        file: &FileRef<'_>,
        _env: &Env<'_>,
        _packages: &[&Package],
        wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        owned_files(&String::from_utf8_lossy(file.data), wanted)
    }
}

/// The files (`F:` directory, `R:` name) of each package (`P:`) that `wanted` accepts, as
/// absolute paths with the package's name.
fn owned_files(text: &str, wanted: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name = "";
    let mut dir = "";
    let mut path = String::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            (name, dir) = ("", "");
            continue;
        }
        if let Some(v) = line.strip_prefix("P:") {
            name = v.trim();
        } else if let Some(v) = line.strip_prefix("F:") {
            dir = v.trim().trim_matches('/');
        } else if let Some(v) = line.strip_prefix("R:") {
            path.clear();
            path.push('/');
            if !dir.is_empty() {
                path.push_str(dir);
                path.push('/');
            }
            path.push_str(v.trim());
            if !name.is_empty() && wanted(&path) {
                out.push((path.clone(), name.to_string()));
            }
        }
    }
    out
}

/// The fields of one package block this cataloger uses (first occurrence of each).
#[derive(Debug, Default, PartialEq, Eq)]
struct Block<'a> {
    name: Option<&'a str>,
    version: Option<&'a str>,
    arch: Option<&'a str>,
    origin: Option<&'a str>,
    license: Option<&'a str>,
    maintainer: Option<&'a str>,
}

/// Splits the database into blocks; a line that is not `X:value` is an error naming it, and so
/// are more than `max` blocks (see [`check_count`]).
fn parse_blocks(text: &str, max: usize) -> Result<Vec<Block<'_>>, String> {
    let mut blocks = Vec::new();
    let mut current = Block::default();
    let mut in_block = false;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if in_block {
                blocks.push(std::mem::take(&mut current));
                check_count(blocks.len(), max)?;
                in_block = false;
            }
            continue;
        }
        let mut chars = line.chars();
        let (Some(key), Some(':')) = (chars.next(), chars.next()) else {
            let quoted: String = line.chars().take(QUOTE_CHARS).collect();
            return Err(format!(
                "line {}: expected `X:value`, found {quoted:?}",
                index.saturating_add(1)
            ));
        };
        in_block = true;
        let value = chars.as_str().trim();
        let slot = match key {
            'P' => &mut current.name,
            'V' => &mut current.version,
            'A' => &mut current.arch,
            'o' => &mut current.origin,
            'L' => &mut current.license,
            'm' => &mut current.maintainer,
            _ => continue,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }
    if in_block {
        blocks.push(current);
        check_count(blocks.len(), max)?;
    }
    Ok(blocks)
}

/// A package from a block with a name and a version (others are skipped, as apk does).
fn to_package(b: &Block<'_>, env: &Env<'_>) -> Option<Package> {
    let name = b.name?;
    let version = b.version?;
    let namespace = env.os.map_or("alpine", |os| os.id.as_str());
    let distro = env.os.map(|os| os.distro()).unwrap_or_default();
    let purl = purl(
        "apk",
        Some(namespace),
        name,
        version,
        &[("arch", b.arch.unwrap_or_default()), ("distro", &distro)],
    );
    let mut p = Package::new(NAME, Ecosystem::Apk, name, version, purl);
    p.source = Some(SourcePackage {
        name: b.origin.unwrap_or(name).to_string(),
        version: version.to_string(),
    });
    p.arch = b.arch.map(str::to_string);
    p.licenses = b.license.map(split_licenses).unwrap_or_default();
    if let Some(m) = b.maintainer {
        p.metadata.push(("maintainer".into(), m.to_string()));
    }
    Some(p)
}

/// An SPDX expression (`(Apache-2.0 OR MIT) AND MPL-2.0`) stays whole; older packages list
/// licenses separated by spaces (`MIT BSD GPL2+`).
fn split_licenses(value: &str) -> Vec<String> {
    let is_expression = value.split_whitespace().any(|t| {
        ["AND", "OR", "WITH"]
            .iter()
            .any(|op| t.eq_ignore_ascii_case(op))
            || t.contains(['(', ')'])
    });
    if is_expression {
        vec![value.to_string()]
    } else {
        value.split_whitespace().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses() {
        assert_eq!(split_licenses("MIT BSD GPL2+"), ["MIT", "BSD", "GPL2+"]);
        assert_eq!(
            split_licenses("( Apache-2.0 OR MIT ) AND MPL-2.0"),
            ["( Apache-2.0 OR MIT ) AND MPL-2.0"]
        );
        assert_eq!(split_licenses("GPL-2.0-only"), ["GPL-2.0-only"]);
    }

    #[test]
    fn r_lines_under_f_are_owned_files() {
        let db = "C:Q1x=\nP:py3-pip\nV:23.1.2-r0\nF:usr\nF:usr/lib/python3.11/site-packages/pip-23.1.2.dist-info\nR:METADATA\nR:RECORD\nF:usr/bin\nR:pip3\n\nP:busybox\nV:1.36.1-r2\nF:bin\nR:busybox\nR:pip3\n";
        let wanted = |p: &str| {
            p == "/usr/lib/python3.11/site-packages/pip-23.1.2.dist-info/METADATA"
                || p.ends_with("/pip3")
        };
        assert_eq!(
            owned_files(db, &wanted),
            [
                (
                    "/usr/lib/python3.11/site-packages/pip-23.1.2.dist-info/METADATA".to_string(),
                    "py3-pip".to_string()
                ),
                ("/usr/bin/pip3".to_string(), "py3-pip".to_string()),
                ("/bin/pip3".to_string(), "busybox".to_string()),
            ]
        );
    }

    #[test]
    fn bad_line_is_named() {
        let err = parse_blocks("P:a\nV:1\n\nnot a field\n", 10).err();
        assert_eq!(
            err.as_deref(),
            Some("line 4: expected `X:value`, found \"not a field\"")
        );
        assert!(parse_blocks("P:a\r\nV:1\r\n\r\nP:b\r\n", 10).is_ok_and(|b| b.len() == 2));
        assert!(parse_blocks("é", 10).is_err());
    }
}

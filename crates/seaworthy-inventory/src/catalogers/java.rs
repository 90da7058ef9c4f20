//! Java archives (jar/war/ear and Jenkins plugins), including archives nested inside them
//! (`WEB-INF/lib/*.jar`, `BOOT-INF/lib/*.jar`, …). `reduce` keeps only each archive's manifest
//! main section and its `META-INF/maven/**/pom.properties`; `catalog` makes one package per
//! pom.properties, or one from the manifest and file name when an archive has none.
//!
//! Bounded against hostile archives: nesting depth, archive and entry counts, bytes inflated in
//! total and per entry. Stored (uncompressed) nested archives are read in place, without copying.

use std::io::{Cursor, Read};

use seaworthy_oci::FileRef;
use serde::{Deserialize, Serialize};
use zip::{CompressionMethod, ZipArchive};

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package, PackageLocation};
use crate::purl::purl;

const NAME: &str = "java";
/// Start of every reduced payload; the rest is JSON.
const PAYLOAD_MAGIC: &[u8] = b"SWJAR1\n";
const EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".jpi", ".hpi"];
/// Archive nesting levels read below the file itself (Spring Boot and WAR files nest 2–3);
/// archives deeper still are reported as skipped.
const MAX_DEPTH: usize = 8;
/// Bytes inflated over the whole file, nested archives included.
const MAX_INFLATED: u64 = 128 << 20;
/// Largest manifest or pom.properties read.
const MAX_SMALL_ENTRY: u64 = 1 << 20;
/// Largest compressed nested archive inflated.
const MAX_NESTED: u64 = 64 << 20;
/// Archives opened per file, nested ones included.
const MAX_ARCHIVES: usize = 4096;
/// Central-directory entries per archive, and over all archives of one file.
const MAX_ENTRIES: u64 = 300_000;
const MAX_ENTRIES_TOTAL: u64 = 1_000_000;
/// pom.properties read per file.
const MAX_POMS: usize = 10_000;
/// Problems with nested archives remembered (they are skipped and reported, not fatal); the
/// rest are counted.
const MAX_NOTES: usize = 16;
/// Manifest main-section attributes kept.
const MANIFEST_KEYS: &[&str] = &[
    "Automatic-Module-Name",
    "Bundle-License",
    "Bundle-Name",
    "Bundle-SymbolicName",
    "Bundle-Version",
    "Implementation-Title",
    "Implementation-Vendor-Id",
    "Implementation-Version",
    "Specification-Version",
];

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(Java)
}

struct Java;

/// What `reduce` keeps of one file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Extracted {
    archives: Vec<Archive>,
    /// Nested archives and entries that could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
    /// Problems beyond [`MAX_NOTES`].
    #[serde(default, skip_serializing_if = "is_zero")]
    more_skipped: usize,
    /// Why the file itself could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Archive {
    /// Path inside the file, nested levels joined by `:` (empty for the file itself).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    path: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    manifest: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    poms: Vec<Pom>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Pom {
    path: String,
    group_id: String,
    artifact_id: String,
    version: String,
}

impl Cataloger for Java {
    fn name(&self) -> &'static str {
        NAME
    }

    /// Archives are reduced to their manifests while the layer streams: bounded by the capture
    /// limit (`max_file_bytes`).
    fn parse_limit(&self, limits: &seaworthy_oci::Limits) -> u64 {
        limits.max_file_bytes
    }

    fn wants_path(&self, path: &str) -> bool {
        is_archive_name(path)
    }

    fn reduce(&self, _path: &str, data: Vec<u8>) -> Option<Vec<u8>> {
        let extracted = extract(&data);
        drop(data);
        let mut out = PAYLOAD_MAGIC.to_vec();
        serde_json::to_writer(&mut out, &extracted).ok()?;
        Some(out)
    }

    fn claims(&self, data: &[u8]) -> bool {
        data.starts_with(PAYLOAD_MAGIC)
    }

    fn catalog(&self, file: &FileRef<'_>, env: &Env<'_>) -> Result<Vec<Package>, String> {
        let extracted = match file.data.strip_prefix(PAYLOAD_MAGIC) {
            Some(json) => serde_json::from_slice::<Extracted>(json)
                .map_err(|e| format!("bad java payload: {e}"))?,
            // Not reduced (a view built from loose files): read the archive now.
            None => extract(file.data),
        };
        if let Some(error) = extracted.error {
            return Err(error);
        }
        for note in &extracted.skipped {
            env.skip(note.clone());
        }
        if extracted.more_skipped > 0 {
            env.skip(format!(
                "{} more nested archives or entries skipped",
                extracted.more_skipped
            ));
        }
        Ok(extracted
            .archives
            .iter()
            .flat_map(|archive| archive_packages(archive, file))
            .collect())
    }
}

fn is_archive_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
}

/// Reads the file and every archive nested in it, within the budgets.
fn extract(data: &[u8]) -> Extracted {
    let mut out = Extracted::default();
    let mut budget = Budget {
        inflated: MAX_INFLATED,
        poms: MAX_POMS,
        archives: MAX_ARCHIVES,
        entries: MAX_ENTRIES_TOTAL,
    };
    if let Err(e) = walk(data, String::new(), 0, &mut budget, &mut out) {
        out.error = Some(e);
    }
    out
}

struct Budget {
    inflated: u64,
    poms: usize,
    archives: usize,
    entries: u64,
}

/// A nested archive's bytes: a range of its parent (stored) or inflated.
enum Nested {
    InPlace(usize, usize),
    Inflated(Vec<u8>),
}

fn walk(
    data: &[u8],
    path: String,
    depth: usize,
    budget: &mut Budget,
    out: &mut Extracted,
) -> Result<(), String> {
    budget.archives = budget
        .archives
        .checked_sub(1)
        .ok_or(format!("more than {MAX_ARCHIVES} nested archives"))?;
    if let Some(count) = declared_entries(data)
        && (count > MAX_ENTRIES || count > budget.entries)
    {
        return Err(format!("zip declares {count} entries, more than allowed"));
    }
    let mut zip = ZipArchive::new(Cursor::new(data))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    let count = zip.len() as u64;
    budget.entries = budget
        .entries
        .checked_sub(count)
        .ok_or("too many zip entries in nested archives")?;
    let mut archive = Archive {
        path,
        ..Archive::default()
    };
    let mut nested: Vec<(String, Nested)> = Vec::new();
    for index in 0..zip.len() {
        let Some(Ok(name)) = zip.name_for_index(index) else {
            continue;
        };
        let name = name.into_owned();
        if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") && archive.manifest.is_empty() {
            match read_small(&mut zip, index, budget) {
                Ok(text) => archive.manifest = parse_manifest(&text),
                Err(e) => note(out, &archive.path, &name, &e),
            }
        } else if name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties") {
            if budget.poms == 0 {
                note(
                    out,
                    &archive.path,
                    &name,
                    &format!("not read: more than {MAX_POMS} pom.properties in one file"),
                );
                continue;
            }
            budget.poms -= 1;
            match read_small(&mut zip, index, budget) {
                Ok(text) => archive.poms.push(parse_pom(name, &text)),
                Err(e) => note(out, &archive.path, &name, &e),
            }
        } else if !name.ends_with('/') && is_archive_name(&name) {
            if depth >= MAX_DEPTH {
                note(
                    out,
                    &archive.path,
                    &name,
                    &format!("not read: nested more than {MAX_DEPTH} archives deep"),
                );
                continue;
            }
            match read_nested(&mut zip, index, data.len(), budget) {
                Ok(bytes) => nested.push((name, bytes)),
                Err(e) => note(out, &archive.path, &name, &e),
            }
        }
    }
    drop(zip);
    let parent = archive.path.clone();
    if worth_keeping(&archive) {
        out.archives.push(archive);
    }
    for (name, bytes) in nested {
        let child = if parent.is_empty() {
            name.clone()
        } else {
            format!("{parent}:{name}")
        };
        let bytes = match &bytes {
            Nested::InPlace(start, end) => data.get(*start..*end).unwrap_or_default(),
            Nested::Inflated(vec) => vec.as_slice(),
        };
        if let Err(e) = walk(bytes, child, depth + 1, budget, out) {
            note(out, &parent, &name, &e);
        }
    }
    Ok(())
}

/// The file itself, and nested archives with something that may identify them.
fn worth_keeping(archive: &Archive) -> bool {
    let file_name = archive.path.rsplit(['/', ':']).next().unwrap_or_default();
    archive.path.is_empty()
        || !archive.manifest.is_empty()
        || !archive.poms.is_empty()
        || split_file_name(file_name).1.is_some()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn note(out: &mut Extracted, parent: &str, name: &str, error: &str) {
    if out.skipped.len() >= MAX_NOTES {
        out.more_skipped += 1;
    } else {
        let path = if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}:{name}")
        };
        out.skipped.push(format!("{path}: {error}"));
    }
}

/// Inflates one small entry (manifest, pom.properties) as text.
fn read_small(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    budget: &mut Budget,
) -> Result<String, String> {
    let bytes = inflate(zip, index, MAX_SMALL_ENTRY, budget)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn read_nested(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    outer_len: usize,
    budget: &mut Budget,
) -> Result<Nested, String> {
    {
        let entry = zip.by_index(index).map_err(|e| e.to_string())?;
        if entry.compression() == CompressionMethod::Stored {
            let range = entry.data_start().and_then(|start| {
                let start = usize::try_from(start).ok()?;
                let end = start.checked_add(usize::try_from(entry.compressed_size()).ok()?)?;
                (end <= outer_len).then_some((start, end))
            });
            if let Some((start, end)) = range {
                return Ok(Nested::InPlace(start, end));
            }
        }
    }
    inflate(zip, index, MAX_NESTED, budget).map(Nested::Inflated)
}

/// An entry's contents, refusing more than `limit` bytes (or what is left of the budget)
/// whatever its header claims. Every byte inflated is charged, refused entries too.
fn inflate(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    limit: u64,
    budget: &mut Budget,
) -> Result<Vec<u8>, String> {
    let limit = limit.min(budget.inflated);
    let entry = zip.by_index(index).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    let read = entry.take(limit.saturating_add(1)).read_to_end(&mut bytes);
    budget.inflated = budget.inflated.saturating_sub(bytes.len() as u64);
    read.map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "inflates past the {limit} byte limit (entry or file budget)"
        ));
    }
    Ok(bytes)
}

/// The entry count of the end-of-central-directory record (zip64 too), read before the zip
/// library allocates per entry. `None` when the record is not found where expected.
fn declared_entries(data: &[u8]) -> Option<u64> {
    const EOCD_LEN: usize = 22;
    let tail_start = data.len().saturating_sub(EOCD_LEN + usize::from(u16::MAX));
    let tail = data.get(tail_start..)?;
    let at = tail_start.checked_add(memchr::memmem::rfind(tail, b"PK\x05\x06")?)?;
    let entries = u16::from_le_bytes(data.get(at + 10..at + 12)?.try_into().ok()?);
    if entries != u16::MAX {
        return Some(u64::from(entries));
    }
    let locator = data.get(at.checked_sub(20)?..at)?;
    if !locator.starts_with(b"PK\x06\x07") {
        return None;
    }
    let record_at =
        usize::try_from(u64::from_le_bytes(locator.get(8..16)?.try_into().ok()?)).ok()?;
    let record = data.get(record_at..record_at.checked_add(40)?)?;
    if !record.starts_with(b"PK\x06\x06") {
        return None;
    }
    Some(u64::from_le_bytes(record.get(32..40)?.try_into().ok()?))
}

/// The kept attributes of a manifest's main section (up to the first blank line), with
/// continuation lines joined.
fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    for line in text.split('\n') {
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some((_, value)) = current.as_mut() {
                value.push_str(rest);
            }
            continue;
        }
        attributes.extend(current.take());
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            current = Some((key.trim().to_string(), value.trim().to_string()));
        }
    }
    attributes.extend(current);
    attributes
        .into_iter()
        .filter_map(|(key, value)| {
            let canonical = MANIFEST_KEYS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(&key))?;
            Some((canonical.to_string(), value))
        })
        .collect()
}

/// `groupId`, `artifactId` and `version` from a pom.properties (Java properties syntax).
fn parse_pom(path: String, text: &str) -> Pom {
    let mut pom = Pom {
        path,
        ..Pom::default()
    };
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(split) = line.find(['=', ':', ' ', '\t']) else {
            continue;
        };
        let key = line.get(..split).unwrap_or_default();
        let value = line.get(split + 1..).unwrap_or_default();
        let value = value
            .trim_start_matches([' ', '\t', '=', ':'])
            .trim()
            .to_string();
        match key {
            "groupId" => pom.group_id = value,
            "artifactId" => pom.artifact_id = value,
            "version" => pom.version = value,
            _ => {}
        }
    }
    pom
}

/// Packages of one archive: its pom.properties, else a guess from manifest and file name.
fn archive_packages(archive: &Archive, file: &FileRef<'_>) -> Vec<Package> {
    let locations = if archive.path.is_empty() {
        Vec::new()
    } else {
        vec![PackageLocation {
            path: format!("/{}:{}", file.path, archive.path),
            layer: file.layer,
        }]
    };
    let manifest = |key: &str| {
        archive
            .manifest
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let license = manifest("Bundle-License");
    let mut packages = Vec::new();
    for pom in archive.poms.iter().filter(|p| !p.artifact_id.is_empty()) {
        let mut p = maven_package(&pom.group_id, &pom.artifact_id, &pom.version);
        p.metadata.push(("pom_properties".into(), pom.path.clone()));
        packages.push(p);
    }
    if packages.is_empty() {
        let file_name = archive
            .path
            .rsplit(['/', ':'])
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| file.path.rsplit('/').next().unwrap_or(file.path));
        let (stem_name, stem_version) = split_file_name(file_name);
        let single_token = |v: &&str| !v.contains(char::is_whitespace);
        let manifest_name = manifest("Implementation-Title")
            .filter(single_token)
            .or_else(|| manifest("Bundle-Name").filter(single_token));
        let manifest_version =
            manifest("Implementation-Version").or_else(|| manifest("Bundle-Version"));
        let name = stem_version
            .and(Some(stem_name))
            .or(manifest_name)
            .unwrap_or(stem_name);
        let Some(version) = manifest_version
            .or(stem_version)
            .or_else(|| manifest("Specification-Version"))
        else {
            // Nothing identifies it (a war or an application jar without a version).
            return Vec::new();
        };
        let group = manifest("Implementation-Vendor-Id")
            .filter(|g| g.contains('.') && single_token(g))
            .map(str::to_string)
            .or_else(|| manifest("Bundle-SymbolicName").and_then(group_from_symbolic_name))
            .or_else(|| manifest("Automatic-Module-Name").and_then(group_from_symbolic_name))
            .unwrap_or_else(|| name.to_string());
        let from_manifest =
            manifest_version.is_some() || (stem_version.is_none() && manifest_name.is_some());
        let evidence = if from_manifest {
            "manifest"
        } else {
            "file-name"
        };
        let mut p = maven_package(&group, name, version);
        p.metadata.push(("evidence".into(), evidence.into()));
        packages.push(p);
    }
    if let (Some(license), [p]) = (license, packages.as_mut_slice()) {
        p.licenses.push(license.to_string());
    }
    for p in &mut packages {
        p.locations.clone_from(&locations);
        p.metadata.sort();
    }
    packages
}

fn maven_package(group: &str, artifact: &str, version: &str) -> Package {
    let purl = purl("maven", Some(group), artifact, version, &[]);
    let mut p = Package::new(NAME, Ecosystem::Maven, artifact, version, purl);
    if !group.is_empty() {
        p.metadata.push(("group_id".into(), group.to_string()));
    }
    p
}

/// `commons-lang3-3.12.0.jar` → (`commons-lang3`, `3.12.0`): the version starts at the first
/// `-` followed by a digit.
fn split_file_name(file_name: &str) -> (&str, Option<&str>) {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    let split = stem
        .match_indices('-')
        .find(|(at, _)| stem.as_bytes().get(at + 1).is_some_and(u8::is_ascii_digit));
    match split {
        Some((at, _)) => (
            stem.get(..at).unwrap_or(stem),
            stem.get(at + 1..).filter(|v| !v.is_empty()),
        ),
        None => (stem, None),
    }
}

/// A likely groupId from an OSGi symbolic or module name: `org.slf4j.nop` → `org.slf4j`,
/// `javax.inject` → `javax.inject`.
fn group_from_symbolic_name(name: &str) -> Option<String> {
    let name = name.split(';').next().unwrap_or_default().trim();
    let segments: Vec<&str> = name.split('.').collect();
    if segments.len() < 2
        || segments
            .iter()
            .any(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return None;
    }
    let kept = if segments.len() > 2 {
        segments.len() - 1
    } else {
        2
    };
    Some(segments.get(..kept).unwrap_or_default().join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_main_section_with_continuations() {
        let text = "Manifest-Version: 1.0\r\nBundle-SymbolicName: org.exa\r\n mple.lib;singleton:=true\r\n\
            Implementation-Version: 2.0\r\n\r\nName: foo/\r\nImplementation-Version: 9\r\n";
        assert_eq!(
            parse_manifest(text),
            vec![
                (
                    "Bundle-SymbolicName".to_string(),
                    "org.example.lib;singleton:=true".to_string()
                ),
                ("Implementation-Version".to_string(), "2.0".to_string()),
            ]
        );
    }

    #[test]
    fn pom_properties_syntax() {
        let pom = parse_pom(
            "p".into(),
            "#Generated\nversion=1.0\ngroupId = g.h\nartifactId: a\n",
        );
        assert_eq!(
            (
                pom.group_id.as_str(),
                pom.artifact_id.as_str(),
                pom.version.as_str()
            ),
            ("g.h", "a", "1.0")
        );
    }

    #[test]
    fn file_names_and_groups() {
        assert_eq!(
            split_file_name("jsr305-0.1~+svn49.jar"),
            ("jsr305", Some("0.1~+svn49"))
        );
        assert_eq!(
            split_file_name("atinject-jsr330-api-1.0.jar"),
            ("atinject-jsr330-api", Some("1.0"))
        );
        assert_eq!(split_file_name("guice-jndi.jar"), ("guice-jndi", None));
        assert_eq!(
            group_from_symbolic_name("org.slf4j.nop"),
            Some("org.slf4j".into())
        );
        assert_eq!(
            group_from_symbolic_name("javax.inject"),
            Some("javax.inject".into())
        );
        assert_eq!(group_from_symbolic_name("nodots"), None);
    }

    #[test]
    fn huge_declared_entry_counts_are_refused_before_parsing() {
        let mut data = b"PK\x06\x06".to_vec();
        data.resize(32, 0);
        data.extend_from_slice(&1_000_000_000u64.to_le_bytes());
        data.resize(56, 0);
        data.extend_from_slice(b"PK\x06\x07\0\0\0\0");
        data.extend_from_slice(&0u64.to_le_bytes());
        data.extend_from_slice(&[1, 0, 0, 0]);
        data.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\0");
        assert_eq!(declared_entries(&data), Some(1_000_000_000));
        let out = extract(&data);
        assert!(
            out.error
                .is_some_and(|e| e.contains("declares 1000000000 entries"))
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let out = extract(b"PK\x05\x06 definitely not a zip");
        assert!(out.error.is_some());
        assert_eq!(declared_entries(b"PK\x05\x06\0\0\0\0\0\0\xff\xff"), None);
    }
}

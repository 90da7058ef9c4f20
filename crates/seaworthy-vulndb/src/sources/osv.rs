//! OSV records (<https://ossf.github.io/osv-schema/>): one JSON record, or a per-ecosystem
//! export `all.zip` with one `<id>.json` per advisory, parsed in parallel.

use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Deserializer};
use zip::ZipArchive;

use crate::ecosystem;
use crate::model::{Advisory, Affected, Event, Range, Rating, RatingKind, Status};
use crate::sources::{FeedError, Parsed};

/// Source name of advisories read here.
pub const SOURCE: &str = "osv";
/// Entries accepted in one zip (osv.dev's largest export holds a few hundred thousand).
pub const MAX_ENTRIES: usize = 2_000_000;
/// Largest uncompressed record; a larger one is skipped.
pub const MAX_RECORD_BYTES: u64 = 32 << 20;
/// Largest sum of uncompressed records in one zip; beyond it the file is rejected.
pub const MAX_TOTAL_BYTES: u64 = 16 << 30;
/// References kept per advisory.
pub const MAX_REFERENCES: usize = 20;
/// Characters kept of a summary (or of the first line of `details` standing in for it).
pub const MAX_SUMMARY_CHARS: usize = 300;
/// Note on an affected package whose `GIT` ranges were left out (commit ranges are not
/// matched against package versions).
pub const GIT_NOTE: &str = "GIT ranges ignored";
/// Zip entries per parallel task.
const CHUNK: usize = 256;

/// Parses one OSV record. Every record is returned, including RustSec informational notices
/// (see [`is_informational`]) and withdrawn ones.
pub fn parse_record(bytes: &[u8], file: &str) -> Result<Advisory, FeedError> {
    let record: Record = serde_json::from_slice(bytes)
        .map_err(|e| FeedError::new(file, format!("not an OSV record: {e}")))?;
    record.into_advisory(file).map(|(advisory, _)| advisory)
}

/// Whether a record is a RustSec informational notice (`unmaintained`, `unsound`, `notice`)
/// rather than a vulnerability: every affected package carries `database_specific.informational`.
pub fn is_informational(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Record>(bytes).is_ok_and(|r| r.informational())
}

/// Parses an OSV export zip. Records that cannot be read are skipped and counted; RustSec
/// informational notices are left out (they are not vulnerabilities). A zip whose directory,
/// an entry's data or checksum cannot be read is an error for the whole file.
pub fn parse_zip(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| FeedError::new(file, format!("not a readable zip: {e}")))?;
    let entries = archive.len();
    if entries > MAX_ENTRIES {
        return Err(FeedError::new(
            file,
            format!("{entries} entries, more than the {MAX_ENTRIES} accepted"),
        ));
    }
    let total = AtomicU64::new(0);
    let chunks: Vec<Result<Parsed, FeedError>> = (0..entries.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let mut archive = archive.clone();
            let start = chunk * CHUNK;
            let end = (start + CHUNK).min(entries);
            let mut parsed = Parsed::default();
            for index in start..end {
                parse_entry(&mut archive, index, file, &total, &mut parsed)?;
            }
            Ok(parsed)
        })
        .collect();
    let mut parsed = Parsed::default();
    for chunk in chunks {
        parsed.merge(chunk?);
    }
    Ok(parsed)
}

/// Reads entry `index` into `parsed`; `Err` only when the zip itself is damaged.
fn parse_entry(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    index: usize,
    file: &str,
    total: &AtomicU64,
    parsed: &mut Parsed,
) -> Result<(), FeedError> {
    let damaged = |what: String| FeedError::new(file, what);
    let mut entry = archive
        .by_index(index)
        .map_err(|e| damaged(format!("entry {index}: {e}")))?;
    let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
    if entry.is_dir() || !name.ends_with(".json") {
        return Ok(());
    }
    let mut data = Vec::new();
    (&mut entry)
        .take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(|e| damaged(format!("{name}: {e}")))?;
    let size = data.len() as u64;
    if total.fetch_add(size, Ordering::Relaxed) + size > MAX_TOTAL_BYTES {
        return Err(damaged(format!(
            "more than {MAX_TOTAL_BYTES} bytes uncompressed"
        )));
    }
    if size > MAX_RECORD_BYTES {
        parsed.skip(format!("{name}: larger than {MAX_RECORD_BYTES} bytes"));
        return Ok(());
    }
    let record = match serde_json::from_slice::<Record>(&data) {
        Ok(record) => record,
        Err(e) => {
            parsed.skip(format!("{name}: not an OSV record: {e}"));
            return Ok(());
        }
    };
    match record.into_advisory(&name) {
        Ok((_, true)) => {}
        Ok((advisory, false)) => parsed.advisories.push(advisory),
        Err(e) => parsed.skip(e.to_string()),
    }
    Ok(())
}

/// `null` read as the type's default (OSV producers write `"aliases": null`).
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(default, deserialize_with = "nullable")]
    id: String,
    #[serde(default, deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    related: Vec<String>,
    /// The vulnerabilities a distribution advisory was made for (OSV 1.7; Red Hat writes its
    /// CVEs here), kept with `related`.
    #[serde(default, deserialize_with = "nullable")]
    upstream: Vec<String>,
    summary: Option<String>,
    details: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    severity: Vec<Severity>,
    #[serde(default, deserialize_with = "nullable")]
    affected: Vec<RecordAffected>,
    #[serde(default, deserialize_with = "nullable")]
    references: Vec<Reference>,
    database_specific: Option<DatabaseSpecific>,
}

#[derive(Debug, Deserialize)]
struct Severity {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    score: String,
}

#[derive(Debug, Deserialize)]
struct DatabaseSpecific {
    /// GHSA: `LOW`, `MODERATE`, `HIGH`, `CRITICAL`; elsewhere possibly not a string.
    severity: Option<serde_json::Value>,
    /// RustSec: `unmaintained`, `unsound`, `notice`, or `null` for vulnerabilities.
    informational: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct RecordAffected {
    package: Option<Package>,
    #[serde(default, deserialize_with = "nullable")]
    ranges: Vec<RecordRange>,
    #[serde(default, deserialize_with = "nullable")]
    versions: Vec<String>,
    database_specific: Option<DatabaseSpecific>,
}

#[derive(Debug, Deserialize)]
struct Package {
    #[serde(default, deserialize_with = "nullable")]
    ecosystem: String,
    #[serde(default, deserialize_with = "nullable")]
    name: String,
}

#[derive(Debug, Deserialize)]
struct RecordRange {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    events: Vec<RecordEvent>,
}

#[derive(Debug, Deserialize)]
struct RecordEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default, deserialize_with = "nullable")]
    url: String,
}

impl Record {
    fn informational(&self) -> bool {
        !self.affected.is_empty()
            && self.affected.iter().all(|a| {
                a.database_specific
                    .as_ref()
                    .and_then(|d| d.informational.as_ref())
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|s| !s.trim().is_empty())
            })
    }

    /// The advisory, and whether it is a RustSec informational notice.
    fn into_advisory(self, file: &str) -> Result<(Advisory, bool), FeedError> {
        let id = self.id.trim().to_string();
        if id.is_empty() {
            return Err(FeedError::new(file, "record without an id"));
        }
        let informational = self.informational();
        let distro_label = self.affected.iter().any(|a| {
            a.package.as_ref().is_some_and(|p| {
                p.ecosystem.starts_with("AlmaLinux")
                    || p.ecosystem.starts_with("Rocky Linux")
                    || p.ecosystem.starts_with("Red Hat:")
            })
        });

        let mut aliases: Vec<String> = self
            .aliases
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty() && *a != id)
            .collect();
        aliases.sort();
        aliases.dedup();
        let mut related: Vec<String> = self
            .related
            .into_iter()
            .chain(self.upstream)
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty() && *a != id && !aliases.contains(a))
            .take(MAX_REFERENCES * 10)
            .collect();
        related.sort();
        related.dedup();

        let summary = self
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or_else(|| {
                self.details
                    .as_deref()
                    .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            })
            .map(shorten);

        let mut ratings: Vec<Rating> = self.severity.iter().filter_map(rating).collect();
        let ghsa_label = self
            .database_specific
            .as_ref()
            .and_then(|d| d.severity.as_ref())
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        if let Some(label) = ghsa_label {
            ratings.push(label_rating(label));
        }
        if distro_label && let Some(label) = summary.as_deref().and_then(summary_label) {
            ratings.push(label_rating(label));
        }

        let mut references: Vec<String> = Vec::new();
        for url in self.references.into_iter().map(|r| r.url) {
            let url = url.trim();
            if !url.is_empty() && !references.iter().any(|r| r == url) {
                references.push(url.to_string());
                if references.len() == MAX_REFERENCES {
                    break;
                }
            }
        }

        // SUSE lists one package under many products that meet on one key (`sles:15.5`): keep
        // each entry once.
        let mut kept: Vec<Affected> = Vec::new();
        for a in self.affected.into_iter().filter_map(affected) {
            if !kept.contains(&a) {
                kept.push(a);
            }
        }
        let affected = kept;

        let advisory = Advisory {
            id,
            aliases,
            related,
            source: SOURCE.to_string(),
            summary,
            published: non_empty(self.published),
            modified: non_empty(self.modified),
            withdrawn: non_empty(self.withdrawn),
            ratings,
            references,
            affected,
        };
        Ok((advisory, informational))
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// At most [`MAX_SUMMARY_CHARS`] characters, cut at a character boundary with `…`.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_SUMMARY_CHARS) {
        Some((cut, _)) => format!("{}…", s[..cut].trim_end()),
        None => s.to_string(),
    }
}

fn rating(severity: &Severity) -> Option<Rating> {
    let kind = match severity.kind.as_str() {
        "CVSS_V2" => RatingKind::CvssV2,
        "CVSS_V3" => RatingKind::CvssV3,
        "CVSS_V4" => RatingKind::CvssV4,
        // Schema 1.6: Ubuntu's own priority (`medium`, `high`, …).
        "Ubuntu" => RatingKind::Label,
        _ => return None,
    };
    let value = severity.score.trim();
    (!value.is_empty()).then(|| Rating {
        kind,
        value: value.to_string(),
        by: None,
    })
}

fn label_rating(label: &str) -> Rating {
    Rating {
        kind: RatingKind::Label,
        value: label.to_string(),
        by: None,
    }
}

/// The rating AlmaLinux and Rocky Linux put before the title: `Important: kernel security update`.
fn summary_label(summary: &str) -> Option<&'static str> {
    let (prefix, _) = summary.split_once(':')?;
    ["Critical", "Important", "Moderate", "Low"]
        .into_iter()
        .find(|label| prefix.trim().eq_ignore_ascii_case(label))
}

/// One affected package in our model; `None` for ecosystems we do not match or no package.
fn affected(entry: RecordAffected) -> Option<Affected> {
    let package = entry.package?;
    let key = ecosystem::from_osv(package.ecosystem.trim())?;
    let name = ecosystem::normalize_name(&key, &package.name);
    if name.is_empty() {
        return None;
    }
    let mut ranges = Vec::new();
    let mut git_ignored = false;
    for range in entry.ranges {
        let semver = match range.kind.as_str() {
            "SEMVER" => true,
            "ECOSYSTEM" => false,
            "GIT" => {
                git_ignored = true;
                continue;
            }
            _ => continue,
        };
        let events: Vec<Event> = range.events.into_iter().flat_map(events).collect();
        if !events.is_empty() {
            ranges.push(Range::Events { semver, events });
        }
    }
    let versions = entry
        .versions
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    Some(Affected {
        ecosystem: key,
        package: name,
        status: Status::Affected,
        ranges,
        versions,
        severity: None,
        note: git_ignored.then(|| GIT_NOTE.to_string()),
    })
}

/// The events one OSV event object holds (one per the schema; all of them if it holds more).
fn events(event: RecordEvent) -> impl Iterator<Item = Event> {
    let RecordEvent {
        introduced,
        fixed,
        last_affected,
        limit,
    } = event;
    let clean = |v: Option<String>| non_empty(v);
    [
        clean(introduced).map(Event::Introduced),
        clean(fixed).map(Event::Fixed),
        clean(last_affected).map(Event::LastAffected),
        clean(limit).map(Event::Limit),
    ]
    .into_iter()
    .flatten()
}

//! Feed files → database: recognise each file's format (from its name and first bytes), parse
//! the files in parallel, and write one new database. Used by `db import` (files on disk) and
//! `db update` (files just downloaded).

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use seaworthy_core::files::{self, FileError, FileErrorKind, Links};

use crate::sources::{
    FeedError, Parsed, alpine_secdb, debian_list, debian_tracker, epss, friendsofphp, kev,
    nodejs_wg, nvd, osv, rubysec, rustsec,
};
use crate::store::{Builder, SourceStatus, StoreError};

/// Largest feed file read (the full Debian tracker JSON is ~70 MB, OSV's PyPI zip ~50 MB).
pub const MAX_FEED_BYTES: u64 = 2 << 30;
/// Directory levels searched below an import path.
const MAX_DEPTH: usize = 8;

/// Every format seaworthy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// Debian security tracker JSON (`/tracker/data/json`).
    DebianTracker,
    /// The tracker repository's `data/CVE/list`.
    DebianCveList,
    /// `data/DSA/list`, `data/DLA/list`, `data/DTSA/list`.
    DebianAdvisoryList(&'static str),
    /// Alpine secdb (`v3.N/main.json`).
    AlpineSecdb,
    /// Wolfi's secdb (`packages.wolfi.dev/os/security.json`), Alpine's shape.
    WolfiSecdb,
    /// Chainguard's secdb (`packages.cgr.dev/chainguard/security.json`), Alpine's shape.
    ChainguardSecdb,
    /// OSV per-ecosystem export (`<Ecosystem>/all.zip`).
    OsvZip,
    /// One OSV record (`<id>.json`).
    OsvRecord,
    /// RustSec advisory-db archive (`crates/<crate>/RUSTSEC-*.md`).
    RustsecArchive,
    /// rubysec ruby-advisory-db archive.
    RubysecArchive,
    /// FriendsOfPHP security-advisories archive.
    FriendsOfPhpArchive,
    /// Node.js security-wg archive (`vuln/npm/*.json`).
    NodejsWgArchive,
    /// NVD CVE 2.0 feed (`nvdcve-2.0-2024.json.gz`): ratings, CWEs, descriptions per CVE.
    Nvd,
    /// CISA Known Exploited Vulnerabilities catalogue (`known_exploited_vulnerabilities.json`).
    Kev,
    /// FIRST EPSS scores (`epss_scores-current.csv.gz`).
    Epss,
}

impl FeedKind {
    pub fn label(self) -> &'static str {
        match self {
            FeedKind::DebianTracker => "debian-tracker",
            FeedKind::DebianCveList => "debian-cve-list",
            FeedKind::DebianAdvisoryList(source) => source,
            FeedKind::AlpineSecdb => "alpine-secdb",
            FeedKind::WolfiSecdb => alpine_secdb::Distro::Wolfi.source(),
            FeedKind::ChainguardSecdb => alpine_secdb::Distro::Chainguard.source(),
            FeedKind::OsvZip | FeedKind::OsvRecord => "osv",
            FeedKind::RustsecArchive => "rustsec",
            FeedKind::RubysecArchive => "rubysec",
            FeedKind::FriendsOfPhpArchive => "friendsofphp",
            FeedKind::NodejsWgArchive => "nodejs-security-wg",
            FeedKind::Nvd => nvd::SOURCE,
            FeedKind::Kev => kev::SOURCE,
            FeedKind::Epss => epss::SOURCE,
        }
    }

    /// Per-CVE intelligence rather than advisories (NVD, KEV, EPSS).
    pub fn is_intel(self) -> bool {
        matches!(self, FeedKind::Nvd | FeedKind::Kev | FeedKind::Epss)
    }

    /// A broken file of this kind never stops the other feeds from importing: one that cannot
    /// be read is named in [`ImportSummary::failed`] and left out, and the rest is imported.
    /// The intelligence feeds and every advisory feed added since (Wolfi's and Chainguard's
    /// secdb) are; the older advisory feeds still abort the import, the previous database kept.
    pub fn is_left_out_when_broken(self) -> bool {
        self.is_intel() || matches!(self, FeedKind::WolfiSecdb | FeedKind::ChainguardSecdb)
    }
}

/// A feed file to import.
#[derive(Debug, Clone)]
pub struct FeedFile {
    pub kind: FeedKind,
    /// Source name recorded in the database (`osv:PyPI`, `alpine-secdb:v3.11/main`).
    pub name: String,
    /// URL or path, for messages and `db status`.
    pub location: String,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Feed(#[from] FeedError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}: no vulnerability feed recognised here (see `seaworthy db import --help`)")]
    NothingFound(PathBuf),
    /// A feed file that is not a regular file (a FIFO, a link found while walking) or too large.
    #[error(transparent)]
    File(#[from] FileError),
}

impl ImportError {
    /// True when the input (a feed file or path), not the machine, is at fault.
    pub fn is_input_error(&self) -> bool {
        match self {
            ImportError::Feed(_) | ImportError::NothingFound(_) => true,
            ImportError::Store(e) => e.is_input_error(),
            ImportError::File(e) => e.is_input_error(),
            ImportError::Io { .. } => false,
        }
    }
}

/// What one import produced.
#[derive(Debug, Default)]
pub struct ImportSummary {
    pub sources: Vec<SourceStatus>,
    pub advisories: u64,
    pub skipped: u64,
    /// The first problems per source (`osv:PyPI: PYSEC-…json: …`).
    pub problems: Vec<String>,
    /// NVD records, KEV entries and EPSS scores read (over all files; a CVE in several NVD
    /// files is counted in each).
    pub nvd: u64,
    pub kev: u64,
    pub epss: u64,
    /// Feed files that could not be read and were left out (NVD, KEV, EPSS, Wolfi and Chainguard
    /// secdb, see [`FeedKind::is_left_out_when_broken`]), each error naming the file; the other
    /// feeds were imported.
    pub failed: Vec<String>,
}

/// Finds feed files under `paths` (files or directories).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<FeedFile>, ImportError> {
    let mut out = Vec::new();
    for path in paths {
        let before = out.len();
        walk(path, 0, &mut out)?;
        if out.len() == before {
            return Err(ImportError::NothingFound(path.clone()));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    Ok(out)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn walk(path: &Path, depth: usize, out: &mut Vec<FeedFile>) -> Result<(), ImportError> {
    let meta = std::fs::symlink_metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        if depth >= MAX_DEPTH {
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            walk(&entry, depth + 1, out)?;
        }
    } else if meta.is_file()
        && let Some(kind) = detect(path)?
    {
        out.push(FeedFile {
            kind,
            name: source_name(kind, path),
            location: path.display().to_string(),
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parent_name(path: &Path) -> String {
    path.parent().map(file_name).unwrap_or_default()
}

/// The source name for `db status`: the format plus what distinguishes files of one format.
pub fn source_name(kind: FeedKind, path: &Path) -> String {
    let name = file_name(path);
    match kind {
        FeedKind::OsvZip => {
            let eco = if name == "all.zip" {
                parent_name(path)
            } else {
                name.trim_end_matches(".zip")
                    .trim_start_matches("osv-")
                    .trim_end_matches("-all")
                    .to_string()
            };
            format!("osv:{eco}")
        }
        FeedKind::AlpineSecdb => {
            let stem = name.trim_end_matches(".json");
            if stem.starts_with('v') {
                format!("alpine-secdb:{}", stem.replacen('-', "/", 1))
            } else {
                format!("alpine-secdb:{}/{stem}", parent_name(path))
            }
        }
        FeedKind::OsvRecord => format!("osv:{}", parent_name(path)),
        FeedKind::Nvd => {
            // `nvdcve-2.0-2024.json.gz` → `nvd:2024`, `nvdcve-2.0-modified.json` → `nvd:modified`.
            let stem = name
                .trim_end_matches(".gz")
                .trim_end_matches(".json")
                .trim_start_matches("nvdcve-2.0-")
                .trim_start_matches("nvdcve-");
            if stem.is_empty() || stem == name {
                nvd::SOURCE.to_string()
            } else {
                format!("{}:{stem}", nvd::SOURCE)
            }
        }
        other => other.label().to_string(),
    }
}

/// Recognises a feed file from its name and first bytes; `None` for anything else.
pub fn detect(path: &Path) -> Result<Option<FeedKind>, ImportError> {
    let name = file_name(path);
    // `data/CVE/list` as in the tracker repository, or `CVE.list` next to other feeds.
    let list = match name.strip_suffix(".list") {
        Some(stem) => Some(stem.to_string()),
        None if name == "list" => Some(parent_name(path)),
        None => None,
    };
    if let Some(list) = list {
        return Ok(match list.as_str() {
            "CVE" => Some(FeedKind::DebianCveList),
            "DSA" => Some(FeedKind::DebianAdvisoryList("debian-dsa")),
            "DLA" => Some(FeedKind::DebianAdvisoryList("debian-dla")),
            "DTSA" => Some(FeedKind::DebianAdvisoryList("debian-dtsa")),
            _ => None,
        });
    }
    let mut head = Vec::with_capacity(8192);
    let (file, _) = files::open(path, Links::Refuse)?;
    file.take(8192).read_to_end(&mut head).map_err(io(path))?;
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Some(FeedKind::OsvZip));
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        // A compressed NVD feed, EPSS CSV or KEV catalogue; else an advisory archive.
        let inflated = nvd::gunzip_head(&head, 8192);
        let text = String::from_utf8_lossy(&inflated);
        if nvd::sniff(&text) {
            return Ok(Some(FeedKind::Nvd));
        }
        if epss::sniff(&inflated) {
            return Ok(Some(FeedKind::Epss));
        }
        if kev::sniff(&text) {
            return Ok(Some(FeedKind::Kev));
        }
        return sniff_archive(path);
    }
    if epss::sniff(&head) {
        return Ok(Some(FeedKind::Epss));
    }
    let text = String::from_utf8_lossy(&head);
    if !text.trim_start().starts_with('{') || !name.ends_with(".json") {
        return Ok(None);
    }
    Ok(if nvd::sniff(&text) {
        Some(FeedKind::Nvd)
    } else if kev::sniff(&text) {
        Some(FeedKind::Kev)
    } else if let Some(kind) = secdb_kind(&text) {
        Some(kind)
    } else if text.contains("\"releases\"") {
        Some(FeedKind::DebianTracker)
    } else if text.contains("\"id\"")
        && (text.contains("\"affected\"")
            || text.contains("\"modified\"")
            || text.contains("\"schema_version\""))
    {
        Some(FeedKind::OsvRecord)
    } else {
        None
    })
}

/// An Alpine-shaped secdb: Wolfi's or Chainguard's when its `urlprefix`, `reponame` or `apkurl`
/// say so (`security.json` names neither), else Alpine's.
fn secdb_kind(head: &str) -> Option<FeedKind> {
    let shaped = [
        "\"distroversion\"",
        "\"secfixes\"",
        "\"apkurl\"",
        "\"urlprefix\"",
    ]
    .iter()
    .any(|key| head.contains(key));
    if !shaped {
        return None;
    }
    Some(match alpine_secdb::Distro::sniff(head) {
        Some(alpine_secdb::Distro::Wolfi) => FeedKind::WolfiSecdb,
        Some(alpine_secdb::Distro::Chainguard) => FeedKind::ChainguardSecdb,
        Some(alpine_secdb::Distro::Alpine) | None => FeedKind::AlpineSecdb,
    })
}

/// Tells the advisory archives apart by the paths of their first members.
fn sniff_archive(path: &Path) -> Result<Option<FeedKind>, ImportError> {
    let (file, _) = files::open(path, Links::Refuse)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let Ok(entries) = archive.entries() else {
        return Ok(None);
    };
    let mut yaml = false;
    for entry in entries.take(2000) {
        let Ok(entry) = entry else { break };
        let Ok(p) = entry.path() else { continue };
        let p = p.to_string_lossy();
        let base = p.rsplit('/').next().unwrap_or_default();
        if p.contains("crates/") && base.starts_with("RUSTSEC-") && base.ends_with(".md") {
            return Ok(Some(FeedKind::RustsecArchive));
        }
        if p.contains("gems/") && base.ends_with(".yml") {
            return Ok(Some(FeedKind::RubysecArchive));
        }
        if p.contains("vuln/npm/") && base.ends_with(".json") {
            return Ok(Some(FeedKind::NodejsWgArchive));
        }
        yaml |= base.ends_with(".yaml") && p.matches('/').count() >= 2;
    }
    Ok(yaml.then_some(FeedKind::FriendsOfPhpArchive))
}

/// Parses one feed file.
pub fn parse(kind: FeedKind, bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    let text =
        || std::str::from_utf8(bytes).map_err(|e| FeedError::new(file, format!("not UTF-8: {e}")));
    match kind {
        FeedKind::DebianTracker => debian_tracker::parse(bytes, file),
        FeedKind::DebianCveList => debian_list::parse_cve_list(text()?, file),
        FeedKind::DebianAdvisoryList(source) => {
            debian_list::parse_advisory_list(text()?, file, source)
        }
        FeedKind::AlpineSecdb => alpine_secdb::parse(bytes, file),
        FeedKind::WolfiSecdb => {
            alpine_secdb::parse_as(bytes, file, Some(alpine_secdb::Distro::Wolfi))
        }
        FeedKind::ChainguardSecdb => {
            alpine_secdb::parse_as(bytes, file, Some(alpine_secdb::Distro::Chainguard))
        }
        FeedKind::OsvZip => osv::parse_zip(bytes, file),
        FeedKind::OsvRecord => osv::parse_record(bytes, file).map(|a| Parsed {
            advisories: vec![a],
            ..Parsed::default()
        }),
        FeedKind::RustsecArchive => rustsec::parse_tar_gz(bytes, file),
        FeedKind::RubysecArchive => rubysec::parse_tar_gz(bytes, file),
        FeedKind::FriendsOfPhpArchive => friendsofphp::parse_tar_gz(bytes, file),
        FeedKind::NodejsWgArchive => nodejs_wg::parse_tar_gz(bytes, file),
        FeedKind::Nvd => nvd::parse(bytes, file),
        FeedKind::Kev => kev::parse(bytes, file),
        FeedKind::Epss => epss::parse(bytes, file),
    }
}

/// A feed file found by [`discover`]: a regular file (not a link, never a FIFO), bounded.
fn read_feed(path: &Path) -> Result<Vec<u8>, ImportError> {
    files::read(path, MAX_FEED_BYTES, Links::Refuse).map_err(|e| match e.kind {
        FileErrorKind::TooLarge(_) => FeedError::new(
            path.display().to_string(),
            format!("larger than {} MiB", MAX_FEED_BYTES >> 20),
        )
        .into(),
        _ => e.into(),
    })
}

/// Reads and parses one feed file.
pub fn read(feed: &FeedFile) -> Result<Parsed, ImportError> {
    let bytes = read_feed(&feed.path)?;
    Ok(parse(feed.kind, &bytes, &feed.location)?)
}

/// One feed as it goes into a new database: what was read from it (`None` when it is recorded
/// as missing: left out, nothing read), when that was downloaded, and whether it is stale.
#[derive(Debug)]
pub struct Entry<'a> {
    pub feed: &'a FeedFile,
    pub parsed: Option<Parsed>,
    /// See [`SourceStatus::fetched`].
    pub fetched: Option<String>,
    /// See [`SourceStatus::stale`].
    pub stale: bool,
    /// See [`SourceStatus::problem`].
    pub problem: Option<String>,
}

/// Parses `feeds` in parallel and writes them into a new database at `db`, replacing it only
/// when every advisory feed was read: an advisory feed that fails leaves the previous database
/// as it was. A feed that [`FeedKind::is_left_out_when_broken`] (NVD, KEV, EPSS, Wolfi and
/// Chainguard secdb) that cannot be read is listed in [`ImportSummary::failed`] and the rest is
/// imported without it. (`db update` leaves out any feed that fails, see [`crate::update`].)
pub fn build(
    db: &Path,
    feeds: &[FeedFile],
    built: &str,
    on_parsed: &(dyn Fn(&FeedFile, &Parsed) + Sync),
) -> Result<ImportSummary, ImportError> {
    let parsed: Vec<Result<Parsed, ImportError>> = feeds
        .par_iter()
        .map(|feed| {
            let parsed = read(feed)?;
            on_parsed(feed, &parsed);
            Ok(parsed)
        })
        .collect();
    let mut entries = Vec::with_capacity(feeds.len());
    let mut failed = Vec::new();
    let mut first_failure = None;
    for (feed, parsed) in feeds.iter().zip(parsed) {
        match parsed {
            Ok(p) => entries.push(Entry {
                feed,
                parsed: Some(p),
                fetched: None,
                stale: false,
                problem: None,
            }),
            Err(e) if feed.kind.is_left_out_when_broken() && e.is_input_error() => {
                failed.push(e.to_string());
                first_failure.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    // Nothing read at all: the previous database stays.
    if let (true, Some(e)) = (entries.is_empty(), first_failure) {
        return Err(e);
    }
    let mut summary = write(db, entries, built)?;
    summary.failed = failed;
    Ok(summary)
}

/// Writes `entries` into a new database at `db` (renamed over the previous one once complete).
/// [`ImportSummary::sources`] lists the entries that were read; a missing one (nothing read) is
/// only recorded in the database.
pub fn write(
    db: &Path,
    entries: Vec<Entry<'_>>,
    built: &str,
) -> Result<ImportSummary, ImportError> {
    let mut builder = Builder::create(db)?;
    let mut summary = ImportSummary::default();
    for entry in entries {
        let feed = entry.feed;
        let Some(parsed) = entry.parsed else {
            builder.add_source(&SourceStatus {
                name: feed.name.clone(),
                location: feed.location.clone(),
                updated: built.to_string(),
                advisories: 0,
                skipped: 0,
                fetched: None,
                stale: true,
                problem: entry.problem,
            })?;
            continue;
        };
        for advisory in &parsed.advisories {
            builder.add(advisory)?;
        }
        builder.add_intel(&parsed.intel)?;
        let status = SourceStatus {
            name: feed.name.clone(),
            location: feed.location.clone(),
            updated: built.to_string(),
            advisories: (parsed.advisories.len() + parsed.intel.len()) as u64,
            skipped: parsed.skipped as u64,
            fetched: entry.fetched,
            stale: entry.stale,
            problem: entry.problem,
        };
        builder.add_source(&status)?;
        summary.advisories += parsed.advisories.len() as u64;
        summary.nvd += parsed.intel.nvd.len() as u64;
        summary.kev += parsed.intel.kev.len() as u64;
        summary.epss += parsed.intel.epss.len() as u64;
        summary.skipped += status.skipped;
        summary.problems.extend(
            parsed
                .problems
                .iter()
                .take(5)
                .map(|p| format!("{}: {p}", feed.name)),
        );
        summary.sources.push(status);
    }
    builder.finish(built)?;
    Ok(summary)
}

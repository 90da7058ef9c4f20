//! The advisory database: one SQLite file. Built in a temporary file next to the target in one
//! transaction, then renamed over it, so readers and an interrupted update never see a partial
//! database. Opened read-only for matching.
//!
//! A database file may come from anyone (`db import FILE`, `--db PATH`), so every open is
//! defensive: SQLite's defensive mode, `trusted_schema=OFF`, `cell_size_check=ON`, bounds on the
//! length of any value and of any SQL text (the schema's included), and the schema must be
//! exactly the one [`Builder`] writes (no view, trigger or other object) before any query runs.
//! `db import` of a database file also runs SQLite's `integrity_check`, under a time bound, on
//! the copy it installs. Errors name the file and what is wrong, never its contents.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::intel::{CveIntel, EpssScore, IntelRecords, KevEntry, NvdRating, cve_id};
use crate::model::{Advisory, Affected};
use crate::sources::{epss, kev};

/// Bumped whenever tables or the JSON stored in them change shape.
pub const SCHEMA_VERSION: u32 = 4;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, location TEXT NOT NULL, updated TEXT NOT NULL,
    advisories INTEGER NOT NULL, skipped INTEGER NOT NULL,
    fetched TEXT, stale INTEGER NOT NULL DEFAULT 0, problem TEXT);
CREATE TABLE advisories (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE ids (id TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL, package TEXT NOT NULL, advisory INTEGER NOT NULL, seq INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (ecosystem, package, advisory, seq)) WITHOUT ROWID;
CREATE TABLE nvd (
    cve TEXT PRIMARY KEY, published TEXT, last_modified TEXT, description TEXT,
    cwes TEXT NOT NULL, ratings TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE kev (
    cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT NOT NULL,
    ransomware INTEGER NOT NULL, name TEXT) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
";

const INDEXES: &str = "
CREATE INDEX affected_advisory ON affected (advisory);
CREATE INDEX ids_id ON ids (id COLLATE NOCASE);
CREATE INDEX affected_name ON affected (package COLLATE NOCASE);
";

/// Largest database file `db import` accepts.
pub const MAX_DB_BYTES: u64 = 8 << 30;
/// Longest value (string or blob) or row read from a database; stored advisories are far smaller.
pub const MAX_VALUE_BYTES: i32 = 64 << 20;
/// Longest SQL text parsed, the schema's included (seaworthy's own statements are under 1 KiB).
pub const MAX_SQL_BYTES: i32 = 64 << 10;
/// Longest `integrity_check` of an imported database.
pub const INTEGRITY_CHECK_TIME: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no vulnerability database at {0}: run `seaworthy db update` (or `seaworthy db import PATH…` offline) first"
    )]
    Missing(PathBuf),
    #[error(
        "{path}: database schema version {found}, this seaworthy reads version {expected}: run `seaworthy db update` to rebuild it"
    )]
    Schema {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("{path}: not a seaworthy vulnerability database ({what})")]
    Invalid { path: PathBuf, what: String },
    /// The file is not a regular file, or over a limit.
    #[error("{0}")]
    File(seaworthy_core::files::FileError),
    #[error("{path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl StoreError {
    /// True when the database file (not the machine) is at fault.
    pub fn is_input_error(&self) -> bool {
        match self {
            StoreError::Missing(_) | StoreError::Schema { .. } | StoreError::Invalid { .. } => true,
            StoreError::File(e) => e.is_input_error(),
            StoreError::Sqlite { .. } | StoreError::Io { .. } => false,
        }
    }
}

/// One source as recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceStatus {
    /// `debian-tracker`, `osv:PyPI`, …
    pub name: String,
    /// The URL or file it was read from.
    pub location: String,
    /// RFC 3339.
    pub updated: String,
    pub advisories: u64,
    pub skipped: u64,
    /// When the data imported was downloaded (RFC 3339): the update's time for a fresh feed,
    /// the time of its last good copy for a stale one; `None` for a file read from disk and for
    /// a feed left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched: Option<String>,
    /// The feed could not be downloaded or read when the database was built: its last good copy
    /// was imported (`fetched` says from when), or nothing was (`fetched` is `None`).
    pub stale: bool,
    /// Why the feed is stale (what failed), without its URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl SourceStatus {
    /// Stale, with nothing imported: no earlier good copy existed.
    pub fn is_missing(&self) -> bool {
        self.stale && self.fetched.is_none()
    }
}

/// `db status`.
#[derive(Debug, Clone, Serialize)]
pub struct DbStatus {
    pub path: PathBuf,
    pub schema_version: u32,
    pub built: String,
    pub advisories: u64,
    pub affected: u64,
    /// Advisories that could not be read when the database was built, over all sources.
    pub skipped: u64,
    /// CVEs with an NVD record (rated or not).
    pub nvd: u64,
    /// CVEs in CISA's Known Exploited Vulnerabilities catalogue.
    pub kev: u64,
    /// CVEs with an EPSS score.
    pub epss: u64,
    /// The KEV catalogue's version (`2025.08.25`), when one was imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev_catalog_version: Option<String>,
    /// The EPSS scores' date and model version, when scores were imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_score_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss_model_version: Option<String>,
    /// One entry per feed file; for the NVD, KEV and EPSS files `advisories` counts their
    /// records.
    pub sources: Vec<SourceStatus>,
    /// Names of the sources that were stale or missing when the database was built.
    pub stale_sources: Vec<String>,
}

/// An `nvd` row: published, last modified, description, CWE ids (JSON), ratings (JSON).
type NvdRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// A read-only handle on a built database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A stored affected entry with the row of its advisory.
#[derive(Debug, Clone)]
pub struct AffectedRow {
    pub advisory: i64,
    pub affected: Affected,
}

fn sql(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

/// One object of a database schema: type, name, table and SQL with whitespace collapsed.
type SchemaObject = (String, String, String, Option<String>);

/// The schema [`Builder`] writes, read back from a database built in memory.
fn expected_schema() -> Result<BTreeSet<SchemaObject>, rusqlite::Error> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    conn.execute_batch(INDEXES)?;
    schema_of(&conn)
}

fn schema_of(conn: &Connection) -> Result<BTreeSet<SchemaObject>, rusqlite::Error> {
    let mut stmt = conn.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        ))
    })?;
    rows.collect()
}

/// What differs between a database's schema and the expected one, in seaworthy's own words:
/// the expected objects that are missing or changed by name, anything else only by kind.
fn schema_problem(
    found: &BTreeSet<SchemaObject>,
    expected: &BTreeSet<SchemaObject>,
) -> Option<String> {
    let mut problems = Vec::new();
    for want in expected {
        if !found.contains(want) {
            problems.push(format!(
                "{} {} is missing or defined differently",
                want.0, want.1
            ));
        }
    }
    let mut extra: std::collections::BTreeMap<&str, usize> = Default::default();
    for got in found.difference(expected) {
        if !expected.iter().any(|w| w.0 == got.0 && w.1 == got.1) {
            let kind = match got.0.as_str() {
                "table" => "table",
                "index" => "index",
                "view" => "view",
                "trigger" => "trigger",
                _ => "object",
            };
            *extra.entry(kind).or_default() += 1;
        }
    }
    for (kind, n) in extra {
        problems.push(format!(
            "{n} unexpected {kind}{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    (!problems.is_empty())
        .then(|| format!("its schema is not seaworthy's: {}", problems.join(", ")))
}

/// Opens a database file read-only with SQLite's defenses against a hostile file.
fn open_defensive(path: &Path) -> Result<Connection, StoreError> {
    // A database is never changed in place (updates rename a new file over it), so it can be
    // opened immutable: no locks, no change checks. Pages are read through mmap.
    let uri = format!(
        "file:{}?immutable=1",
        path.to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(sql(path))?;
    // Before anything reads the schema: no value, row or SQL text (a view's body) past the
    // bounds, and nothing the schema defines may run functions with side effects.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
        .map_err(sql(path))?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        .map_err(sql(path))?;
    conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
        .map_err(sql(path))?;
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON; \
         PRAGMA mmap_size = 1073741824;",
    )
    .map_err(sql(path))?;
    Ok(conn)
}

/// Checks that the database's schema is exactly seaworthy's and its version is the current one.
fn check_schema(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let invalid = |what: String| StoreError::Invalid {
        path: path.to_path_buf(),
        what,
    };
    // SQLite's own message may quote the schema: it is not shown.
    let found = schema_of(conn).map_err(|e| {
        invalid(match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".into(),
            Some(rusqlite::ErrorCode::TooBig) => {
                "its schema holds an entry over the size limit".into()
            }
            // A schema entry over a bound is reported as a malformed schema; the text is
            // looked at, never shown.
            _ if e.to_string().contains("too big") => {
                "its schema holds an entry over the size limit".into()
            }
            _ => "its schema cannot be read (corrupt?)".into(),
        })
    })?;
    // A database of another seaworthy version says so (and what to do) before its schema is
    // compared: `meta` is read only when it is a plain table, never a view.
    let meta_is_table = found
        .iter()
        .any(|(kind, name, _, _)| kind == "table" && name == "meta");
    let expected = expected_schema().map_err(sql(path))?;
    if let Some(problem) = schema_problem(&found, &expected) {
        return Err(
            match meta_is_table.then(|| schema_version(conn)).flatten() {
                Some(v) if v != SCHEMA_VERSION.to_string() && is_version_number(&v) => {
                    StoreError::Schema {
                        path: path.to_path_buf(),
                        found: v,
                        expected: SCHEMA_VERSION,
                    }
                }
                _ => invalid(problem),
            },
        );
    }
    let found: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|_| invalid("its schema version cannot be read".into()))?;
    match found {
        Some(v) if v == SCHEMA_VERSION.to_string() => Ok(()),
        Some(found) if is_version_number(&found) => Err(StoreError::Schema {
            path: path.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        }),
        Some(_) => Err(invalid("its schema version is not a number".into())),
        None => Err(invalid("no schema version".into())),
    }
}

/// The `schema_version` in `meta`, if it can be read.
fn schema_version(conn: &Connection) -> Option<String> {
    conn.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get(0),
    )
    .ok()
}

/// A schema version as seaworthy writes one: up to 9 digits (anything else is not shown).
fn is_version_number(v: &str) -> bool {
    !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit())
}

/// Runs SQLite's `integrity_check` on an open database, stopped after `limit`.
fn check_integrity(conn: &Connection, path: &Path, limit: Duration) -> Result<(), StoreError> {
    let deadline = Instant::now() + limit;
    conn.progress_handler(10_000, Some(move || Instant::now() > deadline));
    let result: Result<Vec<String>, rusqlite::Error> = conn
        .prepare("PRAGMA integrity_check(1)")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
    conn.progress_handler(0, None::<fn() -> bool>);
    let invalid = |what: String| StoreError::Invalid {
        path: path.to_path_buf(),
        what,
    };
    match result {
        Ok(rows) if rows == ["ok"] => Ok(()),
        // The problems SQLite lists are not shown: they may quote the file.
        Ok(_) => Err(invalid("it fails SQLite's integrity check".into())),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) => {
            Err(invalid(format!(
                "its integrity check took more than {} s",
                limit.as_secs()
            )))
        }
        Err(_) => Err(invalid("it fails SQLite's integrity check".into())),
    }
}

/// Validates the database file at `path` as `db import` does: a regular file within
/// [`MAX_DB_BYTES`], seaworthy's exact schema at the current version, and SQLite's integrity
/// check passed within `limit`.
pub fn validate_file(path: &Path, limit: Duration) -> Result<(), StoreError> {
    use seaworthy_core::files::{self, FileErrorKind, Links};
    let (_, len) = files::open(path, Links::Follow).map_err(StoreError::File)?;
    if len > MAX_DB_BYTES {
        return Err(StoreError::File(files::FileError {
            path: path.to_path_buf(),
            kind: FileErrorKind::TooLarge(MAX_DB_BYTES),
        }));
    }
    let conn = open_defensive(path)?;
    check_schema(&conn, path)?;
    check_integrity(&conn, path, limit)
}

/// `db import FILE` of a database: copies `source` (a regular file, at most [`MAX_DB_BYTES`])
/// next to `target`, validates the copy ([`validate_file`], errors naming `source`) and renames
/// it over `target`. On any error `target` is left as it was.
pub fn import_file(source: &Path, target: &Path) -> Result<(), StoreError> {
    use seaworthy_core::files::{self, FileError, FileErrorKind, Links};
    let (file, len) = files::open(source, Links::Follow).map_err(StoreError::File)?;
    let too_large = || {
        StoreError::File(FileError {
            path: source.to_path_buf(),
            kind: FileErrorKind::TooLarge(MAX_DB_BYTES),
        })
    };
    if len > MAX_DB_BYTES {
        return Err(too_large());
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let temp = TempFile(dir.join(format!(".import.{}.tmp", std::process::id())));
    let mut out = std::fs::File::create(&temp.0).map_err(io(&temp.0))?;
    let copied = std::io::copy(&mut std::io::Read::take(file, MAX_DB_BYTES + 1), &mut out)
        .map_err(io(source))?;
    if copied > MAX_DB_BYTES {
        return Err(too_large());
    }
    out.sync_all().map_err(io(&temp.0))?;
    drop(out);
    let conn = open_defensive(&temp.0)?;
    let named = |e: StoreError| match e {
        StoreError::Invalid { what, .. } => StoreError::Invalid {
            path: source.to_path_buf(),
            what,
        },
        StoreError::Schema {
            found, expected, ..
        } => StoreError::Schema {
            path: source.to_path_buf(),
            found,
            expected,
        },
        other => other,
    };
    check_schema(&conn, &temp.0).map_err(named)?;
    check_integrity(&conn, &temp.0, INTEGRITY_CHECK_TIME).map_err(named)?;
    drop(conn);
    std::fs::rename(&temp.0, target).map_err(io(target))?;
    std::mem::forget(temp);
    Ok(())
}

/// What is wrong with stored JSON, without quoting it (serde's messages can).
fn json_problem(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Data => "JSON of an unexpected shape",
        _ => "not valid JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// A temporary file removed when dropped (unless forgotten once renamed into place).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Store {
    /// Opens `path` read-only with SQLite's defenses on, and checks that its schema is exactly
    /// seaworthy's at the current version (see the module documentation).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        use seaworthy_core::files::{self, Links};
        match files::open(path, Links::Follow) {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Err(StoreError::Missing(path.to_path_buf())),
            Err(e) => return Err(StoreError::File(e)),
        }
        let conn = open_defensive(path)?;
        check_schema(&conn, path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<String, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(sql(&self.path))
    }

    pub fn status(&self) -> Result<DbStatus, StoreError> {
        let count = |table: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| n.max(0) as u64)
                .map_err(sql(&self.path))
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, location, updated, advisories, skipped, fetched, stale, problem \
                 FROM sources ORDER BY name",
            )
            .map_err(sql(&self.path))?;
        let sources = stmt
            .query_map([], |r| {
                Ok(SourceStatus {
                    name: r.get(0)?,
                    location: r.get(1)?,
                    updated: r.get(2)?,
                    advisories: r.get::<_, i64>(3)?.max(0) as u64,
                    skipped: r.get::<_, i64>(4)?.max(0) as u64,
                    fetched: r.get(5)?,
                    stale: r.get::<_, i64>(6)? != 0,
                    problem: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql(&self.path))?;
        Ok(DbStatus {
            path: self.path.clone(),
            schema_version: SCHEMA_VERSION,
            built: self.meta("built")?,
            advisories: count("advisories")?,
            affected: count("affected")?,
            skipped: sources.iter().map(|s| s.skipped).sum(),
            nvd: count("nvd")?,
            kev: count("kev")?,
            epss: count("epss")?,
            kev_catalog_version: self.meta_opt(kev::META_CATALOG_VERSION)?,
            epss_score_date: self.meta_opt(epss::META_SCORE_DATE)?,
            epss_model_version: self.meta_opt(epss::META_MODEL_VERSION)?,
            stale_sources: sources
                .iter()
                .filter(|s| s.stale)
                .map(|s| s.name.clone())
                .collect(),
            sources,
        })
    }

    fn meta_opt(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.meta(key).map(|v| (!v.is_empty()).then_some(v))
    }

    /// What the NVD, KEV and EPSS feeds say about `cve` (any case; `None` when it is not a CVE
    /// id or none of them knows it). Its statements are prepared once per store and cached: call
    /// it once per matched CVE.
    pub fn cve_intel(&self, cve: &str) -> Result<Option<CveIntel>, StoreError> {
        let Some(cve) = cve_id(cve) else {
            return Ok(None);
        };
        let invalid = |what: String| StoreError::Invalid {
            path: self.path.clone(),
            what,
        };
        let mut intel = CveIntel::default();
        let mut found = false;
        let nvd: Option<NvdRow> = self
            .conn
            .prepare_cached(
                "SELECT published, last_modified, description, cwes, ratings FROM nvd WHERE cve = ?1",
            )
            .and_then(|mut s| {
                s.query_row([&cve], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()
            })
            .map_err(sql(&self.path))?;
        if let Some((published, last_modified, description, cwes, ratings)) = nvd {
            found = true;
            intel.cwes = serde_json::from_str(&cwes)
                .map_err(|e| invalid(format!("nvd row of {cve}: cwes: {}", json_problem(&e))))?;
            intel.nvd = serde_json::from_str::<Vec<NvdRating>>(&ratings)
                .map_err(|e| invalid(format!("nvd row of {cve}: ratings: {}", json_problem(&e))))?;
            intel.published = published;
            intel.last_modified = last_modified;
            intel.description = description;
        }
        intel.kev = self
            .conn
            .prepare_cached("SELECT date_added, due_date, ransomware, name FROM kev WHERE cve = ?1")
            .and_then(|mut s| {
                s.query_row([&cve], |r| {
                    Ok(KevEntry {
                        date_added: r.get(0)?,
                        due_date: r.get(1)?,
                        ransomware: r.get::<_, i64>(2)? != 0,
                        name: r.get(3)?,
                    })
                })
                .optional()
            })
            .map_err(sql(&self.path))?;
        intel.epss = self
            .conn
            .prepare_cached("SELECT score, percentile FROM epss WHERE cve = ?1")
            .and_then(|mut s| {
                s.query_row([&cve], |r| {
                    Ok((r.get::<_, Option<f64>>(0)?, r.get::<_, Option<f64>>(1)?))
                })
                .optional()
            })
            .map_err(sql(&self.path))?
            .and_then(|(score, percentile)| {
                let unit = |v: Option<f64>| v.filter(|v| v.is_finite() && (0.0..=1.0).contains(v));
                Some(EpssScore {
                    score: unit(score)?,
                    percentile: unit(percentile)?,
                })
            });
        found |= intel.kev.is_some() || intel.epss.is_some();
        Ok(found.then_some(intel))
    }

    /// Whether any advisory names ecosystem `key` (`wolfi`, `debian:bookworm`): a primary-key
    /// prefix lookup, one row at most.
    pub fn has_ecosystem(&self, key: &str) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT 1 FROM affected WHERE ecosystem = ?1 LIMIT 1")
            .and_then(|mut s| s.exists([key]))
            .map_err(sql(&self.path))
    }

    /// Every affected entry for a package in an ecosystem (exact, normalized names).
    pub fn affected(&self, ecosystem: &str, package: &str) -> Result<Vec<AffectedRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT advisory, body FROM affected WHERE ecosystem = ?1 AND package = ?2",
            )
            .map_err(sql(&self.path))?;
        let rows = stmt
            .query_map(params![ecosystem, package], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(sql(&self.path))?;
        rows.into_iter()
            .map(|(advisory, body)| {
                let mut affected: Affected =
                    serde_json::from_str(&body).map_err(|e| StoreError::Invalid {
                        path: self.path.clone(),
                        what: format!("affected row of advisory {advisory}: {}", json_problem(&e)),
                    })?;
                affected.ecosystem = ecosystem.to_string();
                affected.package = package.to_string();
                Ok(AffectedRow { advisory, affected })
            })
            .collect()
    }

    /// The advisory stored at `row` (without its `affected` list).
    pub fn advisory(&self, row: i64) -> Result<Advisory, StoreError> {
        let body: String = self
            .conn
            .prepare_cached("SELECT body FROM advisories WHERE rowid = ?1")
            .and_then(|mut s| s.query_row([row], |r| r.get(0)))
            .map_err(sql(&self.path))?;
        serde_json::from_str(&body).map_err(|e| StoreError::Invalid {
            path: self.path.clone(),
            what: format!("advisory row {row}: {}", json_problem(&e)),
        })
    }

    /// Advisories whose id or alias is `query` (case-insensitive), or, when none, that affect a
    /// package named `query`; each with its affected entries. At most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Advisory>, StoreError> {
        let limit = limit.min(10_000) as i64;
        let mut rows: Vec<i64> = self
            .conn
            .prepare("SELECT DISTINCT advisory FROM ids WHERE id = ?1 COLLATE NOCASE LIMIT ?2")
            .and_then(|mut s| {
                s.query_map(params![query, limit], |r| r.get(0))?
                    .collect::<Result<_, _>>()
            })
            .map_err(sql(&self.path))?;
        if rows.is_empty() {
            rows = self
                .conn
                .prepare(
                    "SELECT DISTINCT advisory FROM affected WHERE package = ?1 COLLATE NOCASE \
                     ORDER BY advisory LIMIT ?2",
                )
                .and_then(|mut s| {
                    s.query_map(params![query, limit], |r| r.get(0))?
                        .collect::<Result<_, _>>()
                })
                .map_err(sql(&self.path))?;
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut advisory = self.advisory(row)?;
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT ecosystem, package, body FROM affected WHERE advisory = ?1 ORDER BY seq",
                )
                .map_err(sql(&self.path))?;
            let bodies = stmt
                .query_map([row], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(sql(&self.path))?;
            for (ecosystem, package, body) in bodies {
                if let Ok(mut affected) = serde_json::from_str::<Affected>(&body) {
                    affected.ecosystem = ecosystem;
                    affected.package = package;
                    advisory.affected.push(affected);
                }
            }
            out.push(advisory);
        }
        out.sort_by(|a, b| (&a.id, &a.source).cmp(&(&b.id, &b.source)));
        Ok(out)
    }

    /// Writes a compact, self-contained copy of the database to `dest` (for air-gapped CI).
    pub fn export(&self, dest: &Path) -> Result<(), StoreError> {
        let dest_str = dest.to_str().ok_or_else(|| StoreError::Io {
            path: dest.to_path_buf(),
            source: std::io::Error::other("path is not UTF-8"),
        })?;
        if dest.exists() {
            std::fs::remove_file(dest).map_err(|source| StoreError::Io {
                path: dest.to_path_buf(),
                source,
            })?;
        }
        self.conn
            .execute("VACUUM INTO ?1", [dest_str])
            .map(|_| ())
            .map_err(sql(dest))
    }
}

/// Writes a new database: a temporary file next to `target`, renamed over it by [`Builder::finish`].
/// Dropping a builder without finishing removes the temporary file and leaves `target` alone.
pub struct Builder {
    conn: Option<Connection>,
    temp: PathBuf,
    target: PathBuf,
    advisories: u64,
    /// Feed facts for `meta` (the last value of a key wins).
    meta: Vec<(String, String)>,
}

impl Builder {
    pub fn create(target: &Path) -> Result<Builder, StoreError> {
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "seaworthy.db".into());
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&temp);
        let conn = Connection::open(&temp).map_err(sql(&temp))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 8192; \
             PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; BEGIN;",
        )
        .and_then(|_| conn.execute_batch(SCHEMA))
        .map_err(sql(&temp))?;
        Ok(Builder {
            conn: Some(conn),
            temp,
            target: target.to_path_buf(),
            advisories: 0,
            meta: Vec::new(),
        })
    }

    /// Advisories added so far.
    pub fn count(&self) -> u64 {
        self.advisories
    }

    fn conn(&self) -> Result<&Connection, StoreError> {
        self.conn.as_ref().ok_or_else(|| StoreError::Invalid {
            path: self.temp.clone(),
            what: "builder already finished".into(),
        })
    }

    pub fn add_source(&mut self, source: &SourceStatus) -> Result<(), StoreError> {
        self.conn()?
            .execute(
                "INSERT OR REPLACE INTO sources VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    source.name,
                    source.location,
                    source.updated,
                    source.advisories as i64,
                    source.skipped as i64,
                    source.fetched,
                    i64::from(source.stale),
                    source.problem
                ],
            )
            .map(|_| ())
            .map_err(sql(&self.temp))
    }

    /// Stores one advisory; its `affected` entries go to their own rows.
    pub fn add(&mut self, advisory: &Advisory) -> Result<(), StoreError> {
        let temp = self.temp.clone();
        let conn = self.conn()?;
        let head = Advisory {
            affected: Vec::new(),
            ..advisory.clone()
        };
        let body = to_json(&head, &temp, &advisory.id)?;
        conn.prepare_cached("INSERT INTO advisories (id, source, body) VALUES (?1, ?2, ?3)")
            .and_then(|mut s| s.execute(params![advisory.id, advisory.source, body]))
            .map_err(sql(&temp))?;
        let row = conn.last_insert_rowid();
        let mut ids = conn
            .prepare_cached("INSERT INTO ids VALUES (?1, ?2)")
            .map_err(sql(&temp))?;
        for id in std::iter::once(&advisory.id).chain(&advisory.aliases) {
            ids.execute(params![id, row]).map_err(sql(&temp))?;
        }
        let mut affected = conn
            .prepare_cached("INSERT INTO affected VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sql(&temp))?;
        for (seq, a) in advisory.affected.iter().enumerate() {
            affected
                .execute(params![
                    a.ecosystem,
                    a.package,
                    row,
                    seq as i64,
                    to_json(&keyless(a), &temp, &advisory.id)?
                ])
                .map_err(sql(&temp))?;
        }
        drop((ids, affected));
        self.advisories += 1;
        Ok(())
    }

    /// Stores NVD records, KEV entries and EPSS scores, and keeps the feed's facts for `meta`.
    /// A CVE in several NVD files keeps the record modified last; a CVE listed twice in KEV or
    /// EPSS keeps the entry added last.
    pub fn add_intel(&mut self, intel: &IntelRecords) -> Result<(), StoreError> {
        let temp = self.temp.clone();
        let conn = self.conn()?;
        let mut nvd = conn
            .prepare_cached(
                "INSERT INTO nvd VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (cve) DO UPDATE SET \
                 published = excluded.published, last_modified = excluded.last_modified, \
                 description = excluded.description, cwes = excluded.cwes, \
                 ratings = excluded.ratings \
                 WHERE coalesce(excluded.last_modified, '') >= coalesce(nvd.last_modified, '')",
            )
            .map_err(sql(&temp))?;
        for r in &intel.nvd {
            nvd.execute(params![
                r.cve,
                r.published,
                r.last_modified,
                r.description,
                to_json(&r.cwes, &temp, &r.cve)?,
                to_json(&r.ratings, &temp, &r.cve)?
            ])
            .map_err(sql(&temp))?;
        }
        let mut kev = conn
            .prepare_cached("INSERT OR REPLACE INTO kev VALUES (?1, ?2, ?3, ?4, ?5)")
            .map_err(sql(&temp))?;
        for (cve, e) in &intel.kev {
            kev.execute(params![
                cve,
                e.date_added,
                e.due_date,
                i64::from(e.ransomware),
                e.name
            ])
            .map_err(sql(&temp))?;
        }
        let mut epss = conn
            .prepare_cached("INSERT OR REPLACE INTO epss VALUES (?1, ?2, ?3)")
            .map_err(sql(&temp))?;
        for (cve, e) in &intel.epss {
            epss.execute(params![cve, e.score, e.percentile])
                .map_err(sql(&temp))?;
        }
        drop((nvd, kev, epss));
        self.meta.extend(intel.meta.iter().cloned());
        Ok(())
    }

    /// Commits, indexes, records `built`, and renames the file over the target.
    pub fn finish(mut self, built: &str) -> Result<PathBuf, StoreError> {
        let conn = self.conn.take().ok_or_else(|| StoreError::Invalid {
            path: self.temp.clone(),
            what: "builder already finished".into(),
        })?;
        conn.execute_batch(INDEXES)
            .and_then(|_| {
                conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?1), ('built', ?2)",
                    params![SCHEMA_VERSION.to_string(), built],
                )
            })
            .and_then(|_| {
                let mut stmt = conn.prepare("INSERT OR REPLACE INTO meta VALUES (?1, ?2)")?;
                for (key, value) in &self.meta {
                    // Never over the database's own keys.
                    if key != "schema_version" && key != "built" {
                        stmt.execute(params![key, value])?;
                    }
                }
                Ok(())
            })
            // No ANALYZE: every lookup is a primary-key prefix, and STAT4 samples would make
            // SQLite re-plan the statement for each new package name (a fifth of matching time).
            .and_then(|_| conn.execute_batch("COMMIT;"))
            .map_err(sql(&self.temp))?;
        conn.close().map_err(|(_, e)| sql(&self.temp)(e))?;
        std::fs::rename(&self.temp, &self.target).map_err(|source| StoreError::Io {
            path: self.target.clone(),
            source,
        })?;
        Ok(self.target.clone())
    }
}

impl Drop for Builder {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(conn);
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The stored body leaves out the key columns (ecosystem, package); readers put them back.
fn keyless(a: &Affected) -> Affected {
    Affected {
        ecosystem: String::new(),
        package: String::new(),
        ..a.clone()
    }
}

fn to_json<T: Serialize>(value: &T, temp: &Path, id: &str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Invalid {
        path: temp.to_path_buf(),
        what: format!("advisory {id}: {e}"),
    })
}

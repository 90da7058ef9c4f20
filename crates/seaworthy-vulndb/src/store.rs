//! The advisory database: one SQLite file. Built in a temporary file next to the target in one
//! transaction, then renamed over it, so readers and an interrupted update never see a partial
//! database. Opened read-only for matching; the schema version is checked on open.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

use crate::model::{Advisory, Affected};

/// Bumped whenever tables or the JSON stored in them change shape.
pub const SCHEMA_VERSION: u32 = 2;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY, location TEXT NOT NULL, updated TEXT NOT NULL,
    advisories INTEGER NOT NULL, skipped INTEGER NOT NULL);
CREATE TABLE advisories (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE ids (id TEXT NOT NULL, advisory INTEGER NOT NULL);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL, package TEXT NOT NULL, advisory INTEGER NOT NULL, seq INTEGER NOT NULL,
    body TEXT NOT NULL, PRIMARY KEY (ecosystem, package, advisory, seq)) WITHOUT ROWID;
";

const INDEXES: &str = "
CREATE INDEX affected_advisory ON affected (advisory);
CREATE INDEX ids_id ON ids (id COLLATE NOCASE);
CREATE INDEX affected_name ON affected (package COLLATE NOCASE);
";

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
        matches!(
            self,
            StoreError::Missing(_) | StoreError::Schema { .. } | StoreError::Invalid { .. }
        )
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
}

/// `db status`.
#[derive(Debug, Clone, Serialize)]
pub struct DbStatus {
    pub path: PathBuf,
    pub schema_version: u32,
    pub built: String,
    pub advisories: u64,
    pub affected: u64,
    pub sources: Vec<SourceStatus>,
}

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

impl Store {
    /// Opens `path` read-only and checks the schema version.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
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
        conn.execute_batch("PRAGMA mmap_size = 1073741824;")
            .map_err(sql(path))?;
        let invalid = |what: String| StoreError::Invalid {
            path: path.to_path_buf(),
            what,
        };
        let found: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| invalid(e.to_string()))?;
        match found {
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(found) => {
                return Err(StoreError::Schema {
                    path: path.to_path_buf(),
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
            None => return Err(invalid("no schema version".into())),
        }
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
                "SELECT name, location, updated, advisories, skipped FROM sources ORDER BY name",
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
            sources,
        })
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
                        what: format!("affected row of advisory {advisory}: {e}"),
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
            what: format!("advisory row {row}: {e}"),
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
                "INSERT OR REPLACE INTO sources VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    source.name,
                    source.location,
                    source.updated,
                    source.advisories as i64,
                    source.skipped as i64
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

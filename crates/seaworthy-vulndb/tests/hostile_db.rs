//! Hostile database files, each built by the test from a real one: tables replaced by recursive
//! views, oversized view bodies, triggers, extra objects, a changed table, a forged schema version,
//! a corrupted page, a FIFO. Each must be refused on open (and by `import_file`, which leaves the
//! installed database as it was), quickly, with an error that names the file and never quotes it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use seaworthy_vulndb::Advisory;
use seaworthy_vulndb::sources::osv;
use seaworthy_vulndb::store::{Builder, Store, StoreError, import_file, validate_file};

/// Text planted in hostile objects: it must never reach an error message.
const MARKER: &str = "HOSTILE_MARKER_7f3a";

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

/// A real database: one OSV advisory.
fn good_db(path: &Path) {
    let a: Advisory = osv::parse_record(
        &std::fs::read(testdata("osv/PYSEC-2022-42969.json")).unwrap(),
        "o",
    )
    .unwrap();
    let mut b = Builder::create(path).unwrap();
    b.add(&a).unwrap();
    b.finish("2026-01-01T00:00:00Z").unwrap();
}

/// A copy of a good database changed by `sql` (run with the schema writable).
fn hostile(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    good_db(&path);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    path
}

/// Runs `f` on a thread; fails the test if it takes 5 s.
fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("did not finish within 5 s"))
}

fn open_err(path: &Path) -> StoreError {
    let p = path.to_path_buf();
    match bounded(move || Store::open(&p).map(|s| s.status().map(|_| ()))) {
        Ok(_) => panic!("{} was accepted", path.display()),
        Err(e) => e,
    }
}

fn assert_refused(err: &StoreError, path: &Path, needle: &str) {
    let text = format!("{err} {err:?}");
    assert!(err.is_input_error(), "{text} should be an input error");
    assert!(
        text.contains(&*path.to_string_lossy()),
        "names the file: {text}"
    );
    assert!(text.contains(needle), "{text} lacks {needle:?}");
    assert!(!text.contains(MARKER), "quotes the file: {text}");
    assert!(!text.contains("RECURSIVE"), "quotes the schema: {text}");
}

/// Opened, and imported over an installed database that must stay byte-identical.
fn assert_hostile(dir: &Path, path: &Path, needle: &str) {
    assert_refused(&open_err(path), path, needle);
    let installed = dir.join("installed.db");
    if !installed.exists() {
        good_db(&installed);
    }
    let before = std::fs::read(&installed).unwrap();
    let (p, i) = (path.to_path_buf(), installed.clone());
    let err = bounded(move || import_file(&p, &i)).expect_err("hostile database imported");
    assert_refused(&err, path, needle);
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        before,
        "installed db changed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_good_database_is_accepted_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("good.db");
    good_db(&db);
    validate_file(&db, Duration::from_secs(60)).unwrap();
    let target = dir.path().join("sub/installed.db");
    import_file(&db, &target).unwrap();
    assert_eq!(
        Store::open(&target).unwrap().status().unwrap().advisories,
        1
    );
}

#[test]
fn tables_replaced_by_recursive_views_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(
        dir.path(),
        "views.db",
        &format!(
            "DROP TABLE meta; DROP TABLE sources;
             CREATE VIEW meta AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
               SELECT 'schema_version' AS key, '2' AS value FROM c
               UNION ALL SELECT '{MARKER}', '' ;
             CREATE VIEW sources AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
               SELECT 'n' AS name, 'l' AS location, 'u' AS updated, x AS advisories, 0 AS skipped
               FROM c;"
        ),
    );
    assert_hostile(dir.path(), &db, "table meta is missing");
}

#[test]
fn an_oversized_view_body_is_refused_without_loading_it() {
    let dir = tempfile::tempdir().unwrap();
    // 1 MiB of SQL (the had 100 MB): over the bound on any SQL text SQLite parses.
    let body = MARKER.repeat((1 << 20) / MARKER.len());
    let db = hostile(
        dir.path(),
        "big-view.db",
        &format!("CREATE VIEW v AS SELECT '{body}' AS x;"),
    );
    assert_hostile(dir.path(), &db, "size limit");
}

#[test]
fn triggers_views_and_extra_objects_are_refused() {
    let cases = [
        (
            "trigger.db",
            format!("CREATE TRIGGER t AFTER INSERT ON ids BEGIN SELECT '{MARKER}'; END;"),
            "1 unexpected trigger",
        ),
        (
            "view.db",
            format!("CREATE VIEW \"{MARKER}\" AS SELECT 1;"),
            "1 unexpected view",
        ),
        (
            "table.db",
            format!("CREATE TABLE \"{MARKER}\" (x); CREATE INDEX i2 ON \"{MARKER}\" (x);"),
            "1 unexpected index, 1 unexpected table",
        ),
        (
            "changed.db",
            format!(
                "DROP TABLE ids; CREATE TABLE ids (id TEXT, advisory INTEGER, \"{MARKER}\" TEXT);
                 CREATE INDEX ids_id ON ids (id COLLATE NOCASE);"
            ),
            "table ids is missing or defined differently",
        ),
    ];
    for (name, sql, needle) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = hostile(dir.path(), name, &sql);
        assert_hostile(dir.path(), &db, needle);
    }
}

#[test]
fn a_forged_schema_version_is_not_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let db = hostile(
        dir.path(),
        "version.db",
        &format!(
            "UPDATE meta SET value = '\x1b[31m{MARKER}' || char(10) || '::error::x' \
             WHERE key = 'schema_version';"
        ),
    );
    assert_hostile(dir.path(), &db, "schema version is not a number");
}

#[test]
fn a_corrupted_database_fails_the_integrity_check_on_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("corrupt.db");
    good_db(&db);
    let mut bytes = std::fs::read(&db).unwrap();
    // The last page is an index no open reads: give it an invalid b-tree page type. The schema
    // and `meta` stay readable, so only the integrity check can tell.
    let page = 8192;
    assert_eq!(bytes.len() % page, 0);
    let last = bytes.len() - page;
    bytes[last] = 0x07;
    std::fs::write(&db, &bytes).unwrap();
    Store::open(&db).expect("opens: the damage is in a page open does not read");
    let installed = dir.path().join("installed.db");
    good_db(&installed);
    let before = std::fs::read(&installed).unwrap();
    let (p, i) = (db.clone(), installed.clone());
    let err = bounded(move || import_file(&p, &i)).expect_err("corrupt database imported");
    assert_refused(&err, &db, "integrity check");
    assert_eq!(std::fs::read(&installed).unwrap(), before);
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.db");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    assert_refused(&open_err(&fifo), &fifo, "FIFO");
    let (p, i) = (fifo.clone(), dir.path().join("installed.db"));
    let err = bounded(move || import_file(&p, &i)).expect_err("FIFO imported");
    assert_refused(&err, &fifo, "FIFO");
}

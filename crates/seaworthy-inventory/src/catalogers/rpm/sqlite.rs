//! rpm's sqlite database (`rpmdb.sqlite`): table `Packages(hnum, blob)`, one header image
//! per row. The file is opened read-only from memory (sqlite's deserialize); a database in
//! WAL mode is marked as rollback-journal first, since memory databases have no WAL (rows
//! still in an uncaptured `-wal` file are not seen).

use std::io::Read;

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::Blobs;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Header bytes 18 and 19: file format write/read versions, 2 for WAL.
const FORMAT_VERSIONS: std::ops::Range<usize> = 18..20;
/// sqlite's deserialize takes a C int size; rpm databases are far smaller.
const MAX_SIZE: usize = 1 << 30;

/// The header blobs of the `Packages` table, in `hnum` order (see [`sqlite_blobs`]).
pub fn read_sqlite(data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    sqlite_blobs(data).map(|b| b.blobs)
}

/// The header blobs of the `Packages` table, in `hnum` order. A row whose blob cannot be read
/// is noted and skipped; corruption that stops the table walk is noted and what was read kept.
pub fn sqlite_blobs(data: &[u8]) -> Result<Blobs, String> {
    if data.get(..MAGIC.len()) != Some(MAGIC) {
        return Err("sqlite: no SQLite format 3 magic".into());
    }
    if data.len() > MAX_SIZE {
        return Err(format!(
            "sqlite: {} bytes, more than {MAX_SIZE}",
            data.len()
        ));
    }
    // sqlite copies the image into its own memory: it is read through the patch, not copied
    // first (a 100 MB database costs one copy, not two).
    let (head, rest) = data.split_at(FORMAT_VERSIONS.start.min(data.len()));
    let (versions, tail) = rest.split_at(FORMAT_VERSIONS.len().min(rest.len()));
    let versions: Vec<u8> = versions
        .iter()
        .map(|&v| if v == 2 { 1 } else { v })
        .collect();
    let image = head.chain(versions.as_slice()).chain(tail);
    let err = |e: rusqlite::Error| format!("sqlite: {e}");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_in_memory_with_flags(flags).map_err(err)?;
    conn.deserialize_read_exact(MAIN_DB, image, data.len(), true)
        .map_err(err)?;
    check_packages_table(&conn)?;
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut out = Blobs::default();
    for n in 0.. {
        match rows.next() {
            Ok(Some(row)) => match row.get::<_, Vec<u8>>(0) {
                Ok(blob) => out.blobs.push(blob),
                Err(e) => out.skipped.push(format!("sqlite: row {n}: {e}")),
            },
            Ok(None) => break,
            Err(e) if out.blobs.is_empty() && out.skipped.is_empty() => return Err(err(e)),
            Err(e) => {
                out.skipped
                    .push(format!("sqlite: the table walk stopped after row {n}: {e}"));
                break;
            }
        }
    }
    Ok(out)
}

/// `Packages` must be a plain table: a view, or a generated `blob` column, in a hostile file
/// could make the query arbitrarily expensive.
fn check_packages_table(conn: &Connection) -> Result<(), String> {
    let err = |e: rusqlite::Error| format!("sqlite: {e}");
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'",
            [],
            |row| row.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(err(e)),
        })?;
    match kind.as_deref() {
        Some("table") => {}
        Some(other) => return Err(format!("sqlite: Packages is a {other}, not a table")),
        None => return Err("sqlite: no Packages table".into()),
    }
    let hidden: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_xinfo('Packages') WHERE hidden != 0",
            [],
            |row| row.get(0),
        )
        .map_err(err)?;
    if hidden != 0 {
        return Err("sqlite: Packages has generated or hidden columns".into());
    }
    Ok(())
}

//! The rpm cataloger against real databases of each backend, checked against `rpm -qa`
//! output recorded in `testdata/rpm/*/rpm-qa.txt` (see testdata/rpm/SOURCES.md), plus
//! damaged and hostile inputs.

mod support;

use std::path::PathBuf;

use seaworthy_inventory::catalogers::rpm::{
    RpmHeader, cataloger, parse_header_blob, read_bdb, read_ndb, read_sqlite,
};
use seaworthy_inventory::{CatalogerSet, Package};
use seaworthy_oci::FsView;

type Reader = fn(&[u8]) -> Result<Vec<Vec<u8>>, String>;

fn testdata(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/rpm")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn headers(reader: Reader, rel: &str) -> Vec<RpmHeader> {
    let blobs = reader(&testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    blobs
        .iter()
        .map(|b| parse_header_blob(b).unwrap_or_else(|e| panic!("{rel}: {e}")))
        .collect()
}

/// One line as `rpm -qa --qf '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM}\n'`.
fn qa_line(h: &RpmHeader) -> String {
    let none = || "(none)".to_string();
    format!(
        "{} {}:{}-{} {} {}",
        h.name,
        h.epoch.map_or_else(none, |e| e.to_string()),
        h.version,
        h.release,
        h.arch.clone().unwrap_or_else(none),
        h.source_rpm.clone().unwrap_or_else(none),
    )
}

fn assert_matches_oracle(reader: Reader, dir: &str, db: &str) {
    let mut ours: Vec<String> = headers(reader, &format!("{dir}/{db}"))
        .iter()
        .map(qa_line)
        .collect();
    ours.sort();
    let expected = String::from_utf8(testdata(&format!("{dir}/rpm-qa.txt")))
        .unwrap_or_else(|e| panic!("{dir}/rpm-qa.txt: {e}"));
    let expected: Vec<&str> = expected.lines().collect();
    assert!(!expected.is_empty(), "{dir}: empty oracle output");
    assert_eq!(ours, expected, "{dir}: differs from rpm -qa");
}

#[test]
fn bdb_libuuid_matches_rpm() {
    assert_matches_oracle(read_bdb, "bdb-libuuid", "Packages");
}

#[test]
fn bdb_little_endian_matches_rpm() {
    assert_matches_oracle(read_bdb, "bdb-mariner-le", "Packages");
}

#[test]
fn bdb_big_endian_matches_rpm() {
    assert_matches_oracle(read_bdb, "bdb-mariner-be", "Packages");
}

#[test]
fn sqlite_wal_mode_matches_rpm() {
    assert_matches_oracle(read_sqlite, "sqlite-mariner", "rpmdb.sqlite");
}

#[test]
fn sqlite_built_by_rpm_matches_rpm() {
    assert_matches_oracle(read_sqlite, "sqlite-built", "rpmdb.sqlite");
}

#[test]
fn ndb_matches_rpm_on_sles() {
    assert_matches_oracle(read_ndb, "ndb-sle15-bci", "Packages.db");
}

#[test]
fn all_backends_agree_on_the_same_headers() {
    let sqlite = headers(read_sqlite, "sqlite-mariner/rpmdb.sqlite");
    let mut bdb = headers(read_bdb, "bdb-mariner-le/Packages");
    let key = |h: &RpmHeader| (h.name.clone(), h.version.clone());
    bdb.sort_by_key(key);
    let mut sorted = sqlite.clone();
    sorted.sort_by_key(key);
    assert_eq!(sorted, bdb);
}

fn inventory(os_release: &str, path: &str, fixture: &str) -> Vec<Package> {
    let fs = FsView::from_files([
        ("etc/os-release".to_string(), os_release.as_bytes().to_vec()),
        (path.to_string(), testdata(fixture)),
    ]);
    let inv = CatalogerSet::new(vec![cataloger()]).catalog(&fs);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    inv.packages
}

#[test]
fn mariner_sqlite_inventory() {
    let packages = inventory(
        "ID=mariner\nVERSION_ID=\"2.0\"\n",
        "var/lib/rpm/rpmdb.sqlite",
        "sqlite-mariner/rpmdb.sqlite",
    );
    assert_eq!(packages.len(), 23);
    insta::assert_json_snapshot!(packages);
}

#[test]
fn epoch_goes_in_version_and_purl_qualifier() {
    let packages = inventory(
        "ID=mariner\nVERSION_ID=\"2.0\"\n",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "sqlite-mariner/rpmdb.sqlite",
    );
    let p = packages
        .iter()
        .find(|p| p.name == "ca-certificates-base")
        .unwrap_or_else(|| panic!("ca-certificates-base missing"));
    assert_eq!(p.version, "1:2.0.0-1.cm2");
    assert_eq!(
        p.purl,
        "pkg:rpm/mariner/ca-certificates-base@2.0.0-1.cm2?arch=noarch&distro=mariner-2.0&epoch=1"
    );
    let source = p.source.as_ref().unwrap_or_else(|| panic!("no source"));
    assert_eq!(
        (source.name.as_str(), source.version.as_str()),
        ("ca-certificates", "1:2.0.0-1.cm2")
    );
}

#[test]
fn gpg_keys_skipped_and_modularity_label_kept() {
    let packages = inventory(
        "ID=fedora\nVERSION_ID=38\n",
        "var/lib/rpm/rpmdb.sqlite",
        "sqlite-built/rpmdb.sqlite",
    );
    insta::assert_json_snapshot!(packages);
}

#[test]
fn libuuid_bdb_inventory() {
    let packages = inventory(
        "ID=\"rhel\"\nVERSION_ID=\"8.8\"\n",
        "var/lib/rpm/Packages",
        "bdb-libuuid/Packages",
    );
    insta::assert_json_snapshot!(packages);
}

#[test]
fn sles_ndb_inventory_has_suse_purls() {
    let packages = inventory(
        "ID=\"sles\"\nVERSION_ID=\"15.3\"\n",
        "var/lib/rpm/Packages.db",
        "ndb-sle15-bci/Packages.db",
    );
    assert_eq!(packages.len(), 35);
    let bash = packages
        .iter()
        .find(|p| p.name == "bash")
        .unwrap_or_else(|| panic!("bash missing"));
    assert_eq!(
        bash.purl,
        "pkg:rpm/sles/bash@4.4-19.6.1?arch=x86_64&distro=sles-15.3"
    );
    assert_eq!(bash.licenses, vec!["GPL-3.0-or-later".to_string()]);
    assert_eq!(
        bash.metadata,
        vec![(
            "vendor".to_string(),
            "SUSE LLC <https://www.suse.com/>".to_string()
        )]
    );
}

#[test]
fn wrong_format_for_the_path_is_an_error() {
    let fs = FsView::from_files([(
        "var/lib/rpm/Packages".to_string(),
        testdata("ndb-sle15-bci/Packages.db"),
    )]);
    let inv = CatalogerSet::new(vec![cataloger()]).catalog(&fs);
    assert!(inv.packages.is_empty());
    assert_eq!(inv.errors.len(), 1);
    assert!(
        inv.errors[0].message.contains("bdb"),
        "{}",
        inv.errors[0].message
    );
}

/// Runs `reader` on `data` cut at `cuts` offsets, then with one byte at a time flipped at
/// `stride`; every outcome is fine except a panic, and any headers must parse or fail cleanly.
fn survives_damage(reader: Reader, rel: &str, cuts: usize, stride: usize) {
    let data = testdata(rel);
    let step = (data.len() / cuts).max(1);
    for len in (0..data.len()).step_by(step) {
        check(reader, &data[..len]);
    }
    let mut damaged = data.clone();
    for i in (0..damaged.len()).step_by(stride) {
        damaged[i] ^= 0xff;
        check(reader, &damaged);
        damaged[i] ^= 0xff;
    }
}

fn check(reader: Reader, data: &[u8]) {
    if let Ok(blobs) = reader(data) {
        let total: usize = blobs.iter().map(Vec::len).sum();
        assert!(total <= data.len(), "{total} bytes out of {}", data.len());
        for b in &blobs {
            let _ = parse_header_blob(b);
        }
    }
}

#[test]
fn damaged_bdb_never_panics() {
    survives_damage(read_bdb, "bdb-libuuid/Packages", 400, 7);
    survives_damage(read_bdb, "bdb-mariner-be/Packages", 100, 61);
}

#[test]
fn damaged_ndb_never_panics() {
    survives_damage(read_ndb, "ndb-sle15-bci/Packages.db", 200, 331);
}

#[test]
fn damaged_sqlite_never_panics() {
    survives_damage(read_sqlite, "sqlite-mariner/rpmdb.sqlite", 40, 4099);
}

#[test]
fn damaged_header_never_panics() {
    let blobs = read_ndb(&testdata("ndb-sle15-bci/Packages.db")).unwrap_or_else(|e| panic!("{e}"));
    let mut blob = blobs[0].clone();
    for len in 0..blob.len() {
        let _ = parse_header_blob(&blob[..len]);
    }
    for i in 0..blob.len() {
        for flip in [0xff, 0x80, 0x01] {
            blob[i] ^= flip;
            let _ = parse_header_blob(&blob);
            blob[i] ^= flip;
        }
    }
}

#[test]
fn absurd_header_sizes_are_rejected() {
    let mut blob = vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0, 16];
    assert!(parse_header_blob(&blob).is_err_and(|e| e.contains("index entries")));
    blob[..4].copy_from_slice(&1u32.to_be_bytes());
    blob[4..].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(parse_header_blob(&blob).is_err_and(|e| e.contains("data store")));
    // One NAME entry whose string offset lies past a 4-byte store.
    let mut blob = Vec::new();
    for v in [1u32, 4, 1000, 6, 9, 1] {
        blob.extend_from_slice(&v.to_be_bytes());
    }
    blob.extend_from_slice(b"abc\0");
    assert!(parse_header_blob(&blob).is_err_and(|e| e.contains("past the data store")));
}

/// libuuid's Packages: page 1 holds rpm's instance counter, page 2 the header's off-page item.
const LIBUUID_HEADER_PAGE: std::ops::Range<usize> = 8192..12288;

/// Page number of the first overflow page of the libuuid header.
fn bdb_overflow_start(data: &[u8]) -> usize {
    let page = &data[LIBUUID_HEADER_PAGE];
    let value_off = u16::from_le_bytes([page[28], page[29]]) as usize;
    assert_eq!(page[value_off], 3, "expected an off-page item");
    u32::from_le_bytes(
        page[value_off + 4..value_off + 8]
            .try_into()
            .unwrap_or_default(),
    ) as usize
}

#[test]
fn bdb_overflow_cycle_is_an_error() {
    let mut data = testdata("bdb-libuuid/Packages");
    let first = bdb_overflow_start(&data);
    let next = first * 4096 + 16;
    data[next..next + 4].copy_from_slice(&(first as u32).to_le_bytes());
    let err = read_bdb(&data).err().unwrap_or_default();
    assert!(err.contains("read twice"), "{err}");
}

#[test]
fn bdb_shared_chains_are_bounded() {
    // Page 2 rewritten to hold 150 copies of its key/off-page pair, all naming one chain:
    // the output may not multiply.
    let mut data = testdata("bdb-libuuid/Packages");
    let page = LIBUUID_HEADER_PAGE;
    let original = data[page.clone()].to_vec();
    assert_eq!(
        original[u16::from_le_bytes([original[28], original[29]]) as usize],
        3
    );
    let key_off = u16::from_le_bytes([original[26], original[27]]) as usize;
    let value_off = u16::from_le_bytes([original[28], original[29]]) as usize;
    let key = original[key_off..4096].to_vec();
    let value = original[value_off..key_off].to_vec();
    let pairs = 150;
    let mut rebuilt = original[..26].to_vec();
    rebuilt.resize(4096, 0);
    rebuilt[20..22].copy_from_slice(&(pairs as u16 * 2).to_le_bytes());
    let mut cursor = 4096;
    for n in 0..pairs {
        cursor -= key.len();
        rebuilt[cursor..cursor + key.len()].copy_from_slice(&key);
        rebuilt[26 + 4 * n..28 + 4 * n].copy_from_slice(&(cursor as u16).to_le_bytes());
        cursor -= value.len();
        rebuilt[cursor..cursor + value.len()].copy_from_slice(&value);
        rebuilt[28 + 4 * n..30 + 4 * n].copy_from_slice(&(cursor as u16).to_le_bytes());
    }
    data[page].copy_from_slice(&rebuilt);
    let blobs = read_bdb(&data).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(blobs.len(), 1);
    assert!(parse_header_blob(&blobs[0]).is_ok_and(|h| h.name == "libuuid"));
}

/// Catalogs one rpm database at `path`; packages and skip notes.
fn catalog_damaged(path: &str, data: Vec<u8>) -> seaworthy_inventory::Inventory {
    let fs = FsView::from_files([
        (
            "etc/os-release".to_string(),
            b"ID=mariner\nVERSION_ID=\"2.0\"\n".to_vec(),
        ),
        (path.to_string(), data),
    ]);
    CatalogerSet::new(vec![cataloger()]).catalog(&fs)
}

/// One damaged row of an rpm sqlite database: its package cannot be read, the others can, and
/// the damage is reported as skipped instead of the package vanishing with a clean result.
#[test]
fn a_damaged_sqlite_record_is_reported_not_dropped() {
    use rusqlite::{Connection, MAIN_DB};
    let mut data = testdata("sqlite-mariner/rpmdb.sqlite");
    data[18..20].copy_from_slice(&[1, 1]);
    let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    conn.deserialize_read_exact(MAIN_DB, data.as_slice(), data.len(), false)
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "UPDATE Packages SET blob = x'0000000a00000000deadbeef' \
         WHERE hnum = (SELECT hnum FROM Packages ORDER BY hnum LIMIT 1 OFFSET 5)",
        [],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let damaged = conn
        .serialize(MAIN_DB)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_vec();
    let inv = catalog_damaged("var/lib/rpm/rpmdb.sqlite", damaged);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(
        inv.packages.len(),
        22,
        "one of the 23 packages is unreadable"
    );
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
    let s = &inv.skipped[0];
    assert_eq!(
        (s.cataloger, s.path.as_str()),
        ("rpm", "/var/lib/rpm/rpmdb.sqlite")
    );
    assert!(s.message.starts_with("record 5: "), "{}", s.message);
}

/// A bit flip in one ndb blob head: that package is skipped and reported, the rest kept.
#[test]
fn a_damaged_ndb_blob_is_reported_not_dropped() {
    let mut data = testdata("ndb-sle15-bci/Packages.db");
    let blob = data
        .windows(4)
        .position(|w| w == b"BlbS")
        .unwrap_or_else(|| panic!("no blob"));
    data[blob] ^= 0x20;
    let inv = catalog_damaged("var/lib/rpm/Packages.db", data);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(
        inv.packages.len(),
        34,
        "one of the 35 packages is unreadable"
    );
    assert_eq!(inv.skipped.len(), 1, "{:?}", inv.skipped);
    assert!(
        inv.skipped[0].message.contains("no blob head"),
        "{}",
        inv.skipped[0].message
    );
}

/// (name, layer) of every package of an image of `layers`, in the order listed.
fn layers_of(layers: Vec<seaworthy_oci::layer::LayerIndex>) -> Vec<(String, usize)> {
    let fs = FsView::from_layers(layers).unwrap_or_else(|e| panic!("{e:?}"));
    let inv = CatalogerSet::new(vec![cataloger()]).catalog(&fs);
    assert!(inv.errors.is_empty() && inv.skipped.is_empty(), "{inv:?}");
    inv.packages
        .iter()
        .map(|p| {
            assert_eq!(p.locations.len(), 1, "{}", p.name);
            (p.name.clone(), p.locations[0].layer)
        })
        .collect()
}

/// A base layer's rpm database without one package, and a layer that installs it (rewriting
/// the whole database): the package comes from that layer, every other one from the base,
/// however many layers rewrite the database unchanged above.
#[test]
fn rpm_sqlite_packages_belong_to_the_layer_that_added_them() {
    use rusqlite::{Connection, MAIN_DB};
    const DB: &str = "var/lib/rpm/rpmdb.sqlite";
    let full = testdata("sqlite-mariner/rpmdb.sqlite");
    let added = headers(read_sqlite, "sqlite-mariner/rpmdb.sqlite")[5]
        .name
        .clone();
    let mut data = full.clone();
    data[18..20].copy_from_slice(&[1, 1]);
    let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    conn.deserialize_read_exact(MAIN_DB, data.as_slice(), data.len(), false)
        .unwrap_or_else(|e| panic!("{e}"));
    // The index tables refer to the row; rpm would remove those entries too.
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "DELETE FROM Packages \
         WHERE hnum = (SELECT hnum FROM Packages ORDER BY hnum LIMIT 1 OFFSET 5)",
        [],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let base = conn
        .serialize(MAIN_DB)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_vec();
    let os_release = b"ID=mariner\nVERSION_ID=\"2.0\"\n".to_vec();
    let found = layers_of(vec![
        support::layer(vec![("etc/os-release", os_release), (DB, base)]),
        support::layer(vec![(DB, full.clone())]),
        support::layer(vec![(DB, full)]),
    ]);
    assert_eq!(found.len(), 23);
    for (name, layer) in found {
        let expected = if name == added { 1 } else { 0 };
        assert_eq!(layer, expected, "{name}");
    }
}

/// Every backend: a database a later layer rewrites unchanged keeps its packages in the base.
#[test]
fn rpm_database_rewritten_unchanged_stays_in_the_base() {
    for (path, fixture) in [
        ("var/lib/rpm/Packages", "bdb-mariner-le/Packages"),
        ("var/lib/rpm/Packages.db", "ndb-sle15-bci/Packages.db"),
        ("var/lib/rpm/rpmdb.sqlite", "sqlite-built/rpmdb.sqlite"),
    ] {
        let data = testdata(fixture);
        let found = layers_of(vec![
            support::layer(vec![(path, data.clone())]),
            support::layer(vec![(path, data)]),
        ]);
        assert!(!found.is_empty(), "{fixture}");
        assert!(found.iter().all(|(_, l)| *l == 0), "{fixture}: {found:?}");
    }
}

//! `db update` against a real local HTTP server serving recorded real feed files: the first
//! update downloads and builds, the next revalidates (conditional requests), and a broken feed
//! (cut off in transit, a server error, a truncated archive served whole, a server that stalls
//! past `--timeout`) is replaced by its last good copy, or left out, the others imported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support {
    pub mod feed_server;
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use seaworthy_vulndb::fetch::{FetchOptions, Fetcher};
use seaworthy_vulndb::store::Store;
use seaworthy_vulndb::update::{FeedUrls, UpdateError, update};
use std::time::Instant;
use support::feed_server::{self, Fault, FeedServer};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn osv_zip() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in [
        "PYSEC-2022-42969.json",
        "PYSEC-2023-236.json",
        "GHSA-274c-rx2j-2v3x.json",
    ] {
        w.start_file(name, opts).unwrap();
        w.write_all(&std::fs::read(testdata("osv").join(name)).unwrap())
            .unwrap();
    }
    // One malformed record: skipped and counted, never fatal.
    w.start_file("PYSEC-0000-0.json", opts).unwrap();
    w.write_all(b"{\"id\": 42}").unwrap();
    w.finish().unwrap().into_inner()
}

fn rustsec_tar_gz() -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut b = tar::Builder::new(gz);
    b.append_dir_all("advisory-db-main/crates", testdata("rustsec/crates"))
        .unwrap();
    b.into_inner().unwrap().finish().unwrap()
}

/// The upstream layout: tracker JSON, secdb branch directories, OSV `<Ecosystem>/all.zip`.
fn serve_feeds(root: &Path) -> FeedServer {
    let put = |rel: &str, bytes: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    put(
        "tracker/data/json",
        &std::fs::read(testdata("debian/tracker-sample.json")).unwrap(),
    );
    put(
        "secdb/v3.4/main.json",
        &std::fs::read(testdata("update/v3.4-main.json")).unwrap(),
    );
    put(
        "secdb/v3.4/community.json",
        &std::fs::read(testdata("alpine/v3.4-community.json")).unwrap(),
    );
    put("osv/PyPI/all.zip", &osv_zip());
    put("rustsec/main.tar.gz", &rustsec_tar_gz());
    feed_server::start(root)
}

fn urls(server: &FeedServer) -> FeedUrls {
    FeedUrls {
        debian_tracker: server.url("tracker/data/json"),
        alpine_secdb: server.url("secdb"),
        alpine_branches: vec!["v3.4".into()],
        osv: server.url("osv"),
        osv_ecosystems: vec!["PyPI".into()],
        rustsec: server.url("rustsec/main.tar.gz"),
        wolfi: String::new(),
        chainguard: String::new(),
        nvd: String::new(),
        nvd_years: Vec::new(),
        kev: String::new(),
        epss: String::new(),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// NVD's yearly and modified feeds, the KEV catalogue and the EPSS scores from their own base
/// URLs beside an advisory feed; a broken EPSS file is left out and named, the rest imported.
#[test]
fn update_fetches_nvd_kev_and_epss_from_their_urls() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    let put = |rel: &str, bytes: &[u8]| {
        let p = www.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    };
    let nvd = std::fs::read(testdata("intel/nvdcve-2.0-sample.json")).unwrap();
    put("nvd/feeds/nvdcve-2.0-2023.json.gz", &gzip(&nvd));
    put(
        "nvd/feeds/nvdcve-2.0-2024.json.gz",
        &gzip(br#"{"format": "NVD_CVE", "vulnerabilities": []}"#),
    );
    put("nvd/feeds/nvdcve-2.0-modified.json.gz", &gzip(&nvd));
    put(
        "cisa/known_exploited_vulnerabilities.json",
        &std::fs::read(testdata("intel/known_exploited_vulnerabilities.json")).unwrap(),
    );
    let csv = std::fs::read(testdata("intel/epss_scores-sample.csv")).unwrap();
    put("epss/epss_scores-current.csv.gz", &gzip(&csv));
    put("osv/PyPI/all.zip", &osv_zip());
    let server = feed_server::start(&www);
    let db = tmp.path().join("vuln.db");
    let fetcher = fetcher(&tmp.path().join("cache"));
    let urls = FeedUrls {
        debian_tracker: String::new(),
        alpine_secdb: String::new(),
        alpine_branches: Vec::new(),
        osv: server.url("osv"),
        osv_ecosystems: vec!["PyPI".into()],
        rustsec: String::new(),
        wolfi: String::new(),
        chainguard: String::new(),
        nvd: server.url("nvd/feeds/"),
        nvd_years: vec![2023, 2024],
        kev: server.url("cisa/known_exploited_vulnerabilities.json"),
        epss: server.url("epss/epss_scores-current.csv.gz"),
    };
    let summary = update(&db, &fetcher, &urls, "2026-12-07T01:00:00Z", &|_| {}).unwrap();
    assert!(
        summary.import.failed.is_empty(),
        "{:?}",
        summary.import.failed
    );
    assert_eq!(server.requests("nvd/feeds/nvdcve-2.0-2023.json.gz"), 1);
    assert_eq!(server.requests("nvd/feeds/nvdcve-2.0-modified.json.gz"), 1);
    assert_eq!(
        (summary.import.nvd, summary.import.kev, summary.import.epss),
        (8, 4, 6)
    );
    let store = Store::open(&db).unwrap();
    let status = store.status().unwrap();
    let names: Vec<&str> = status.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cisa-kev",
            "epss",
            "nvd:2023",
            "nvd:2024",
            "nvd:modified",
            "osv:PyPI"
        ]
    );
    assert_eq!((status.nvd, status.kev, status.epss), (4, 4, 6));
    assert_eq!(
        status.epss_score_date.as_deref(),
        Some("2026-05-18T00:00:00Z")
    );
    let intel = store.cve_intel("CVE-2020-1747").unwrap().unwrap();
    assert!(intel.nvd.iter().any(|r| r.source == "nvd" && r.primary));
    drop(store);

    // The EPSS file turns into garbage upstream: the update names it and imports the rest.
    put(
        "epss/epss_scores-current.csv.gz",
        b"<html>maintenance</html>",
    );
    let later = std::time::SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(www.join("epss/epss_scores-current.csv.gz"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let summary = update(&db, &fetcher, &urls, "2026-12-07T02:00:00Z", &|_| {}).unwrap();
    assert!(summary.import.failed.is_empty());
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    let epss = &summary.failed[0];
    assert_eq!(epss.name, "epss");
    assert!(!epss.to_string().contains("maintenance"), "{epss}");
    assert_eq!(
        epss.stale_copy.as_ref().map(|(when, _)| when.as_str()),
        Some("2026-12-07T01:00:00Z")
    );
    // Its last good copy is imported, marked stale.
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.built, "2026-12-07T02:00:00Z");
    assert_eq!((status.nvd, status.kev, status.epss), (4, 4, 6));
    assert_eq!(status.stale_sources, ["epss"]);
    assert_eq!(
        status.epss_score_date.as_deref(),
        Some("2026-05-18T00:00:00Z")
    );
}

fn fetcher(cache: &Path) -> Fetcher {
    fetcher_with(cache, None)
}

fn fetcher_with(cache: &Path, deadline: Option<Instant>) -> Fetcher {
    let options = FetchOptions {
        retries: 1,
        backoff: Duration::from_millis(5),
        deadline,
        ..FetchOptions::default()
    };
    Fetcher::new(cache.to_path_buf(), options).unwrap()
}

/// Wolfi's and Chainguard's secdb from their own URLs, each under its own ecosystem key; a file
/// that does not say whose it is belongs to the URL it came from.
#[test]
fn update_fetches_wolfi_and_chainguard_secdb() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    std::fs::create_dir_all(www.join("os")).unwrap();
    std::fs::create_dir_all(www.join("chainguard")).unwrap();
    std::fs::write(
        www.join("os/security.json"),
        std::fs::read(testdata("wolfi/security.json")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        www.join("chainguard/security.json"),
        br#"{"packages": [{"pkg": {"name": "ascan", "secfixes": {"2.7.2-r1": ["CVE-2026-55093"]}}}]}"#,
    )
    .unwrap();
    let server = feed_server::start(&www);
    let db = tmp.path().join("vuln.db");
    let urls = FeedUrls {
        debian_tracker: String::new(),
        alpine_secdb: String::new(),
        alpine_branches: Vec::new(),
        osv: String::new(),
        osv_ecosystems: Vec::new(),
        rustsec: String::new(),
        wolfi: server.url("os/security.json"),
        chainguard: server.url("chainguard/security.json"),
        nvd: String::new(),
        nvd_years: Vec::new(),
        kev: String::new(),
        epss: String::new(),
    };
    let fetcher = fetcher(&tmp.path().join("cache"));
    update(&db, &fetcher, &urls, "2026-12-07T01:00:00Z", &|_| {}).unwrap();
    let store = Store::open(&db).unwrap();
    let names: Vec<String> = store
        .status()
        .unwrap()
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["chainguard-secdb", "wolfi-secdb"]);
    assert!(store.has_ecosystem("wolfi").unwrap());
    assert!(store.has_ecosystem("chainguard").unwrap());
    assert!(!store.has_ecosystem("alpine:v3.20").unwrap());
    let wolfi = store.affected("wolfi", "aactl").unwrap();
    assert!(!wolfi.is_empty());
    let cg = store.affected("chainguard", "ascan").unwrap();
    assert_eq!(cg.len(), 1);
}

#[test]
fn update_builds_then_revalidates() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_feeds(&tmp.path().join("www"));
    let db = tmp.path().join("db/vuln.db");
    let fetcher = fetcher(&tmp.path().join("cache"));
    let urls = urls(&server);

    let first = update(&db, &fetcher, &urls, "2026-11-29T01:00:00Z", &|_| {}).unwrap();
    assert_eq!(first.not_modified, 0);
    assert_eq!(first.import.skipped, 1, "{:?}", first.import.problems);
    assert!(first.import.problems[0].contains("PYSEC-0000-0.json"));
    let store = Store::open(&db).unwrap();
    let status = store.status().unwrap();
    let names: Vec<&str> = status.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "alpine-secdb:v3.4/community",
            "alpine-secdb:v3.4/main",
            "debian-tracker",
            "osv:PyPI",
            "rustsec"
        ]
    );
    let count = |n: &str| {
        status
            .sources
            .iter()
            .find(|s| s.name == n)
            .unwrap()
            .advisories
    };
    assert_eq!(count("osv:PyPI"), 3);
    assert_eq!(count("debian-tracker"), 7);
    assert_eq!(count("alpine-secdb:v3.4/community"), 14);
    assert!(count("alpine-secdb:v3.4/main") > 100);
    assert_eq!(count("rustsec"), 4); // 5 files, one informational (not a vulnerability)
    let found = store.search("CVE-2022-47950", 10).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "GHSA-274c-rx2j-2v3x");
    drop(store);

    // Second run: every file is revalidated, nothing is downloaded again.
    let second = update(&db, &fetcher, &urls, "2026-11-29T02:00:00Z", &|_| {}).unwrap();
    assert_eq!(second.not_modified, 5);
    assert_eq!(second.downloaded_bytes, 0);
    let log = server.log_for("osv/PyPI/all.zip");
    assert_eq!(log.len(), 2);
    assert!(log[1].if_modified_since.is_some());
    assert_eq!(log[1].status, 304);
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.built, "2026-11-29T02:00:00Z");
    assert_eq!(status.advisories, first.import.advisories);
}

/// Sets a served file's modification time ahead (further each call), so that a conditional
/// request downloads it again.
fn touch_later(path: &Path) {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let later = std::time::SystemTime::now() + Duration::from_secs(10 * n);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(later)
        .unwrap();
}

#[test]
fn broken_feeds_fall_back_to_their_last_good_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    let server = serve_feeds(&www);
    let db = tmp.path().join("vuln.db");
    let fetcher = fetcher(&tmp.path().join("cache"));
    let urls = urls(&server);
    update(&db, &fetcher, &urls, "2026-11-29T01:00:00Z", &|_| {}).unwrap();
    let before = Store::open(&db).unwrap().status().unwrap();

    // The connection drops halfway through the zip, on every attempt: its last good copy is
    // imported, marked stale, the others fresh.
    server.fail("osv/PyPI/all.zip", usize::MAX, Fault::Truncate);
    let summary = update(&db, &fetcher, &urls, "2026-11-29T02:00:00Z", &|_| {}).unwrap();
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    let line = summary.failed[0].to_string();
    assert!(line.starts_with("osv:PyPI: download cut short"), "{line}");
    assert!(line.contains("(after 2 attempts)"), "{line}");
    assert_eq!(line.matches("all.zip").count(), 1, "{line}");
    assert!(
        line.contains("using its last good copy from 2026-11-29T01:00:00Z (stale, "),
        "{line}"
    );
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.built, "2026-11-29T02:00:00Z");
    assert_eq!(status.advisories, before.advisories);
    assert_eq!(status.stale_sources, ["osv:PyPI"]);
    let osv = status
        .sources
        .iter()
        .find(|s| s.name == "osv:PyPI")
        .unwrap();
    assert_eq!(osv.fetched.as_deref(), Some("2026-11-29T01:00:00Z"));
    assert_eq!(osv.advisories, 3);
    let tracker = status
        .sources
        .iter()
        .find(|s| s.name == "debian-tracker")
        .unwrap();
    assert!(!tracker.stale);
    assert_eq!(tracker.fetched.as_deref(), Some("2026-11-29T02:00:00Z"));
    server.heal("osv/PyPI/all.zip");

    // A truncated zip, served whole with a new date: downloaded fine, refused by the parser, the
    // last good copy (not the broken download now in the cache) imported.
    let zip = osv_zip();
    std::fs::write(www.join("osv/PyPI/all.zip"), &zip[..zip.len() / 2]).unwrap();
    touch_later(&www.join("osv/PyPI/all.zip"));
    let summary = update(&db, &fetcher, &urls, "2026-11-29T03:00:00Z", &|_| {}).unwrap();
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    assert!(summary.failed[0].stale_copy.is_some());
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.advisories, before.advisories);
    assert_eq!(status.stale_sources, ["osv:PyPI"]);

    // Every feed fails and none has a good copy (another cache): nothing usable, the previous
    // database stays.
    let bytes = std::fs::read(&db).unwrap();
    for path in [
        "tracker/data/json",
        "secdb/v3.4/main.json",
        "secdb/v3.4/community.json",
        "osv/PyPI/all.zip",
        "rustsec/main.tar.gz",
    ] {
        server.fail(path, usize::MAX, Fault::Status(500));
    }
    let empty_cache = fetcher_with(&tmp.path().join("cache2"), None);
    let err = update(&db, &empty_cache, &urls, "2026-11-29T04:00:00Z", &|_| {}).unwrap_err();
    assert!(
        matches!(err, UpdateError::NothingUsable(ref f) if f.len() == 5),
        "{err}"
    );
    assert!(!err.is_input_error());
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    // No temporary database is left next to it.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// One feed answering 500 and one truncated, on a first update: both are left out (no earlier
/// copy) and recorded as missing, the rest imported; after a good run, the same failures use
/// the last good copies, marked stale.
#[test]
fn a_failing_feed_is_left_out_then_replaced_by_its_last_good_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    let server = serve_feeds(&www);
    let db = tmp.path().join("vuln.db");
    let fetcher = fetcher(&tmp.path().join("cache"));
    let urls = urls(&server);
    let zip = osv_zip();
    let break_them = || {
        server.fail("rustsec/main.tar.gz", usize::MAX, Fault::Status(500));
        std::fs::write(www.join("osv/PyPI/all.zip"), &zip[..zip.len() / 2]).unwrap();
        touch_later(&www.join("osv/PyPI/all.zip"));
    };
    break_them();
    let summary = update(&db, &fetcher, &urls, "2026-11-29T01:00:00Z", &|_| {}).unwrap();
    let names: Vec<&str> = summary.failed.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["osv:PyPI", "rustsec"]);
    assert!(summary.failed.iter().all(|f| f.stale_copy.is_none()));
    let rustsec = summary.failed[1].to_string();
    assert!(
        rustsec.contains("server answered HTTP 500 Internal Server Error (after 2 attempts)"),
        "{rustsec}"
    );
    assert!(rustsec.ends_with("left out (no earlier copy)"), "{rustsec}");
    assert_eq!(summary.import.sources.len(), 3);
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.stale_sources, ["osv:PyPI", "rustsec"]);
    let missing: Vec<bool> = status.sources.iter().map(|s| s.is_missing()).collect();
    assert_eq!(missing, [false, false, false, true, true]);
    assert!(status.advisories > 100);

    // A good run, then the same two failures: their last good copies are used.
    server.heal("rustsec/main.tar.gz");
    std::fs::write(www.join("osv/PyPI/all.zip"), &zip).unwrap();
    touch_later(&www.join("osv/PyPI/all.zip"));
    let good = update(&db, &fetcher, &urls, "2026-11-29T02:00:00Z", &|_| {}).unwrap();
    assert!(good.failed.is_empty(), "{:?}", good.failed);
    let full = Store::open(&db).unwrap().status().unwrap();
    assert!(full.stale_sources.is_empty());
    std::thread::sleep(Duration::from_millis(1100));
    break_them();
    let summary = update(&db, &fetcher, &urls, "2026-11-29T03:00:00Z", &|_| {}).unwrap();
    assert_eq!(summary.failed.len(), 2, "{:?}", summary.failed);
    for f in &summary.failed {
        let (when, _) = f.stale_copy.as_ref().unwrap();
        assert_eq!(when, "2026-11-29T02:00:00Z");
    }
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.advisories, full.advisories);
    assert_eq!(status.stale_sources, ["osv:PyPI", "rustsec"]);
    assert!(status.sources.iter().all(|s| !s.is_missing()));
}

/// A server that stalls past the deadline: that feed counts as failed (left out here, no
/// earlier copy), the others are imported, and the update ends near the deadline.
#[test]
fn a_feed_not_done_by_the_deadline_counts_as_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve_feeds(&tmp.path().join("www"));
    server.fail("osv/PyPI/all.zip", usize::MAX, Fault::Stall(6));
    let db = tmp.path().join("vuln.db");
    let start = Instant::now();
    let fetcher = fetcher_with(
        &tmp.path().join("cache"),
        Some(start + Duration::from_millis(1500)),
    );
    let summary = update(
        &db,
        &fetcher,
        &urls(&server),
        "2026-11-29T01:00:00Z",
        &|_| {},
    )
    .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(summary.failed.len(), 1, "{:?}", summary.failed);
    assert_eq!(summary.failed[0].name, "osv:PyPI");
    assert_eq!(
        summary.failed[0].reason,
        "not done when the time limit ran out"
    );
    assert_eq!(summary.import.sources.len(), 4);
}

#[test]
fn schema_mismatch_and_missing_database_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = Store::open(&tmp.path().join("none.db")).err().unwrap();
    assert!(
        missing.to_string().contains("seaworthy db update"),
        "{missing}"
    );
    let db = tmp.path().join("old.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); \
         INSERT INTO meta VALUES ('schema_version', '0');",
    )
    .unwrap();
    drop(conn);
    let err = Store::open(&db).err().unwrap();
    assert!(err.is_input_error());
    assert!(err.to_string().contains("schema version 0"), "{err}");
    std::fs::write(&db, b"not a database at all").unwrap();
    assert!(Store::open(&db).err().unwrap().is_input_error());
}

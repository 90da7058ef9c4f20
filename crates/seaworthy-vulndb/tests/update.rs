//! `db update` against a real local HTTP server serving recorded real feed files: the first
//! update downloads and builds, the next revalidates (conditional requests), and a broken feed
//! (cut off in transit, or a truncated archive served whole) leaves the previous database intact.
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
    assert_eq!(
        summary.import.failed.len(),
        1,
        "{:?}",
        summary.import.failed
    );
    assert!(
        summary.import.failed[0].contains("epss_scores-current.csv.gz"),
        "{:?}",
        summary.import.failed
    );
    assert!(!summary.import.failed[0].contains("maintenance"));
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.built, "2026-12-07T02:00:00Z");
    assert_eq!((status.nvd, status.kev, status.epss), (4, 4, 0));
    assert_eq!(status.epss_score_date, None);
}

fn fetcher(cache: &Path) -> Fetcher {
    let options = FetchOptions {
        retries: 1,
        backoff: Duration::from_millis(5),
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

#[test]
fn broken_feeds_keep_the_previous_database() {
    let tmp = tempfile::tempdir().unwrap();
    let www = tmp.path().join("www");
    let server = serve_feeds(&www);
    let db = tmp.path().join("vuln.db");
    let fetcher = fetcher(&tmp.path().join("cache"));
    let urls = urls(&server);
    update(&db, &fetcher, &urls, "2026-11-29T01:00:00Z", &|_| {}).unwrap();
    let before = std::fs::read(&db).unwrap();

    // The connection drops halfway through the zip, on every attempt.
    server.fail("osv/PyPI/all.zip", usize::MAX, Fault::Truncate);
    let err = update(&db, &fetcher, &urls, "2026-11-29T02:00:00Z", &|_| {}).unwrap_err();
    assert!(
        matches!(err, UpdateError::Fetch(ref e) if e.is_network()),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
    server.heal("osv/PyPI/all.zip");

    // A truncated zip, served whole with a new date: downloaded fine, refused by the parser.
    let zip = osv_zip();
    std::fs::write(www.join("osv/PyPI/all.zip"), &zip[..zip.len() / 2]).unwrap();
    let later = std::time::SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(www.join("osv/PyPI/all.zip"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let err = update(&db, &fetcher, &urls, "2026-11-29T03:00:00Z", &|_| {}).unwrap_err();
    assert!(err.is_input_error(), "{err}");
    assert!(err.to_string().contains("all.zip"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let status = Store::open(&db).unwrap().status().unwrap();
    assert_eq!(status.built, "2026-11-29T01:00:00Z");
    // No temporary database is left next to it.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
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

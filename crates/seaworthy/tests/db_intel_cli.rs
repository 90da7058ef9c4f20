//! `seaworthy db import` and `db update` of the advisory-intelligence feeds (NVD CVE 2.0, CISA
//! KEV, FIRST EPSS) end to end: the three kinds imported beside an advisory feed and shown by
//! `db status` (text and JSON); a broken intelligence file named on stderr, never quoted, the
//! rest imported, exit 2; `db update` fetching them from the `--nvd-url`, `--kev-url` and
//! `--epss-url` base URLs of a local HTTP server.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/cli_util.rs"]
mod cli_util;

use cli_util::run;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

fn intel(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-vulndb/testdata/intel")
        .join(rel)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A directory of feeds: NVD (gzip), KEV, EPSS (gzip) and a Debian CVE list.
fn feeds(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let nvd = std::fs::read(intel("nvdcve-2.0-sample.json")).unwrap();
    std::fs::write(dir.join("nvdcve-2.0-2024.json.gz"), gzip(&nvd)).unwrap();
    std::fs::copy(
        intel("known_exploited_vulnerabilities.json"),
        dir.join("known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    let csv = std::fs::read(intel("epss_scores-sample.csv")).unwrap();
    std::fs::write(dir.join("epss_scores-current.csv.gz"), gzip(&csv)).unwrap();
    std::fs::copy(intel("../debian/excerpts/CVE.list"), dir.join("CVE.list")).unwrap();
}

fn status(db: &Path, home: &Path) -> (String, serde_json::Value) {
    let db = db.to_str().unwrap();
    let table = run(&["db", "status", "--db", db], home);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table.stderr));
    let json = run(&["db", "status", "--db", db, "--format", "json"], home);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    (
        text(&table.stdout),
        serde_json::from_slice(&json.stdout).unwrap(),
    )
}

#[test]
fn db_import_reads_nvd_kev_and_epss_and_status_counts_them() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("feeds");
    feeds(&dir);
    let db = home.path().join("vuln.db");
    let out = run(
        &[
            "db",
            "import",
            dir.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("NVD: 4 CVE records, KEV: 4 entries, EPSS: 6 scores"),
        "{stdout}"
    );
    let (table, json) = status(&db, home.path());
    assert!(table.contains("NVD             4 CVE records"), "{table}");
    assert!(
        table.contains("KEV             4 entries (catalog 2025.08.25)"),
        "{table}"
    );
    assert!(
        table.contains("EPSS            6 scores (scored 2026-05-18T00:00:00Z, model v2025.03.14)"),
        "{table}"
    );
    assert!(table.contains("nvd:2024"), "{table}");
    assert_eq!(json["nvd"], 4);
    assert_eq!(json["kev"], 4);
    assert_eq!(json["epss"], 6);
    assert_eq!(json["epss_score_date"], "2026-05-18T00:00:00Z");
    assert_eq!(json["kev_catalog_version"], "2025.08.25");
    assert!(json["advisories"].as_u64().unwrap() > 0, "{json:#}");
}

#[test]
fn a_broken_intel_file_is_named_and_the_rest_imported() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("feeds");
    feeds(&dir);
    // A KEV catalogue cut short, holding something that must never be echoed.
    let kev = r#"{"catalogVersion": "2025.08.25", "vulnerabilities": [{"cveID": "CVE-2021-44228", "notes": "SECRET-MARK"#;
    std::fs::write(dir.join("known_exploited_vulnerabilities.json"), kev).unwrap();
    let db = home.path().join("vuln.db");
    let out = run(
        &[
            "db",
            "import",
            dir.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home.path(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("known_exploited_vulnerabilities.json: KEV catalogue ends early"),
        "{stderr}"
    );
    assert!(stderr.contains("the other feeds were imported"), "{stderr}");
    assert!(!stderr.contains("SECRET-MARK") && !text(&out.stdout).contains("SECRET-MARK"));
    let (_, json) = status(&db, home.path());
    assert_eq!(json["nvd"], 4);
    assert_eq!(json["kev"], 0);
    assert_eq!(json["epss"], 6);
    assert!(json["advisories"].as_u64().unwrap() > 0);
}

/// Serves `files` (path → body) over HTTP/1.1 on 127.0.0.1, one connection at a time, until the
/// test ends; returns the base URL.
fn serve(files: Vec<(String, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                match reader.read_line(&mut header) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if header == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let response = match files.iter().find(|(p, _)| p == path) {
                Some((_, body)) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    base
}

#[test]
fn db_update_fetches_intel_from_the_configured_urls() {
    let home = tempfile::tempdir().unwrap();
    let nvd = gzip(&std::fs::read(intel("nvdcve-2.0-sample.json")).unwrap());
    let empty = gzip(br#"{"format": "NVD_CVE", "vulnerabilities": []}"#);
    let mut files = vec![
        ("/nvd/nvdcve-2.0-modified.json.gz".to_string(), nvd.clone()),
        (
            "/kev.json".to_string(),
            std::fs::read(intel("known_exploited_vulnerabilities.json")).unwrap(),
        ),
        (
            "/epss.csv.gz".to_string(),
            gzip(&std::fs::read(intel("epss_scores-sample.csv")).unwrap()),
        ),
        (
            "/tracker.json".to_string(),
            std::fs::read(intel("../debian/tracker-sample.json")).unwrap(),
        ),
    ];
    // Every yearly feed from 2002 to this year is fetched: all empty but 2024.
    for year in 2002..=2100 {
        let body = if year == 2024 { &nvd } else { &empty };
        files.push((format!("/nvd/nvdcve-2.0-{year}.json.gz"), body.clone()));
    }
    let base = serve(files);
    let db = home.path().join("vuln.db");
    let nvd_url = format!("{base}/nvd");
    let kev_url = format!("{base}/kev.json");
    let out = run(
        &[
            "db",
            "update",
            "--db",
            db.to_str().unwrap(),
            "--progress",
            "never",
            "--debian-tracker-url",
            &format!("{base}/tracker.json"),
            "--alpine-secdb-url",
            "",
            "--osv-url",
            "",
            "--rustsec-url",
            "",
            "--wolfi-url",
            "",
            "--chainguard-url",
            "",
            "--nvd-url",
            &nvd_url,
            "--kev-url",
            &kev_url,
        ],
        &with_epss_url_in_config(home.path(), &format!("{base}/epss.csv.gz")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("NVD: 8 CVE records, KEV: 4 entries, EPSS: 6 scores"),
        "{stdout}"
    );
    let (table, json) = status(&db, home.path());
    assert!(
        table.contains("nvd:2024") && table.contains("nvd:modified"),
        "{table}"
    );
    assert_eq!(json["nvd"], 4);
    assert_eq!(json["kev"], 4);
    assert_eq!(json["epss"], 6);
}

/// The EPSS URL through `[db] epss-url` in a seaworthy.toml in `home` (where the command runs),
/// so the config key is exercised beside the flags.
fn with_epss_url_in_config(home: &Path, epss: &str) -> PathBuf {
    std::fs::write(
        home.join("seaworthy.toml"),
        format!("[db]\nepss-url = \"{epss}\"\n"),
    )
    .unwrap();
    home.to_path_buf()
}

/// What the changeable test server answers for a path.
#[derive(Clone)]
enum Reply {
    Body(Vec<u8>),
    /// This status, empty body.
    Status(u16),
    /// `Content-Length` of the whole body, then half of it, then the connection closes.
    CutShort(Vec<u8>),
    /// Nothing for this many seconds, then 404.
    Stall(u64),
}

type Replies = std::sync::Arc<std::sync::Mutex<Vec<(String, Reply)>>>;

/// Serves `replies` (changeable while it runs) over HTTP/1.1 on 127.0.0.1, a thread per
/// connection; returns the base URL.
fn serve_replies(replies: Replies) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let replies = replies.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    match reader.read_line(&mut header) {
                        Ok(0) | Err(_) => break,
                        Ok(_) if header == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let reply = replies
                    .lock()
                    .unwrap()
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map(|(_, r)| r.clone());
                let head = |status: &str, len: usize| {
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                    )
                    .into_bytes()
                };
                let response = match reply {
                    Some(Reply::Body(body)) => [head("200 OK", body.len()), body].concat(),
                    Some(Reply::Status(code)) => head(&format!("{code} Oops"), 0),
                    Some(Reply::CutShort(body)) => {
                        [head("200 OK", body.len()), body[..body.len() / 2].to_vec()].concat()
                    }
                    Some(Reply::Stall(seconds)) => {
                        std::thread::sleep(std::time::Duration::from_secs(seconds));
                        head("404 Not Found", 0)
                    }
                    None => head("404 Not Found", 0),
                };
                let _ = stream.write_all(&response);
            });
        }
    });
    base
}

fn good_replies() -> Vec<(String, Reply)> {
    vec![
        (
            "/tracker.json".to_string(),
            Reply::Body(std::fs::read(intel("../debian/tracker-sample.json")).unwrap()),
        ),
        (
            "/kev.json".to_string(),
            Reply::Body(std::fs::read(intel("known_exploited_vulnerabilities.json")).unwrap()),
        ),
        (
            "/epss.csv.gz".to_string(),
            Reply::Body(gzip(
                &std::fs::read(intel("epss_scores-sample.csv")).unwrap(),
            )),
        ),
    ]
}

fn set_reply(replies: &Replies, path: &str, reply: Reply) {
    let mut all = replies.lock().unwrap();
    all.retain(|(p, _)| p != path);
    all.push((path.to_string(), reply));
}

fn update_args<'a>(db: &'a str, base: &str, extra: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "db",
        "update",
        "--db",
        db,
        "--progress",
        "never",
        "--alpine-secdb-url",
        "",
        "--osv-url",
        "",
        "--rustsec-url",
        "",
        "--wolfi-url",
        "",
        "--chainguard-url",
        "",
        "--nvd-url",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend([
        "--debian-tracker-url".to_string(),
        format!("{base}/tracker.json"),
        "--kev-url".to_string(),
        format!("{base}/kev.json"),
        "--epss-url".to_string(),
        format!("{base}/epss.csv.gz"),
    ]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// One feed answering 500 and one cut short in transit: the database is built from the rest,
/// each failed feed is named on exactly one line of stderr (its URL once), `db status` names
/// both, exit 0 with a warning. After a good run, the same failures use the last good copies,
/// said to be stale.
#[test]
fn db_update_with_failing_feeds_builds_from_the_rest() {
    let home = tempfile::tempdir().unwrap();
    let replies: Replies = std::sync::Arc::new(std::sync::Mutex::new(good_replies()));
    let base = serve_replies(replies.clone());
    let db = home.path().join("vuln.db");
    let db_arg = db.to_str().unwrap().to_string();
    let csv = gzip(&std::fs::read(intel("epss_scores-sample.csv")).unwrap());
    let break_them = || {
        set_reply(&replies, "/kev.json", Reply::Status(500));
        set_reply(&replies, "/epss.csv.gz", Reply::CutShort(csv.clone()));
    };
    let update = || {
        let args = update_args(&db_arg, &base, &[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&args, home.path())
    };
    break_them();
    let out = update();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let kev: Vec<&str> = stderr.lines().filter(|l| l.contains("kev")).collect();
    let epss: Vec<&str> = stderr.lines().filter(|l| l.contains("epss")).collect();
    assert_eq!(kev.len(), 1, "{stderr}");
    assert_eq!(epss.len(), 1, "{stderr}");
    assert!(!stderr.contains("retrying"), "{stderr}");
    assert_eq!(kev[0].matches(&base).count(), 1, "{stderr}");
    assert!(
        kev[0].starts_with("seaworthy: warning: cisa-kev: server answered HTTP 500")
            && kev[0].contains("(after 4 attempts)")
            && kev[0].ends_with("left out (no earlier copy)"),
        "{stderr}"
    );
    assert!(epss[0].contains("download cut short"), "{stderr}");
    assert!(
        stderr.contains("without fresh data for 2 feed(s)"),
        "{stderr}"
    );
    let (table, json) = status(&db, home.path());
    assert!(
        table.contains(
            "Stale           2 feeds could not be updated when it was built: cisa-kev, epss"
        ),
        "{table}"
    );
    assert_eq!(
        json["stale_sources"],
        serde_json::json!(["cisa-kev", "epss"])
    );
    assert_eq!(json["kev"], 0);
    assert!(json["advisories"].as_u64().unwrap() > 0);
    let tracker = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "debian-tracker")
        .unwrap();
    assert_eq!(tracker["stale"], false);

    // A good run, then the same failures: the last good copies, stale.
    set_reply(&replies, "/kev.json", good_replies()[1].1.clone());
    set_reply(&replies, "/epss.csv.gz", Reply::Body(csv.clone()));
    let out = update();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
    break_them();
    let out = update();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let kev: Vec<&str> = stderr.lines().filter(|l| l.contains("kev")).collect();
    assert_eq!(kev.len(), 1, "{stderr}");
    assert!(
        kev[0].contains("using its last good copy from ") && kev[0].contains("(stale, "),
        "{stderr}"
    );
    let (table, json) = status(&db, home.path());
    assert_eq!(
        json["stale_sources"],
        serde_json::json!(["cisa-kev", "epss"])
    );
    assert_eq!(json["kev"], 4);
    assert_eq!(json["epss"], 6);
    assert!(table.contains(" stale "), "{table}");
}

/// A server that stalls: `--timeout` (and SEAWORTHY_DB_UPDATE_TIMEOUT) bounds the update; the
/// stalled feed counts as failed, the rest is imported; nothing imported at all is exit 3.
#[test]
fn db_update_timeout_bounds_a_stalled_server() {
    let home = tempfile::tempdir().unwrap();
    let replies: Replies = std::sync::Arc::new(std::sync::Mutex::new(good_replies()));
    set_reply(&replies, "/kev.json", Reply::Stall(20));
    let base = serve_replies(replies.clone());
    let db = home.path().join("vuln.db");
    let db_arg = db.to_str().unwrap().to_string();
    let args = update_args(&db_arg, &base, &["--timeout", "2s"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let start = std::time::Instant::now();
    let out = run(&args, home.path());
    let stderr = text(&out.stderr);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("cisa-kev: not done when the time limit ran out"),
        "{stderr}"
    );
    let (_, json) = status(&db, home.path());
    assert_eq!(json["stale_sources"], serde_json::json!(["cisa-kev"]));
    assert_eq!(json["epss"], 6);

    // Every feed stalls, the limit from the environment: nothing imported, exit 3, the
    // database as it was.
    for path in ["/tracker.json", "/epss.csv.gz"] {
        set_reply(&replies, path, Reply::Stall(20));
    }
    let before = std::fs::read(&db).unwrap();
    let args = update_args(&db_arg, &base, &[]);
    let start = std::time::Instant::now();
    let out = std::process::Command::new(cli_util::BIN)
        .args(&args)
        .env("XDG_CACHE_HOME", home.path().join("other-cache"))
        .env("HOME", home.path())
        .env("SEAWORTHY_DB_UPDATE_TIMEOUT", "1s")
        .current_dir(home.path())
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no feed could be imported"), "{stderr}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

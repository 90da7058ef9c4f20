//! Downloads against a real HTTP server on 127.0.0.1 (tests/support/feed_server.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support {
    pub mod feed_server;
}

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use seaworthy_vulndb::fetch::{FetchError, FetchEvent, FetchJob, FetchOptions, Fetched, Fetcher};
use support::feed_server::{self, Fault, FeedServer};
use tempfile::TempDir;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/fetch/debian-tracker-sample.json"
);
const FIXTURE_LEN: u64 = 7462;
/// 2023-01-01T00:00:00Z, a Sunday.
const T0: u64 = 1_672_531_200;
const T0_HTTP: &str = "Sun, 01 Jan 2023 00:00:00 GMT";

struct Setup {
    server: FeedServer,
    served: TempDir,
    cache: TempDir,
}

impl Setup {
    fn new() -> Setup {
        let served = tempfile::tempdir().unwrap();
        put(
            served.path(),
            "debian.json",
            &fs::read(FIXTURE).unwrap(),
            T0,
        );
        let server = feed_server::start(served.path());
        Setup {
            server,
            served,
            cache: tempfile::tempdir().unwrap(),
        }
    }

    fn fetcher(&self, options: FetchOptions) -> Fetcher {
        Fetcher::new(self.cache.path().join("feeds"), options).unwrap()
    }

    fn cached(&self, name: &str) -> PathBuf {
        self.cache.path().join("feeds").join(name)
    }
}

/// Writes a served file with a fixed mtime (ServeDir's Last-Modified).
fn put(dir: &Path, name: &str, bytes: &[u8], mtime_secs: u64) {
    let path = dir.join(name);
    fs::write(&path, bytes).unwrap();
    let file = fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime_secs))
        .unwrap();
}

fn quick() -> FetchOptions {
    FetchOptions {
        backoff: Duration::from_millis(5),
        timeout: Duration::from_secs(10),
        ..FetchOptions::default()
    }
}

/// Runs one job and returns its result with the events it produced.
fn fetch_one(
    fetcher: &Fetcher,
    url: &str,
    name: &str,
) -> (Result<Fetched, FetchError>, Vec<FetchEvent>) {
    let events = Mutex::new(Vec::new());
    let mut results = fetcher.fetch_all(&[FetchJob::new(url, name)], &|e| {
        events.lock().unwrap().push(e)
    });
    assert_eq!(results.len(), 1);
    (results.remove(0), events.into_inner().unwrap())
}

/// Files in `dir` (recursively) whose name ends with `.part`.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(leftovers(&path));
        } else if path.to_string_lossy().ends_with(".part") {
            found.push(path);
        }
    }
    found
}

#[test]
fn first_download_stores_file_and_validators() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.url("debian.json");
    let (result, events) = fetch_one(&fetcher, &url, "debian/tracker.json");
    let fetched = result.unwrap();
    assert_eq!(
        fetched,
        Fetched {
            url: url.clone(),
            path: s.cached("debian/tracker.json"),
            not_modified: false,
            bytes: FIXTURE_LEN,
        }
    );
    assert_eq!(fs::read(&fetched.path).unwrap(), fs::read(FIXTURE).unwrap());
    let sidecar = fs::read_to_string(s.cached("debian/tracker.json.http.json")).unwrap();
    assert!(sidecar.contains(T0_HTTP), "{sidecar}");
    assert_eq!(
        events.first(),
        Some(&FetchEvent::Started {
            url: url.clone(),
            total: Some(FIXTURE_LEN)
        })
    );
    assert!(events.contains(&FetchEvent::Progress {
        url: url.clone(),
        bytes: FIXTURE_LEN
    }));
    assert_eq!(
        events.last(),
        Some(&FetchEvent::Finished {
            url: url.clone(),
            not_modified: false
        })
    );
    let seen = s.server.log_for("debian.json");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].if_modified_since, None);
    assert_eq!(seen[0].if_none_match, None);
    assert_eq!(
        seen[0].user_agent.as_deref(),
        Some(concat!("seaworthy/", env!("CARGO_PKG_VERSION")))
    );
    assert!(leftovers(s.cache.path()).is_empty());
}

#[test]
fn unchanged_file_is_revalidated_with_last_modified() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.url("debian.json");
    fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    let (result, events) = fetch_one(&fetcher, &url, "debian.json");
    assert_eq!(
        result.unwrap(),
        Fetched {
            url: url.clone(),
            path: s.cached("debian.json"),
            not_modified: true,
            bytes: FIXTURE_LEN,
        }
    );
    assert_eq!(
        events.last(),
        Some(&FetchEvent::Finished {
            url: url.clone(),
            not_modified: true
        })
    );
    let seen = s.server.log_for("debian.json");
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].if_modified_since.as_deref(), Some(T0_HTTP));
    assert_eq!(seen[1].if_none_match, None, "ServeDir sends no ETag");
    assert_eq!(seen[1].status, 304);
    assert_eq!(
        fs::read(s.cached("debian.json")).unwrap(),
        fs::read(FIXTURE).unwrap()
    );
}

#[test]
fn changed_file_is_downloaded_again() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.url("debian.json");
    fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    let newer = br#"{"prototypejs": {}}"#;
    put(s.served.path(), "debian.json", newer, T0 + 86_400);
    let fetched = fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    assert!(!fetched.not_modified);
    assert_eq!(fetched.bytes, newer.len() as u64);
    assert_eq!(fs::read(&fetched.path).unwrap(), newer);
    let seen = s.server.log_for("debian.json");
    assert_eq!(seen[1].if_modified_since.as_deref(), Some(T0_HTTP));
    assert_eq!(seen[1].status, 200);
    // The sidecar now holds the new date, which the third request sends.
    fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    assert_eq!(
        s.server.log_for("debian.json")[2]
            .if_modified_since
            .as_deref(),
        Some("Mon, 02 Jan 2023 00:00:00 GMT")
    );
}

#[test]
fn etag_is_sent_back_and_a_new_one_replaces_the_file() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.etag_url("debian.json");
    fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    let first = s.server.log_for("etag/debian.json");
    assert_eq!(first.len(), 1);

    let again = fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    assert!(again.not_modified);
    let seen = s.server.log_for("etag/debian.json");
    let etag = seen[1].if_none_match.clone().expect("If-None-Match sent");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 18,
        "{etag}"
    );
    assert_eq!(seen[1].status, 304);

    // Same mtime, other bytes: only the ETag tells them apart.
    put(s.served.path(), "debian.json", b"[]", T0);
    let changed = fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    assert!(!changed.not_modified);
    assert_eq!(fs::read(&changed.path).unwrap(), b"[]");
    let seen = s.server.log_for("etag/debian.json");
    assert_eq!(seen[2].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(seen[2].status, 200);
}

#[test]
fn cached_file_from_another_url_is_not_revalidated() {
    let s = Setup::new();
    put(
        s.served.path(),
        "mirror.json",
        &fs::read(FIXTURE).unwrap(),
        T0,
    );
    let fetcher = s.fetcher(quick());
    fetch_one(&fetcher, &s.server.url("debian.json"), "debian.json")
        .0
        .unwrap();
    let from_mirror = fetch_one(&fetcher, &s.server.url("mirror.json"), "debian.json")
        .0
        .unwrap();
    assert!(!from_mirror.not_modified);
    assert_eq!(s.server.log_for("mirror.json")[0].if_modified_since, None);
}

#[test]
fn server_errors_are_retried_until_success() {
    let s = Setup::new();
    s.server.fail("debian.json", 2, Fault::Status(503));
    let fetcher = s.fetcher(quick());
    let url = s.server.url("debian.json");
    let (result, events) = fetch_one(&fetcher, &url, "debian.json");
    assert_eq!(result.unwrap().bytes, FIXTURE_LEN);
    let statuses: Vec<u16> = s
        .server
        .log_for("debian.json")
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [503, 503, 200]);
    let retries: Vec<(u32, Duration)> = events
        .iter()
        .filter_map(|e| match e {
            FetchEvent::Retrying { attempt, delay, .. } => Some((*attempt, *delay)),
            _ => None,
        })
        .collect();
    assert_eq!(
        retries,
        [
            (1, Duration::from_millis(5)),
            (2, Duration::from_millis(10))
        ]
    );
}

#[test]
fn retry_after_is_honoured() {
    let s = Setup::new();
    s.server.fail("debian.json", 1, Fault::RetryAfter(429, 1));
    let fetcher = s.fetcher(quick());
    let started = Instant::now();
    let (result, events) = fetch_one(&fetcher, &s.server.url("debian.json"), "debian.json");
    assert!(result.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert!(events.iter().any(|e| matches!(
        e,
        FetchEvent::Retrying { attempt: 1, delay, .. } if *delay == Duration::from_secs(1)
    )));
    assert_eq!(s.server.requests("debian.json"), 2);
}

#[test]
fn persistent_server_error_fails_after_the_retries() {
    let s = Setup::new();
    s.server.fail("debian.json", usize::MAX, Fault::Status(500));
    let fetcher = s.fetcher(FetchOptions {
        retries: 2,
        ..quick()
    });
    let url = s.server.url("debian.json");
    let (result, events) = fetch_one(&fetcher, &url, "debian.json");
    let err = result.unwrap_err();
    assert!(err.is_network());
    assert_eq!(
        err.to_string(),
        format!("{url}: server answered HTTP 500 Internal Server Error (after 3 attempts)")
    );
    assert_eq!(s.server.requests("debian.json"), 3);
    assert!(matches!(events.last(), Some(FetchEvent::Failed { .. })));
    assert!(!s.cached("debian.json").exists());
}

#[test]
fn not_found_is_not_retried() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.url("missing.json");
    let err = fetch_one(&fetcher, &url, "missing.json").0.unwrap_err();
    assert!(matches!(
        err,
        FetchError::Status {
            status: 404,
            attempts: 1,
            ..
        }
    ));
    assert!(!err.is_network());
    assert_eq!(
        err.to_string(),
        format!("{url}: server answered HTTP 404 Not Found")
    );
    assert_eq!(s.server.requests("missing.json"), 1);
}

#[test]
fn truncated_body_keeps_the_previous_file() {
    let s = Setup::new();
    let fetcher = s.fetcher(FetchOptions {
        retries: 1,
        ..quick()
    });
    let url = s.server.url("debian.json");
    fetch_one(&fetcher, &url, "debian.json").0.unwrap();
    let sidecar_before = fs::read(s.cached("debian.json.http.json")).unwrap();

    // A newer file on the server, but every answer stops at about half of it.
    put(s.served.path(), "debian.json", &[b' '; 5000], T0 + 86_400);
    s.server.fail("debian.json", usize::MAX, Fault::Truncate);
    let err = fetch_one(&fetcher, &url, "debian.json").0.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::Truncated {
                expected: 5000,
                received: 2499..=2500,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_network());
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{url}: download cut short: 2")),
        "{message}"
    );
    assert!(
        message.ends_with(" of 5000 bytes arrived (after 2 attempts)"),
        "{message}"
    );
    assert_eq!(s.server.requests("debian.json"), 3);
    assert_eq!(
        fs::read(s.cached("debian.json")).unwrap(),
        fs::read(FIXTURE).unwrap()
    );
    assert_eq!(
        fs::read(s.cached("debian.json.http.json")).unwrap(),
        sidecar_before
    );
    assert!(leftovers(s.cache.path()).is_empty());
}

#[test]
fn cache_names_that_leave_the_cache_are_rejected() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let url = s.server.url("debian.json");
    let names = [
        "../escape.json",
        "osv/../../escape.json",
        "/tmp/escape.json",
        "",
        "osv/",
    ];
    let jobs: Vec<FetchJob> = names.iter().map(|n| FetchJob::new(&url, *n)).collect();
    let results = fetcher.fetch_all(&jobs, &|_| {});
    for (name, result) in names.iter().zip(&results) {
        match result {
            Err(FetchError::InvalidCacheName { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name:?}: {other:?}"),
        }
    }
    assert_eq!(
        results[0].as_ref().unwrap_err().to_string(),
        format!("{url}: cache name \"../escape.json\" contains `..`")
    );
    assert_eq!(s.server.requests("debian.json"), 0);
    assert!(!s.cache.path().join("escape.json").exists());
}

#[test]
fn declared_size_over_the_limit_is_refused() {
    let s = Setup::new();
    let fetcher = s.fetcher(FetchOptions {
        max_bytes: 1000,
        ..quick()
    });
    let url = s.server.url("debian.json");
    let err = fetch_one(&fetcher, &url, "debian.json").0.unwrap_err();
    assert!(matches!(
        err,
        FetchError::TooLarge {
            limit: 1000,
            declared: Some(FIXTURE_LEN),
            ..
        }
    ));
    assert!(!err.is_network());
    assert_eq!(
        err.to_string(),
        format!("{url}: larger than the limit of 1000 bytes (declared 7462 bytes)")
    );
    assert_eq!(s.server.requests("debian.json"), 1);
    assert!(!s.cached("debian.json").exists());
}

#[test]
fn undeclared_size_is_limited_while_streaming() {
    let s = Setup::new();
    s.server.fail("debian.json", usize::MAX, Fault::Chunked);
    let url = s.server.url("debian.json");

    let small = s.fetcher(FetchOptions {
        max_bytes: 1000,
        ..quick()
    });
    let err = fetch_one(&small, &url, "debian.json").0.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::TooLarge {
                limit: 1000,
                declared: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!s.cached("debian.json").exists());
    assert!(leftovers(s.cache.path()).is_empty());

    let (result, events) = fetch_one(&s.fetcher(quick()), &url, "debian.json");
    assert_eq!(result.unwrap().bytes, FIXTURE_LEN);
    assert_eq!(
        events[0],
        FetchEvent::Started {
            url: url.clone(),
            total: None
        }
    );
    assert_eq!(
        fs::read(s.cached("debian.json")).unwrap(),
        fs::read(FIXTURE).unwrap()
    );
}

#[test]
fn a_batch_keeps_the_job_order() {
    let s = Setup::new();
    for i in 0..5 {
        put(
            s.served.path(),
            &format!("f{i}.json"),
            format!("[{i}]").as_bytes(),
            T0,
        );
    }
    let fetcher = s.fetcher(FetchOptions {
        concurrency: 3,
        ..quick()
    });
    let mut jobs: Vec<FetchJob> = (0..5)
        .map(|i| {
            FetchJob::new(
                s.server.url(&format!("f{i}.json")),
                format!("batch/f{i}.json"),
            )
        })
        .collect();
    jobs.insert(
        2,
        FetchJob::new(s.server.url("gone.json"), "batch/gone.json"),
    );
    jobs.push(FetchJob::new(s.server.url("f0.json"), "batch/f1.json"));
    let results = fetcher.fetch_all(&jobs, &|_| {});
    assert_eq!(results.len(), 7);
    for (i, j) in [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4)] {
        let fetched = results[i].as_ref().unwrap();
        assert_eq!(fetched.url, s.server.url(&format!("f{j}.json")));
        assert_eq!(
            fs::read(&fetched.path).unwrap(),
            format!("[{j}]").as_bytes()
        );
    }
    assert!(matches!(
        results[2],
        Err(FetchError::Status { status: 404, .. })
    ));
    // Same cache name as job 1: refused, and job 1's file is not overwritten by f0.
    assert!(matches!(
        results[6],
        Err(FetchError::InvalidCacheName { .. })
    ));
    assert_eq!(fs::read(s.cached("batch/f1.json")).unwrap(), b"[1]");
    assert_eq!(s.server.requests("f0.json"), 1);
}

#[test]
fn unusable_urls_are_errors() {
    let s = Setup::new();
    let fetcher = s.fetcher(quick());
    let jobs = [
        FetchJob::new("file:///etc/passwd", "passwd"),
        FetchJob::new("not a url", "x"),
    ];
    let results = fetcher.fetch_all(&jobs, &|_| {});
    assert!(
        matches!(&results[0], Err(FetchError::InvalidUrl { url, .. }) if url == "file:///etc/passwd")
    );
    assert!(matches!(&results[1], Err(FetchError::InvalidUrl { .. })));
    assert!(!s.cached("passwd").exists());
}

#[test]
fn refused_connection_is_a_network_error_after_retries() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let cache = tempfile::tempdir().unwrap();
    let fetcher = Fetcher::new(
        cache.path().to_path_buf(),
        FetchOptions {
            retries: 1,
            ..quick()
        },
    )
    .unwrap();
    let url = format!("http://127.0.0.1:{port}/debian.json");
    let events = Mutex::new(Vec::new());
    let results = fetcher.fetch_all(&[FetchJob::new(&url, "debian.json")], &|e| {
        events.lock().unwrap().push(e)
    });
    let err = results[0].as_ref().unwrap_err();
    assert!(
        matches!(err, FetchError::Network { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(err.is_network());
    assert!(err.to_string().starts_with(&url), "{err}");
    let retries = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, FetchEvent::Retrying { .. }))
        .count();
    assert_eq!(retries, 1);
}

//! A real HTTP server on 127.0.0.1 for download tests: serves a directory of recorded feed
//! files, counts and records requests per path, and injects faults on request.
//!
//! Use it from a test file with `mod support { pub mod feed_server; }`.
//!
//! - `/<path>` serves `<dir>/<path>` with tower-http's `ServeDir`: `Last-Modified` from the file's
//!   mtime, `If-Modified-Since` answered with 304 (second resolution).
//! - `/etag/<path>` serves the same file with an `ETag` (a hash of its bytes) and answers a
//!   matching `If-None-Match` with 304.
//! - [`FeedServer::fail`] makes the next N requests for a path fail (status, `Retry-After`, a body
//!   cut short, or no `Content-Length`).
//!
//! The server runs on its own thread and stops when the [`FeedServer`] is dropped.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::services::ServeDir;
use tower_http::services::fs::AsyncReadBody;

/// Prefix of the routes that add an `ETag`.
pub const ETAG_PREFIX: &str = "/etag";

/// What a failing request gets instead of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// This status and an empty body.
    Status(u16),
    /// This status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// 200 declaring the file's length as `Content-Length`, then about the first half of it,
    /// then the connection closes (conditional headers are ignored).
    Truncate,
    /// 200 with the whole file but no `Content-Length` (chunked; conditional headers ignored).
    Chunked,
    /// Nothing for this many seconds, then the file as usual (a server that hangs).
    Stall(u64),
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Path without the leading `/`, e.g. `debian.json` or `etag/debian.json`.
    pub path: String,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
    /// Status answered.
    pub status: u16,
}

#[derive(Default)]
struct Shared {
    dir: PathBuf,
    seen: Mutex<Vec<Seen>>,
    /// Path (no leading `/`) → (requests still to fail, fault).
    faults: Mutex<HashMap<String, (usize, Fault)>>,
}

/// A running server; stops on drop.
pub struct FeedServer {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub base_url: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Starts serving `dir` (its files are read at request time, so tests may change them).
pub fn start(dir: &Path) -> FeedServer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let base_url = format!("http://{}", listener.local_addr().expect("local address"));
    let shared = Arc::new(Shared {
        dir: dir.to_path_buf(),
        ..Shared::default()
    });
    let stop = Arc::new(AtomicBool::new(false));
    let app = Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(middleware::from_fn_with_state(shared.clone(), intercept));
    let stop_flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let shutdown = async move {
                while !stop_flag.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            };
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
                .expect("serve");
        });
    });
    FeedServer {
        base_url,
        shared,
        stop,
        thread: Some(thread),
    }
}

impl FeedServer {
    /// URL of `path` (relative to the served directory).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }

    /// URL of `path` on the route that adds an `ETag`.
    pub fn etag_url(&self, path: &str) -> String {
        format!(
            "{}{ETAG_PREFIX}/{}",
            self.base_url,
            path.trim_start_matches('/')
        )
    }

    /// Requests seen for `path` (as in [`Seen::path`], e.g. `etag/debian.json`).
    pub fn requests(&self, path: &str) -> usize {
        let path = path.trim_start_matches('/');
        self.log().iter().filter(|s| s.path == path).count()
    }

    /// Every request so far, in arrival order.
    pub fn log(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// The requests for `path`, in arrival order.
    pub fn log_for(&self, path: &str) -> Vec<Seen> {
        let path = path.trim_start_matches('/');
        self.log().into_iter().filter(|s| s.path == path).collect()
    }

    /// The next `times` requests for `path` get `fault` (`usize::MAX`: all of them).
    pub fn fail(&self, path: &str, times: usize, fault: Fault) {
        let path = path.trim_start_matches('/').to_string();
        self.shared
            .faults
            .lock()
            .unwrap()
            .insert(path, (times, fault));
    }

    /// Removes any fault set for `path`.
    pub fn heal(&self, path: &str) {
        self.shared
            .faults
            .lock()
            .unwrap()
            .remove(path.trim_start_matches('/'));
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn intercept(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().trim_start_matches('/').to_string();
    let mut seen = seen_of(&req, &path);
    let file_path = path
        .strip_prefix(ETAG_PREFIX.trim_start_matches('/'))
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(&path)
        .to_string();
    let response = match take_fault(&shared, &path) {
        Some(fault) => {
            let file = shared.dir.join(&file_path);
            fault_response(fault, req, file, &file_path, next).await
        }
        None if file_path != path => with_etag(&shared.dir, &file_path, req, next).await,
        None => next.run(req).await,
    };
    seen.status = response.status().as_u16();
    shared.seen.lock().unwrap().push(seen);
    response
}

/// The request's conditional headers and user agent (the status is filled in later).
fn seen_of(req: &Request, path: &str) -> Seen {
    let header_text = |name| {
        req.headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    Seen {
        path: path.to_string(),
        if_none_match: header_text(header::IF_NONE_MATCH),
        if_modified_since: header_text(header::IF_MODIFIED_SINCE),
        user_agent: header_text(header::USER_AGENT),
        status: 0,
    }
}

fn take_fault(shared: &Shared, path: &str) -> Option<Fault> {
    let mut faults = shared.faults.lock().unwrap();
    let (left, fault) = faults.get_mut(path)?;
    if *left == 0 {
        return None;
    }
    if *left != usize::MAX {
        *left -= 1;
    }
    Some(*fault)
}

async fn fault_response(
    fault: Fault,
    req: Request,
    file: PathBuf,
    file_path: &str,
    next: Next,
) -> Response {
    let status_only = |code: u16| StatusCode::from_u16(code).unwrap().into_response();
    match fault {
        Fault::Status(code) => status_only(code),
        Fault::RetryAfter(code, seconds) => {
            let mut response = status_only(code);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Fault::Truncate => {
            let Ok(bytes) = std::fs::read(file) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            truncated(bytes)
        }
        Fault::Chunked => {
            let mut headers = req.headers().clone();
            for conditional in [
                header::IF_NONE_MATCH,
                header::IF_MODIFIED_SINCE,
                header::RANGE,
            ] {
                headers.remove(conditional);
            }
            let mut response = next.run(file_request(&req, file_path, headers)).await;
            // ServeDir's body has no known length: without the header hyper sends it chunked.
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        Fault::Stall(seconds) => {
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            next.run(req).await
        }
    }
}

/// 200 with the full `Content-Length` of `bytes` but only their first half (give or take a
/// byte), then the connection closes.
///
/// The half goes through a pipe one byte smaller than it: the writer blocks until hyper has read
/// most of it, so hyper finds the pipe empty, waits, and flushes what it read to the socket; when
/// the body then ends short of the declared length, hyper closes the connection.
fn truncated(bytes: Vec<u8>) -> Response {
    let full = bytes.len();
    let half = (full / 2).max(2);
    let (mut writer, reader) = tokio::io::duplex(half - 1);
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = writer.write_all(&bytes[..half.min(full)]).await;
    });
    let body = Body::new(AsyncReadBody::with_capacity(reader, 8192));
    let mut response = Response::new(body);
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
    response
}

/// A GET-like request for `/<file_path>` with these headers, for the inner `ServeDir`.
fn file_request(req: &Request, file_path: &str, headers: HeaderMap) -> Request {
    let uri: Uri = format!("/{file_path}").parse().unwrap();
    let mut inner = Request::new(Body::empty());
    *inner.uri_mut() = uri;
    *inner.headers_mut() = headers;
    *inner.method_mut() = req.method().clone();
    inner
}

/// Serves `file_path` through `ServeDir` with an `ETag`; a matching `If-None-Match` gets 304.
async fn with_etag(dir: &Path, file_path: &str, req: Request, next: Next) -> Response {
    let safe = Path::new(file_path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let Some(bytes) = safe
        .then(|| std::fs::read(dir.join(file_path)).ok())
        .flatten()
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    let etag = format!("\"{:016x}\"", hasher.finish());
    let etag_value = HeaderValue::from_str(&etag).unwrap();
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::ETAG, etag_value);
        return response;
    }
    // If-None-Match takes precedence over If-Modified-Since (RFC 9110 13.1.3).
    let mut headers = req.headers().clone();
    if headers.contains_key(header::IF_NONE_MATCH) {
        headers.remove(header::IF_MODIFIED_SINCE);
    }
    let mut response = next.run(file_request(&req, file_path, headers)).await;
    if response.status() == StatusCode::OK {
        response.headers_mut().insert(header::ETAG, etag_value);
    }
    response
}

//! Downloads of feed files into a cache directory, for `seaworthy db update`.
//!
//! Each [`FetchJob`] names a URL and a file inside the cache directory. A file that is already
//! cached is revalidated with a conditional request (`If-None-Match` / `If-Modified-Since`, from
//! the validators kept in the sidecar `<file>.http.json`); `304 Not Modified` keeps the cached
//! copy. A new body is written to a temporary file next to the cached one and renamed over it only
//! once it arrived whole, so an interrupted download never replaces the previous copy.
//!
//! Connect failures, timeouts, `429` and `5xx` are retried with exponential backoff (honouring
//! `Retry-After` in seconds, up to [`MAX_RETRY_DELAY`]); other statuses fail at once.
//!
//! Plain `http://` is accepted (local mirrors, tests) as well as `https://`. Nothing here
//! authenticates what arrives: a feed is checked only by its parser (bounded sizes, whole-file
//! errors for malformed archives), the same as a feed file read from disk.
//!
//! The API is synchronous: [`Fetcher`] owns a small tokio runtime and runs a batch of downloads on
//! it, a few at a time. Call it from synchronous code, not from inside another tokio runtime.

use std::collections::HashSet;
use std::fs;
use std::future::Future;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::Poll;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{
    ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use serde::{Deserialize, Serialize};

/// Longest wait between two attempts, whether from the backoff or from `Retry-After`.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);
/// Suffix of the file beside each cached file that keeps its HTTP validators.
pub const SIDECAR_SUFFIX: &str = ".http.json";
/// Longest `ETag` / `Last-Modified` value kept; longer ones are not used for revalidation.
const MAX_VALIDATOR_LEN: usize = 1024;
/// A sidecar larger than this is ignored (it is a few hundred bytes when written here).
const MAX_SIDECAR_BYTES: u64 = 64 * 1024;
/// Longest accepted cache name.
const MAX_CACHE_NAME_LEN: usize = 1024;
/// Redirects followed per request.
const MAX_REDIRECTS: usize = 5;

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Further attempts after the first one fails with a retryable error.
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one (capped at [`MAX_RETRY_DELAY`]).
    pub backoff: Duration,
    /// Limit for connecting, and for waiting on each read of the response (not for the whole
    /// download, which may be large).
    pub timeout: Duration,
    /// Largest body accepted, declared (`Content-Length`) or received.
    pub max_bytes: u64,
    pub user_agent: String,
    /// Downloads running at once (at least 1).
    pub concurrency: usize,
    /// When every download of a batch must be done (`db update --timeout`): a download still
    /// running then is stopped and one not started yet is not started; both fail with
    /// [`FetchError::TimedOut`], the cached copy untouched.
    pub deadline: Option<Instant>,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            retries: 3,
            backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(30),
            max_bytes: 1 << 30,
            user_agent: concat!("seaworthy/", env!("CARGO_PKG_VERSION")).to_string(),
            concurrency: 4,
            deadline: None,
        }
    }
}

/// One file to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchJob {
    /// An `http://` or `https://` URL.
    pub url: String,
    /// Relative path inside the cache directory, e.g. `osv/PyPI-all.zip`. Must not be absolute,
    /// contain `.` or `..` components, a backslash, or name a hidden file (those are temporary
    /// files here).
    pub cache_name: String,
}

impl FetchJob {
    pub fn new(url: impl Into<String>, cache_name: impl Into<String>) -> FetchJob {
        FetchJob {
            url: url.into(),
            cache_name: cache_name.into(),
        }
    }
}

/// A file that is now in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub url: String,
    /// The cached file.
    pub path: PathBuf,
    /// The server answered `304 Not Modified`: `path` is the copy from an earlier download.
    pub not_modified: bool,
    /// Size of the file at `path`.
    pub bytes: u64,
}

/// Progress of one download, for progress bars. Events of concurrent downloads interleave; each
/// names its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchEvent {
    /// The server answered; `total` is the declared size of a new body (`None` when not declared
    /// and for `304 Not Modified`). Sent again for each retry, which starts from zero bytes.
    Started { url: String, total: Option<u64> },
    /// Bytes of the body received so far in this attempt.
    Progress { url: String, bytes: u64 },
    /// An attempt failed; the next one starts after `delay`.
    Retrying {
        url: String,
        attempt: u32,
        delay: Duration,
        reason: String,
    },
    /// The file is in the cache.
    Finished { url: String, not_modified: bool },
    /// The download failed for good; `fetch_all` returns the error for it.
    Failed { url: String, error: String },
}

/// Why a download failed. Every variant names the URL (or the cache name) and what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot set up downloads: {what}")]
    Setup { what: String },
    #[error("{url}: not a usable URL: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("{url}: cache name {name:?} {reason}")]
    InvalidCacheName {
        url: String,
        name: String,
        reason: &'static str,
    },
    #[error("{url}: server answered HTTP {}{}", status_text(*status), attempts_note(*attempts))]
    Status {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url}: {reason}{}", attempts_note(*attempts))]
    Network {
        url: String,
        reason: String,
        attempts: u32,
    },
    #[error("{url}: download cut short: {received} of {expected} bytes arrived{}", attempts_note(*attempts))]
    Truncated {
        url: String,
        expected: u64,
        received: u64,
        attempts: u32,
    },
    #[error("{url}: larger than the limit of {limit} bytes{}", declared_note(*declared))]
    TooLarge {
        url: String,
        limit: u64,
        /// The declared `Content-Length`, when that is what exceeded the limit.
        declared: Option<u64>,
    },
    #[error("{url}: {}: {source}", path.display())]
    Io {
        url: String,
        path: PathBuf,
        source: io::Error,
    },
    #[error("{url}: {what}")]
    Protocol { url: String, what: String },
    #[error("{url}: not done when the time limit ran out")]
    TimedOut { url: String },
}

impl FetchError {
    /// The network or the server failed (connection, timeout, cut-short body, `429`, `5xx`),
    /// even after the retries: a later run may succeed, and the cached copy is untouched.
    pub fn is_network(&self) -> bool {
        match self {
            FetchError::Network { .. }
            | FetchError::Truncated { .. }
            | FetchError::TimedOut { .. } => true,
            FetchError::Status { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    fn with_attempts(mut self, n: u32) -> FetchError {
        if let FetchError::Status { attempts, .. }
        | FetchError::Network { attempts, .. }
        | FetchError::Truncated { attempts, .. } = &mut self
        {
            *attempts = n;
        }
        self
    }
}

fn status_text(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => format!("{status} {r}"),
        None => status.to_string(),
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn declared_note(declared: Option<u64>) -> String {
    match declared {
        Some(n) => format!(" (declared {n} bytes)"),
        None => String::new(),
    }
}

fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// Downloads feed files into one cache directory.
pub struct Fetcher {
    cache_dir: PathBuf,
    options: FetchOptions,
    client: reqwest::Client,
    /// Always `Some` until drop.
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("cache_dir", &self.cache_dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Drop for Fetcher {
    fn drop(&mut self) {
        // Without blocking, so that dropping a Fetcher inside async code does not panic.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Fetcher {
    /// Creates the cache directory if needed, the HTTP client and the runtime.
    pub fn new(cache_dir: PathBuf, options: FetchOptions) -> Result<Fetcher, FetchError> {
        fs::create_dir_all(&cache_dir).map_err(|e| FetchError::Setup {
            what: format!("cache directory {}: {e}", cache_dir.display()),
        })?;
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.as_str())
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|e| FetchError::Setup {
                what: format!("HTTP client: {}", describe(&e)),
            })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("seaworthy-fetch")
            .enable_all()
            .build()
            .map_err(|e| FetchError::Setup {
                what: format!("async runtime: {e}"),
            })?;
        Ok(Fetcher {
            cache_dir,
            options,
            client,
            runtime: Some(runtime),
        })
    }

    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// Where `cache_name` is stored, or why it is refused.
    pub fn cache_path(&self, cache_name: &str) -> Result<PathBuf, &'static str> {
        check_cache_name(cache_name).map(|()| self.cache_dir.join(cache_name))
    }

    /// Downloads every job, [`FetchOptions::concurrency`] at a time, and returns one result per
    /// job in the order of `jobs`. Two jobs with the same cache name: the later one fails.
    pub fn fetch_all(
        &self,
        jobs: &[FetchJob],
        progress: &(dyn Fn(FetchEvent) + Sync),
    ) -> Vec<Result<Fetched, FetchError>> {
        let runtime = match &self.runtime {
            Some(rt) if tokio::runtime::Handle::try_current().is_err() => rt,
            _ => {
                return jobs
                    .iter()
                    .map(|_| {
                        Err(FetchError::Setup {
                            what: "fetch_all must not be called inside an async runtime".into(),
                        })
                    })
                    .collect();
            }
        };
        let mut seen = HashSet::new();
        let duplicate: Vec<bool> = jobs
            .iter()
            .map(|j| !seen.insert(j.cache_name.as_str()))
            .collect();
        let next = AtomicUsize::new(0);
        let workers = (0..self.options.concurrency.clamp(1, jobs.len().max(1)))
            .map(|_| self.worker(jobs, &duplicate, &next, progress))
            .collect();
        let mut done: Vec<(usize, Result<Fetched, FetchError>)> = runtime
            .block_on(join_all(workers))
            .into_iter()
            .flatten()
            .collect();
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }

    /// Takes the next job until none is left.
    async fn worker(
        &self,
        jobs: &[FetchJob],
        duplicate: &[bool],
        next: &AtomicUsize,
        progress: &(dyn Fn(FetchEvent) + Sync),
    ) -> Vec<(usize, Result<Fetched, FetchError>)> {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(i) else { break };
            let result = if duplicate.get(i).copied().unwrap_or(false) {
                Err(FetchError::InvalidCacheName {
                    url: job.url.clone(),
                    name: job.cache_name.clone(),
                    reason: "is used by an earlier job of the same batch",
                })
            } else {
                match self.options.deadline {
                    Some(deadline) if Instant::now() >= deadline => Err(FetchError::TimedOut {
                        url: job.url.clone(),
                    }),
                    Some(deadline) => {
                        tokio::time::timeout_at(deadline.into(), self.fetch_one(job, progress))
                            .await
                            .unwrap_or_else(|_| {
                                Err(FetchError::TimedOut {
                                    url: job.url.clone(),
                                })
                            })
                    }
                    None => self.fetch_one(job, progress).await,
                }
            };
            if let Err(e) = &result {
                progress(FetchEvent::Failed {
                    url: job.url.clone(),
                    error: e.to_string(),
                });
            }
            done.push((i, result));
        }
        done
    }

    async fn fetch_one(
        &self,
        job: &FetchJob,
        progress: &(dyn Fn(FetchEvent) + Sync),
    ) -> Result<Fetched, FetchError> {
        let url = parse_url(&job.url)?;
        let target =
            self.cache_path(&job.cache_name)
                .map_err(|reason| FetchError::InvalidCacheName {
                    url: job.url.clone(),
                    name: job.cache_name.clone(),
                    reason,
                })?;
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(|source| FetchError::Io {
                url: job.url.clone(),
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let validators = if target.is_file() {
            Validators::load(&sidecar_path(&target), &job.url)
        } else {
            None
        };
        let mut attempt = 1;
        loop {
            let failure = match self
                .attempt(job, url.clone(), &target, validators.as_ref(), progress)
                .await
            {
                Ok(fetched) => return Ok(fetched),
                Err(failure) => failure,
            };
            if attempt > self.options.retries || !failure.error.is_network() {
                return Err(failure.error.with_attempts(attempt));
            }
            let delay = failure
                .retry_after
                .unwrap_or_else(|| backoff_delay(self.options.backoff, attempt))
                .min(MAX_RETRY_DELAY);
            progress(FetchEvent::Retrying {
                url: job.url.clone(),
                attempt,
                delay,
                reason: failure.error.to_string(),
            });
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// One request, its body written to a temporary file and renamed into place.
    async fn attempt(
        &self,
        job: &FetchJob,
        url: reqwest::Url,
        target: &Path,
        validators: Option<&Validators>,
        progress: &(dyn Fn(FetchEvent) + Sync),
    ) -> Result<Fetched, Failure> {
        let url_text = job.url.as_str();
        let mut request = self.client.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag.as_str());
            }
            if let Some(date) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date.as_str());
            }
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| Failure::now(from_reqwest(url_text, &e)))?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            if validators.is_none() {
                return Err(Failure::now(FetchError::Protocol {
                    url: url_text.to_string(),
                    what: "304 Not Modified to a request without validators".into(),
                }));
            }
            let bytes = fs::metadata(target)
                .map_err(|source| Failure::now(io_error(url_text, target, source)))?
                .len();
            progress(FetchEvent::Started {
                url: url_text.to_string(),
                total: None,
            });
            progress(FetchEvent::Finished {
                url: url_text.to_string(),
                not_modified: true,
            });
            return Ok(Fetched {
                url: url_text.to_string(),
                path: target.to_path_buf(),
                not_modified: true,
                bytes,
            });
        }
        if status != StatusCode::OK {
            let error = if status.is_client_error() || status.is_server_error() {
                FetchError::Status {
                    url: url_text.to_string(),
                    status: status.as_u16(),
                    attempts: 1,
                }
            } else {
                FetchError::Protocol {
                    url: url_text.to_string(),
                    what: format!("unexpected answer HTTP {}", status_text(status.as_u16())),
                }
            };
            return Err(Failure {
                error,
                retry_after: retry_after(response.headers()),
            });
        }

        let limit = self.options.max_bytes;
        let total = response.content_length();
        if let Some(declared) = total.filter(|n| *n > limit) {
            return Err(Failure::now(FetchError::TooLarge {
                url: url_text.to_string(),
                limit,
                declared: Some(declared),
            }));
        }
        progress(FetchEvent::Started {
            url: url_text.to_string(),
            total,
        });
        let fresh = Validators::from_headers(response.headers(), url_text);
        let mut part = PartFile::create(target)
            .map_err(|(path, source)| Failure::now(io_error(url_text, &path, source)))?;
        let mut received: u64 = 0;
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    let error = match total {
                        Some(expected) if e.is_body() || e.is_decode() => FetchError::Truncated {
                            url: url_text.to_string(),
                            expected,
                            received,
                            attempts: 1,
                        },
                        _ => from_reqwest(url_text, &e),
                    };
                    return Err(Failure::now(error));
                }
            };
            received = received.saturating_add(chunk.len() as u64);
            if received > limit {
                return Err(Failure::now(FetchError::TooLarge {
                    url: url_text.to_string(),
                    limit,
                    declared: None,
                }));
            }
            part.write_all(&chunk)
                .map_err(|source| Failure::now(io_error(url_text, &part.path, source)))?;
            progress(FetchEvent::Progress {
                url: url_text.to_string(),
                bytes: received,
            });
        }
        if let Some(expected) = total.filter(|n| *n != received) {
            return Err(Failure::now(FetchError::Truncated {
                url: url_text.to_string(),
                expected,
                received,
                attempts: 1,
            }));
        }
        install(part, target, fresh.as_ref())
            .map_err(|(path, source)| Failure::now(io_error(url_text, &path, source)))?;
        progress(FetchEvent::Finished {
            url: url_text.to_string(),
            not_modified: false,
        });
        Ok(Fetched {
            url: url_text.to_string(),
            path: target.to_path_buf(),
            not_modified: false,
            bytes: received,
        })
    }
}

/// A failed attempt and the server's `Retry-After`, if it sent one.
struct Failure {
    error: FetchError,
    retry_after: Option<Duration>,
}

impl Failure {
    fn now(error: FetchError) -> Failure {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// Polls the futures together on the current task until all are done.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

fn parse_url(url: &str) -> Result<reqwest::Url, FetchError> {
    let invalid = |reason: String| FetchError::InvalidUrl {
        url: url.to_string(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed),
        other => Err(invalid(format!(
            "scheme {other:?} (only http and https are fetched)"
        ))),
    }
}

/// Accepts a relative path of plain components; refuses anything that could leave the cache
/// directory or collide with the files kept here beside the cached ones.
fn check_cache_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > MAX_CACHE_NAME_LEN {
        return Err("is too long");
    }
    if name.contains(['\\', '\0']) {
        return Err("contains a backslash or NUL");
    }
    if name.ends_with('/') {
        return Err("names a directory");
    }
    if name.ends_with(SIDECAR_SUFFIX) {
        return Err("ends with the reserved suffix .http.json");
    }
    let mut last = None;
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => last = Some(part),
            Component::ParentDir => return Err("contains `..`"),
            Component::CurDir => return Err("contains `.`"),
            Component::RootDir | Component::Prefix(_) => return Err("is absolute"),
        }
    }
    match last {
        Some(file) if file.as_encoded_bytes().starts_with(b".") => {
            Err("names a hidden file (reserved for temporary files)")
        }
        Some(_) => Ok(()),
        None => Err("is empty"),
    }
}

fn sidecar_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_os_string();
    name.push(SIDECAR_SUFFIX);
    PathBuf::from(name)
}

/// `backoff × 2^(attempt-1)`, saturating.
fn backoff_delay(backoff: Duration, attempt: u32) -> Duration {
    let factor = 1u32
        .checked_shl(attempt.saturating_sub(1))
        .unwrap_or(u32::MAX);
    backoff.saturating_mul(factor).min(MAX_RETRY_DELAY)
}

/// `Retry-After` in seconds (the HTTP-date form is ignored: the backoff applies then).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_DELAY))
}

fn from_reqwest(url: &str, e: &reqwest::Error) -> FetchError {
    if e.is_builder() || e.is_redirect() {
        FetchError::Protocol {
            url: url.to_string(),
            what: describe(e),
        }
    } else {
        FetchError::Network {
            url: url.to_string(),
            reason: describe(e),
            attempts: 1,
        }
    }
}

/// A reqwest error with its causes ("error sending request" alone says little).
fn describe(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(s) = source {
        if depth >= 8 {
            break;
        }
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
        depth += 1;
    }
    out
}

fn io_error(url: &str, path: &Path, source: io::Error) -> FetchError {
    FetchError::Io {
        url: url.to_string(),
        path: path.to_path_buf(),
        source,
    }
}

/// The validators of a cached file, kept in its sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Validators {
    /// The URL they came from: a cached file from another URL is not revalidated.
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Validators {
    fn from_headers(headers: &HeaderMap, url: &str) -> Option<Validators> {
        let usable = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .filter(|v| usable_validator(v))
                .map(str::to_string)
        };
        Validators {
            url: url.to_string(),
            etag: usable(ETAG),
            last_modified: usable(LAST_MODIFIED),
        }
        .non_empty()
    }

    /// The sidecar's validators when it is readable, for `url`, and holds usable values.
    fn load(sidecar: &Path, url: &str) -> Option<Validators> {
        // A regular file only (never a FIFO), at most MAX_SIDECAR_BYTES.
        let bytes = seaworthy_core::files::read(
            sidecar,
            MAX_SIDECAR_BYTES,
            seaworthy_core::files::Links::Refuse,
        )
        .ok()?;
        let mut v: Validators = serde_json::from_slice(&bytes).ok()?;
        if v.url != url {
            return None;
        }
        v.etag = v.etag.filter(|s| usable_validator(s));
        v.last_modified = v.last_modified.filter(|s| usable_validator(s));
        v.non_empty()
    }

    fn non_empty(self) -> Option<Validators> {
        (self.etag.is_some() || self.last_modified.is_some()).then_some(self)
    }
}

fn usable_validator(value: &str) -> bool {
    !value.is_empty() && value.len() <= MAX_VALIDATOR_LEN && HeaderValue::from_str(value).is_ok()
}

static PART_SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// A temporary file beside the target, removed on drop unless installed.
struct PartFile {
    path: PathBuf,
    file: Option<fs::File>,
}

impl PartFile {
    fn create(target: &Path) -> Result<PartFile, (PathBuf, io::Error)> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let sequence = PART_SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{}-{sequence}.part", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => Ok(PartFile {
                path,
                file: Some(file),
            }),
            Err(e) => Err((path, e)),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Err(io::Error::other("temporary file already closed")),
        }
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Puts a complete body in place: the old sidecar goes first (so a stale validator never
/// describes the new file), then the file is renamed over the target, then the new sidecar is
/// written the same way.
fn install(
    mut part: PartFile,
    target: &Path,
    validators: Option<&Validators>,
) -> Result<(), (PathBuf, io::Error)> {
    let sidecar = sidecar_path(target);
    if let Some(file) = &mut part.file {
        file.flush().map_err(|e| (part.path.clone(), e))?;
    }
    match fs::remove_file(&sidecar) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err((sidecar, e)),
    }
    // Closed before the rename; from here on the part file is the target.
    part.file = None;
    fs::rename(&part.path, target).map_err(|e| {
        let _ = fs::remove_file(&part.path);
        (target.to_path_buf(), e)
    })?;
    if let Some(v) = validators {
        let json = serde_json::to_vec(v).map_err(|e| (sidecar.clone(), io::Error::other(e)))?;
        let mut side_part = PartFile::create(&sidecar)?;
        side_part
            .write_all(&json)
            .map_err(|e| (side_part.path.clone(), e))?;
        side_part.file = None;
        fs::rename(&side_part.path, &sidecar).map_err(|e| {
            let _ = fs::remove_file(&side_part.path);
            (sidecar.clone(), e)
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn cache_names_are_checked() {
        for good in ["osv/PyPI-all.zip", "debian.json", "a/b/c.tar.gz", "a//b"] {
            assert_eq!(check_cache_name(good), Ok(()), "{good}");
        }
        let bad = [
            ("", "is empty"),
            ("../x", "contains `..`"),
            ("osv/../../x", "contains `..`"),
            ("/etc/passwd", "is absolute"),
            ("./x", "contains `.`"),
            ("osv/", "names a directory"),
            ("a\\..\\b", "contains a backslash or NUL"),
            (
                "x.zip.http.json",
                "ends with the reserved suffix .http.json",
            ),
            (
                ".x.part",
                "names a hidden file (reserved for temporary files)",
            ),
            (
                "osv/.hidden",
                "names a hidden file (reserved for temporary files)",
            ),
        ];
        for (name, reason) in bad {
            assert_eq!(check_cache_name(name), Err(reason), "{name:?}");
        }
        assert_eq!(check_cache_name(&"a".repeat(1025)), Err("is too long"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_millis(500);
        assert_eq!(backoff_delay(b, 1), Duration::from_millis(500));
        assert_eq!(backoff_delay(b, 2), Duration::from_millis(1000));
        assert_eq!(backoff_delay(b, 4), Duration::from_millis(4000));
        assert_eq!(backoff_delay(b, 8), MAX_RETRY_DELAY);
        assert_eq!(backoff_delay(b, u32::MAX), MAX_RETRY_DELAY);
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(RETRY_AFTER, HeaderValue::from_static("86400"));
        assert_eq!(retry_after(&h), Some(MAX_RETRY_DELAY));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("-1"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn sidecar_is_used_only_when_sound() {
        let dir = tempfile::tempdir().unwrap();
        let sidecar = dir.path().join("f.zip.http.json");
        let url = "https://example.invalid/f.zip";
        let v = Validators {
            url: url.into(),
            etag: Some("\"abc\"".into()),
            last_modified: Some("Sun, 01 Jan 2023 00:00:00 GMT".into()),
        };
        fs::write(&sidecar, serde_json::to_vec(&v).unwrap()).unwrap();
        assert_eq!(Validators::load(&sidecar, url), Some(v.clone()));
        // Another URL, garbage, a header-breaking value, an oversized file: not used.
        assert_eq!(
            Validators::load(&sidecar, "https://mirror.invalid/f.zip"),
            None
        );
        fs::write(&sidecar, b"\xff{not json").unwrap();
        assert_eq!(Validators::load(&sidecar, url), None);
        let bad = Validators {
            etag: Some("\"a\"\r\nX-Injected: 1".into()),
            last_modified: None,
            ..v.clone()
        };
        fs::write(&sidecar, serde_json::to_vec(&bad).unwrap()).unwrap();
        assert_eq!(Validators::load(&sidecar, url), None);
        fs::write(&sidecar, vec![b' '; 70 * 1024]).unwrap();
        assert_eq!(Validators::load(&sidecar, url), None);
    }

    #[test]
    fn sidecar_path_appends_suffix() {
        assert_eq!(
            sidecar_path(Path::new("/c/osv/PyPI-all.zip")),
            PathBuf::from("/c/osv/PyPI-all.zip.http.json")
        );
    }

    #[test]
    fn errors_name_url_and_cause() {
        let e = FetchError::Status {
            url: "http://h/x".into(),
            status: 404,
            attempts: 1,
        };
        assert_eq!(
            e.to_string(),
            "http://h/x: server answered HTTP 404 Not Found"
        );
        assert!(!e.is_network());
        let e = FetchError::Status {
            url: "http://h/x".into(),
            status: 503,
            attempts: 4,
        };
        assert_eq!(
            e.to_string(),
            "http://h/x: server answered HTTP 503 Service Unavailable (after 4 attempts)"
        );
        assert!(e.is_network());
    }

    #[test]
    fn only_http_urls_are_accepted() {
        assert!(parse_url("https://osv-vulnerabilities.storage.googleapis.com/x.zip").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/x").is_ok());
        for bad in ["file:///etc/passwd", "ftp://h/x", "not a url", ""] {
            assert!(
                matches!(parse_url(bad), Err(FetchError::InvalidUrl { .. })),
                "{bad}"
            );
        }
    }
}

//! `db update`: which feed files to download (upstream URLs by default, every base URL
//! configurable for mirrors and tests), then the same import as `db import`.
//!
//! One feed that fails never costs the others: a feed that cannot be downloaded (after the
//! retries, or not done by the deadline) or read is replaced by its last good copy, kept in the
//! feed cache under [`LAST_GOOD_DIR`], and recorded as stale; without one it is left out and
//! recorded as missing. The update fails only when no feed at all could be imported.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::fetch::{FetchError, FetchEvent, FetchJob, Fetcher};
use crate::import::{self, Entry, FeedFile, FeedKind, ImportError, ImportSummary};
use crate::sources::Parsed;

/// Directory inside the feed cache that keeps each feed's last copy that was read without
/// error (`<cache>/.last-good/<cache name>`, beside `<cache name>.good.json` saying when it
/// was downloaded). Cache names never name a hidden file, so this cannot collide with them.
pub const LAST_GOOD_DIR: &str = ".last-good";
/// Largest last-good sidecar read.
const MAX_GOOD_SIDECAR_BYTES: u64 = 64 * 1024;

pub const DEBIAN_TRACKER_URL: &str = "https://security-tracker.debian.org/tracker/data/json";
pub const ALPINE_SECDB_URL: &str = "https://secdb.alpinelinux.org";
pub const OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";
pub const RUSTSEC_URL: &str =
    "https://github.com/rustsec/advisory-db/archive/refs/heads/main.tar.gz";
/// NVD's CVE API 2.0 feeds: `<url>/nvdcve-2.0-YYYY.json.gz` and `nvdcve-2.0-modified.json.gz`.
pub const NVD_URL: &str = "https://nvd.nist.gov/feeds/json/cve/2.0";
/// The first year NVD publishes a yearly feed for (it holds every CVE up to 2002).
pub const NVD_FIRST_YEAR: u16 = 2002;
/// CISA's Known Exploited Vulnerabilities catalogue.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// FIRST's daily EPSS scores of every CVE.
pub const EPSS_URL: &str = "https://epss.cyentia.com/epss_scores-current.csv.gz";

/// Wolfi's secdb (Alpine's shape, one rolling release).
pub const WOLFI_URL: &str = "https://packages.wolfi.dev/os/security.json";
/// Chainguard's secdb (Alpine's shape, one rolling release).
pub const CHAINGUARD_URL: &str = "https://packages.cgr.dev/chainguard/security.json";

/// Alpine branches fetched by default (secdb publishes one directory per branch).
pub const ALPINE_BRANCHES: &[&str] = &[
    "v3.14", "v3.15", "v3.16", "v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "v3.22", "edge",
];

/// OSV ecosystems fetched by default: the language ecosystems and the distributions OSV carries.
pub const OSV_ECOSYSTEMS: &[&str] = &[
    "PyPI",
    "npm",
    "crates.io",
    "Go",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
    "Debian",
    "Ubuntu",
    "Alpine",
    "Rocky Linux",
    "AlmaLinux",
    "Red Hat",
    "SUSE",
    "openSUSE",
];

/// Where each source is downloaded from. An empty URL disables the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedUrls {
    pub debian_tracker: String,
    pub alpine_secdb: String,
    pub alpine_branches: Vec<String>,
    pub osv: String,
    pub osv_ecosystems: Vec<String>,
    pub rustsec: String,
    /// URL of Wolfi's secdb (`security.json`).
    pub wolfi: String,
    /// URL of Chainguard's secdb (`security.json`).
    pub chainguard: String,
    /// NVD feed base URL (`<url>/nvdcve-2.0-<year>.json.gz` for each of `nvd_years`, then
    /// `<url>/nvdcve-2.0-modified.json.gz`).
    pub nvd: String,
    /// Years of the NVD feeds fetched (default: 2002 to the current year).
    pub nvd_years: Vec<u16>,
    /// URL of the KEV catalogue (JSON).
    pub kev: String,
    /// URL of the EPSS scores (CSV, gzip or plain).
    pub epss: String,
}

impl Default for FeedUrls {
    fn default() -> FeedUrls {
        FeedUrls {
            debian_tracker: DEBIAN_TRACKER_URL.into(),
            alpine_secdb: ALPINE_SECDB_URL.into(),
            alpine_branches: ALPINE_BRANCHES.iter().map(|s| s.to_string()).collect(),
            osv: OSV_URL.into(),
            osv_ecosystems: OSV_ECOSYSTEMS.iter().map(|s| s.to_string()).collect(),
            rustsec: RUSTSEC_URL.into(),
            wolfi: WOLFI_URL.into(),
            chainguard: CHAINGUARD_URL.into(),
            nvd: NVD_URL.into(),
            nvd_years: (NVD_FIRST_YEAR..=current_year().max(NVD_FIRST_YEAR)).collect(),
            kev: KEV_URL.into(),
            epss: EPSS_URL.into(),
        }
    }
}

/// The current year (UTC) from the system clock.
fn current_year() -> u16 {
    u16::try_from(seaworthy_core::date::Date::today().year).unwrap_or(u16::MAX)
}

/// One download and how to read it.
#[derive(Debug, Clone)]
pub struct Planned {
    pub job: FetchJob,
    pub kind: FeedKind,
    pub name: String,
}

fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path)
}

/// Percent-encodes the characters of an ecosystem name that cannot stand in a URL path.
fn url_segment(s: &str) -> String {
    s.replace('%', "%25").replace(' ', "%20")
}

/// Cache file names are plain: letters, digits, `.`, `-`, `_`.
fn cache_segment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl FeedUrls {
    /// Every file to download.
    pub fn plan(&self) -> Vec<Planned> {
        let mut out = Vec::new();
        let mut add = |url: String, cache: String, kind, name: String| {
            out.push(Planned {
                job: FetchJob {
                    url,
                    cache_name: cache,
                },
                kind,
                name,
            })
        };
        if !self.debian_tracker.is_empty() {
            add(
                self.debian_tracker.clone(),
                "debian/tracker.json".into(),
                FeedKind::DebianTracker,
                "debian-tracker".into(),
            );
        }
        if !self.alpine_secdb.is_empty() {
            for branch in &self.alpine_branches {
                for repo in ["main", "community"] {
                    add(
                        join(
                            &self.alpine_secdb,
                            &format!("{}/{repo}.json", url_segment(branch)),
                        ),
                        format!("alpine/{}-{repo}.json", cache_segment(branch)),
                        FeedKind::AlpineSecdb,
                        format!("alpine-secdb:{branch}/{repo}"),
                    );
                }
            }
        }
        if !self.osv.is_empty() {
            for eco in &self.osv_ecosystems {
                add(
                    join(&self.osv, &format!("{}/all.zip", url_segment(eco))),
                    format!("osv/{}-all.zip", cache_segment(eco)),
                    FeedKind::OsvZip,
                    format!("osv:{eco}"),
                );
            }
        }
        if !self.rustsec.is_empty() {
            add(
                self.rustsec.clone(),
                "rustsec/advisory-db.tar.gz".into(),
                FeedKind::RustsecArchive,
                "rustsec".into(),
            );
        }
        if !self.wolfi.is_empty() {
            add(
                self.wolfi.clone(),
                "wolfi/security.json".into(),
                FeedKind::WolfiSecdb,
                "wolfi-secdb".into(),
            );
        }
        if !self.chainguard.is_empty() {
            add(
                self.chainguard.clone(),
                "chainguard/security.json".into(),
                FeedKind::ChainguardSecdb,
                "chainguard-secdb".into(),
            );
        }
        if !self.nvd.is_empty() {
            let files = self
                .nvd_years
                .iter()
                .map(|y| y.to_string())
                .chain(std::iter::once("modified".to_string()));
            for which in files {
                let file = format!("nvdcve-2.0-{which}.json.gz");
                add(
                    join(&self.nvd, &file),
                    format!("nvd/{file}"),
                    FeedKind::Nvd,
                    format!("nvd:{which}"),
                );
            }
        }
        if !self.kev.is_empty() {
            add(
                self.kev.clone(),
                "kev/known_exploited_vulnerabilities.json".into(),
                FeedKind::Kev,
                "cisa-kev".into(),
            );
        }
        if !self.epss.is_empty() {
            add(
                self.epss.clone(),
                "epss/epss_scores-current.csv.gz".into(),
                FeedKind::Epss,
                "epss".into(),
            );
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("nothing to update: every source is disabled")]
    NothingPlanned,
    #[error("no feed could be imported:\n  {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    NothingUsable(Vec<FeedFailure>),
}

impl UpdateError {
    pub fn is_input_error(&self) -> bool {
        match self {
            UpdateError::Fetch(_) | UpdateError::NothingUsable(_) => false,
            UpdateError::Import(e) => e.is_input_error(),
            UpdateError::NothingPlanned => true,
        }
    }
}

/// What an update did.
#[derive(Debug, Default)]
pub struct UpdateSummary {
    pub import: ImportSummary,
    /// Files the server said were unchanged (HTTP 304).
    pub not_modified: usize,
    pub downloaded_bytes: u64,
    /// Feeds that could not be downloaded or read, in plan order: each stale (its last good
    /// copy imported) or missing (left out).
    pub failed: Vec<FeedFailure>,
}

/// A feed that could not be downloaded or read in this update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedFailure {
    /// The source name (`osv:PyPI`).
    pub name: String,
    pub url: String,
    /// What failed, without the URL (`server answered HTTP 500 … (after 4 attempts)`).
    pub reason: String,
    /// When the last good copy used instead was downloaded (RFC 3339) and how old it is; `None`:
    /// no earlier copy, the feed was left out.
    pub stale_copy: Option<(String, Duration)>,
}

impl std::fmt::Display for FeedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({}); ", self.name, self.reason, self.url)?;
        match &self.stale_copy {
            Some((when, age)) => write!(
                f,
                "using its last good copy from {when} (stale, {} old)",
                age_text(*age)
            ),
            None => write!(f, "left out (no earlier copy)"),
        }
    }
}

/// `45 s`, `12 min`, `5 h`, `3 days`.
pub fn age_text(age: Duration) -> String {
    let s = age.as_secs();
    match s {
        0..120 => format!("{s} s"),
        120..7_200 => format!("{} min", s / 60),
        7_200..172_800 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

/// An error message without the `<url>: ` every fetch and feed error starts with.
fn without_url(message: &str, url: &str) -> String {
    message
        .strip_prefix(url)
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(message)
        .to_string()
}

/// The sidecar of a last good copy.
#[derive(Debug, Serialize, Deserialize)]
struct GoodCopy {
    url: String,
    /// RFC 3339, the update's time.
    fetched: String,
    /// Seconds since the Unix epoch, for its age.
    fetched_unix: u64,
}

fn good_path(fetcher: &Fetcher, cache_name: &str) -> PathBuf {
    fetcher.cache_dir().join(LAST_GOOD_DIR).join(cache_name)
}

fn good_sidecar(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".good.json");
    PathBuf::from(name)
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The last good copy of a feed, when there is one (a regular file with a readable sidecar).
fn last_good(fetcher: &Fetcher, plan: &Planned) -> Option<(PathBuf, GoodCopy)> {
    let path = good_path(fetcher, &plan.job.cache_name);
    let bytes = seaworthy_core::files::read(
        &good_sidecar(&path),
        MAX_GOOD_SIDECAR_BYTES,
        seaworthy_core::files::Links::Refuse,
    )
    .ok()?;
    let copy: GoodCopy = serde_json::from_slice(&bytes).ok()?;
    std::fs::symlink_metadata(&path)
        .ok()
        .filter(|m| m.is_file())
        .map(|_| (path, copy))
}

/// Keeps `from` (just read without error) as the feed's last good copy: hard-linked (copied
/// where links are not possible) to a temporary name, then renamed into place, then its
/// sidecar. Best effort: a failure only means no fallback next time.
fn keep_good(fetcher: &Fetcher, plan: &Planned, from: &Path, fetched: &str) {
    let path = good_path(fetcher, &plan.job.cache_name);
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".keep-{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let linked = std::fs::hard_link(from, &tmp).is_ok() || std::fs::copy(from, &tmp).is_ok();
    if !linked || std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
        return;
    }
    let copy = GoodCopy {
        url: plan.job.url.clone(),
        fetched: fetched.to_string(),
        fetched_unix: now_unix(),
    };
    if let Ok(json) = serde_json::to_vec(&copy) {
        let side = good_sidecar(&path);
        let side_tmp = dir.join(format!(".keep-{}.json.tmp", std::process::id()));
        if std::fs::write(&side_tmp, json).is_err() || std::fs::rename(&side_tmp, &side).is_err() {
            let _ = std::fs::remove_file(&side_tmp);
        }
    }
}

/// What became of one planned feed.
enum Outcome {
    /// Downloaded (or unchanged) and read.
    Fresh(Parsed, PathBuf),
    /// Failed; its last good copy was read instead.
    Stale(Parsed, GoodCopy, String),
    /// Failed, and no last good copy could be read.
    Missing(String),
}

/// Downloads every planned file into the fetcher's cache directory and rebuilds the database at
/// `db`. A feed that cannot be downloaded or read is replaced by its last good copy (stale) or
/// left out (missing), each named once in [`UpdateSummary::failed`] and recorded in the
/// database's sources; every other feed is imported. Fails only when no feed could be imported
/// (the previous database stays) or the database cannot be written.
pub fn update(
    db: &Path,
    fetcher: &Fetcher,
    urls: &FeedUrls,
    built: &str,
    progress: &(dyn Fn(FetchEvent) + Sync),
) -> Result<UpdateSummary, UpdateError> {
    let planned = urls.plan();
    if planned.is_empty() {
        return Err(UpdateError::NothingPlanned);
    }
    let jobs: Vec<FetchJob> = planned.iter().map(|p| p.job.clone()).collect();
    let mut summary = UpdateSummary::default();
    let mut fetched = Vec::with_capacity(planned.len());
    for result in fetcher.fetch_all(&jobs, progress) {
        match result {
            Ok(f) => {
                summary.not_modified += usize::from(f.not_modified);
                if !f.not_modified {
                    summary.downloaded_bytes += f.bytes;
                }
                fetched.push(Ok(f.path));
            }
            Err(e) => fetched.push(Err(e.to_string())),
        }
    }
    let feeds: Vec<FeedFile> = planned
        .iter()
        .zip(&fetched)
        .map(|(plan, f)| FeedFile {
            kind: plan.kind,
            name: plan.name.clone(),
            location: plan.job.url.clone(),
            path: f.clone().unwrap_or_default(),
        })
        .collect();
    let outcomes: Vec<Outcome> = planned
        .par_iter()
        .zip(feeds.par_iter())
        .zip(fetched.into_par_iter())
        .map(|((plan, feed), f)| {
            let failure = match f {
                Ok(path) => match import::read(feed) {
                    Ok(parsed) => return Outcome::Fresh(parsed, path),
                    Err(e) => e.to_string(),
                },
                Err(e) => e,
            };
            let reason = without_url(&failure, &plan.job.url);
            let Some((path, copy)) = last_good(fetcher, plan) else {
                return Outcome::Missing(reason);
            };
            let good = FeedFile {
                path,
                ..feed.clone()
            };
            match import::read(&good) {
                Ok(parsed) => Outcome::Stale(parsed, copy, reason),
                Err(_) => Outcome::Missing(reason),
            }
        })
        .collect();
    let now = now_unix();
    let mut entries = Vec::with_capacity(feeds.len());
    let mut fresh = Vec::new();
    for ((plan, feed), outcome) in planned.iter().zip(&feeds).zip(outcomes) {
        let failure = |reason: &str, stale_copy| FeedFailure {
            name: plan.name.clone(),
            url: plan.job.url.clone(),
            reason: reason.to_string(),
            stale_copy,
        };
        entries.push(match outcome {
            Outcome::Fresh(parsed, path) => {
                fresh.push((plan, path));
                Entry {
                    feed,
                    parsed: Some(parsed),
                    fetched: Some(built.to_string()),
                    stale: false,
                    problem: None,
                }
            }
            Outcome::Stale(parsed, copy, reason) => {
                let age = Duration::from_secs(now.saturating_sub(copy.fetched_unix));
                summary
                    .failed
                    .push(failure(&reason, Some((copy.fetched.clone(), age))));
                Entry {
                    feed,
                    parsed: Some(parsed),
                    fetched: Some(copy.fetched),
                    stale: true,
                    problem: Some(reason),
                }
            }
            Outcome::Missing(reason) => {
                summary.failed.push(failure(&reason, None));
                Entry {
                    feed,
                    parsed: None,
                    fetched: None,
                    stale: true,
                    problem: Some(reason),
                }
            }
        });
    }
    if entries.iter().all(|e| e.parsed.is_none()) {
        return Err(UpdateError::NothingUsable(summary.failed));
    }
    summary.import = import::write(db, entries, built)?;
    for (plan, path) in fresh {
        keep_good(fetcher, plan, &path, built);
    }
    Ok(summary)
}

/// The default database path: `$XDG_CACHE_HOME/seaworthy/vuln.db` (or `~/.cache/…`).
pub fn default_db_path() -> PathBuf {
    cache_dir().join("vuln.db")
}

/// Where downloaded feed files are kept between updates.
pub fn default_feed_cache() -> PathBuf {
    cache_dir().join("feeds")
}

fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("seaworthy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_messages() {
        assert_eq!(age_text(Duration::from_secs(5)), "5 s");
        assert_eq!(age_text(Duration::from_secs(600)), "10 min");
        assert_eq!(age_text(Duration::from_secs(3 * 3600)), "3 h");
        assert_eq!(age_text(Duration::from_secs(4 * 86_400)), "4 days");
        assert_eq!(
            without_url("http://h/x: server answered HTTP 500", "http://h/x"),
            "server answered HTTP 500"
        );
        assert_eq!(without_url("other: thing", "http://h/x"), "other: thing");
    }

    #[test]
    fn the_current_year_is_a_year() {
        assert!(current_year() >= 2024);
    }

    #[test]
    fn intel_feeds_are_planned_after_the_advisories() {
        let urls = FeedUrls {
            nvd_years: vec![2023, 2024],
            ..FeedUrls::default()
        };
        let names: Vec<String> = urls.plan().into_iter().map(|p| p.name).collect();
        let tail = &names[names.len() - 5..];
        assert_eq!(
            tail,
            ["nvd:2023", "nvd:2024", "nvd:modified", "cisa-kev", "epss"]
        );
        let plan = urls.plan();
        let nvd = plan.iter().find(|p| p.name == "nvd:2024").map(|p| &p.job);
        assert_eq!(
            nvd.map(|j| j.url.as_str()),
            Some("https://nvd.nist.gov/feeds/json/cve/2.0/nvdcve-2.0-2024.json.gz")
        );
        assert!(FeedUrls::default().nvd_years.first() == Some(&2002));
        assert!(FeedUrls::default().nvd_years.last() >= Some(&2025));
    }

    #[test]
    fn wolfi_and_chainguard_are_planned_and_can_be_turned_off() {
        let plan = FeedUrls::default().plan();
        let url = |name: &str| {
            plan.iter()
                .find(|p| p.name == name)
                .map(|p| (p.job.url.clone(), p.kind))
        };
        assert_eq!(
            url("wolfi-secdb"),
            Some((WOLFI_URL.to_string(), FeedKind::WolfiSecdb))
        );
        assert_eq!(
            url("chainguard-secdb"),
            Some((CHAINGUARD_URL.to_string(), FeedKind::ChainguardSecdb))
        );
        let off = FeedUrls {
            wolfi: String::new(),
            chainguard: String::new(),
            ..FeedUrls::default()
        };
        assert!(
            !off.plan()
                .iter()
                .any(|p| p.name.ends_with("-secdb") && !p.name.starts_with("alpine"))
        );
    }
}

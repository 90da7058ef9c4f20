//! Advisory sources: one module per feed format. Each parser takes the bytes of one feed file
//! (as downloaded or as found on disk) and returns the advisories it holds. A malformed advisory
//! is skipped and counted; a malformed feed (truncated archive or JSON) is an error for the whole
//! file so that an update keeps the previous database.

use crate::intel::IntelRecords;
use crate::model::Advisory;

pub mod alpine_secdb;
pub mod debian_list;
pub mod debian_tracker;
pub mod epss;
pub mod friendsofphp;
pub mod kev;
pub mod nodejs_wg;
pub mod nvd;
pub mod osv;
pub mod rubysec;
pub mod rustsec;
mod tarball;

/// Problems kept per feed file; the rest are only counted.
pub const MAX_PROBLEMS: usize = 20;

/// What a feed file held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub advisories: Vec<Advisory>,
    /// Advisories that could not be read and were left out.
    pub skipped: usize,
    /// The first [`MAX_PROBLEMS`] reasons, each naming the entry (`GO-2023-1234.json: …`).
    pub problems: Vec<String>,
    /// Per-CVE intelligence (NVD, CISA KEV, EPSS feeds), kept beside the advisories.
    pub intel: IntelRecords,
}

impl Parsed {
    /// Counts a skipped advisory and keeps the reason when there is room.
    pub fn skip(&mut self, what: impl Into<String>) {
        self.skipped += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(what.into());
        }
    }

    pub fn merge(&mut self, other: Parsed) {
        self.advisories.extend(other.advisories);
        self.intel.nvd.extend(other.intel.nvd);
        self.intel.kev.extend(other.intel.kev);
        self.intel.epss.extend(other.intel.epss);
        self.intel.meta.extend(other.intel.meta);
        self.skipped += other.skipped;
        for p in other.problems {
            if self.problems.len() < MAX_PROBLEMS {
                self.problems.push(p);
            }
        }
    }
}

/// A feed file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {what}")]
pub struct FeedError {
    /// The file (or URL) as the user knows it.
    pub file: String,
    pub what: String,
}

impl FeedError {
    pub fn new(file: impl Into<String>, what: impl Into<String>) -> FeedError {
        FeedError {
            file: file.into(),
            what: what.into(),
        }
    }
}

/// What is wrong with a JSON feed, without quoting it (serde's messages can quote values).
pub(crate) fn json_problem(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        serde_json::error::Category::Io => "cannot be read (truncated or corrupt gzip?)",
        serde_json::error::Category::Eof => "ends early (truncated?)",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Data => "is JSON of an unexpected shape",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// Gzip-compressed bytes (by the magic number).
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// A reader that fails once more than `limit` bytes came through it (a bound on what a
/// compressed feed may inflate to).
pub(crate) struct Capped<R> {
    pub inner: R,
    pub left: u64,
}

impl<R: std::io::Read> std::io::Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly the limit from a longer one.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other("inflates past the size limit")),
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

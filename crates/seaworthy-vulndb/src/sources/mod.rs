//! Advisory sources: one module per feed format. Each parser takes the bytes of one feed file
//! (as downloaded or as found on disk) and returns the advisories it holds. A malformed advisory
//! is skipped and counted; a malformed feed (truncated archive or JSON) is an error for the whole
//! file so that an update keeps the previous database.

use crate::model::Advisory;

pub mod alpine_secdb;
pub mod debian_list;
pub mod debian_tracker;
pub mod friendsofphp;
pub mod nodejs_wg;
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

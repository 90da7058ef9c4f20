//! Scanning one file's bytes: size and binary checks, then the anchored text scan plus the
//! parsers of credential files recognised by their path.

use std::borrow::Cow;

use crate::catalog::PATTERNS;
use crate::pattern::{Finder, Range};
use crate::scan::{self, Candidate, Limits, Secret};

/// How much of a file's start is checked for binary content.
const SNIFF: usize = 8 * 1024;

/// Why a file was not scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Larger than [`Limits::max_file_size`].
    TooLarge,
    /// A NUL byte or many invalid UTF-8 sequences near the start.
    Binary,
}

/// The outcome of scanning one file.
#[derive(Debug, Clone, Default)]
pub struct FileScan {
    pub secrets: Vec<Secret>,
    pub skipped: Option<Skip>,
}

/// Secrets in the file at `path` (image-relative; used to pick file parsers) with the default
/// [`Limits`]. Binary and oversized files yield nothing.
pub fn scan_file(path: &str, bytes: &[u8]) -> Vec<Secret> {
    scan_file_with(path, bytes, &Limits::DEFAULT).secrets
}

/// [`scan_file`] with explicit limits, saying why a file was skipped. Offsets refer to the
/// file's text; a file with a few invalid UTF-8 sequences is scanned with them replaced by
/// U+FFFD, so offsets after one shift.
pub fn scan_file_with(path: &str, bytes: &[u8], limits: &Limits) -> FileScan {
    if bytes.len() > limits.max_file_size {
        return FileScan {
            secrets: Vec::new(),
            skipped: Some(Skip::TooLarge),
        };
    }
    let Some(text) = text_of(bytes) else {
        return FileScan {
            secrets: Vec::new(),
            skipped: Some(Skip::Binary),
        };
    };
    let cap = raw_cap(limits.max_findings);
    let mut found = Vec::new();
    scan::anchored(&text, cap, &mut found);
    for (i, p) in PATTERNS.iter().enumerate() {
        if let Finder::File { accepts, scan } = &p.finder
            && accepts(path)
        {
            let mut ranges: Vec<Range> = Vec::new();
            scan(&text, &mut ranges);
            found.extend(ranges.into_iter().take(cap).map(|(start, end)| Candidate {
                pattern: i,
                start,
                end,
            }));
        }
    }
    FileScan {
        secrets: scan::finish(&text, found, limits.max_findings),
        skipped: None,
    }
}

/// Candidates gathered before overlaps are resolved.
pub(crate) fn raw_cap(max_findings: usize) -> usize {
    max_findings.saturating_mul(4).saturating_add(16)
}

/// Whether `bytes` look binary: a NUL, or an invalid UTF-8 sequence per 16 bytes, in the
/// first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    let head = bytes.get(..SNIFF.min(bytes.len())).unwrap_or_default();
    if head.contains(&0) {
        return true;
    }
    let mut invalid = 0usize;
    let mut rest = head;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(_) => break,
            Err(e) => {
                let Some(len) = e.error_len() else {
                    // Cut inside a character at the end of the sniffed head.
                    break;
                };
                invalid += 1;
                rest = rest.get(e.valid_up_to() + len..).unwrap_or_default();
            }
        }
    }
    invalid * 16 > head.len()
}

fn text_of(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if is_binary(bytes) {
        return None;
    }
    Some(String::from_utf8_lossy(bytes))
}

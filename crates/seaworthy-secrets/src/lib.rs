//! Secret detection for seaworthy: a catalog of credential patterns (private keys, cloud keys,
//! service tokens, credential files, generic secret assignments), masking, entropy and
//! variable-name heuristics, and scanners for text (ENV values, labels, history commands)
//! and files. No I/O: callers hand in text or bytes.
//!
//! Scanning is prefilter-first: one Aho-Corasick pass finds every pattern's literal anchors
//! (`ghp_`, `AKIA`, `PRIVATE KEY-----`, `password`, …) and only the matcher of a pattern whose
//! anchor hit runs, on a bounded window. Reported values are always masked.

mod catalog;
mod entropy;
mod file;
mod known;
mod mask;
mod matchers;
mod names;
mod paths;
mod pattern;
mod placeholder;
mod scan;

pub use entropy::{entropy, looks_random};
pub use file::{FileScan, Skip, is_binary, scan_file, scan_file_with};
pub use known::{KnownSecret, find_known, shown_value};
pub use mask::{mask, mask_in};
pub use names::{is_secret_name, name_tokens};
pub use paths::is_candidate_path;
pub use pattern::{Kind, Pattern};
pub use placeholder::is_placeholder;
pub use scan::{Limits, Secret};

use matchers::private_key;

/// Every pattern of the catalog, most specific first.
pub fn patterns() -> &'static [Pattern] {
    catalog::PATTERNS
}

/// The pattern with this id.
pub fn pattern(id: &str) -> Option<&'static Pattern> {
    catalog::PATTERNS.iter().find(|p| p.id == id)
}

/// Secrets in a short text (an ENV value, a label, a history command), with the default
/// [`Limits`]. File parsers (`.netrc`, `.env`, …) do not apply; see [`scan_file`].
pub fn scan_text(text: &str) -> Vec<Secret> {
    scan_text_with(text, &Limits::DEFAULT)
}

/// [`scan_text`] reporting at most `limits.max_findings` secrets.
pub fn scan_text_with(text: &str, limits: &Limits) -> Vec<Secret> {
    let mut found = Vec::new();
    scan::anchored(text, file::raw_cap(limits.max_findings), &mut found);
    scan::finish(text, found, limits.max_findings)
}

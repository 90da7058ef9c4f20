//! The shape of a catalog entry: what a secret is called, how bad it is, and how it is found.

use seaworthy_core::Severity;

/// One kind of secret the scanner recognises.
#[derive(Debug)]
pub struct Pattern {
    /// Stable kebab-case id (`aws-access-key-id`); reports and waivers refer to it.
    pub id: &'static str,
    /// What it is, for messages (`AWS access key id`).
    pub title: &'static str,
    pub severity: Severity,
    pub kind: Kind,
    pub(crate) finder: Finder,
}

/// How a pattern identifies its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A token whose own prefix or structure says what it is (`ghp_…`, `AKIA…`).
    Token,
    /// A private key block with its body (PEM, OpenSSH, PGP, age).
    PrivateKey,
    /// A value made secret by its context: an assignment's name, a URL's userinfo, a JSON key.
    Context,
    /// A credential in a file recognised by its path (`.netrc`, `.pypirc`, `.env`).
    File,
}

impl Pattern {
    /// Whether the pattern recognises a credential by its own format (no context needed) and
    /// the credential is worth a high or critical finding.
    pub fn is_known_format(&self) -> bool {
        matches!(self.kind, Kind::Token | Kind::PrivateKey) && self.severity >= Severity::High
    }

    /// The literal anchors the prefilter looks for (empty for file parsers).
    pub fn anchors(&self) -> &'static [&'static str] {
        match &self.finder {
            Finder::Anchored { anchors, .. } => anchors,
            Finder::File { .. } => &[],
        }
    }
}

/// A byte range of a secret value in the scanned text.
pub(crate) type Range = (usize, usize);

/// How the scanner finds a pattern's secrets.
#[derive(Debug)]
pub(crate) enum Finder {
    /// Literal, case-sensitive anchors (at least 3 bytes) found by the prefilter; the matcher
    /// confirms each hit.
    Anchored {
        anchors: &'static [&'static str],
        matcher: Matcher,
    },
    /// A parser run over whole files whose path it accepts.
    File {
        accepts: fn(&str) -> bool,
        scan: fn(&str, &mut Vec<Range>),
    },
}

/// Confirms an anchor hit at `text[start..end]`.
#[derive(Debug)]
pub(crate) enum Matcher {
    /// The token starts at the anchor with one of `prefixes`; `min..=max` body bytes accepted
    /// by `body` follow. When `min == max` the token must end there (no word character after).
    Prefix {
        prefixes: &'static [&'static str],
        body: fn(u8) -> bool,
        min: usize,
        max: usize,
    },
    /// A regex run on a bounded window around the hit (`back` bytes before its start); the
    /// first capture group (or the whole match) is the secret; the match must cover the hit.
    Regex { regex: &'static str, back: usize },
    /// Hand-written confirmation returning the secret's range. It also sees hits of longer
    /// anchors containing one of its own (`KEY` in `AccountKey=`), so it must not rely on the
    /// hit's exact position beyond "inside the word".
    Custom(fn(&str, usize, usize) -> Option<Range>),
}

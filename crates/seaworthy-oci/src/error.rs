//! Errors while reading an image. Every error names what it was reading.
//!
//! What an error names comes from the image (a layer path from `manifest.json`, a hardlink's
//! name, a tag) or from a daemon or registry: it is escaped and capped when the error is made
//! ([`seaworthy_core::text`]), so an error never carries a control character and never grows with
//! its input (a 200 MB path makes an error of a few KiB), and again when it is shown.

use std::io;

use seaworthy_core::text::{within, within_owned};

/// The longest `what` and `message` of an error, in bytes, once escaped.
const WHAT_MAX: usize = 1536;
const MESSAGE_MAX: usize = 2048;

/// What went wrong, and whose fault it is: the input (exit 2) or us/the system (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The image (or a file inside it) is malformed, hostile or exceeds a limit.
    #[error("{}: {}", within(what, WHAT_MAX), within(message, MESSAGE_MAX))]
    BadInput { what: String, message: String },
    /// The reference cannot be found (no such file, image or tag).
    #[error("{}: not found{}", within(what, WHAT_MAX), .message.as_deref().map(|m| format!(" ({})", within(m, MESSAGE_MAX))).unwrap_or_default())]
    NotFound {
        what: String,
        message: Option<String>,
    },
    /// Reading failed for a reason outside the image (disk, network, daemon).
    #[error("{}: {}", within(what, WHAT_MAX), within(&source.to_string(), MESSAGE_MAX))]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

impl ImageError {
    pub fn bad(what: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::BadInput {
            what: within_owned(what.into(), WHAT_MAX),
            message: within_owned(message.into(), MESSAGE_MAX),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ImageError::NotFound {
            what: within_owned(what.into(), WHAT_MAX),
            message: None,
        }
    }

    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        ImageError::Io {
            what: within_owned(what.into(), WHAT_MAX),
            source,
        }
    }

    /// An I/O error while decoding untrusted data is the data's fault unless the OS says otherwise.
    pub fn from_read(what: impl Into<String>, source: io::Error) -> Self {
        if let Some(problem) = tar_header_problem(&source) {
            return ImageError::bad(what, problem);
        }
        match source.kind() {
            io::ErrorKind::InvalidData
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::Other => ImageError::bad(what, source.to_string()),
            _ => ImageError::io(what, source),
        }
    }

    /// An error while reading the `entry`th (from 1) header of a tar archive: as
    /// [`ImageError::from_read`], naming the entry.
    pub fn from_tar(what: &str, entry: usize, source: io::Error) -> Self {
        match tar_header_problem(&source) {
            Some(problem) => ImageError::bad(what, format!("tar entry {entry}: {problem}")),
            None => ImageError::from_read(format!("{what}: tar entry {entry}"), source),
        }
    }

    /// True when the input is to blame (exit code 2), false for internal/system failures.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ImageError::Io { .. })
    }
}

pub type Result<T, E = ImageError> = std::result::Result<T, E>;

/// The header fields the tar crate reads as numbers.
const TAR_FIELDS: &[&str] = &[
    "size",
    "mode",
    "uid",
    "gid",
    "mtime",
    "cksum",
    "device_major",
    "device_minor",
];

/// The tar crate's words for a malformed header quote the header's bytes and the entry's path
/// (`numeric field was not a number: <bytes> when getting size for <path>`): this says what is
/// wrong without them. None for any other error.
fn tar_header_problem(e: &io::Error) -> Option<String> {
    let m = e.to_string();
    if !m.starts_with("numeric field") && !m.contains(" when getting ") {
        return None;
    }
    // The bytes quoted first are at most 12 (one numeric field), too few to hold " when getting
    // ", so its first occurrence is the tar crate's; the field name follows it.
    let field = m
        .split_once(" when getting ")
        .and_then(|(_, rest)| rest.split_once(" for "))
        .map(|(field, _)| field)
        .filter(|f| TAR_FIELDS.contains(f));
    Some(match field {
        Some(f) => format!("malformed tar header: its {f} field is not a number"),
        None => "malformed tar header: a numeric field is not a number".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_no_control_character_and_stay_small() {
        let path = format!("l\u{1b}[31m\n::error file=x::forged{}", "p".repeat(1 << 20));
        let e = ImageError::bad(format!("archive: {path}"), format!("{path}: missing"));
        let shown = e.to_string();
        assert!(shown.len() <= WHAT_MAX + MESSAGE_MAX + 2, "{}", shown.len());
        assert!(
            !shown.chars().any(seaworthy_core::text::is_unsafe),
            "{shown}"
        );
        assert!(shown.starts_with("archive: l\\x1b[31m\\n::error file=x::forged"));
        // Made without the constructor (a daemon's answer): still escaped when shown.
        let e = ImageError::NotFound {
            what: "img\u{7}".into(),
            message: Some("no\nsuch".into()),
        };
        assert_eq!(e.to_string(), "img\\x07: not found (no\\nsuch)");
    }

    #[test]
    fn tar_header_errors_do_not_quote_the_header() {
        let tar = io::Error::other(
            "numeric field was not a number: \u{1b}[31m\u{7} when getting size for evil\npath",
        );
        let e = ImageError::from_tar("layer 1", 3, tar);
        assert_eq!(
            e.to_string(),
            "layer 1: tar entry 3: malformed tar header: its size field is not a number"
        );
        let e = ImageError::from_read(
            "x",
            io::Error::other("numeric field did not have utf-8 text: \u{ff}"),
        );
        assert_eq!(
            e.to_string(),
            "x: malformed tar header: a numeric field is not a number"
        );
        // Other errors keep their words (ours, or the decoder's).
        let e = ImageError::from_tar("layer 1", 2, io::Error::other("corrupt deflate stream"));
        assert_eq!(
            e.to_string(),
            "layer 1: tar entry 2: corrupt deflate stream"
        );
    }
}

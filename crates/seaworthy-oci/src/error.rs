//! Errors while reading an image. Every error names what it was reading.

use std::io;

/// What went wrong, and whose fault it is: the input (exit 2) or us/the system (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The image (or a file inside it) is malformed, hostile or exceeds a limit.
    #[error("{what}: {message}")]
    BadInput { what: String, message: String },
    /// The reference cannot be found (no such file, image or tag).
    #[error("{what}: not found{}", .message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    NotFound {
        what: String,
        message: Option<String>,
    },
    /// Reading failed for a reason outside the image (disk, network, daemon).
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

impl ImageError {
    pub fn bad(what: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::BadInput {
            what: what.into(),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ImageError::NotFound {
            what: what.into(),
            message: None,
        }
    }

    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        ImageError::Io {
            what: what.into(),
            source,
        }
    }

    /// An I/O error while decoding untrusted data is the data's fault unless the OS says otherwise.
    pub fn from_read(what: impl Into<String>, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::InvalidData
            | io::ErrorKind::UnexpectedEof
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::Other => ImageError::bad(what, source.to_string()),
            _ => ImageError::io(what, source),
        }
    }

    /// True when the input is to blame (exit code 2), false for internal/system failures.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ImageError::Io { .. })
    }
}

pub type Result<T, E = ImageError> = std::result::Result<T, E>;

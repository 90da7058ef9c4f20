//! Compose files → one [`ContainerSpec`] per service, every setting with the line and column
//! of its key. Input is bounded (size, nesting, aliases); variables are interpolated from the
//! process environment and the `.env` file next to the compose file.

mod interpolate;
mod node;
mod service;

use std::fmt;
use std::path::Path;

use seaworthy_core::files::{self, FileError, FileErrorKind, Links};

pub use interpolate::{Env, interpolate, parse_dotenv};
pub use node::{Node, Value};

use crate::spec::ContainerSpec;

/// Compose files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// At most this many services per file.
pub const MAX_SERVICES: usize = 10_000;

/// Why a compose file could not be read: the file and, when known, the position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeError {
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl fmt::Display for ComposeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}: {}", self.path, self.message),
            (Some(l), None) => write!(f, "{}:{l}: {}", self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ComposeError {}

/// Reads a compose file, its `.env` and the process environment.
pub fn load(path: &Path) -> Result<Vec<ContainerSpec>, ComposeError> {
    let shown = path.display().to_string();
    let text = read(path, &shown)?;
    parse(&shown, &text, &env_for(path)?)
}

/// A file that cannot be read; `kind` says what it is ("compose", ".env").
fn file_error(e: &FileError, shown: &str, kind: &str) -> ComposeError {
    ComposeError {
        path: shown.to_string(),
        line: None,
        column: None,
        message: match e.kind {
            FileErrorKind::TooLarge(_) => {
                format!("{kind} files over {MAX_FILE_BYTES} bytes are refused")
            }
            _ => e.message(),
        },
    }
}

/// The text of a compose file (named `shown` in errors): a regular file (never a FIFO or
/// device), refused when over the size limit.
pub fn read(path: &Path, shown: &str) -> Result<String, ComposeError> {
    let bytes = files::read(path, MAX_FILE_BYTES, Links::Follow)
        .map_err(|e| file_error(&e, shown, "compose"))?;
    String::from_utf8(bytes).map_err(|_| ComposeError {
        path: shown.to_string(),
        line: None,
        column: None,
        message: "not UTF-8 text".to_string(),
    })
}

/// The variables a compose file sees: its `.env` (if any), overridden by the environment. A
/// `.env` that is not a regular file (a FIFO, a directory) or is over the size limit is an error
/// naming it; one that is not UTF-8 is ignored, as before.
pub fn env_for(path: &Path) -> Result<Env, ComposeError> {
    let mut env = match path.parent().map(|dir| dir.join(".env")) {
        Some(dotenv) => files::read_optional(&dotenv, MAX_FILE_BYTES, Links::Follow)
            .map_err(|e| file_error(&e, &dotenv.display().to_string(), ".env"))?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|t| parse_dotenv(&t))
            .unwrap_or_default(),
        None => Env::default(),
    };
    env.extend(std::env::vars());
    Ok(env)
}

/// Parses compose text (named `path` in locations and errors) with the given variables.
pub fn parse(path: &str, text: &str, env: &Env) -> Result<Vec<ContainerSpec>, ComposeError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(ComposeError {
            path: path.to_string(),
            line: None,
            column: None,
            message: format!("compose files over {MAX_FILE_BYTES} bytes are refused"),
        });
    }
    let root = node::parse(text).map_err(|e| {
        let loc = e.location();
        ComposeError {
            path: path.to_string(),
            line: loc
                .map(|l| u32::try_from(l.line()).unwrap_or(0))
                .filter(|l| *l > 0),
            column: loc
                .map(|l| u32::try_from(l.column()).unwrap_or(0))
                .filter(|c| *c > 0),
            message: format!("invalid YAML: {}", first_line(&e.to_string())),
        }
    })?;
    service::services(path, &root, env)
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

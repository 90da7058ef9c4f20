//! Compose files → one [`ContainerSpec`] per service, every setting with the line and column
//! of its key. Input is bounded (size, nesting, aliases); variables are interpolated from the
//! process environment and the `.env` file next to the compose file.

mod interpolate;
mod node;
mod service;

use std::fmt;
use std::path::Path;

use seaworthy_core::files::{self, FileError, FileErrorKind, Links};

pub use interpolate::{Env, has_variables, interpolate, parse_dotenv};
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

/// `text`, the compose file `specs` were read from, as a code frame may show it: every
/// environment value holding a secret (see `SW-CTR-SECRET-001`) masked where it is written
/// (the rest of its entry's line) and wherever else it occurs. The first characters stay (at
/// most 4, at most a third), the rest become `*`, one per character, so columns stay.
pub fn redact(text: &str, specs: &[ContainerSpec]) -> String {
    let mut values = Vec::new();
    let mut lines = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    for spec in specs {
        for (var, _) in crate::rules::env_secrets::secrets(spec) {
            values.extend(var.value.clone());
            if let (Some(line), Some(column)) = (var.at.line, var.at.column) {
                lines.entry(line).or_default().push(column);
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let columns = u32::try_from(i + 1).ok().and_then(|n| lines.get(&n));
        match columns.and_then(|c| c.iter().min()) {
            Some(&column) => out.push_str(&mask_entry(line, column)),
            None => out.push_str(line),
        }
    }
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in values.iter().filter(|v| !v.trim().is_empty()) {
        out = out.replace(v.as_str(), &stars(v));
    }
    out
}

/// `line` with the value of the entry starting at `column` (after its `:` or `=`) masked, to
/// the end of the line.
fn mask_entry(line: &str, column: u32) -> String {
    let start = line
        .char_indices()
        .nth(usize::try_from(column.saturating_sub(1)).unwrap_or(0))
        .map_or(line.len(), |(i, _)| i);
    let Some(sep) = line[start..].find([':', '=']).map(|i| start + i + 1) else {
        return line.to_string();
    };
    let body = line[sep..].trim_end_matches(['\r', '\n']);
    let rest = body.trim_start();
    let at = sep + (body.len() - rest.len());
    // A quoted value ends at its quote; a plain one at a comment (` #`) or the line's end, and
    // inside a flow collection (`{A: x, B: y}`) at its `,`, `}` or `]`.
    let flow = line[..start].contains(['{', '[']);
    let (at, value) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = &rest[1..];
            (at + 1, inner.find(q).map_or(inner, |end| &inner[..end]))
        }
        _ => {
            let plain = rest.split(" #").next().unwrap_or(rest);
            let plain = if flow {
                plain.split([',', '}', ']']).next().unwrap_or(plain)
            } else {
                plain
            };
            (at, plain.trim_end())
        }
    };
    if value.is_empty() {
        return line.to_string();
    }
    format!(
        "{}{}{}",
        &line[..at],
        stars(value),
        &line[at + value.len()..]
    )
}

/// A secret with its first characters kept and one `*` for each of the others.
fn stars(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = (n / 3).min(4);
    secret
        .chars()
        .take(shown)
        .chain(std::iter::repeat_n('*', n - shown))
        .collect()
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

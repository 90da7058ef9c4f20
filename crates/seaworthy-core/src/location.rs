use serde::{Deserialize, Serialize};

/// A 1-based line and column (columns count Unicode scalar values) plus the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub offset: u32,
}

/// A half-open region of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// Where a finding is. Areas add their own kinds; every kind renders as one stable string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// A region of a text file (Dockerfile, compose file, config).
    File { path: String, span: Span },
}

impl Location {
    pub fn path(&self) -> &str {
        match self {
            Location::File { path, .. } => path,
        }
    }

    /// `path:line:col`, the form editors and CI annotations understand.
    pub fn display(&self) -> String {
        match self {
            Location::File { path, span } => {
                format!("{path}:{}:{}", span.start.line, span.start.column)
            }
        }
    }
}

//! A Dockerfile parser that follows BuildKit's rules and never panics on hostile input.

pub mod ast;
mod instruction;
pub mod lexer;
pub mod source;
pub mod words;

use std::fmt;

pub use ast::*;
pub use lexer::{Comment, Directives, Heredoc};
pub use source::{LineIndex, SourceMap, TextRange};

/// Why a file is not a Dockerfile we can lint, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl ParseError {
    pub fn new(line: Option<u32>, message: impl Into<String>) -> Self {
        ParseError {
            line,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(line: u32, column: u32, message: impl Into<String>) -> Self {
        ParseError {
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            (Some(l), None) => write!(f, "{l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// A parsed Dockerfile: its text, directives, comments and instructions.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub source: String,
    pub index: LineIndex,
    pub directives: Directives,
    pub comments: Vec<Comment>,
    pub instructions: Vec<Instruction>,
}

impl Dockerfile {
    /// Parses raw bytes (BOM, CRLF, `# escape=` handled; binary and non-UTF-8 refused).
    pub fn parse(bytes: &[u8]) -> Result<Dockerfile, ParseError> {
        let text = source::decode(bytes)?;
        Self::parse_str(text)
    }

    pub fn parse_str(text: &str) -> Result<Dockerfile, ParseError> {
        let lexed = lexer::lex(text)?;
        if lexed.lines.len() > source::MAX_INSTRUCTIONS {
            return Err(ParseError::new(
                None,
                format!(
                    "{} instructions, more than the {} a Dockerfile may have (the instruction \
                     limit)",
                    lexed.lines.len(),
                    source::MAX_INSTRUCTIONS
                ),
            ));
        }
        let index = LineIndex::new(text);
        let escape = lexed.directives.escape;
        let mut instructions = Vec::with_capacity(lexed.lines.len());
        for line in lexed.lines {
            let at = |offset: usize, map: &SourceMap| index.position(text, map.to_source(offset));
            let instruction = instruction::parse(line, escape).map_err(|e| {
                let p = at(e.offset, &e.map);
                ParseError::at(p.line, p.column, e.message)
            })?;
            instructions.push(instruction);
        }
        if instructions.is_empty() {
            return Err(ParseError::new(
                None,
                "no instructions: the file is empty or holds only comments",
            ));
        }
        let first_non_arg = instructions
            .iter()
            .find(|i| !matches!(i.kind, Kind::Arg(_)));
        if let Some(i) = first_non_arg.filter(|i| !matches!(i.kind, Kind::From(_))) {
            let p = index.position(text, i.keyword_range.start);
            return Err(ParseError::at(
                p.line,
                p.column,
                format!(
                    "{} before the first FROM (only ARG may come before FROM)",
                    i.keyword.as_str()
                ),
            ));
        }
        if first_non_arg.is_none() {
            return Err(ParseError::new(None, "no FROM instruction"));
        }
        Ok(Dockerfile {
            source: text.to_string(),
            index,
            directives: lexed.directives,
            comments: lexed.comments,
            instructions,
        })
    }

    pub fn escape(&self) -> char {
        self.directives.escape
    }

    pub fn span(&self, range: TextRange) -> seaworthy_core::Span {
        self.index.span(&self.source, range)
    }

    /// The source text of a range (empty when out of bounds).
    pub fn slice(&self, range: TextRange) -> &str {
        self.source
            .get(range.start as usize..range.end as usize)
            .unwrap_or("")
    }
}

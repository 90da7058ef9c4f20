//! What a history entry's `created_by` says about the instruction that wrote it.
//!
//! Builders record instructions in three shapes (all checked against real images or the
//! builders' sources; see `tests/provenance.rs`):
//! - classic builder, metadata: `/bin/sh -c #(nop)  ENV A=b`, `/bin/sh -c #(nop) COPY
//!   file:<sha256> in /dest ` (the shell prefix follows SHELL);
//! - classic builder, RUN: `/bin/sh -c apt-get …`, `|2 A=1 B=2 /bin/sh -c …` when build
//!   arguments are in scope, `|1 A=1 /bin/true x` for the exec form;
//! - BuildKit: `RUN /bin/sh -c … # buildkit`, `RUN |1 A=1 /bin/sh -c … # buildkit`,
//!   `COPY --chown=1:1 src /dest # buildkit`, `ENV A=b`, `WORKDIR /x`, `ARG X=1`,
//!   `EXPOSE map[80/tcp:{}]` (older) or `EXPOSE [80/tcp]`.

use crate::parser::Keyword;

/// Longest `created_by` text we look at; the rest of a longer one is ignored.
pub const MAX_CREATED_BY: usize = 256 * 1024;

/// A `created_by` text split into the instruction keyword and its normalised arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub keyword: Keyword,
    /// Arguments with runs of whitespace collapsed to one space; for RUN the command line after
    /// any `|N K=V …` build-argument prefix is kept in it (matching looks at its end).
    pub args: String,
    /// The entry came from the classic builder's `#(nop)` form.
    pub classic_nop: bool,
}

/// Reads one `created_by`; `None` when it names no instruction (empty, or `docker import`).
pub fn parse(created_by: &str) -> Option<Recorded> {
    let mut end = created_by.len().min(MAX_CREATED_BY);
    while !created_by.is_char_boundary(end) {
        end -= 1;
    }
    let text = collapse(&created_by[..end]);
    let text = text.strip_suffix("# buildkit").unwrap_or(&text).trim_end();
    if text.is_empty() {
        return None;
    }
    if let Some(at) = text.find("#(nop) ") {
        let rest = text[at + "#(nop) ".len()..].trim_start();
        let (word, args) = split_first(rest);
        let keyword = Keyword::parse(word).filter(|_| is_upper(word))?;
        return Some(Recorded {
            keyword,
            args: args.to_string(),
            classic_nop: true,
        });
    }
    let (word, args) = split_first(text);
    if let Some(keyword) = Keyword::parse(word).filter(|_| is_upper(word)) {
        return Some(Recorded {
            keyword,
            args: args.to_string(),
            classic_nop: false,
        });
    }
    // The classic builder writes RUN as the bare command line.
    Some(Recorded {
        keyword: Keyword::Run,
        args: text.to_string(),
        classic_nop: false,
    })
}

fn split_first(text: &str) -> (&str, &str) {
    match text.split_once(' ') {
        Some((first, rest)) => (first, rest.trim()),
        None => (text, ""),
    }
}

fn is_upper(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_uppercase())
}

/// Trims and collapses every run of whitespace (spaces, tabs, newlines) into one space.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

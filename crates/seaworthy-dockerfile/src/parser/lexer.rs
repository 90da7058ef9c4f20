//! Source text to logical lines: parser directives, comments, line continuations (comment and
//! empty lines inside them dropped, as BuildKit does) and heredoc bodies.

use super::ParseError;
use super::source::{SourceMap, TextRange};
use super::words::{split_raw, unquote};

/// Parser directives from the top of the file (`# syntax=`, `# escape=`, `# check=`).
#[derive(Debug, Clone)]
pub struct Directives {
    pub escape: char,
    pub syntax: Option<String>,
    pub check: Option<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            escape: '\\',
            syntax: None,
            check: None,
        }
    }
}

/// A `#` comment line (directives are not comments).
#[derive(Debug, Clone)]
pub struct Comment {
    /// Text after `#`, trimmed.
    pub text: String,
    pub range: TextRange,
    pub line: u32,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone)]
pub struct Heredoc {
    pub delimiter: String,
    /// `<<"EOF"` or `<<'EOF'`: no expansion in the body.
    pub quoted: bool,
    /// `<<-EOF`: leading tabs stripped.
    pub strip_tabs: bool,
    /// The `<<EOF` word in the logical line (offsets of the logical text).
    pub marker: (usize, usize),
    /// Body lines (tabs stripped for `<<-`), each ending in `\n`.
    pub body: String,
    /// Source offset of each body line's first kept byte.
    pub body_map: SourceMap,
    pub body_range: TextRange,
}

/// One instruction as it stands in the file, before its arguments are parsed.
#[derive(Debug, Clone)]
pub struct LogicalLine {
    /// Keyword and arguments with continuations and inner comment lines removed.
    pub text: String,
    /// Maps offsets of `text` to the source.
    pub map: SourceMap,
    /// Source range from the keyword to the end of the last line, heredocs included.
    pub range: TextRange,
    pub line: u32,
    pub heredocs: Vec<Heredoc>,
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub directives: Directives,
    pub lines: Vec<LogicalLine>,
    pub comments: Vec<Comment>,
}

struct Line<'a> {
    start: usize,
    /// Without `\n` and a trailing `\r`.
    text: &'a str,
    number: u32,
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n')
        .zip(1u32..)
        .map(move |(raw, number)| {
            let line = Line {
                start,
                text: raw
                    .strip_suffix('\n')
                    .unwrap_or(raw)
                    .strip_suffix('\r')
                    .unwrap_or_else(|| raw.strip_suffix('\n').unwrap_or(raw)),
                number,
            };
            start += raw.len();
            line
        })
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `# key=value` at the top of the file.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let eq = rest.find('=')?;
    let key = rest[..eq].trim_end();
    let mut key_chars = key.chars();
    let first_ok = key_chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !key_chars.all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = rest[eq + 1..].trim();
    (!value.is_empty()).then(|| (key.to_ascii_lowercase(), value.to_string()))
}

/// Strips a trailing escape character (plus trailing blanks); `None` if the line does not continue.
fn continued(line: &str, escape: char) -> Option<&str> {
    line.trim_end_matches([' ', '\t']).strip_suffix(escape)
}

struct Pending {
    line: LogicalLine,
    end: usize,
}

pub fn lex(text: &str) -> Result<Lexed, ParseError> {
    let mut out = Lexed::default();
    let mut directives_open = true;
    let mut seen_directives: Vec<String> = Vec::new();
    let mut current: Option<Pending> = None;
    // Heredocs still to read for the instruction in `current`, and the one being read.
    let mut heredocs: Vec<Heredoc> = Vec::new();
    let mut reading: usize = 0;

    for line in lines(text) {
        let line_end = line.start + line.text.len();
        if reading < heredocs.len() {
            let doc = &mut heredocs[reading];
            let kept = if doc.strip_tabs {
                line.text.trim_start_matches('\t')
            } else {
                line.text
            };
            if kept == doc.delimiter {
                reading += 1;
                if let Some(p) = current.as_mut() {
                    p.end = line_end;
                }
                if reading == heredocs.len() {
                    finish(&mut out, current.take(), std::mem::take(&mut heredocs));
                    reading = 0;
                }
            } else {
                let skipped = line.text.len() - kept.len();
                if doc.body.is_empty() {
                    doc.body_range.start = super::source::to_u32(line.start + skipped);
                }
                doc.body_map.push(doc.body.len(), line.start + skipped);
                doc.body.push_str(kept);
                doc.body.push('\n');
                doc.body_range.end = super::source::to_u32(line_end);
            }
            continue;
        }

        let escape = out.directives.escape;
        if let Some(mut p) = current.take() {
            if is_comment(line.text) {
                out.comments.push(comment(&line));
                current = Some(p);
                continue;
            }
            if line.text.trim().is_empty() {
                current = Some(p);
                continue;
            }
            let (piece, more) = match continued(line.text, escape) {
                Some(s) => (s, true),
                None => (line.text, false),
            };
            p.line.map.push(p.line.text.len(), line.start);
            p.line.text.push_str(piece);
            p.end = line_end;
            if more {
                current = Some(p);
            } else {
                start_heredocs(p, &mut out, &mut current, &mut heredocs, escape)?;
            }
            continue;
        }

        if directives_open {
            if let Some((key, value)) = directive(line.text)
                && matches!(key.as_str(), "syntax" | "escape" | "check")
            {
                if seen_directives.contains(&key) {
                    return Err(ParseError::at(
                        line.number,
                        1,
                        format!("the `{key}` parser directive is given twice"),
                    ));
                }
                match key.as_str() {
                    "escape" => {
                        out.directives.escape = match value.as_str() {
                            "\\" => '\\',
                            "`" => '`',
                            _ => {
                                return Err(ParseError::at(
                                    line.number,
                                    1,
                                    format!("invalid escape token `{value}` (must be ` or \\)"),
                                ));
                            }
                        }
                    }
                    "syntax" => out.directives.syntax = Some(value),
                    _ => out.directives.check = Some(value),
                }
                seen_directives.push(key);
                continue;
            }
            directives_open = false;
        }
        if line.text.trim().is_empty() {
            continue;
        }
        if is_comment(line.text) {
            out.comments.push(comment(&line));
            continue;
        }
        let lead = line.text.len() - line.text.trim_start().len();
        let body = &line.text[lead..];
        let (piece, more) = match continued(body, escape) {
            Some(s) => (s, true),
            None => (body, false),
        };
        let mut map = SourceMap::default();
        map.push(0, line.start + lead);
        let p = Pending {
            line: LogicalLine {
                text: piece.to_string(),
                map,
                range: TextRange::new(line.start + lead, line_end),
                line: line.number,
                heredocs: Vec::new(),
            },
            end: line_end,
        };
        if more {
            current = Some(p);
        } else {
            start_heredocs(p, &mut out, &mut current, &mut heredocs, escape)?;
        }
    }

    if let Some(doc) = heredocs.get(reading) {
        let start = current
            .as_ref()
            .map(|p| p.line.map.to_source(doc.marker.0))
            .unwrap_or(0);
        let pos = super::source::LineIndex::new(text).position(text, start);
        return Err(ParseError::at(
            pos.line,
            pos.column,
            format!(
                "unterminated heredoc: no line `{}` closes it before the end of the file",
                doc.delimiter
            ),
        ));
    }
    // A continuation at the end of the file ends the instruction (BuildKit does the same).
    finish(&mut out, current.take(), Vec::new());
    Ok(out)
}

fn comment(line: &Line<'_>) -> Comment {
    let trimmed = line.text.trim_start();
    let lead = line.text.len() - trimmed.len();
    Comment {
        text: trimmed.trim_start_matches('#').trim().to_string(),
        range: TextRange::new(line.start + lead, line.start + line.text.len()),
        line: line.number,
    }
}

fn finish(out: &mut Lexed, pending: Option<Pending>, heredocs: Vec<Heredoc>) {
    if let Some(mut p) = pending {
        p.line.range.end = super::source::to_u32(p.end);
        p.line.heredocs = heredocs;
        out.lines.push(p.line);
    }
}

/// After a logical line ends: read its heredoc markers, or finish it.
fn start_heredocs(
    p: Pending,
    out: &mut Lexed,
    current: &mut Option<Pending>,
    heredocs: &mut Vec<Heredoc>,
    escape: char,
) -> Result<(), ParseError> {
    let found = heredoc_markers(&p.line.text, escape);
    if found.is_empty() {
        finish(out, Some(p), Vec::new());
    } else {
        *heredocs = found;
        *current = Some(p);
    }
    Ok(())
}

/// Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) of a RUN, COPY or ADD line.
pub fn heredoc_markers(text: &str, escape: char) -> Vec<Heredoc> {
    let words = split_raw(text, escape);
    let mut words = words.iter().map(|w| (w, &text[w.start..w.end]));
    let Some((_, mut keyword)) = words.next() else {
        return Vec::new();
    };
    if keyword.eq_ignore_ascii_case("ONBUILD") {
        match words.next() {
            Some((_, k)) => keyword = k,
            None => return Vec::new(),
        }
    }
    if !["RUN", "COPY", "ADD"]
        .iter()
        .any(|k| keyword.eq_ignore_ascii_case(k))
    {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (w, raw) in words {
        let rest = raw.trim_start_matches(|c: char| c.is_ascii_digit());
        let Some(rest) = rest.strip_prefix("<<") else {
            continue;
        };
        let (strip_tabs, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.is_empty() || rest.starts_with('<') {
            continue;
        }
        let quoted = rest.contains(['"', '\'']);
        let delimiter = unquote(rest, escape);
        if delimiter.is_empty() {
            continue;
        }
        found.push(Heredoc {
            delimiter,
            quoted,
            strip_tabs,
            marker: (w.start, w.end),
            body: String::new(),
            body_map: SourceMap::default(),
            body_range: TextRange::default(),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_drop_comments_and_blank_lines() {
        let src = "FROM a\nRUN a \\\n  # note\n\n  && b\n";
        let lexed = lex(src).ok().unwrap_or_default();
        assert_eq!(lexed.lines[1].text, "RUN a   && b");
        assert_eq!(lexed.comments.len(), 1);
        let b = lexed.lines[1].text.find('b').unwrap_or(0);
        assert_eq!(&src[lexed.lines[1].map.to_source(b) as usize..][..1], "b");
    }

    #[test]
    fn directives_only_at_top() {
        let lexed = lex("# escape=`\n# syntax=docker/dockerfile:1\nFROM a\n# escape=\\\n")
            .ok()
            .unwrap_or_default();
        assert_eq!(lexed.directives.escape, '`');
        assert_eq!(
            lexed.directives.syntax.as_deref(),
            Some("docker/dockerfile:1")
        );
        assert_eq!(lexed.comments.len(), 1);
    }

    #[test]
    fn several_heredocs() {
        let src = "RUN <<A cat - <<-\"B\"\none\nA\n\ttwo\n\tB\nCMD x\n";
        let lexed = lex(src).ok().unwrap_or_default();
        let docs = &lexed.lines[0].heredocs;
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].body.as_str(), docs[0].quoted), ("one\n", false));
        assert_eq!((docs[1].body.as_str(), docs[1].quoted), ("two\n", true));
        assert_eq!(lexed.lines[1].text, "CMD x");
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let err = lex("FROM a\nRUN <<EOF\necho\n").err();
        assert_eq!(err.map(|e| (e.line, e.column)), Some((Some(2), Some(5))));
    }
}

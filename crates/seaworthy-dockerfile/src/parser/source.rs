//! Raw bytes to checked text, and byte offsets to line/column positions.

use seaworthy_core::{Position, Span};

use super::ParseError;

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// A Dockerfile line longer than this is not a Dockerfile.
pub const MAX_LINE_BYTES: usize = 256 * 1024;
/// Most instructions in one Dockerfile. Each costs about 2 KiB once parsed and analysed (a
/// RUN's script, its findings); 8 MiB of one-word RUN lines would be a million of them.
pub const MAX_INSTRUCTIONS: usize = 100_000;

/// Checks that `bytes` are a plausible Dockerfile text and returns it without a UTF-8 BOM.
pub fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ParseError::new(
            None,
            format!(
                "file is {} bytes, larger than the {} byte limit for a Dockerfile",
                bytes.len(),
                MAX_FILE_BYTES
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = line_col_of_bytes(bytes, at);
        return Err(ParseError::at(
            line,
            column,
            "binary file: NUL byte (not a Dockerfile)",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = line_col_of_bytes(bytes, e.valid_up_to());
            return Err(ParseError::at(
                line,
                column,
                "invalid UTF-8 (Dockerfiles must be UTF-8 text)",
            ));
        }
    };
    for (line, line_no) in text.split('\n').zip(1u32..) {
        if line.len() > MAX_LINE_BYTES {
            return Err(ParseError::at(
                line_no,
                1,
                format!(
                    "line is {} bytes long, over the {} byte limit",
                    line.len(),
                    MAX_LINE_BYTES
                ),
            ));
        }
    }
    Ok(text)
}

fn line_col_of_bytes(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (to_u32(line), to_u32(column))
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Maps byte offsets of one text to 1-based line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| to_u32(i + 1)),
        );
        LineIndex { starts }
    }

    /// Position of byte `offset` in `text` (clamped to the text, snapped to a char boundary).
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let mut offset = (offset as usize).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s as usize <= offset);
        let start = self.starts[line.saturating_sub(1)] as usize;
        let column = text[start..offset].chars().count() + 1;
        Position {
            line: to_u32(line),
            column: to_u32(column),
            offset: to_u32(offset),
        }
    }

    pub fn span(&self, text: &str, range: TextRange) -> Span {
        Span {
            start: self.position(text, range.start),
            end: self.position(text, range.end),
        }
    }

    /// Byte range of line `line` (1-based) without its line break.
    pub fn line_range(&self, text: &str, line: u32) -> Option<TextRange> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let mut end = self.starts.get(i + 1).map_or(to_u32(text.len()), |s| s - 1);
        if text.as_bytes().get(end.saturating_sub(1) as usize) == Some(&b'\r') && end > start {
            end -= 1;
        }
        Some(TextRange { start, end })
    }
}

/// A byte range of the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        TextRange {
            start: to_u32(start),
            end: to_u32(end.max(start)),
        }
    }

    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Maps offsets of a derived text (a logical line with continuations removed, or a RUN script
/// rebuilt with its heredocs) back to offsets of the source.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// (derived offset, source offset) at the start of each contiguous piece, ascending.
    pieces: Vec<(u32, u32)>,
}

impl SourceMap {
    pub fn push(&mut self, derived: usize, source: usize) {
        self.pieces.push((to_u32(derived), to_u32(source)));
    }

    pub fn to_source(&self, derived: usize) -> u32 {
        let d = to_u32(derived);
        let i = self.pieces.partition_point(|&(start, _)| start <= d);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some(&(start, src)) => src + (d - start),
            None => self.pieces.first().map_or(0, |p| p.1),
        }
    }

    pub fn range(&self, start: usize, end: usize) -> TextRange {
        let s = self.to_source(start);
        let e = if end > start {
            self.to_source(end - 1) + 1
        } else {
            s
        };
        TextRange {
            start: s,
            end: e.max(s),
        }
    }

    /// A map for `text[from..]` of the derived text, rebased to 0.
    pub fn shifted(&self, from: usize) -> SourceMap {
        let mut out = SourceMap::default();
        out.push(0, self.to_source(from) as usize);
        let f = to_u32(from);
        for &(start, src) in &self.pieces {
            if start > f {
                out.pieces.push((start - f, src));
            }
        }
        out
    }

    /// Appends `other` (a map of a text that starts at `at` in the derived text).
    pub fn append(&mut self, at: usize, other: &SourceMap) {
        let at = to_u32(at);
        self.pieces
            .extend(other.pieces.iter().map(|&(d, s)| (d + at, s)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_chars_and_lines() {
        let text = "FROM a\nRUN é x\n";
        let idx = LineIndex::new(text);
        let p = idx.position(text, text.find('x').unwrap_or(0) as u32);
        assert_eq!((p.line, p.column), (2, 7));
        assert_eq!(idx.position(text, 0).line, 1);
    }

    #[test]
    fn decode_rejects_binary_and_bad_utf8() {
        assert!(decode(b"FROM a\n\0").is_err());
        let e = decode(b"FROM a\nRUN \xff")
            .err()
            .map(|e| (e.line, e.column));
        assert_eq!(e, Some((Some(2), Some(5))));
        assert_eq!(decode(b"\xEF\xBB\xBFFROM a").ok(), Some("FROM a"));
    }

    #[test]
    fn source_map_follows_pieces() {
        let mut m = SourceMap::default();
        m.push(0, 10);
        m.push(5, 30);
        assert_eq!(m.to_source(2), 12);
        assert_eq!(m.to_source(6), 31);
        assert_eq!(m.shifted(6).to_source(0), 31);
    }
}

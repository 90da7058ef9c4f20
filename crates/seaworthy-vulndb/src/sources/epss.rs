//! FIRST's EPSS scores (`epss_scores-current.csv.gz`, plain CSV too): a first line
//! `#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z` (kept in the database's `meta`),
//! the header `cve,epss,percentile`, then one row per CVE: `CVE-2021-44228,0.94358,0.99956`.
//! Scores and percentiles must be finite and in [0, 1]; any other row is skipped and counted.
//! A file without the header, or a gzip stream that is cut short, is an error. Read line by line:
//! a line longer than [`MAX_LINE`] is skipped without being kept.

use std::io::{BufRead, BufReader};

use super::{Capped, FeedError, Parsed, is_gzip};
use crate::intel::{EpssScore, bounded, cve_id};

/// Source name of the scores this parser returns.
pub const SOURCE: &str = "epss";
/// Most rows read (the daily file holds ~300,000).
pub const MAX_ROWS: usize = 5_000_000;
/// Longest line read (a row is ~30 bytes).
pub const MAX_LINE: usize = 1024;
/// Most a compressed file may inflate to.
const MAX_INFLATED: u64 = 1 << 30;

/// `meta` keys written from the first line.
pub const META_MODEL_VERSION: &str = "epss_model_version";
pub const META_SCORE_DATE: &str = "epss_score_date";

/// Reads one EPSS scores file (gzip or plain CSV).
pub fn parse(bytes: &[u8], file: &str) -> Result<Parsed, FeedError> {
    if is_gzip(bytes) {
        let inner = Capped {
            inner: flate2::read::GzDecoder::new(bytes),
            left: MAX_INFLATED,
        };
        parse_lines(BufReader::with_capacity(64 * 1024, inner), file)
    } else {
        parse_lines(bytes, file)
    }
}

fn parse_lines(mut reader: impl BufRead, file: &str) -> Result<Parsed, FeedError> {
    let mut parsed = Parsed::default();
    let mut line = Vec::with_capacity(MAX_LINE);
    let mut number = 0usize;
    let mut header = false;
    let mut rows = 0usize;
    let io = |e: std::io::Error| {
        FeedError::new(
            file,
            format!("EPSS scores cannot be read (truncated or corrupt gzip?): {e}"),
        )
    };
    while let Some(whole) = next_line(&mut reader, &mut line).map_err(io)? {
        number += 1;
        if !whole {
            if header {
                parsed.skip(format!("line {number}: longer than {MAX_LINE} bytes"));
                continue;
            }
            return Err(FeedError::new(
                file,
                format!("line {number}: longer than {MAX_LINE} bytes before the header"),
            ));
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            if header {
                parsed.skip(format!("line {number}: not UTF-8"));
                continue;
            }
            return Err(FeedError::new(
                file,
                "not an EPSS scores CSV (not UTF-8 text)",
            ));
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        if !header {
            if let Some(comment) = text.strip_prefix('#') {
                meta(comment, &mut parsed);
                continue;
            }
            let columns: Vec<&str> = text.split(',').map(str::trim).collect();
            if columns.len() == 3
                && columns[0].eq_ignore_ascii_case("cve")
                && columns[1].eq_ignore_ascii_case("epss")
                && columns[2].eq_ignore_ascii_case("percentile")
            {
                header = true;
                continue;
            }
            return Err(FeedError::new(
                file,
                format!(
                    "not an EPSS scores CSV: line {number} is not the `cve,epss,percentile` header"
                ),
            ));
        }
        if text.starts_with('#') {
            continue;
        }
        if rows >= MAX_ROWS {
            parsed.skip(format!("line {number}: more than {MAX_ROWS} rows"));
            continue;
        }
        rows += 1;
        match row(text) {
            Ok(r) => parsed.intel.epss.push(r),
            Err(what) => parsed.skip(format!("line {number}: {what}")),
        }
    }
    if !header {
        return Err(FeedError::new(
            file,
            "not an EPSS scores CSV: no `cve,epss,percentile` header",
        ));
    }
    Ok(parsed)
}

/// The next line without its end into `line`: `Some(true)` when whole, `Some(false)` when it was
/// longer than [`MAX_LINE`] (the rest is read and dropped), `None` at the end.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut whole = true;
    let mut any = false;
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(any.then_some(whole));
        }
        any = true;
        let (chunk, used, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], i + 1, true),
            None => (buf, buf.len(), false),
        };
        if whole {
            if line.len() + chunk.len() > MAX_LINE {
                whole = false;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if end {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Some(whole));
        }
    }
}

/// `model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z`.
fn meta(comment: &str, parsed: &mut Parsed) {
    for part in comment.split(',') {
        let Some((key, value)) = part.split_once(':') else {
            continue;
        };
        let key = match key.trim() {
            "model_version" => META_MODEL_VERSION,
            "score_date" => META_SCORE_DATE,
            _ => continue,
        };
        if let Some(value) = bounded(value, 64) {
            parsed.intel.meta.push((key.to_string(), value));
        }
    }
}

fn row(text: &str) -> Result<(String, EpssScore), &'static str> {
    let mut fields = text.split(',').map(str::trim);
    let (Some(cve), Some(score), Some(percentile), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("not three fields");
    };
    let cve = cve_id(cve).ok_or("not a CVE id")?;
    let unit = |s: &str| {
        s.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && (0.0..=1.0).contains(v))
    };
    let score = unit(score).ok_or("score is not a number in [0, 1]")?;
    let percentile = unit(percentile).ok_or("percentile is not a number in [0, 1]")?;
    Ok((cve, EpssScore { score, percentile }))
}

/// Whether the first bytes (inflated when gzip) look like an EPSS scores CSV.
pub fn sniff(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with("#model_version:")
        || text
            .get(..19)
            .is_some_and(|h| h.eq_ignore_ascii_case("cve,epss,percentile"))
}

//! Private key blocks: `-----BEGIN … PRIVATE KEY-----` (PEM, OpenSSH) and
//! `-----BEGIN PGP PRIVATE KEY BLOCK-----`, with a key body after the header. A header alone
//! (`echo '-----BEGIN RSA PRIVATE KEY-----'`, a grep pattern) is not a key.

use crate::pattern::Range;

const BEGIN: &str = "-----BEGIN ";
/// Longest label between `-----BEGIN ` and the anchor (`ENCRYPTED `, `RSA `).
const MAX_LABEL: usize = 24;
/// A body shorter than this many base64 characters is a stub, not a key.
const MIN_BODY: usize = 16;
/// Bound on the body scanned (an RSA-8192 PEM is ~6.5 KiB).
const MAX_BODY: usize = 64 * 1024;

/// PEM private keys of any label but OpenSSH's and PGP's (`RSA`, `EC`, `DSA`, `ENCRYPTED`,
/// none). Each matcher sees the `PRIVATE KEY` anchor.
pub(crate) fn pem(text: &str, start: usize, end: usize) -> Option<Range> {
    let (begin, label) = label(text, start)?;
    if matches!(label, "OPENSSH " | "PGP ")
        || !label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ')
    {
        return None;
    }
    closed(text, end, "-----").and_then(|e| with_body(text, begin, e))
}

/// `-----BEGIN OPENSSH PRIVATE KEY-----`.
pub(crate) fn openssh(text: &str, start: usize, end: usize) -> Option<Range> {
    let (begin, label) = label(text, start)?;
    (label == "OPENSSH ")
        .then(|| closed(text, end, "-----"))
        .flatten()
        .and_then(|e| with_body(text, begin, e))
}

/// `-----BEGIN PGP PRIVATE KEY BLOCK-----`.
pub(crate) fn pgp(text: &str, start: usize, end: usize) -> Option<Range> {
    let (begin, label) = label(text, start)?;
    (label == "PGP ")
        .then(|| closed(text, end, " BLOCK-----"))
        .flatten()
        .and_then(|e| with_body(text, begin, e))
}

/// Where the header ends if `text[end..]` starts with `close`.
fn closed(text: &str, end: usize, close: &str) -> Option<usize> {
    text.get(end..)?
        .starts_with(close)
        .then_some(end + close.len())
}

/// Where `-----BEGIN ` starts before the anchor at `anchor`, and the label between them.
fn label(text: &str, anchor: usize) -> Option<(usize, &str)> {
    let begin = header_start(text, anchor)?;
    Some((begin, text.get(begin + BEGIN.len()..anchor)?))
}

/// The header line of the key block at `range` (what a report may show).
pub(crate) fn header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix(BEGIN)?;
    let close = rest.find("-----")?;
    value.get(..BEGIN.len() + close + 5)
}

/// Where `-----BEGIN ` starts, a short label before the anchor at `anchor`.
fn header_start(text: &str, anchor: usize) -> Option<usize> {
    let from =
        crate::matchers::floor_boundary(text, anchor.saturating_sub(BEGIN.len() + MAX_LABEL));
    let before = text.get(from..anchor)?;
    let at = before.rfind(BEGIN)?;
    Some(from + at)
}

/// The block from `begin` through its body (and `-----END …-----` when present), if the body
/// has at least [`MIN_BODY`] base64 characters. Literal `\n` escapes (JSON, `echo -e`) count
/// as line breaks; armor headers (`Proc-Type:`, `DEK-Info:`, `Version:`) are allowed.
fn with_body(text: &str, begin: usize, header_end: usize) -> Option<Range> {
    let bytes = text.as_bytes();
    let limit = (header_end + MAX_BODY).min(bytes.len());
    let mut i = header_end;
    let mut body = 0usize;
    let mut end = header_end;
    while i < limit {
        let b = bytes.get(i).copied()?;
        if b == b'-' && bytes.get(i..).is_some_and(|r| r.starts_with(b"-----BEGIN")) {
            break;
        }
        if b == b'-' && bytes.get(i..).is_some_and(|r| r.starts_with(b"-----END ")) {
            let rest = text.get(i + 9..limit)?;
            end = match rest.find("-----") {
                Some(close) if close <= 40 => i + 9 + close + 5,
                _ => i,
            };
            break;
        }
        let ok = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'+' | b'/'
                    | b'='
                    | b'\r'
                    | b'\n'
                    | b' '
                    | b'\t'
                    | b':'
                    | b','
                    | b'-'
                    | b'.'
                    | b'\\'
            );
        if !ok {
            break;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/') {
            // `\n` escapes are separators, not body.
            let escaped = i > 0 && bytes.get(i - 1) == Some(&b'\\') && matches!(b, b'n' | b'r');
            if !escaped {
                body += 1;
            }
        }
        i += 1;
        end = i;
    }
    if body < MIN_BODY {
        return None;
    }
    // Trailing separators are not part of the key.
    let value = text.get(begin..end)?;
    let trimmed = value.trim_end_matches(['\r', '\n', ' ', '\t', '\\']);
    Some((begin, begin + trimmed.len()))
}

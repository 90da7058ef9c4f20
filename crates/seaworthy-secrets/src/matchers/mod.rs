//! Confirmers for anchor hits and whole-file parsers, grouped by the context they read.

pub(crate) mod assignment;
pub(crate) mod files;
pub(crate) mod json;
pub(crate) mod private_key;
pub(crate) mod url;

pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the byte before `pos` is not part of a word (or `pos` is the start).
pub(crate) fn word_start(text: &str, pos: usize) -> bool {
    pos == 0
        || !text
            .as_bytes()
            .get(pos - 1)
            .copied()
            .is_some_and(is_word_byte)
}

pub(crate) fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}
pub(crate) fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}
pub(crate) fn alpha(b: u8) -> bool {
    b.is_ascii_alphabetic()
}
pub(crate) fn lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}
pub(crate) fn hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}
pub(crate) fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
pub(crate) fn alnum_dash_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}
pub(crate) fn alnum_dash(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}
pub(crate) fn base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}
/// Bech32 data characters, upper case (age secret keys).
pub(crate) fn bech32_upper(b: u8) -> bool {
    b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".contains(&b)
}

/// Largest char boundary `<= pos` in `text`.
pub(crate) fn floor_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while pos > 0 && !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// Smallest char boundary `>= pos` in `text`.
pub(crate) fn ceil_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while pos < text.len() && !text.is_char_boundary(pos) {
        pos += 1;
    }
    pos
}

/// Decodes standard base64 (padding optional); `None` on any other byte or past `max` bytes.
pub(crate) fn decode_base64(s: &str, max: usize) -> Option<Vec<u8>> {
    fn value(b: u8) -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    }
    let body = s.trim_end_matches('=');
    if body.len() > max.saturating_mul(4) / 3 + 4 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in body.bytes() {
        acc = (acc << 6) | value(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            decode_base64("dXNlcjpwYXNz", 64).as_deref(),
            Some(&b"user:pass"[..])
        );
        assert_eq!(decode_base64("YQ==", 64).as_deref(), Some(&b"a"[..]));
        assert!(decode_base64("a b", 64).is_none());
    }
}

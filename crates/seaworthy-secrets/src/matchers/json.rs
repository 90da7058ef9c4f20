//! Credentials recognised by their JSON key: GCP service-account keys and Docker
//! `config.json` auths. Works on any text holding the JSON (a file, an `ENV` value).

use crate::matchers::{ceil_boundary, decode_base64, floor_boundary};
use crate::pattern::Range;
use crate::{is_placeholder, matchers::assignment::is_variable};

/// How far from `"type": "service_account"` the `"private_key"` may be.
const SA_WINDOW: usize = 16 * 1024;
/// Longest JSON string value read.
const MAX_STRING: usize = 16 * 1024;

/// The string value after a JSON key ending at `key_end` (just past its closing quote):
/// `: "value"`. Escapes are skipped over, not decoded.
fn string_value(text: &str, key_end: usize) -> Option<Range> {
    let bytes = text.as_bytes();
    let mut i = key_end;
    while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let start = i + 1;
    let limit = (start + MAX_STRING).min(bytes.len());
    let mut j = start;
    while j < limit {
        match bytes.get(j) {
            Some(b'\\') => j += 2,
            Some(b'"') => return Some((start, j)),
            Some(b'\n') | None => return None,
            Some(_) => j += 1,
        }
    }
    None
}

/// `"type": "service_account"` with a `"private_key"` holding a key nearby: the key's value.
pub(crate) fn gcp_service_account(text: &str, start: usize, end: usize) -> Option<Range> {
    let before = text.get(floor_boundary(text, start.saturating_sub(32))..start)?;
    let is_type = before.trim_end().ends_with('"')
        && before.contains("\"type\"")
        && text.as_bytes().get(end) == Some(&b'"');
    if !is_type {
        return None;
    }
    let from = floor_boundary(text, start.saturating_sub(SA_WINDOW));
    let to = ceil_boundary(text, end + SA_WINDOW);
    let window = text.get(from..to)?;
    let key = window.find("\"private_key\"")?;
    let (s, e) = string_value(text, from + key + "\"private_key\"".len())?;
    let value = text.get(s..e)?;
    value.contains("PRIVATE KEY-----").then_some((s, e))
}

/// Docker `config.json` `"auth": "<base64 user:password>"`.
pub(crate) fn docker_auth(text: &str, _start: usize, end: usize) -> Option<Range> {
    let (s, e) = string_value(text, end)?;
    let value = text.get(s..e)?;
    if value.len() < 8 {
        return None;
    }
    let decoded = decode_base64(value, 4096)?;
    let decoded = std::str::from_utf8(&decoded).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    (!user.is_empty() && !pass.is_empty() && !is_placeholder(pass) && !is_variable(pass))
        .then_some((s, e))
}

/// Docker `config.json` `"identitytoken": "…"` (an OAuth refresh token for the registry).
pub(crate) fn docker_identity_token(text: &str, _start: usize, end: usize) -> Option<Range> {
    let (s, e) = string_value(text, end)?;
    let value = text.get(s..e)?;
    (value.len() >= 16 && !is_placeholder(value) && !is_variable(value)).then_some((s, e))
}

//! Passwords in URLs: `scheme://user:password@host`.

use crate::pattern::Range;
use crate::{is_placeholder, matchers::assignment::is_variable};

/// Longest authority (`user:password@host:port`) considered.
const MAX_AUTHORITY: usize = 512;

/// Words documentation puts where a password goes (`https://user:password@host`).
const EXAMPLE_PASSWORDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "mypassword",
    "pw",
    "x",
    "p",
    "xxx",
];

/// The password of the URL whose `://` is at `text[start..end]`.
pub(crate) fn password(text: &str, start: usize, end: usize) -> Option<Range> {
    let scheme_ok = start > 0
        && text
            .as_bytes()
            .get(start - 1)
            .is_some_and(|b| b.is_ascii_alphanumeric());
    if !scheme_ok {
        return None;
    }
    let rest = text.get(end..)?;
    let limit = rest
        .char_indices()
        .take(MAX_AUTHORITY)
        .find(|&(_, c)| {
            c.is_whitespace() || matches!(c, '/' | '"' | '\'' | '?' | '#' | '`' | '<' | '>')
        })
        .map_or(rest.len().min(MAX_AUTHORITY), |(i, _)| i);
    let authority = rest.get(..limit)?;
    let at = authority.rfind('@')?;
    let userinfo = authority.get(..at)?;
    let colon = userinfo.find(':')?;
    let user = userinfo.get(..colon)?;
    let pass = userinfo.get(colon + 1..)?;
    let host = authority.get(at + 1..)?;
    if user.is_empty() && pass.is_empty() || pass.is_empty() || host.is_empty() {
        return None;
    }
    if is_variable(pass)
        || is_placeholder(pass)
        || EXAMPLE_PASSWORDS.contains(&pass.to_ascii_lowercase().as_str())
        || pass.starts_with('{')
        || pass.starts_with('*')
    {
        return None;
    }
    let s = end + colon + 1;
    Some((s, s + pass.len()))
}

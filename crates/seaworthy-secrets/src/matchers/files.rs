//! Parsers for credential files recognised by their name: `.netrc`, `.pypirc`,
//! `.git-credentials` and `.env` files.

use crate::matchers::assignment::is_variable;
use crate::pattern::Range;
use crate::{is_placeholder, is_secret_name};

/// The file name: the last path component.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

pub(crate) fn is_netrc(path: &str) -> bool {
    matches!(file_name(path), ".netrc" | "_netrc")
}
pub(crate) fn is_pypirc(path: &str) -> bool {
    file_name(path) == ".pypirc"
}
pub(crate) fn is_git_credentials(path: &str) -> bool {
    file_name(path) == ".git-credentials" || path.ends_with("git/credentials")
}
/// `.env`, `.env.production`, `prod.env`; not `.envrc` or `env.d` directories.
pub(crate) fn is_dotenv(path: &str) -> bool {
    let name = file_name(path);
    name == ".env" || name.starts_with(".env.") || (name.ends_with(".env") && name.len() > 4)
}

fn literal(value: &str) -> bool {
    !value.is_empty() && !is_variable(value) && !is_placeholder(value)
}

/// Byte offset of `sub` (a slice of `text`) in `text`.
fn offset(text: &str, sub: &str) -> usize {
    (sub.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// `machine host login user password secret` (tokens may span lines).
pub(crate) fn netrc(text: &str, out: &mut Vec<Range>) {
    let mut words = text.split_ascii_whitespace();
    while let Some(w) = words.next() {
        if w == "password"
            && let Some(value) = words.next()
            && literal(value)
        {
            let s = offset(text, value);
            out.push((s, s + value.len()));
        }
    }
}

/// `password = secret` / `password: secret` lines of `[pypi]`-style sections.
pub(crate) fn pypirc(text: &str, out: &mut Vec<Range>) {
    for line in text.lines() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("password") else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix(['=', ':']) else {
            continue;
        };
        let value = value.trim();
        if literal(value) {
            let s = offset(text, value);
            out.push((s, s + value.len()));
        }
    }
}

/// `https://user:token@host` lines.
pub(crate) fn git_credentials(text: &str, out: &mut Vec<Range>) {
    let mut from = 0;
    while let Some(pos) = text.get(from..).and_then(|t| t.find("://")) {
        let start = from + pos;
        from = start + 3;
        if let Some(r) = crate::matchers::url::password(text, start, start + 3) {
            out.push(r);
        }
    }
}

/// `NAME=value` / `export NAME="value"` lines whose name says secret and whose value is a
/// literal.
pub(crate) fn dotenv(text: &str, out: &mut Vec<Range>) {
    for line in text.lines() {
        let trimmed = line.trim_start();
        let trimmed = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((name, value)) = trimmed.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) || !is_secret_name(name) {
            continue;
        }
        let value = value.trim();
        let value = match value.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => {
                let inner = value.get(1..).unwrap_or_default();
                inner.split(q as char).next().unwrap_or_default()
            }
            _ => value.split(" #").next().unwrap_or_default().trim_end(),
        };
        if value.len() >= 6 && literal(value) {
            let s = offset(text, value);
            out.push((s, s + value.len()));
        }
    }
}

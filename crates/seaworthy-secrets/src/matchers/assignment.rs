//! Values made secret by the name they are assigned to: `DB_PASSWORD=…`, `"apiKey": "…"`,
//! `aws_secret_access_key = …`, `//registry/:_authToken=…`.

use crate::matchers::{ceil_boundary, floor_boundary};
use crate::pattern::Range;
use crate::{is_placeholder, is_secret_name, looks_random};

/// Longest name and value considered.
const MAX_NAME: usize = 96;
const MAX_VALUE: usize = 1024;

/// An assignment around an anchor hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assignment<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub value_start: usize,
}

impl Assignment<'_> {
    pub(crate) fn range(&self) -> Range {
        (self.value_start, self.value_start + self.value.len())
    }
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// The assignment whose name contains `text[start..end]`: the name (letters, digits, `_-.`),
/// an optional closing quote, `=`, `:`, `:=` or `=>`, and a value (quoted or up to a
/// separator). `==` comparisons and empty or variable values (`$X`, `${X}`, `%(x)s`) are not
/// assignments of a literal.
pub(crate) fn at(text: &str, start: usize, end: usize) -> Option<Assignment<'_>> {
    let bytes = text.as_bytes();
    let mut name_start = start;
    while name_start > 0
        && start - name_start < MAX_NAME
        && bytes.get(name_start - 1).copied().is_some_and(name_byte)
    {
        name_start -= 1;
    }
    let mut name_end = end;
    while name_end - start < MAX_NAME && bytes.get(name_end).copied().is_some_and(name_byte) {
        name_end += 1;
    }
    let name = text.get(name_start..name_end)?;
    let mut i = name_end;
    let skip_blank = |i: &mut usize| {
        while bytes.get(*i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
            *i += 1;
        }
    };
    if bytes.get(i).is_some_and(|b| matches!(b, b'"' | b'\'')) {
        i += 1;
    }
    skip_blank(&mut i);
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'='), Some(b'=' | b'~')) | (Some(b':'), Some(b':')) => return None,
        (Some(b':'), Some(b'=')) | (Some(b'='), Some(b'>')) => i += 2,
        (Some(b'=' | b':'), _) => i += 1,
        _ => return None,
    }
    skip_blank(&mut i);
    let quote = bytes.get(i).copied().filter(|b| matches!(b, b'"' | b'\''));
    if quote.is_some() {
        i += 1;
    }
    let value_start = i;
    let limit = ceil_boundary(text, (value_start + MAX_VALUE).min(text.len()));
    let mut j = value_start;
    while j < limit {
        let Some(&b) = bytes.get(j) else { break };
        let stop = match quote {
            Some(q) => b == q || b == b'\n' || b == b'\r',
            None => {
                b.is_ascii_whitespace()
                    || matches!(
                        b,
                        b',' | b';' | b'"' | b'\'' | b'}' | b')' | b'&' | b'|' | b'`'
                    )
            }
        };
        if stop {
            break;
        }
        j += 1;
    }
    let value_end = floor_boundary(text, j);
    let value = text.get(value_start..value_end)?;
    if value.is_empty() || is_variable(value) {
        return None;
    }
    Some(Assignment {
        name,
        value,
        value_start,
    })
}

/// `$X`, `${X}`, `%(x)s`, `{{ .X }}`, `#{x}`: a reference, not a literal.
pub(crate) fn is_variable(value: &str) -> bool {
    value.starts_with('$')
        || value.starts_with('%')
        || value.contains("${")
        || value.contains("{{")
        || value.contains("#{")
        || value.starts_with("<")
}

/// A secret-named assignment of a random-looking literal (`.env`-style, YAML, JSON, shell).
pub(crate) fn generic(text: &str, start: usize, end: usize) -> Option<Range> {
    let a = at(text, start, end)?;
    (is_secret_name(a.name) && looks_random(a.value) && !is_placeholder(a.value)).then(|| a.range())
}

/// `aws_secret_access_key = …`, `AWS_SECRET_ACCESS_KEY=…`, `"SecretAccessKey": "…"`: 40
/// base64 characters.
pub(crate) fn aws_secret(text: &str, start: usize, end: usize) -> Option<Range> {
    let a = at(text, start, end)?;
    let squashed: String = a
        .name
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect();
    let named = squashed.ends_with("secretaccesskey") || squashed.ends_with("awssecretkey");
    let shaped = a.value.len() == 40
        && a.value.bytes().all(crate::matchers::base64_byte)
        && a.value
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'/' || b == b'+');
    (named && shaped && !is_placeholder(a.value)).then(|| a.range())
}

/// `.npmrc` credentials: `_authToken=`, `_auth=` (base64 user:pass), `_password=` (base64).
pub(crate) fn npmrc(text: &str, start: usize, end: usize) -> Option<Range> {
    let a = at(text, start, end)?;
    let named = matches!(a.name, "_authToken" | "_auth" | "_password");
    (named && a.value.len() >= 8 && !is_placeholder(a.value)).then(|| a.range())
}

/// `AZURE_CLIENT_SECRET=…`, `"clientSecret": "…"`: an Entra ID (Azure AD) client secret, three
/// characters, a digit, `Q~` and 31 to 34 more.
pub(crate) fn azure_client_secret(text: &str, start: usize, end: usize) -> Option<Range> {
    let a = at(text, start, end)?;
    let v = a.value.as_bytes();
    let ok = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'~' | b'.' | b'-');
    let shaped = (37..=40).contains(&v.len())
        && v.get(3).is_some_and(u8::is_ascii_digit)
        && v.get(4..6) == Some(b"Q~")
        && v.iter().all(ok);
    (shaped && !is_placeholder(a.value)).then(|| a.range())
}

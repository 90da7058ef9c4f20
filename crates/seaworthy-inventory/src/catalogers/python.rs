//! Python: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and `*.egg-info` files (core metadata,
//! an RFC 822 style header block). Licenses come from `License-Expression`, else a one-line
//! `License`, else the `License ::` classifiers. purl names are normalised per PEP 503.

use seaworthy_oci::FileRef;

use crate::cataloger::{Cataloger, Env};
use crate::package::{Ecosystem, Package};
use crate::purl::purl;

const NAME: &str = "python";

/// Most header lines read from one metadata file (real ones have well under 1,000).
const MAX_HEADER_LINES: usize = 100_000;

pub fn cataloger() -> Box<dyn Cataloger> {
    Box::new(PythonCataloger)
}

struct PythonCataloger;

impl Cataloger for PythonCataloger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants_path(&self, path: &str) -> bool {
        path.ends_with(".dist-info/METADATA")
            || path.ends_with(".egg-info/PKG-INFO")
            || path.ends_with(".egg-info")
    }

    fn catalog(&self, file: &FileRef<'_>, _env: &Env<'_>) -> Result<Vec<Package>, String> {
        let headers = parse_headers(file.data)?;
        let name = headers.single("name").ok_or("no Name field")?;
        let version = headers.single("version").ok_or("no Version field")?;
        let mut p = Package::new(
            NAME,
            Ecosystem::Pypi,
            name,
            version,
            purl("pypi", None, &normalize_name(name), version, &[]),
        );
        p.licenses = licenses(&headers);
        Ok(vec![p])
    }
}

/// PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// One header: its first line and its continuation lines (leading whitespace kept off).
struct Field<'a> {
    name: &'a str,
    first: &'a str,
    continued: Vec<&'a str>,
}

struct Headers<'a> {
    fields: Vec<Field<'a>>,
}

impl<'a> Headers<'a> {
    /// The first line of the first field with this (case-insensitive) name, if not empty.
    fn single(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.first)
            .filter(|v| !v.is_empty())
    }

    fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Field<'a>> + 's {
        self.fields
            .iter()
            .filter(move |f| f.name.eq_ignore_ascii_case(name))
    }
}

/// Reads the header block (up to the first blank line); the body (description) is ignored.
fn parse_headers(data: &[u8]) -> Result<Headers<'_>, String> {
    let end = header_end(data);
    let head = data.get(..end).unwrap_or(data);
    let text = std::str::from_utf8(head)
        .map_err(|e| format!("header is not UTF-8 (at byte {})", e.valid_up_to()))?;
    let mut fields: Vec<Field<'_>> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_HEADER_LINES {
            return Err(format!("more than {MAX_HEADER_LINES} header lines"));
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = fields.last_mut() {
                last.continued.push(line.trim());
            }
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!(
                "line {} is not a `Name: value` header",
                n.saturating_add(1)
            ));
        };
        fields.push(Field {
            name: name.trim(),
            first: value.trim(),
            continued: Vec::new(),
        });
    }
    Ok(Headers { fields })
}

/// Offset of the blank line ending the header block (or the whole input).
fn header_end(data: &[u8]) -> usize {
    let lf = memchr::memmem::find(data, b"\n\n");
    let crlf = memchr::memmem::find(data, b"\r\n\r\n");
    match (lf, crlf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => data.len(),
    }
}

fn licenses(headers: &Headers<'_>) -> Vec<String> {
    if let Some(expr) = headers.single("license-expression") {
        return vec![expr.to_string()];
    }
    // A `License` field spanning several lines is a license text, not a name.
    let license = headers
        .all("license")
        .find(|f| !f.first.is_empty() && f.continued.iter().all(|l| l.is_empty()))
        .map(|f| f.first)
        .filter(|v| !v.eq_ignore_ascii_case("UNKNOWN"));
    if let Some(l) = license {
        return vec![l.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for f in headers.all("classifier") {
        let mut parts = f.first.split("::").map(str::trim);
        if parts.next() != Some("License") {
            continue;
        }
        let Some(last) = parts.last() else {
            continue;
        };
        if last != "OSI Approved" && !out.iter().any(|o| o == last) {
            out.push(last.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize_name("Friendly-Bard"), "friendly-bard");
        assert_eq!(normalize_name("FRIENDLY-BARD"), "friendly-bard");
        assert_eq!(normalize_name("friendly.bard"), "friendly-bard");
        assert_eq!(normalize_name("friendly_bard"), "friendly-bard");
        assert_eq!(normalize_name("friendly--bard"), "friendly-bard");
        assert_eq!(normalize_name("FrIeNdLy-._.-bArD"), "friendly-bard");
    }

    fn licenses_of(text: &str) -> Vec<String> {
        let h = parse_headers(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        licenses(&h)
    }

    #[test]
    fn license_precedence() {
        assert_eq!(
            licenses_of("Name: a\nLicense: MIT\nLicense-Expression: MIT OR Apache-2.0\n"),
            ["MIT OR Apache-2.0"]
        );
        assert_eq!(
            licenses_of(
                "Name: a\nLicense: BSD\nClassifier: License :: OSI Approved :: MIT License\n"
            ),
            ["BSD"]
        );
        assert_eq!(
            licenses_of(
                "License: UNKNOWN\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\n"
            ),
            ["MIT License"]
        );
        assert_eq!(
            licenses_of("License: Copyright 2010 X\n        \n        Redistribution ...\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn body_is_not_read() {
        let h = parse_headers(b"Name: a\nVersion: 1\n\n\xff body: not utf-8\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.single("version"), Some("1"));
    }

    #[test]
    fn bad_header_is_an_error() {
        assert!(parse_headers(b"Name: a\nno colon here\n").is_err());
        assert!(parse_headers(b"Name: \xffa\n").is_err());
    }
}

//! Go module versions (golang.org/x/mod/semver): SemVer with a `v` prefix (optional here, OSV
//! omits it), `vMAJOR` / `vMAJOR.MINOR` shorthands, `+incompatible` ignored as build metadata.
//! Pseudo-versions (`v0.0.0-20200101000000-abcdef123456`) are SemVer prereleases and so order
//! naturally. Invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

fn parse(v: &str) -> Option<::semver::Version> {
    let t = v.strip_prefix('v').unwrap_or(v);
    // `+incompatible` is build metadata, which the semver crate keeps out of precedence.
    let full = match t.bytes().filter(|b| *b == b'.').count() {
        0 if t.bytes().all(|b| b.is_ascii_digit()) => format!("{t}.0.0"),
        1 if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') => format!("{t}.0"),
        _ => t.to_string(),
    };
    ::semver::Version::parse(&full).ok()
}

/// Total order on Go module versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    super::semver::compare_parsed(parse(a).as_ref(), parse(b).as_ref(), a, b)
}

/// True when `v` is a Go module version.
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

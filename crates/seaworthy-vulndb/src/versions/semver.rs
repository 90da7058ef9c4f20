//! SemVer 2.0 versions (npm, crates.io): a leading `v` is accepted, build metadata is ignored
//! for ordering; invalid versions sort after valid ones, bytewise.

use std::cmp::Ordering;

/// Parses `v` as SemVer, accepting surrounding whitespace and one leading `v`/`V`/`=`.
pub(crate) fn parse(v: &str) -> Option<::semver::Version> {
    let t = v.trim();
    let t = t.strip_prefix(['v', 'V', '=']).unwrap_or(t);
    ::semver::Version::parse(t).ok()
}

/// Orders parsed versions by precedence (build metadata ignored), invalid ones last.
pub(crate) fn compare_parsed(
    a: Option<&::semver::Version>,
    b: Option<&::semver::Version>,
    raw_a: &str,
    raw_b: &str,
) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.cmp_precedence(y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => raw_a.as_bytes().cmp(raw_b.as_bytes()),
    }
}

/// Total order on SemVer strings.
pub fn compare(a: &str, b: &str) -> Ordering {
    compare_parsed(parse(a).as_ref(), parse(b).as_ref(), a, b)
}

/// True when `v` is a SemVer version (optionally `v`-prefixed).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

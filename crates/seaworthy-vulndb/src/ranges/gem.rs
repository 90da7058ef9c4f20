//! RubyGems requirements (`Gem::Requirement`): `=`, `!=`, `>`, `<`, `>=`, `<=`, `~>` (no operator
//! means `=`); a comma-separated list is one requirement whose parts must all hold, the way
//! bundler-audit reads ruby-advisory-db's `patched_versions: ["~> 5.2.4, >= 5.2.4.3"]`.
//!
//! The pessimistic operator follows the RubyGems guides, "Patterns" → "Pessimistic version
//! constraint" (<https://guides.rubygems.org/patterns/#pessimistic-version-constraint>) and
//! `Gem::Requirement::OPS`: `~> r` holds for `v >= r && v.release < r.bump`, so `~> 1.2.3` is
//! `>= 1.2.3, < 1.3` and `~> 1.2` is `>= 1.2, < 2`; prerelease parts of `r` are dropped before
//! bumping (`~> 1.2.3.rc1` is `>= 1.2.3.rc1, < 1.3`). Versions are ordered by
//! [`crate::versions::gem`].

use std::cmp::Ordering;

use super::{RangeError, check_len, count_comparator};
use crate::versions::gem::{compare, is_valid};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GemOp {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Pessimistic,
}

/// One `op version` pair; `version` is the text as written.
#[derive(Debug)]
struct Requirement<'a> {
    op: GemOp,
    version: &'a str,
}

/// True when `version` satisfies every part of the RubyGems requirement `req`.
pub fn matches(req: &str, version: &str) -> Result<bool, RangeError> {
    let parts = parse(req)?;
    let v = version.trim();
    if v.is_empty() || !is_valid(v) {
        return Err(RangeError::new(
            req,
            format!("`{version}` is not a RubyGems version"),
        ));
    }
    Ok(parts.iter().all(|r| satisfied_by(r, v)))
}

/// The inclusive lower bound of the requirement (see [`super::lowest_fix`]).
pub(crate) fn floors(req: &str) -> Result<Vec<Option<String>>, RangeError> {
    let parts = parse(req)?;
    let floor = parts
        .iter()
        .filter(|r| matches!(r.op, GemOp::Ge | GemOp::Eq | GemOp::Pessimistic))
        .map(|r| r.version)
        .max_by(|a, b| compare(a, b));
    let exclusive_above = floor.is_some_and(|f| {
        parts
            .iter()
            .any(|r| r.op == GemOp::Gt && compare(r.version, f) != Ordering::Less)
    });
    Ok(vec![floor.filter(|_| !exclusive_above).map(str::to_string)])
}

const OPERATORS: [(&str, GemOp); 7] = [
    ("~>", GemOp::Pessimistic),
    (">=", GemOp::Ge),
    ("<=", GemOp::Le),
    ("!=", GemOp::Ne),
    ("=", GemOp::Eq),
    (">", GemOp::Gt),
    ("<", GemOp::Lt),
];

fn parse(req: &str) -> Result<Vec<Requirement<'_>>, RangeError> {
    check_len(req)?;
    let mut count = 0;
    let mut parts = Vec::new();
    for part in req.split(',') {
        count_comparator(req, &mut count)?;
        let text = part.trim();
        let (op, rest) = OPERATORS
            .iter()
            .find_map(|(sym, op)| text.strip_prefix(sym).map(|rest| (*op, rest)))
            .unwrap_or((GemOp::Eq, text));
        let version = rest.trim();
        if version.is_empty() || !is_valid(version) {
            return Err(RangeError::new(
                req,
                format!("`{}` is not `[op] version`", part.trim()),
            ));
        }
        parts.push(Requirement { op, version });
    }
    Ok(parts)
}

fn satisfied_by(r: &Requirement<'_>, v: &str) -> bool {
    let o = compare(v, r.version);
    match r.op {
        GemOp::Eq => o == Ordering::Equal,
        GemOp::Ne => o != Ordering::Equal,
        GemOp::Gt => o == Ordering::Greater,
        GemOp::Lt => o == Ordering::Less,
        GemOp::Ge => o != Ordering::Less,
        GemOp::Le => o != Ordering::Greater,
        GemOp::Pessimistic => {
            o != Ordering::Less && compare(&release(v), &bump(r.version)) == Ordering::Less
        }
    }
}

/// `Gem::Version#segments` up to the first letter segment: the runs of digits before any
/// prerelease part (`1.2.0.rc.1` → `[1, 2, 0]`; `-` reads as `.pre.`, so `1.0.0-1` → `[1, 0, 0]`).
fn release_segments(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in v.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        if c.is_ascii_alphabetic() || c == '-' {
            return out;
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// `Gem::Version#release`: the version without its prerelease part.
fn release(v: &str) -> String {
    if v.bytes().any(|b| b.is_ascii_alphabetic() || b == b'-') {
        release_segments(v).join(".")
    } else {
        v.to_string()
    }
}

/// `Gem::Version#bump`: drop prerelease parts and the last segment, then increment the new last
/// segment (`1.2.3` → `1.3`, `1.2` → `2`, `1` → `2`).
fn bump(v: &str) -> String {
    let mut segs = release_segments(v);
    if segs.len() > 1 {
        segs.pop();
    }
    if let Some(last) = segs.last_mut() {
        *last = increment(last);
    }
    segs.join(".")
}

/// Adds one to a decimal digit string of any length.
fn increment(digits: &str) -> String {
    let mut out: Vec<u8> = digits.trim_start_matches('0').bytes().collect();
    let mut i = out.len();
    loop {
        if i == 0 {
            out.insert(0, b'1');
            break;
        }
        i -= 1;
        match out.get_mut(i) {
            Some(d) if *d == b'9' => *d = b'0',
            Some(d) => {
                *d += 1;
                break;
            }
            None => break,
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_and_release_follow_gem_version() {
        assert_eq!(bump("1.2.3"), "1.3");
        assert_eq!(bump("1.2"), "2");
        assert_eq!(bump("1"), "2");
        assert_eq!(bump("5.2.4.rc1.1"), "5.3");
        assert_eq!(release("1.0.0-1"), "1.0.0");
        assert_eq!(bump("1.9.99"), "1.10");
        assert_eq!(bump("99"), "100");
        assert_eq!(bump("1.0.0-rc.1"), "1.1");
        assert_eq!(release("1.2.0.rc1"), "1.2.0");
        assert_eq!(release("2.0.0-beta.2"), "2.0.0");
        assert_eq!(release("1.2.3"), "1.2.3");
        assert_eq!(increment("099"), "100");
    }
}

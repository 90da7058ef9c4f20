//! Cargo version requirements as RustSec writes them (`>= 1.2.3, < 1.4`, `^0.3`, `~1.2`,
//! `=1.0.0`, `*`, bare `1.2` = caret); a comma joins comparators (AND).
//!
//! Syntax is parsed by the `semver` crate (Cargo's own parser). Semantics follow the Cargo book,
//! "Specifying dependencies" (<https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html>),
//! but each comparator is evaluated as an interval in SemVer precedence order, so prereleases
//! are not filtered: `1.0.0-alpha` is inside `< 1.0.0` (for a vulnerability, a prerelease in a
//! vulnerable range is vulnerable). Partial versions desugar like node-semver: `< 1.4` is
//! `< 1.4.0-0`, `<= 1.4` is `< 1.5.0-0`, `> 1.4` is `>= 1.5.0-0`, `=1.4` is
//! `>= 1.4.0, < 1.5.0-0`. On release versions this agrees with `semver::VersionReq::matches`.

use semver::{Comparator, Op as ReqOp, Version, VersionReq};

use super::bound::{self, Bound, Op};
use super::{RangeError, check_len, count_comparator};

/// True when `version` satisfies the Cargo requirement `req`.
pub fn matches(req: &str, version: &str) -> Result<bool, RangeError> {
    let set = parse(req)?;
    let v = crate::versions::semver::parse(version)
        .ok_or_else(|| RangeError::new(req, format!("`{version}` is not a SemVer version")))?;
    Ok(set.iter().all(|b| b.contains(&v)))
}

/// The inclusive lower bound of the requirement (see [`super::lowest_fix`]).
pub(crate) fn floors(req: &str) -> Result<Vec<Option<String>>, RangeError> {
    let set = parse(req)?;
    Ok(vec![bound::floor(&set).map(Version::to_string)])
}

fn parse(req: &str) -> Result<Vec<Bound>, RangeError> {
    check_len(req)?;
    let mut count = 0;
    for _ in req.split(',') {
        count_comparator(req, &mut count)?;
    }
    let parsed = VersionReq::parse(req.trim()).map_err(|e| RangeError::new(req, e.to_string()))?;
    let mut set = Vec::new();
    for c in &parsed.comparators {
        set.extend(desugar(c).map_err(|why| RangeError::new(req, why))?);
    }
    Ok(set)
}

fn next(n: u64) -> Result<u64, &'static str> {
    n.checked_add(1).ok_or("version component overflows")
}

/// One comparator as primitive bounds.
fn desugar(c: &Comparator) -> Result<Vec<Bound>, &'static str> {
    let (major, minor, patch) = (c.major, c.minor, c.patch);
    let full = minor.zip(patch).map(|(m, p)| {
        let mut v = bound::release(major, m, p);
        v.pre = c.pre.clone();
        v
    });
    // The lowest version above every version starting with the given components.
    let above = || -> Result<Version, &'static str> {
        Ok(match minor {
            None => bound::lowest(next(major)?, 0, 0),
            Some(m) => bound::lowest(major, next(m)?, 0),
        })
    };
    let start = bound::release(major, minor.unwrap_or(0), patch.unwrap_or(0));
    let ge = |v| Bound::new(Op::Ge, v);
    let lt = |v| Bound::new(Op::Lt, v);
    Ok(match c.op {
        ReqOp::Exact | ReqOp::Wildcard => match full {
            Some(v) => vec![Bound::new(Op::Eq, v)],
            None => vec![ge(start), lt(above()?)],
        },
        ReqOp::Greater => match full {
            Some(v) => vec![Bound::new(Op::Gt, v)],
            None => vec![ge(above()?)],
        },
        ReqOp::GreaterEq => vec![ge(full.unwrap_or(start))],
        ReqOp::Less => {
            vec![lt(full.unwrap_or_else(|| {
                bound::lowest(major, minor.unwrap_or(0), 0)
            }))]
        }
        ReqOp::LessEq => match full {
            Some(v) => vec![Bound::new(Op::Le, v)],
            None => vec![lt(above()?)],
        },
        ReqOp::Tilde => {
            let upper = match minor {
                None => bound::lowest(next(major)?, 0, 0),
                Some(m) => bound::lowest(major, next(m)?, 0),
            };
            vec![ge(full.unwrap_or(start)), lt(upper)]
        }
        ReqOp::Caret => {
            let upper = match (major, minor, patch) {
                (0, Some(0), Some(p)) => bound::lowest(0, 0, next(p)?),
                (0, Some(m), _) => bound::lowest(0, next(m)?, 0),
                _ => bound::lowest(next(major)?, 0, 0),
            };
            vec![ge(full.unwrap_or(start)), lt(upper)]
        }
        _ => return Err("unknown operator"),
    })
}

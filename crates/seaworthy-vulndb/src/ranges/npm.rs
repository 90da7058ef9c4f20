//! node-semver ranges (npm's `package.json` syntax, the GitHub advisory database's npm ranges,
//! the Node.js security WG's `vulnerable_versions`), in strict (non-loose) mode.
//!
//! Semantics follow node-semver 7.6 (`classes/range.js`) and its README, "Advanced Range
//! Syntax" (<https://github.com/npm/node-semver#advanced-range-syntax>): `||` separates
//! comparator sets, whitespace joins comparators, `^`/`~`/`~>`, X-ranges (`1.x`, `1.2.*`, `*`,
//! partial `1.2`), hyphen ranges (`1.2 - 2.3.4`), a leading `v` or `=` on versions, and
//! whitespace after an operator (`>= 1.2.3`). Each advanced form desugars to primitive
//! comparators exactly as node-semver does.
//!
//! Prereleases: by default a prerelease version only satisfies a set in which some comparator
//! has a prerelease on the same `[major, minor, patch]`; `include_prerelease` drops that rule
//! (and, as in node-semver, lowers X-range and caret floors to `-0`).

use semver::{Prerelease, Version};

use super::bound::{self, Bound, Op};
use super::{RangeError, check_len, count_comparator};

/// node-semver's `MAX_SAFE_INTEGER` cap on version components.
const MAX_COMPONENT: u64 = (1 << 53) - 1;

/// True when `version` satisfies the node-semver `range`.
pub fn matches(range: &str, version: &str, include_prerelease: bool) -> Result<bool, RangeError> {
    let sets = parse(range, include_prerelease)?;
    let v = crate::versions::semver::parse(version)
        .ok_or_else(|| RangeError::new(range, format!("`{version}` is not a SemVer version")))?;
    Ok(sets
        .iter()
        .any(|set| satisfies(set, &v, include_prerelease)))
}

/// The inclusive lower bound of each `||` alternative (see [`super::lowest_fix`]).
pub(crate) fn floors(range: &str) -> Result<Vec<Option<String>>, RangeError> {
    Ok(parse(range, false)?
        .iter()
        .map(|set| bound::floor(set).map(Version::to_string))
        .collect())
}

fn satisfies(set: &[Bound], v: &Version, include_prerelease: bool) -> bool {
    if !set.iter().all(|b| b.contains(v)) {
        return false;
    }
    if v.pre.is_empty() || include_prerelease {
        return true;
    }
    set.iter().any(|b| {
        !b.version.pre.is_empty()
            && (b.version.major, b.version.minor, b.version.patch) == (v.major, v.minor, v.patch)
    })
}

/// Parses `range` into its `||` alternatives, each a conjunction of primitive comparators
/// (empty = any version).
fn parse(range: &str, incpr: bool) -> Result<Vec<Vec<Bound>>, RangeError> {
    check_len(range)?;
    let mut count = 0;
    let mut sets = Vec::new();
    for alternative in range.split("||") {
        count_comparator(range, &mut count)?;
        sets.push(parse_set(range, alternative, incpr, &mut count)?);
    }
    Ok(sets)
}

const OPERATORS: [&str; 8] = ["~>", "~", "^", ">=", "<=", ">", "<", "="];

fn parse_set(
    range: &str,
    text: &str,
    incpr: bool,
    count: &mut usize,
) -> Result<Vec<Bound>, RangeError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let [from, "-", to] = words.as_slice() {
        let from = partial(range, from)?;
        let to = partial(range, to)?;
        count_comparator(range, count)?;
        return Ok(drop_any(hyphen(&from, &to, incpr), incpr));
    }
    // `>= 1.2.3` → `>=1.2.3`: an operator standing alone joins the next word.
    let mut tokens: Vec<String> = Vec::new();
    let mut pending: Option<&str> = None;
    for word in words {
        count_comparator(range, count)?;
        if OPERATORS.contains(&word) && pending.is_none() {
            pending = Some(word);
            continue;
        }
        tokens.push(format!("{}{word}", pending.take().unwrap_or_default()));
    }
    if let Some(op) = pending {
        return Err(RangeError::new(range, format!("`{op}` without a version")));
    }
    let mut set = Vec::new();
    for token in &tokens {
        set.extend(comparator(range, token, incpr)?);
    }
    Ok(drop_any(set, incpr))
}

/// node-semver turns a lone `>=0.0.0` (`>=0.0.0-0` with prereleases) into "any version".
fn drop_any(set: Vec<Bound>, incpr: bool) -> Vec<Bound> {
    let zero = if incpr {
        bound::lowest(0, 0, 0)
    } else {
        bound::release(0, 0, 0)
    };
    set.into_iter()
        .filter(|b| !(b.op == Op::Ge && b.version == zero))
        .collect()
}

/// A version with optional (`x`, `X`, `*` or missing) components.
#[derive(Debug)]
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Prerelease,
}

impl Partial {
    fn full(&self) -> Option<Version> {
        let mut v = Version::new(self.major?, self.minor?, self.patch?);
        v.pre = self.pre.clone();
        Some(v)
    }
}

/// Parses node-semver's `[v=\s]*` prefixed partial: `xr ( '.' xr ( '.' xr qualifier? )? )?`.
fn partial(range: &str, text: &str) -> Result<Partial, RangeError> {
    let bad = |why: &str| RangeError::new(range, format!("`{text}`: {why}"));
    let body = text.trim_start_matches(['v', '=']);
    let (main, build) = match body.split_once('+') {
        Some((m, b)) => (m, Some(b)),
        None => (body, None),
    };
    if let Some(b) = build {
        semver::BuildMetadata::new(b).map_err(|_| bad("invalid build metadata"))?;
    }
    let (core, pre) = match main.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (main, None),
    };
    let mut parts = [None; 3];
    let mut n = 0;
    for word in core.split('.') {
        let slot = parts
            .get_mut(n)
            .ok_or_else(|| bad("more than three components"))?;
        *slot = Some(component(word).ok_or_else(|| bad("invalid version component"))?);
        n += 1;
    }
    if (pre.is_some() || build.is_some()) && n != 3 {
        return Err(bad("prerelease or build on a partial version"));
    }
    let pre = match pre {
        Some(p) => Prerelease::new(p).map_err(|_| bad("invalid prerelease"))?,
        None => Prerelease::EMPTY,
    };
    let [major, minor, patch] = parts;
    Ok(Partial {
        major: major.flatten(),
        minor: minor.flatten(),
        patch: patch.flatten(),
        pre,
    })
}

/// `Some(None)` for a wildcard, `Some(Some(n))` for a number, `None` when invalid.
fn component(word: &str) -> Option<Option<u64>> {
    match word {
        "x" | "X" | "*" => Some(None),
        "0" => Some(Some(0)),
        _ if word.starts_with('0') || word.len() > 16 => None,
        _ if word.bytes().all(|b| b.is_ascii_digit()) && !word.is_empty() => {
            word.parse().ok().filter(|n| *n <= MAX_COMPONENT).map(Some)
        }
        _ => None,
    }
}

/// One comparator token (operator glued to its partial) → primitive comparators.
fn comparator(range: &str, token: &str, incpr: bool) -> Result<Vec<Bound>, RangeError> {
    let op = OPERATORS
        .iter()
        .find(|op| token.starts_with(**op))
        .copied()
        .unwrap_or("");
    let p = partial(range, token.get(op.len()..).unwrap_or_default())?;
    Ok(match op {
        "~" | "~>" => tilde(&p),
        "^" => caret(&p, incpr),
        _ => xrange(op, &p, incpr),
    })
}

fn ge(v: Version) -> Bound {
    Bound::new(Op::Ge, v)
}

fn lt(v: Version) -> Bound {
    Bound::new(Op::Lt, v)
}

/// `lowest` when prereleases are included, `release` otherwise (node-semver's `z`).
fn floor_of(incpr: bool, major: u64, minor: u64, patch: u64) -> Version {
    if incpr {
        bound::lowest(major, minor, patch)
    } else {
        bound::release(major, minor, patch)
    }
}

fn with_pre(mut v: Version, pre: &Prerelease) -> Version {
    v.pre = pre.clone();
    v
}

fn tilde(p: &Partial) -> Vec<Bound> {
    let Some(major) = p.major else {
        return Vec::new();
    };
    let Some(minor) = p.minor else {
        return vec![
            ge(bound::release(major, 0, 0)),
            lt(bound::lowest(major + 1, 0, 0)),
        ];
    };
    let upper = lt(bound::lowest(major, minor + 1, 0));
    match p.patch {
        None => vec![ge(bound::release(major, minor, 0)), upper],
        Some(patch) => vec![
            ge(with_pre(bound::release(major, minor, patch), &p.pre)),
            upper,
        ],
    }
}

fn caret(p: &Partial, incpr: bool) -> Vec<Bound> {
    let Some(major) = p.major else {
        return Vec::new();
    };
    let Some(minor) = p.minor else {
        return vec![
            ge(floor_of(incpr, major, 0, 0)),
            lt(bound::lowest(major + 1, 0, 0)),
        ];
    };
    let Some(patch) = p.patch else {
        let upper = if major == 0 {
            bound::lowest(0, minor + 1, 0)
        } else {
            bound::lowest(major + 1, 0, 0)
        };
        return vec![ge(floor_of(incpr, major, minor, 0)), lt(upper)];
    };
    let upper = match (major, minor) {
        (0, 0) => bound::lowest(0, 0, patch + 1),
        (0, _) => bound::lowest(0, minor + 1, 0),
        _ => bound::lowest(major + 1, 0, 0),
    };
    let lower = if !p.pre.is_empty() {
        with_pre(bound::release(major, minor, patch), &p.pre)
    } else if major == 0 {
        floor_of(incpr, major, minor, patch)
    } else {
        bound::release(major, minor, patch)
    };
    vec![ge(lower), lt(upper)]
}

/// Primitive operators and X-ranges (`replaceXRange`, then the plain comparator).
fn xrange(op: &str, p: &Partial, incpr: bool) -> Vec<Bound> {
    if let Some(full) = p.full() {
        let op = match op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            _ => Op::Eq,
        };
        return vec![Bound::new(op, full)];
    }
    let Some(major) = p.major else {
        return if op == ">" || op == "<" {
            vec![lt(bound::lowest(0, 0, 0))]
        } else {
            Vec::new()
        };
    };
    let minor = p.minor;
    match op {
        ">" => vec![ge(match minor {
            None => floor_of(incpr, major + 1, 0, 0),
            Some(m) => floor_of(incpr, major, m + 1, 0),
        })],
        "<=" => vec![lt(match minor {
            None => bound::lowest(major + 1, 0, 0),
            Some(m) => bound::lowest(major, m + 1, 0),
        })],
        ">=" => vec![ge(floor_of(incpr, major, minor.unwrap_or(0), 0))],
        "<" => vec![lt(bound::lowest(major, minor.unwrap_or(0), 0))],
        _ => match minor {
            None => vec![
                ge(floor_of(incpr, major, 0, 0)),
                lt(bound::lowest(major + 1, 0, 0)),
            ],
            Some(m) => vec![
                ge(floor_of(incpr, major, m, 0)),
                lt(bound::lowest(major, m + 1, 0)),
            ],
        },
    }
}

/// `A - B` (`hyphenReplace`): inclusive, a partial `B` accepts everything it starts.
fn hyphen(from: &Partial, to: &Partial, incpr: bool) -> Vec<Bound> {
    let mut set = Vec::new();
    if let Some(major) = from.major {
        set.push(ge(match (from.minor, from.patch) {
            (None, _) => floor_of(incpr, major, 0, 0),
            (Some(minor), None) => floor_of(incpr, major, minor, 0),
            (Some(minor), Some(patch)) if from.pre.is_empty() => {
                floor_of(incpr, major, minor, patch)
            }
            (Some(minor), Some(patch)) => with_pre(bound::release(major, minor, patch), &from.pre),
        }));
    }
    if let Some(major) = to.major {
        set.push(match (to.minor, to.patch) {
            (None, _) => lt(bound::lowest(major + 1, 0, 0)),
            (Some(minor), None) => lt(bound::lowest(major, minor + 1, 0)),
            (Some(minor), Some(patch)) if !to.pre.is_empty() || !incpr => Bound::new(
                Op::Le,
                with_pre(bound::release(major, minor, patch), &to.pre),
            ),
            (Some(minor), Some(patch)) => lt(bound::lowest(major, minor, patch + 1)),
        });
    }
    set
}

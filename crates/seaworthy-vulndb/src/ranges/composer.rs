//! Composer constraints (`composer/semver`'s `VersionParser::parseConstraints`): `||` or `|`
//! separate alternatives, a comma or space joins constraints (AND); operators `=`, `==`, `!=`,
//! `<>`, `<`, `<=`, `>`, `>=`; `~1.2`, `^1.2.3`, wildcards `1.2.*`, hyphen ranges `1.0 - 2.0`;
//! a `v` prefix; `@stable`/`@dev`… stability flags are ignored.
//!
//! Semantics follow the Composer docs, "Versions and constraints"
//! (<https://getcomposer.org/doc/articles/versions.md>), and the parser's desugaring: bounds are
//! normalized versions, `<` and `>=` on a version without stability suffix get `-dev` (so
//! `<2.0.24` excludes `2.0.24-beta1` and `>=2.0` includes `2.0.0-RC1`), `~1.2` is
//! `>=1.2.0.0-dev <2.0.0.0-dev`, `^0.3` is `>=0.3.0.0-dev <0.4.0.0-dev`, `1.2.*` is
//! `>=1.2.0.0-dev <1.3.0.0-dev`. Versions compare with PHP's `version_compare` on the normalized
//! form; `dev-` branches only equal themselves.

use std::cmp::Ordering;

use super::{RangeError, check_len, count_comparator};
use crate::versions::composer::{normalize, version_compare};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum COp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One normalized constraint; `floor` is the version as written when it is a lower bound a
/// user would install (`>=2.0.24`, `^1.4.2`, `2.0.1`).
#[derive(Debug, Clone)]
struct Constraint {
    op: COp,
    version: String,
    floor: Option<String>,
}

/// True when `version` satisfies the Composer `constraint`.
pub fn matches(constraint: &str, version: &str) -> Result<bool, RangeError> {
    let sets = parse(constraint)?;
    let v = normalize(version).ok_or_else(|| {
        RangeError::new(constraint, format!("`{version}` is not a Composer version"))
    })?;
    Ok(sets
        .iter()
        .any(|set| set.iter().all(|c| satisfied_by(c, &v))))
}

/// The inclusive lower bound of each alternative (see [`super::lowest_fix`]).
pub(crate) fn floors(constraint: &str) -> Result<Vec<Option<String>>, RangeError> {
    Ok(parse(constraint)?.iter().map(|set| floor(set)).collect())
}

fn floor(set: &[Constraint]) -> Option<String> {
    let lowest = set
        .iter()
        .filter(|c| matches!(c.op, COp::Ge | COp::Eq))
        .max_by(|a, b| version_compare(&a.version, &b.version))?;
    let exclusive_above = set
        .iter()
        .any(|c| c.op == COp::Gt && version_compare(&c.version, &lowest.version) != Ordering::Less);
    lowest.floor.clone().filter(|_| !exclusive_above)
}

/// `Constraint::versionCompare` with `$compareBranches = false`.
fn satisfied_by(c: &Constraint, v: &str) -> bool {
    let v_branch = v.starts_with("dev-");
    let c_branch = c.version.starts_with("dev-");
    if c.op == COp::Ne && (v_branch || c_branch) {
        return v != c.version;
    }
    if v_branch && c_branch {
        return c.op == COp::Eq && v == c.version;
    }
    if v_branch || c_branch {
        return false;
    }
    let o = version_compare(v, &c.version);
    match c.op {
        COp::Eq => o == Ordering::Equal,
        COp::Ne => o != Ordering::Equal,
        COp::Lt => o == Ordering::Less,
        COp::Le => o != Ordering::Greater,
        COp::Gt => o == Ordering::Greater,
        COp::Ge => o != Ordering::Less,
    }
}

/// Alternatives, each a conjunction (empty = any version).
fn parse(constraint: &str) -> Result<Vec<Vec<Constraint>>, RangeError> {
    check_len(constraint)?;
    let mut count = 0;
    let mut sets = Vec::new();
    for alternative in constraint.trim().replace("||", "|").split('|') {
        count_comparator(constraint, &mut count)?;
        let mut set = Vec::new();
        for token in and_tokens(constraint, alternative.trim(), &mut count)? {
            set.extend(parse_one(constraint, &token)?);
        }
        sets.push(set);
    }
    Ok(sets)
}

const OPERATORS: [&str; 10] = ["<>", "!=", ">=", "<=", "==", ">", "<", "=", "~", "^"];

/// Splits an alternative on commas and spaces, keeping `>= 1.0` and `1.0 - 2.0` whole.
fn and_tokens(expr: &str, text: &str, count: &mut usize) -> Result<Vec<String>, RangeError> {
    let words: Vec<&str> = text
        .split([',', ' ', '\t', '\n', '\r'])
        .filter(|w| !w.is_empty())
        .collect();
    let mut tokens: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        count_comparator(expr, count)?;
        if OPERATORS.contains(word) {
            let next = words
                .get(i + 1)
                .ok_or_else(|| RangeError::new(expr, format!("`{word}` without a version")))?;
            tokens.push(format!("{word}{next}"));
            i += 2;
        } else if *word == "-" {
            let (Some(from), Some(to)) = (tokens.pop(), words.get(i + 1)) else {
                return Err(RangeError::new(expr, "`-` without both ends"));
            };
            tokens.push(format!("{from} - {to}"));
            i += 2;
        } else {
            tokens.push((*word).to_string());
            i += 1;
        }
    }
    if tokens.is_empty() {
        return Err(RangeError::new(expr, "empty constraint"));
    }
    Ok(tokens)
}

/// The parts of Composer's `$versionRegex` (`v?M(.m(.p(.b)?)?)?` + modifier or `.x-dev`).
#[derive(Debug)]
struct Shape<'a> {
    nums: Vec<&'a str>,
    /// A stability word, `-dev` or `.x-dev` follows the numbers.
    modifier: bool,
    xdev: bool,
}

fn shape(text: &str) -> Option<Shape<'_>> {
    let body = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let body = match body.split_once('+') {
        Some((head, build)) if !build.is_empty() && !build.contains(char::is_whitespace) => head,
        Some(_) => return None,
        None => body,
    };
    let mut nums = Vec::new();
    let mut rest = body;
    while nums.len() < 4 {
        let after_dot = if nums.is_empty() {
            Some(rest)
        } else {
            rest.strip_prefix('.')
        };
        let Some(after) = after_dot else { break };
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            break;
        }
        nums.push(after.get(..n)?);
        rest = after.get(n..)?;
    }
    if nums.is_empty() {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let xdev = ["x", "*"].iter().any(|x| {
        lower
            .strip_prefix('.')
            .and_then(|r| r.strip_prefix(x))
            .is_some_and(|r| matches!(r, "dev" | ".dev" | "-dev"))
    });
    if xdev {
        return Some(Shape {
            nums,
            modifier: true,
            xdev,
        });
    }
    let modifier = modifier_shape(&lower, true)?;
    Some(Shape {
        nums,
        modifier,
        xdev,
    })
}

/// Matches `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?` against
/// the whole (lowercased) rest; `Some(true)` when a stability or `dev` is present. `with_rc`
/// is false where Composer matches case-sensitively against a lowercased string.
fn modifier_shape(rest: &str, with_rc: bool) -> Option<bool> {
    if rest.is_empty() {
        return Some(false);
    }
    let body = rest.strip_prefix(['.', '_', '-']).unwrap_or(rest);
    let is_dev_tail = |r: &str| matches!(r, "" | "dev" | ".dev" | "-dev");
    const STABILITIES: [&str; 9] = [
        "stable", "beta", "b", "rc", "alpha", "a", "patch", "pl", "p",
    ];
    for word in STABILITIES {
        if word == "rc" && !with_rc {
            continue;
        }
        let Some(mut r) = body.strip_prefix(word) else {
            continue;
        };
        loop {
            let digits = r.strip_prefix(['.', '-']).unwrap_or(r);
            let n = digits.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                break;
            }
            r = digits.get(n..).unwrap_or_default();
        }
        if is_dev_tail(r) {
            return Some(true);
        }
    }
    if matches!(body, "dev" | ".dev" | "-dev") {
        return Some(true);
    }
    // A lone separator (`1.0-`) matches the regex with every group empty.
    body.is_empty().then_some(false)
}

/// `manipulateVersionString`: keep components up to `position`, add `increment` there, pad
/// the rest with `0`; four components joined with dots.
fn manipulate(nums: &[&str], position: usize, increment: u64) -> Option<String> {
    let mut out = Vec::with_capacity(4);
    for i in 1..=4 {
        let value: u64 = if i > position {
            0
        } else {
            nums.get(i - 1).copied().unwrap_or("0").parse().ok()?
        };
        out.push(if i == position {
            value.checked_add(increment)?
        } else {
            value
        });
    }
    Some(out.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

fn bound(op: COp, version: String, floor: Option<&str>) -> Constraint {
    Constraint {
        op,
        version,
        floor: floor.map(str::to_string),
    }
}

/// `VersionParser::parseConstraint` for one AND-token.
fn parse_one(expr: &str, token: &str) -> Result<Vec<Constraint>, RangeError> {
    let bad = |why: &str| RangeError::new(expr, format!("`{token}`: {why}"));
    let mut c = token;
    if let Some((head, flag)) = c.rsplit_once('@')
        && ["stable", "rc", "beta", "alpha", "dev"].contains(&flag.to_ascii_lowercase().as_str())
        && !head.contains([',', ' '])
    {
        c = if head.is_empty() { "*" } else { head };
    }
    if let Some((head, _)) = c.split_once('#')
        && (head.to_ascii_lowercase().starts_with("dev-")
            || head.to_ascii_lowercase().ends_with(".x-dev"))
    {
        c = head;
    }
    let all_wild = c.strip_prefix(['v', 'V']).unwrap_or(c);
    if !all_wild.is_empty() && all_wild.split('.').all(|p| matches!(p, "x" | "X" | "*")) {
        return Ok(if all_wild.len() == c.len() && all_wild.len() == 1 {
            Vec::new()
        } else {
            vec![bound(COp::Ge, "0.0.0.0-dev".into(), None)]
        });
    }
    let normalized = |v: &str| normalize(v).ok_or_else(|| bad("invalid version"));
    let overflow = || bad("version component overflows");

    if let Some(rest) = c.strip_prefix('~') {
        if rest.starts_with('>') {
            return Err(bad("`~>` is not a Composer operator (use `~`)"));
        }
        if let Some(s) = shape(rest) {
            let mut position = s.nums.len();
            if s.xdev {
                position += 1;
            }
            let suffix = if s.modifier { "" } else { "-dev" };
            let low = normalized(&format!("{rest}{suffix}"))?;
            let high =
                manipulate(&s.nums, position.saturating_sub(1).max(1), 1).ok_or_else(overflow)?;
            return Ok(vec![
                bound(COp::Ge, low, Some(rest)),
                bound(COp::Lt, format!("{high}-dev"), None),
            ]);
        }
    }
    if let Some(rest) = c.strip_prefix('^')
        && let Some(s) = shape(rest)
    {
        let position = match s.nums.as_slice() {
            [major, ..] if *major != "0" => 1,
            [_] => 1,
            [_, minor, ..] if *minor != "0" => 2,
            [_, _] => 2,
            _ => 3,
        };
        let suffix = if s.modifier { "" } else { "-dev" };
        let low = normalized(&format!("{rest}{suffix}"))?;
        let high = manipulate(&s.nums, position, 1).ok_or_else(overflow)?;
        return Ok(vec![
            bound(COp::Ge, low, Some(rest)),
            bound(COp::Lt, format!("{high}-dev"), None),
        ]);
    }
    if let Some(wild) = xrange(c) {
        let position = wild.len();
        let low = format!(
            "{}-dev",
            manipulate(&wild, position, 0).ok_or_else(overflow)?
        );
        let high = format!(
            "{}-dev",
            manipulate(&wild, position, 1).ok_or_else(overflow)?
        );
        let upper = bound(COp::Lt, high, None);
        return Ok(if low == "0.0.0.0-dev" {
            vec![upper]
        } else {
            vec![bound(COp::Ge, low, None), upper]
        });
    }
    if let Some((from, to)) = c.split_once(" - ")
        && let (Some(f), Some(t)) = (shape(from), shape(to))
    {
        let suffix = if f.modifier { "" } else { "-dev" };
        let low = format!("{}{suffix}", normalized(from)?);
        let upper = if t.nums.len() >= 3 || t.modifier {
            bound(COp::Le, normalized(to)?, None)
        } else {
            normalized(to)?;
            let position = if t.nums.len() < 2 { 1 } else { 2 };
            let high = manipulate(&t.nums, position, 1).ok_or_else(overflow)?;
            bound(COp::Lt, format!("{high}-dev"), None)
        };
        return Ok(vec![bound(COp::Ge, low, Some(from)), upper]);
    }
    basic(c).ok_or_else(|| bad("not a version constraint"))
}

/// `^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$`: the numbers before the wildcards.
fn xrange(c: &str) -> Option<Vec<&str>> {
    let body = c.strip_prefix('v').unwrap_or(c);
    let parts: Vec<&str> = body.split('.').collect();
    let wild_from = parts.iter().position(|p| matches!(*p, "x" | "X" | "*"))?;
    let (nums, wild) = parts.split_at(wild_from);
    let numeric = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    (!nums.is_empty()
        && nums.len() <= 3
        && nums.iter().all(numeric)
        && wild.iter().all(|p| matches!(*p, "x" | "X" | "*")))
    .then(|| nums.to_vec())
}

/// Basic comparators: `(<>|!=|>=?|<=?|==?)? version`.
fn basic(c: &str) -> Option<Vec<Constraint>> {
    let (sym, rest) = ["<>", "!=", ">=", "<=", "==", ">", "<", "="]
        .iter()
        .find_map(|sym| c.strip_prefix(sym).map(|r| (*sym, r)))
        .unwrap_or(("", c));
    let rest = rest.trim_start();
    let op = match sym {
        "<>" | "!=" => COp::Ne,
        ">=" => COp::Ge,
        "<=" => COp::Le,
        ">" => COp::Gt,
        "<" => COp::Lt,
        _ => COp::Eq,
    };
    let mut version = normalize(rest).or_else(|| {
        // `foo-dev` means the branch `dev-foo`.
        let branch = rest.strip_suffix("-dev")?;
        rest.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'/'))
            .then(|| normalize(&format!("dev-{branch}")))
            .flatten()
    })?;
    if matches!(op, COp::Lt | COp::Ge) && !has_dash_modifier(rest) && !rest.starts_with("dev-") {
        version.push_str("-dev");
    }
    let floor = matches!(op, COp::Ge | COp::Eq).then_some(rest);
    Some(vec![bound(op, version, floor)])
}

/// `preg_match('/-' . $modifierRegex . '$/', strtolower($v))`: a `-` followed by a (possibly
/// empty) modifier at the end. The regex spells `RC` in capitals, so the lowercased `rc` never
/// matches.
fn has_dash_modifier(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    lower.match_indices('-').any(|(i, _)| {
        let tail = lower.get(i + 1..).unwrap_or_default();
        modifier_shape(tail, false).is_some()
    })
}

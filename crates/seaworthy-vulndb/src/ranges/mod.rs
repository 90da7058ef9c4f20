//! Version requirements in each ecosystem's own syntax, and the evaluation of [`Range`]s.
//!
//! One module per syntax ([`npm`], [`cargo`], [`gem`], [`composer`]), each with a `matches`
//! function; [`requirement_matches`] dispatches on [`ReqSyntax`]. Every parser is bounded:
//! expressions longer than [`MAX_EXPR_LEN`] bytes or with more than [`MAX_COMPARATORS`]
//! comparators are rejected with a [`RangeError`].
//!
//! [`Range`]: crate::model::Range

use std::cmp::Ordering;

use crate::model::ReqSyntax;
use crate::versions;

mod bound;
pub mod cargo;
pub mod composer;
pub mod gem;
pub mod npm;

/// Longest requirement expression accepted, in bytes.
pub const MAX_EXPR_LEN: usize = 4096;
/// Most comparators accepted in one expression (over all its `||` alternatives).
pub const MAX_COMPARATORS: usize = 256;

/// An expression (or the version tested against it) that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("requirement `{expr}`: {why}")]
pub struct RangeError {
    /// The expression as given (cut to 200 bytes).
    pub expr: String,
    pub why: String,
}

impl RangeError {
    pub(crate) fn new(expr: &str, why: impl Into<String>) -> RangeError {
        let mut end = expr.len().min(200);
        while !expr.is_char_boundary(end) {
            end -= 1;
        }
        let mut shown = expr.get(..end).unwrap_or_default().to_string();
        if end < expr.len() {
            shown.push('…');
        }
        RangeError {
            expr: shown,
            why: why.into(),
        }
    }
}

/// Rejects expressions over [`MAX_EXPR_LEN`] bytes.
pub(crate) fn check_len(expr: &str) -> Result<(), RangeError> {
    if expr.len() > MAX_EXPR_LEN {
        return Err(RangeError::new(
            expr,
            format!("longer than {MAX_EXPR_LEN} bytes"),
        ));
    }
    Ok(())
}

/// Counts one more comparator and rejects the expression past [`MAX_COMPARATORS`].
pub(crate) fn count_comparator(expr: &str, count: &mut usize) -> Result<(), RangeError> {
    *count += 1;
    if *count > MAX_COMPARATORS {
        return Err(RangeError::new(
            expr,
            format!("more than {MAX_COMPARATORS} comparators"),
        ));
    }
    Ok(())
}

/// True when `version` satisfies `expr` in the syntax's own rules. npm ranges are evaluated
/// with `includePrerelease` (a prerelease inside a vulnerable range is vulnerable); Cargo
/// requirements likewise order prereleases by SemVer precedence.
pub fn requirement_matches(
    syntax: ReqSyntax,
    expr: &str,
    version: &str,
) -> Result<bool, RangeError> {
    match syntax {
        ReqSyntax::Npm => npm::matches(expr, version, true),
        ReqSyntax::Cargo => cargo::matches(expr, version),
        ReqSyntax::Gem => gem::matches(expr, version),
        ReqSyntax::Composer => composer::matches(expr, version),
    }
}

/// Checks that `expr` is a valid requirement in `syntax`, without evaluating it.
pub fn check_requirement(syntax: ReqSyntax, expr: &str) -> Result<(), RangeError> {
    floors(syntax, expr).map(drop)
}

/// The verdict of a `Requirements` range: affected when `affected` is empty or any of its
/// expressions matches, and none of `unaffected` matches.
pub fn requirements_affect(
    syntax: ReqSyntax,
    affected: &[String],
    unaffected: &[String],
    version: &str,
) -> Result<bool, RangeError> {
    let mut inside = affected.is_empty();
    for expr in affected {
        if requirement_matches(syntax, expr, version)? {
            inside = true;
            break;
        }
    }
    if !inside {
        return Ok(false);
    }
    for expr in unaffected {
        if requirement_matches(syntax, expr, version)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The fixed version to report: among the lower bounds of the `unaffected` expressions
/// (`>= 1.2.3`, `^1.4.2`, `~> 5.2.4, >= 5.2.4.3` → `5.2.4.3`), the smallest one above
/// `version`. Alternatives without an inclusive lower bound (`< 1.0`, `> 2.4.3`) and
/// expressions that do not parse give nothing.
pub fn lowest_fix(syntax: ReqSyntax, unaffected: &[String], version: &str) -> Option<String> {
    let compare = version_order(syntax);
    unaffected
        .iter()
        .filter_map(|expr| floors(syntax, expr).ok())
        .flatten()
        .flatten()
        .filter(|floor| compare(floor, version) == Ordering::Greater)
        .min_by(|a, b| compare(a, b))
}

/// The inclusive lower bound of each alternative of `expr`, `None` for an alternative without.
fn floors(syntax: ReqSyntax, expr: &str) -> Result<Vec<Option<String>>, RangeError> {
    match syntax {
        ReqSyntax::Npm => npm::floors(expr),
        ReqSyntax::Cargo => cargo::floors(expr),
        ReqSyntax::Gem => gem::floors(expr),
        ReqSyntax::Composer => composer::floors(expr),
    }
}

/// How versions compare under the syntax's ecosystem.
fn version_order(syntax: ReqSyntax) -> fn(&str, &str) -> Ordering {
    match syntax {
        ReqSyntax::Npm | ReqSyntax::Cargo => versions::semver::compare,
        ReqSyntax::Gem => versions::gem::compare,
        ReqSyntax::Composer => versions::composer::compare,
    }
}

//! Primitive SemVer comparators (`<`, `<=`, `>`, `>=`, `=` against one full version), the
//! form npm and Cargo requirements desugar to. Comparisons use SemVer precedence (build
//! metadata ignored).

use std::cmp::Ordering;

use semver::{Prerelease, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

/// One primitive comparator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bound {
    pub op: Op,
    pub version: Version,
}

impl Bound {
    pub fn new(op: Op, version: Version) -> Bound {
        Bound { op, version }
    }

    /// True when `v` satisfies this comparator by precedence.
    pub fn contains(&self, v: &Version) -> bool {
        let o = v.cmp_precedence(&self.version);
        match self.op {
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
            Op::Eq => o == Ordering::Equal,
        }
    }
}

/// `major.minor.patch` without prerelease.
pub(crate) fn release(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

/// `major.minor.patch-0`, the lowest version with that triple.
pub(crate) fn lowest(major: u64, minor: u64, patch: u64) -> Version {
    let mut v = Version::new(major, minor, patch);
    v.pre = Prerelease::new("0").unwrap_or(Prerelease::EMPTY);
    v
}

/// The inclusive lower bound of a conjunction of comparators: the greatest `>=`/`=` version,
/// or `None` when the set has none or a `>` bound at or above it makes the floor exclusive.
pub(crate) fn floor(set: &[Bound]) -> Option<&Version> {
    let inclusive = set
        .iter()
        .filter(|b| matches!(b.op, Op::Ge | Op::Eq))
        .map(|b| &b.version)
        .max_by(|a, b| a.cmp_precedence(b))?;
    let exclusive_above = set
        .iter()
        .any(|b| b.op == Op::Gt && b.version.cmp_precedence(inclusive) != Ordering::Less);
    (!exclusive_above).then_some(inclusive)
}

//! Version ordering, one module per scheme. Each module exposes
//! `pub fn compare(a: &str, b: &str) -> std::cmp::Ordering` (a total order: invalid versions
//! never panic and sort deterministically) and `pub fn is_valid(v: &str) -> bool`.

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod gem;
pub mod golang;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod semver;

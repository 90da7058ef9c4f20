//! The Dockerfile rules, one file each. [`RULES`] is the registry every listing, report and test
//! reads.

use seaworthy_core::RuleMeta;

use crate::context::{Context, Hit};

/// Declares a rule: its documentation (the doc comment), metadata and test cases.
///
/// `fire` cases must make the rule report at least once; `quiet` cases must not.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident {
            id: $id:literal,
            name: $slug:literal,
            title: $title:literal,
            group: $group:literal,
            severity: $sev:ident,
            remediation: $rem:literal,
            refs: [$($peer:ident($ref:literal)),* $(,)?],
            fire: [$($fire:literal),* $(,)?],
            quiet: [$($quiet:literal),* $(,)?] $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::rules::RuleInfo for $name {
            fn meta(&self) -> &'static seaworthy_core::RuleMeta {
                static META: seaworthy_core::RuleMeta = seaworthy_core::RuleMeta {
                    id: $id,
                    name: $slug,
                    title: $title,
                    area: seaworthy_core::Area::Dockerfile,
                    group: $group,
                    severity: seaworthy_core::Severity::$sev,
                    remediation: $rem,
                    refs: &[$(seaworthy_core::CrossRef {
                        peer: seaworthy_core::Peer::$peer,
                        id: $ref,
                    }),*],
                    docs: concat!($($doc, "\n"),*),
                };
                &META
            }

            fn fire_cases(&self) -> &'static [&'static str] {
                &[$($fire),*]
            }

            fn quiet_cases(&self) -> &'static [&'static str] {
                &[$($quiet),*]
            }
        }
    };
}

// Trust and FROM (SW-DF-001..009), remote sources (SW-DF-040), correctness (SW-DF-070..099).
mod add_instead_of_copy;
mod maintainer_deprecated;
mod untrusted_registry;
// [group C modules]

// RUN: package managers (SW-DF-010..029).
mod apt_no_yes;
// [group A modules]

// RUN: other commands (SW-DF-030..039), EXPOSE (050..054), VOLUME (055..059), USER (060..064),
// secrets (065..069).
// [group B modules]

/// Metadata and test cases, written by `declare_rule!`.
pub trait RuleInfo {
    fn meta(&self) -> &'static RuleMeta;
    fn fire_cases(&self) -> &'static [&'static str];
    fn quiet_cases(&self) -> &'static [&'static str];
}

/// The check itself: a pure function from the context to hits.
pub trait Check {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>);
}

pub trait Rule: RuleInfo + Check + Sync {}
impl<T: RuleInfo + Check + Sync> Rule for T {}

/// Every Dockerfile rule, ordered by id.
pub static RULES: &[&dyn Rule] = &[
    &untrusted_registry::UntrustedRegistry,
    // [group C rules 002..009]
    &apt_no_yes::AptNoYes,
    // [group A rules 010..029]
    // [group B rules 030..039]
    // [group C rules 040]
    // [group B rules 050..069]
    &maintainer_deprecated::MaintainerDeprecated,
    // [group C rules 071..099]
    &add_instead_of_copy::AddInsteadOfCopy,
];

/// Looks a rule up by id (case-insensitive) or by name.
pub fn find(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| {
        r.meta().id.eq_ignore_ascii_case(id_or_name)
            || r.meta().name.eq_ignore_ascii_case(id_or_name)
    })
}

/// Our rule ids that stand for a hadolint code (for `# hadolint ignore=` and `.hadolint.yaml`).
pub fn from_hadolint(code: &str) -> Vec<&'static str> {
    RULES
        .iter()
        .filter(|r| {
            r.meta()
                .cross_ref(seaworthy_core::Peer::Hadolint)
                .any(|c| c.eq_ignore_ascii_case(code))
        })
        .map(|r| r.meta().id)
        .collect()
}

//! The image rules, one file each. [`RULES`] is the registry every listing, report and test reads.
//! Test cases are written in the small image language of [`crate::case`].

use seaworthy_core::RuleMeta;

use crate::Hit;
use crate::subject::Subject;

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
                    area: seaworthy_core::Area::Image,
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

// Configuration (SW-IMG-001..019).
mod add_in_history;
mod duplicate_ids;
mod empty_password;
pub(crate) mod latest_tag;
mod minimal_with_tools;
mod no_healthcheck;
mod package_cache;
mod root_user;
mod sensitive_port;
mod sensitive_volume;
mod setuid_files;
mod unnecessary_files;
mod update_alone;
mod world_writable_path;

// Secrets (SW-IMG-020..029).
mod secret_in_env;
mod secret_in_file;
mod secret_in_history;
mod secret_in_label;

// Trust (SW-IMG-030..039).
mod not_pinned;
mod signature;
mod untrusted_registry;

/// Metadata and test cases, written by `declare_rule!`.
pub trait RuleInfo {
    fn meta(&self) -> &'static RuleMeta;
    fn fire_cases(&self) -> &'static [&'static str];
    fn quiet_cases(&self) -> &'static [&'static str];
}

/// The check itself: a pure function from the image to hits.
pub trait Check {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>);
}

pub trait ImageRule: RuleInfo + Check + Sync {}
impl<T: RuleInfo + Check + Sync> ImageRule for T {}

/// Every image rule, ordered by id.
pub static RULES: &[&dyn ImageRule] = &[
    &root_user::RootUser,
    &no_healthcheck::NoHealthcheck,
    &update_alone::UpdateAlone,
    &setuid_files::SetuidFiles,
    &add_in_history::AddInHistory,
    &sensitive_port::SensitivePort,
    &sensitive_volume::SensitiveVolume,
    &latest_tag::LatestTag,
    &empty_password::EmptyPassword,
    &duplicate_ids::DuplicateIds,
    &package_cache::PackageCache,
    &world_writable_path::WorldWritablePath,
    &unnecessary_files::UnnecessaryFiles,
    &minimal_with_tools::MinimalWithTools,
    &secret_in_file::SecretInFile,
    &secret_in_env::SecretInEnv,
    &secret_in_history::SecretInHistory,
    &secret_in_label::SecretInLabel,
    &signature::Unsigned,
    &signature::UnknownKey,
    &untrusted_registry::UntrustedRegistry,
    &not_pinned::NotPinned,
];

/// The rule with this id or name.
pub fn find(id: &str) -> Option<&'static dyn ImageRule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id) || r.meta().name.eq_ignore_ascii_case(id))
}

//! The image rules, one file each, declared with [`seaworthy_core::declare_rule!`]. [`REGISTRY`]
//! is the registry every listing, report and test reads. Test cases are written in the small
//! image language of [`crate::case`].

use seaworthy_core::Area;
use seaworthy_core::rule::{Registry, Rule};

use crate::Hit;
use crate::subject::Subject;

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

// Lifecycle (SW-IMG-040..049).
mod os_end_of_life;

/// The check itself: a pure function from the image to hits.
pub trait Check {
    fn check(&self, image: &Subject<'_>, out: &mut Vec<Hit>);
}

/// A declared rule with its check.
pub trait ImageRule: Rule<Extra = ()> + Check {}
impl<T: Rule<Extra = ()> + Check> ImageRule for T {}

/// Every image rule, ordered by id.
pub static REGISTRY: Registry<dyn ImageRule> = Registry::new(Area::Image, RULES, &[]);

static RULES: &[&dyn ImageRule] = &[
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
    &os_end_of_life::OsEndOfLife,
];

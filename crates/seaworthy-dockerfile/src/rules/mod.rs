//! The Dockerfile rules, one file each, declared with [`seaworthy_core::declare_rule!`].
//! [`REGISTRY`] is the registry every listing, report and test reads.

use seaworthy_core::rule::{Registry, Rule};
use seaworthy_core::{Area, Peer};

use crate::context::{Context, Hit};

// Trust and FROM (SW-DF-001..009), remote sources (SW-DF-040), correctness (SW-DF-070..099).
mod add_instead_of_copy;
mod maintainer_deprecated;
mod untrusted_registry;
// [group C modules]
mod add_remote_without_checksum;
mod base_image_latest;
mod base_image_no_digest;
mod copy_dest_not_dir;
mod copy_from_image_latest;
mod copy_from_own_stage;
mod duplicate_stage_name;
mod entrypoint_shell_ignores_cmd;
mod env_self_reference;
mod exec_form_joined_args;
mod from_as_casing;
mod from_platform_hardcoded;
mod healthcheck_invalid_option;
mod instruction_casing;
mod invalid_json_form;
mod invalid_stage_name;
mod invalid_stopsignal;
mod legacy_key_value;
mod missing_healthcheck;
mod multiple_cmd;
mod multiple_entrypoint;
mod multiple_healthcheck;
mod redundant_target_platform;
mod relative_workdir;
mod shell_form_cmd;
mod shell_symlink;
mod stage_name_casing;
mod tilde_path;
mod unknown_stage_reference;
mod unresolved_base_image;
mod unused_stage;

// RUN: package managers (SW-DF-010..029).
mod apt_no_yes;
// [group A modules]
mod apk_no_cache;
mod apk_unpinned;
mod apt_in_script;
mod apt_lists_kept;
mod apt_no_recommends;
mod apt_unpinned;
mod dnf_clean;
mod gem_unpinned;
mod npm_unpinned;
mod package_upgrade;
mod pip_no_cache_dir;
mod pip_unpinned;
mod pkg_util;
mod rpm_missing_yes;
mod rpm_unpinned;
mod update_alone;
mod verification_disabled;
mod yarn_cache;
mod yum_clean;
mod zypper_clean;

// RUN: other commands (SW-DF-030..039), EXPOSE (050..054), VOLUME (055..059), USER (060..064),
// secrets (065..069).
// [group B modules]
mod cd_instead_of_workdir;
mod consecutive_run;
mod curl_and_wget;
mod docker_api_port;
mod docker_socket_volume;
mod host_tool_in_run;
mod insecure_run_flags;
mod invalid_port;
mod known_credential;
mod no_user;
mod pipe_without_pipefail;
mod remote_script_pipe;
mod root_user;
mod secret_build_arg;
mod secret_in_env_arg;
pub(crate) mod secret_in_run;
pub(crate) mod secret_util;
mod sensitive_file_copy;
pub(crate) mod sensitive_port;
pub(crate) mod sensitive_volume;
mod sudo_in_run;
mod user_not_created;
mod useradd_high_uid;
mod wide_port_range;
mod world_writable;

/// The check itself: a pure function from the context to hits.
pub trait Check {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Hit>);
}

/// A declared rule with its check.
pub trait DockerfileRule: Rule<Extra = ()> + Check {}
impl<T: Rule<Extra = ()> + Check> DockerfileRule for T {}

/// Every Dockerfile rule, ordered by id; hadolint codes find rules too.
pub static REGISTRY: Registry<dyn DockerfileRule> =
    Registry::new(Area::Dockerfile, RULES, &[Peer::Hadolint, Peer::Trivy]);

static RULES: &[&dyn DockerfileRule] = &[
    &untrusted_registry::UntrustedRegistry,
    // [group C rules 002..009]
    &base_image_latest::BaseImageLatest,
    &base_image_no_digest::BaseImageNoDigest,
    &unresolved_base_image::UnresolvedBaseImage,
    &unknown_stage_reference::UnknownStageReference,
    &duplicate_stage_name::DuplicateStageName,
    &copy_from_own_stage::CopyFromOwnStage,
    &from_platform_hardcoded::FromPlatformHardcoded,
    &unused_stage::UnusedStage,
    &update_alone::UpdateAlone,
    &apt_no_yes::AptNoYes,
    // [group A rules 010..029]
    &apt_no_recommends::AptNoRecommends,
    &apt_lists_kept::AptListsKept,
    &apk_no_cache::ApkNoCache,
    &yum_clean::YumClean,
    &dnf_clean::DnfClean,
    &zypper_clean::ZypperClean,
    &pip_no_cache_dir::PipNoCacheDir,
    &apt_unpinned::AptUnpinned,
    &apk_unpinned::ApkUnpinned,
    &pip_unpinned::PipUnpinned,
    &npm_unpinned::NpmUnpinned,
    &gem_unpinned::GemUnpinned,
    &package_upgrade::PackageUpgrade,
    &apt_in_script::AptInScript,
    &rpm_missing_yes::RpmMissingYes,
    &yarn_cache::YarnCache,
    &rpm_unpinned::RpmUnpinned,
    &verification_disabled::VerificationDisabled,
    // [group B rules 030..039]
    &remote_script_pipe::RemoteScriptPipe,
    &sudo_in_run::SudoInRun,
    &cd_instead_of_workdir::CdInsteadOfWorkdir,
    &world_writable::WorldWritable,
    &host_tool_in_run::HostToolInRun,
    &pipe_without_pipefail::PipeWithoutPipefail,
    &consecutive_run::ConsecutiveRun,
    &curl_and_wget::CurlAndWget,
    &useradd_high_uid::UseraddHighUid,
    &insecure_run_flags::InsecureRunFlags,
    // [group C rules 040]
    &add_remote_without_checksum::AddRemoteWithoutChecksum,
    // [group B rules 050..069]
    &sensitive_port::SensitivePort,
    &invalid_port::InvalidPort,
    &wide_port_range::WidePortRange,
    &docker_api_port::DockerApiPort,
    &sensitive_volume::SensitiveVolume,
    &docker_socket_volume::DockerSocketVolume,
    &root_user::RootUser,
    &user_not_created::UserNotCreated,
    &no_user::NoUser,
    &secret_in_env_arg::SecretInEnvArg,
    &sensitive_file_copy::SensitiveFileCopy,
    &secret_in_run::SecretInRun,
    &known_credential::KnownCredential,
    &secret_build_arg::SecretBuildArg,
    &maintainer_deprecated::MaintainerDeprecated,
    // [group C rules 071..099]
    &multiple_cmd::MultipleCmd,
    &multiple_entrypoint::MultipleEntrypoint,
    &multiple_healthcheck::MultipleHealthcheck,
    &missing_healthcheck::MissingHealthcheck,
    &relative_workdir::RelativeWorkdir,
    &copy_dest_not_dir::CopyDestNotDir,
    &shell_form_cmd::ShellFormCmd,
    &add_instead_of_copy::AddInsteadOfCopy,
    &env_self_reference::EnvSelfReference,
    &shell_symlink::ShellSymlink,
    &legacy_key_value::LegacyKeyValue,
    &from_as_casing::FromAsCasing,
    &stage_name_casing::StageNameCasing,
    &invalid_json_form::InvalidJsonForm,
    &entrypoint_shell_ignores_cmd::EntrypointShellIgnoresCmd,
    &invalid_stage_name::InvalidStageName,
    &redundant_target_platform::RedundantTargetPlatform,
    &instruction_casing::InstructionCasing,
    &invalid_stopsignal::InvalidStopsignal,
    &tilde_path::TildePath,
    &exec_form_joined_args::ExecFormJoinedArgs,
    &healthcheck_invalid_option::HealthcheckInvalidOption,
    &copy_from_image_latest::CopyFromImageLatest,
];

/// Our rule ids that stand for a hadolint code (for `# hadolint ignore=` and `.hadolint.yaml`).
pub fn from_hadolint(code: &str) -> Vec<&'static str> {
    REGISTRY
        .by_peer(Peer::Hadolint, code)
        .map(|r| r.meta().id)
        .collect()
}

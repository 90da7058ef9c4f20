//! Command-line interface. Every option can also come from a `SEAWORTHY_*` variable; the command
//! line beats the environment, which beats `seaworthy.toml`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use seaworthy_core::Severity;

#[derive(Debug, Parser)]
#[command(
    name = "seaworthy",
    version,
    about = "Is this container fit to sail? Security assessment for Docker, built for CI.",
    after_help = "Exit codes: 0 pass, 1 policy failed (findings at or above --fail-on), \
                  2 bad input or usage, 3 internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles (files, directories searched for Dockerfiles, or `-` for stdin).
    Dockerfile(DockerfileArgs),
    /// Inventory every package in an image (SBOM): docker-archive, OCI layout or archive,
    /// local Docker daemon or registry.
    Sbom(SbomArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Show the documentation of one rule (seaworthy id, name, or a hadolint code).
    Explain {
        /// e.g. SW-DF-012, apt-get-missing-yes, DL3015
        rule: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_FORMAT",
        default_value = "table"
    )]
    pub format: OutputFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', env = "SEAWORTHY_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Colors: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Args)]
pub struct DockerfileArgs {
    /// Dockerfiles or directories (searched for Dockerfile, Dockerfile.*, *.Dockerfile,
    /// Containerfile); `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Fail (exit 1) on findings at or above this severity [default: high].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Configuration file [default: seaworthy.toml found upward from the working directory].
    #[arg(long, short = 'c', env = "SEAWORTHY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Build argument used to resolve ARG values (repeatable), e.g. --build-arg BASE=alpine:3.20.
    #[arg(long = "build-arg", value_name = "K=V", value_parser = parse_key_value)]
    pub build_args: Vec<(String, String)>,
    /// The stage that ships (like `docker build --target`) [default: the last stage].
    #[arg(long)]
    pub target: Option<String>,
    /// Ignore .hadolint.yaml even when one is found.
    #[arg(long)]
    pub no_hadolint_config: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    Table,
    Json,
    Cyclonedx,
    Spdx,
}

/// How to find and read an image.
#[derive(Debug, Clone, Args)]
pub struct ImageArgs {
    /// The image: `docker-archive:PATH[:TAG]`, `oci-dir:PATH[:TAG]`, `oci-archive:PATH[:TAG]`,
    /// `docker:NAME` (local daemon), `registry:NAME`, or a path or name (path, then daemon, then
    /// registry).
    pub image: String,
    /// Platform to pick from a multi-platform image, os/arch[/variant] [default: the host's].
    #[arg(long, env = "SEAWORTHY_PLATFORM", value_parser = parse_platform)]
    pub platform: Option<seaworthy_image::Platform>,
    /// Registry (host[:port]) to reach over plain HTTP; loopback addresses only (repeatable).
    #[arg(
        long = "insecure-registry",
        env = "SEAWORTHY_INSECURE_REGISTRY",
        value_delimiter = ','
    )]
    pub insecure_registries: Vec<String>,
    /// Registry user name (the password comes from SEAWORTHY_REGISTRY_PASSWORD); without it,
    /// credentials come from the Docker config (config.json auths and credential helpers).
    #[arg(long, env = "SEAWORTHY_REGISTRY_USERNAME")]
    pub username: Option<String>,
    /// Largest uncompressed layer accepted, in MiB.
    #[arg(long, env = "SEAWORTHY_MAX_LAYER_MIB", default_value_t = 32 * 1024)]
    pub max_layer_mib: u64,
    /// Largest uncompressed:compressed ratio accepted for a layer over 256 MiB (gzip bombs).
    #[arg(long, env = "SEAWORTHY_MAX_COMPRESSION_RATIO", default_value_t = 200)]
    pub max_compression_ratio: u64,
}

#[derive(Debug, Clone, Args)]
pub struct SbomArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    /// Output format: table, json (seaworthy's), cyclonedx (1.6 JSON) or spdx (2.3 JSON).
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_SBOM_FORMAT",
        default_value = "table"
    )]
    pub format: SbomFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', env = "SEAWORTHY_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Colors: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Progress bar on standard error: auto (only on a terminal), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ColorChoice,
}

fn parse_platform(s: &str) -> Result<seaworthy_image::Platform, String> {
    seaworthy_image::Platform::parse(s)
}

#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// table, json, or markdown (the rules reference, docs/rules.md).
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse::<Severity>().map_err(|e| e.to_string())
}

/// `K=V`, or `K` alone to take the value from the environment (as `docker build` does).
fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        None if !s.is_empty() => std::env::var(s).map(|v| (s.to_string(), v)).map_err(|_| {
            format!("build argument `{s}` has no value and is not set in the environment")
        }),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}

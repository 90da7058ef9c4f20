//! Command-line interface. Every option can also come from a `SEAWORTHY_*` variable; the command
//! line beats the environment, which beats `seaworthy.toml`.

use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};
use seaworthy_core::{Scanner, Severity};

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
    /// No progress, notes or warnings on standard error: only errors (and why a policy failed).
    #[arg(
        long,
        short = 'q',
        global = true,
        env = "SEAWORTHY_QUIET",
        value_parser = BoolishValueParser::new()
    )]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint Dockerfiles (files, directories searched for Dockerfiles, or `-` for stdin).
    Dockerfile(DockerfileArgs),
    /// Inventory every package in an image (SBOM): docker-archive, OCI layout or archive,
    /// local Docker daemon or registry.
    Sbom(SbomArgs),
    /// Scan an image for known vulnerabilities in its OS and language packages.
    Image(ImageScanArgs),
    /// Write an OpenVEX document from an image's waived vulnerabilities (`[[waiver]]`,
    /// `.trivyignore`, other VEX documents): `seaworthy vex IMAGE -o app.vex.json`.
    Vex(ImageScanArgs),
    /// Check containers through the Docker Engine: CIS section 5 runtime settings, the root user,
    /// secrets in the environment (masked), drift since start (files and packages) and known
    /// vulnerabilities. Default: every running container.
    Container(ContainerArgs),
    /// The vulnerability database: update, import, export, status, search.
    #[command(subcommand)]
    Db(DbCommand),
    /// Check compose files before deploy: the container rules (CIS Docker Benchmark section 5, an
    /// explicit root user, secrets in `environment:`) on every service, findings at file:line.
    Compose(ComposeArgs),
    /// Check a `docker run` command line before running it: `seaworthy run -- docker run …`.
    Run(RunArgs),
    /// Check the Docker host: CIS Docker Benchmark sections 1–3, 6, 7 (daemon configuration from
    /// every source, host files, audit rules, swarm) and the host OS packages. Reports without
    /// gating unless --fail-on is given.
    Host(HostArgs),
    /// One assessment of every area seaworthy.toml names (Dockerfiles, images, compose files,
    /// running containers, the host): waivers, VEX, baseline, one report in every format, one
    /// exit code.
    Assess(AssessArgs),
    /// Write a commented starter seaworthy.toml for the repository in the current directory.
    Init(InitArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Show the documentation of one rule (seaworthy id, name, or a hadolint code).
    Explain {
        /// e.g. SW-DF-012, apt-get-missing-yes, DL3015
        rule: String,
    },
    /// Print a shell completion script: `seaworthy completions bash > /etc/bash_completion.d/seaworthy`.
    Completions { shell: clap_complete::Shell },
    /// Write man pages: seaworthy.1 and one per command (seaworthy-image.1, seaworthy-db-update.1…)
    /// into DIR, or seaworthy.1 alone to stdout.
    Man {
        /// Directory to write every page into (e.g. /usr/local/share/man/man1).
        #[arg(long, value_name = "DIR", env = "SEAWORTHY_MAN_DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Sarif,
    Junit,
    Github,
    /// GitHub-flavoured Markdown (a pull-request comment or job summary).
    Markdown,
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
    #[arg(long, value_enum, env = "SEAWORTHY_COLOR", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Args)]
pub struct DockerfileArgs {
    /// Dockerfiles or directories (searched for Dockerfile, Dockerfile.*, *.Dockerfile,
    /// Containerfile); `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Fail (exit 1) on findings at or above this severity, or `none` to report only
    /// [default: high].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: seaworthy.toml found upward from the working directory].
    #[arg(long, short = 'c', env = "SEAWORTHY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Build argument used to resolve ARG values (repeatable), e.g. --build-arg BASE=alpine:3.20.
    #[arg(
        long = "build-arg",
        value_name = "K=V",
        env = "SEAWORTHY_BUILD_ARGS",
        value_delimiter = ',',
        value_parser = parse_key_value
    )]
    pub build_args: Vec<(String, String)>,
    /// The stage that ships (like `docker build --target`) [default: the last stage].
    #[arg(long, env = "SEAWORTHY_TARGET")]
    pub target: Option<String>,
    /// Ignore .hadolint.yaml even when one is found.
    #[arg(long, env = "SEAWORTHY_NO_HADOLINT_CONFIG", value_parser = BoolishValueParser::new())]
    pub no_hadolint_config: bool,
    /// Do not run ShellCheck on RUN scripts (SC codes), even when `shellcheck` is installed
    /// [default: run it when it is on PATH, unless `[dockerfile] shellcheck = false`].
    #[arg(long, env = "SEAWORTHY_NO_SHELLCHECK", value_parser = BoolishValueParser::new())]
    pub no_shellcheck: bool,
    /// Run ShellCheck on every RUN script, even those whose results are kept from an earlier
    /// run (in $XDG_CACHE_HOME/seaworthy/shellcheck-cache.json).
    #[arg(long, env = "SEAWORTHY_NO_SHELLCHECK_CACHE", value_parser = BoolishValueParser::new())]
    pub no_shellcheck_cache: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ComposeArgs {
    /// Compose files [default: the first of compose.yaml, compose.yml, docker-compose.yml,
    /// docker-compose.yaml in the current directory]. Variables come from the environment and
    /// the `.env` file next to each compose file.
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Fail (exit 1) on findings at or above this severity, or `none` to report only
    /// [default: high].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: seaworthy.toml found upward from the working directory].
    #[arg(long, short = 'c', env = "SEAWORTHY_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Fail (exit 1) on findings at or above this severity, or `none` to report only
    /// [default: high].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Configuration file [default: seaworthy.toml found upward from the working directory].
    #[arg(long, short = 'c', env = "SEAWORTHY_CONFIG")]
    pub config: Option<PathBuf>,
    /// The command line after `--`, with or without the leading `docker run`:
    /// `seaworthy run -- docker run --privileged -p 80:80 nginx`.
    #[arg(required = true, last = true, value_name = "DOCKER_RUN")]
    pub command: Vec<String>,
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
    pub platform: Option<seaworthy_oci::Platform>,
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
    /// Most MiB of file contents held for the catalogers across all layers (the capture
    /// budget); files past it are not read and each is an error.
    #[arg(
        long,
        env = "SEAWORTHY_MAX_CAPTURED_MIB",
        default_value_t = seaworthy_oci::Limits::default().max_captured_bytes >> 20
    )]
    pub max_captured_mib: u64,
    /// Largest package database, manifest or lockfile parsed, in MiB.
    #[arg(
        long,
        env = "SEAWORTHY_MAX_PARSE_MIB",
        default_value_t = seaworthy_oci::Limits::default().max_parse_bytes >> 20
    )]
    pub max_parse_mib: u64,
    /// Most packages in one image (the package budget).
    #[arg(
        long,
        env = "SEAWORTHY_MAX_PACKAGES",
        default_value_t = seaworthy_oci::Limits::default().max_packages
    )]
    pub max_packages: usize,
    /// Most packages one file may list.
    #[arg(
        long,
        env = "SEAWORTHY_MAX_PACKAGES_PER_FILE",
        default_value_t = seaworthy_oci::Limits::default().max_packages_per_file
    )]
    pub max_packages_per_file: usize,
    /// Exit 2 when a part of a file was skipped (a damaged database record, a package without
    /// a version, a nested archive past a bound); without it those are warnings.
    #[arg(long, env = "SEAWORTHY_STRICT", value_parser = BoolishValueParser::new())]
    pub strict: bool,
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
    #[arg(long, value_enum, env = "SEAWORTHY_COLOR", default_value = "auto")]
    pub color: ColorChoice,
    /// Progress bar on standard error: auto (only on a terminal), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_PROGRESS", default_value = "auto")]
    pub progress: ColorChoice,
}

fn parse_platform(s: &str) -> Result<seaworthy_oci::Platform, String> {
    seaworthy_oci::Platform::parse(s)
}

#[derive(Debug, Clone, Args)]
pub struct RulesArgs {
    /// table, json, or markdown (the rules reference, docs/rules.md).
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_RULES_FORMAT",
        default_value = "table"
    )]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

/// `--fail-on`: a severity, or `none` (report only: nothing fails the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    None,
    At(Severity),
}

impl FailOn {
    /// The threshold; none when reporting only.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::None => None,
            FailOn::At(s) => Some(s),
        }
    }

    /// A command's threshold: `--fail-on` (or `SEAWORTHY_FAIL_ON`) first, then report only when
    /// the area's `mode = "report"`, then the configured `fail-on`, then high.
    pub fn resolve(
        flag: Option<FailOn>,
        report_mode: bool,
        configured: Option<Severity>,
    ) -> Option<Severity> {
        match flag {
            Some(f) => f.threshold(),
            None if report_mode => None,
            None => Some(configured.unwrap_or(Severity::High)),
        }
    }
}

/// `none` or a severity, for `--fail-on` and `[image.scanner-fail-on]`.
pub(crate) fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(FailOn::None);
    }
    parse_rated_severity(s).map(FailOn::At).map_err(|_| {
        format!(
            "unknown threshold `{}` (expected one of: critical, high, medium, low, info, none; \
             unrated vulnerabilities gate with --unknown-severity)",
            seaworthy_core::text::escape_capped(s, 40)
        )
    })
}

/// A severity a threshold can name: `unknown` is none of them.
pub(crate) fn parse_rated_severity(s: &str) -> Result<Severity, String> {
    match s.parse::<Severity>() {
        Ok(Severity::Unknown) | Err(_) => Err(format!(
            "unknown severity `{}` (expected one of: critical, high, medium, low, info)",
            seaworthy_core::text::escape_capped(s, 40)
        )),
        Ok(sev) => Ok(sev),
    }
}

/// An EPSS threshold: a probability from 0 to 1.
pub(crate) fn check_probability(p: f64) -> Result<f64, String> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "{p} is not a probability (expected 0 to 1, e.g. 0.5)"
        ))
    }
}

fn parse_probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.trim().parse().map_err(|_| {
        format!(
            "`{}` is not a probability (expected 0 to 1, e.g. 0.5)",
            seaworthy_core::text::escape_capped(s, 40)
        )
    })?;
    check_probability(p)
}

/// `90s`, `5m`, `1h`, `250ms` or plain seconds (`90`).
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (e.g. 90s, 5m, 1h)"))?;
    let secs = |k: u64| n.checked_mul(k).map(std::time::Duration::from_secs);
    let d = match unit.trim() {
        "ms" => Some(std::time::Duration::from_millis(n)),
        "" | "s" | "sec" => secs(1),
        "m" | "min" => secs(60),
        "h" => secs(3600),
        _ => None,
    };
    match d {
        Some(d) if !d.is_zero() => Ok(d),
        Some(_) => Err("a duration must be more than zero".into()),
        None => Err(format!("{s:?} is not a duration (e.g. 90s, 5m, 1h)")),
    }
}

fn parse_sort(s: &str) -> Result<seaworthy_vulndb::SortOrder, String> {
    s.parse()
}

fn parse_scanner(s: &str) -> Result<Scanner, String> {
    s.parse::<Scanner>().map_err(|e| e.to_string())
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VulnFormat {
    Table,
    Json,
    Sarif,
    Cyclonedx,
    /// The waived vulnerabilities as an OpenVEX document (what `seaworthy vex` writes).
    Openvex,
    /// JUnit XML: a test case per vulnerability and per image finding.
    Junit,
    /// GitHub Actions workflow commands: an annotation per vulnerability and image finding.
    Github,
}

/// Which vulnerability database to use.
#[derive(Debug, Clone, Args)]
pub struct DbPathArgs {
    /// Database file [default: $XDG_CACHE_HOME/seaworthy/vuln.db, or `[db] path` in seaworthy.toml].
    #[arg(long = "db", env = "SEAWORTHY_DB", global = true)]
    pub path: Option<PathBuf>,
    /// Configuration file [default: seaworthy.toml found upward from the working directory].
    #[arg(long, short = 'c', env = "SEAWORTHY_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HostFormat {
    Table,
    Json,
    Sarif,
    Junit,
    /// GitHub Actions workflow commands: an annotation per warning and vulnerability.
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct HostArgs {
    /// The host's root directory (e.g. /host when the host is mounted into a container).
    #[arg(long, env = "SEAWORTHY_HOST_ROOT", default_value = "/")]
    pub root: PathBuf,
    /// CIS profile: 1 runs level-1 checks, 2 runs level 1 and level 2.
    #[arg(long, env = "SEAWORTHY_LEVEL", default_value_t = 1,
          value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: u8,
    /// Report format.
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_FORMAT",
        default_value = "table"
    )]
    pub format: HostFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', env = "SEAWORTHY_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Colors: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_COLOR", default_value = "auto")]
    pub color: ColorChoice,
    /// Gate: fail (exit 1) on warnings at or above this severity, or `none` [default: report
    /// only].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Skip the host OS package inventory and vulnerability match.
    #[arg(long, env = "SEAWORTHY_NO_PACKAGES", value_parser = BoolishValueParser::new())]
    pub no_packages: bool,
    /// Do not contact the Docker daemon (its checks report info).
    #[arg(long, env = "SEAWORTHY_NO_DAEMON", value_parser = BoolishValueParser::new())]
    pub no_daemon: bool,
    #[command(flatten)]
    pub db: DbPathArgs,
}

/// What gates a vulnerability besides its severity (`seaworthy image`, `assess`), each over its
/// `[image]` key.
#[derive(Debug, Clone, Default, Args)]
pub struct RiskArgs {
    /// What a vulnerability no source rates (`unknown`) counts as at the gate, e.g. high
    /// [default: `[image] unknown-severity`, else it never gates; it is always listed].
    #[arg(long, env = "SEAWORTHY_UNKNOWN_SEVERITY", value_parser = parse_rated_severity)]
    pub unknown_severity: Option<Severity>,
    /// Fail (exit 1) on any vulnerability in CISA's Known Exploited Vulnerabilities catalogue,
    /// whatever its severity [default: `[image] fail-on-kev`].
    #[arg(long, env = "SEAWORTHY_FAIL_ON_KEV", value_parser = BoolishValueParser::new())]
    pub fail_on_kev: bool,
    /// Fail (exit 1) on any vulnerability whose EPSS score (probability of exploitation in the
    /// next 30 days) is at least this, e.g. 0.5 [default: `[image] fail-on-epss`].
    #[arg(long, value_name = "P", env = "SEAWORTHY_FAIL_ON_EPSS", value_parser = parse_probability)]
    pub fail_on_epss: Option<f64>,
}

impl RiskArgs {
    /// The flags over `[image]`'s keys.
    pub fn resolve(&self, image: &crate::config::ImageSection) -> seaworthy_vulndb::RiskGate {
        seaworthy_vulndb::RiskGate {
            unknown_as: self.unknown_severity.or(image.unknown_severity),
            kev: self.fail_on_kev || image.fail_on_kev,
            epss: self.fail_on_epss.or(image.fail_on_epss),
        }
    }

    /// Flags that say exactly `risk` (for a scan run on another command's behalf).
    pub fn from_gate(risk: seaworthy_vulndb::RiskGate) -> Self {
        RiskArgs {
            unknown_severity: risk.unknown_as,
            fail_on_kev: risk.kev,
            fail_on_epss: risk.epss,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct ImageScanArgs {
    #[command(flatten)]
    pub image: ImageArgs,
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Report format: table, json, sarif, cyclonedx (SBOM with a vulnerabilities section),
    /// openvex, junit or github.
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_FORMAT",
        default_value = "table"
    )]
    pub format: VulnFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', env = "SEAWORTHY_OUTPUT")]
    pub output: Option<PathBuf>,
    /// Fail (exit 1) on vulnerabilities at or above this severity, or `none` to report only
    /// [default: high, or none with `[image] mode = "report"`].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Report only these severities (comma-separated), e.g. --severity high,critical.
    #[arg(long, env = "SEAWORTHY_SEVERITY", value_delimiter = ',', value_parser = parse_severity)]
    pub severity: Vec<Severity>,
    /// Run only these scanners (comma-separated): vuln, config, secret, trust
    /// [default: `[image] scanners`, else all]. Without `vuln` no database is needed.
    #[arg(long, env = "SEAWORTHY_SCANNERS", value_delimiter = ',', value_parser = parse_scanner)]
    pub scanners: Vec<Scanner>,
    /// Leave out vulnerabilities without a fixed version (they are counted in the summary).
    #[arg(long, env = "SEAWORTHY_IGNORE_UNFIXED", value_parser = BoolishValueParser::new())]
    pub ignore_unfixed: bool,
    /// Also match language packages that belong to an OS package (Debian's `python3-pip`
    /// ships pip's dist-info) against their language's advisories [default: `[image]
    /// match-os-owned`, else the distribution's advisories alone judge them].
    #[arg(long, env = "SEAWORTHY_MATCH_OS_OWNED", value_parser = BoolishValueParser::new())]
    pub match_os_owned: bool,
    #[command(flatten)]
    pub risk: RiskArgs,
    /// Order of the vulnerabilities: risk (KEV first, then EPSS, then severity), severity or
    /// package [default: risk].
    #[arg(long, env = "SEAWORTHY_SORT", value_parser = parse_sort)]
    pub sort: Option<seaworthy_vulndb::SortOrder>,
    /// The Dockerfile the image was built from: every finding then names the instruction line
    /// that brought it in (or the base image's FROM), with a fix.
    #[arg(long, env = "SEAWORTHY_DOCKERFILE")]
    pub dockerfile: Option<PathBuf>,
    /// Build arguments the image was built with (to expand ARGs in the Dockerfile), K=V.
    #[arg(
        long = "build-arg",
        value_name = "K=V",
        env = "SEAWORTHY_BUILD_ARGS",
        value_delimiter = ','
    )]
    pub build_args: Vec<String>,
    /// The build target stage (default: the last stage).
    #[arg(long, env = "SEAWORTHY_TARGET")]
    pub target: Option<String>,
    /// Leave out findings whose layer came from the base image (needs --dockerfile); the report
    /// says how many.
    #[arg(long, env = "SEAWORTHY_IGNORE_BASE", value_parser = BoolishValueParser::new())]
    pub ignore_base: bool,
    /// Public key (PEM: ECDSA P-256, Ed25519 or RSA) that must have signed the image
    /// (cosign-style `sha256-<digest>.sig` signature); repeatable.
    #[arg(
        long = "key",
        value_name = "PEM",
        env = "SEAWORTHY_KEY",
        value_delimiter = ','
    )]
    pub keys: Vec<PathBuf>,
    /// OpenVEX documents: `not_affected`/`fixed` statements take matches out of the gate
    /// (also `vex = [...]` in seaworthy.toml).
    #[arg(
        long = "vex",
        value_name = "FILE",
        env = "SEAWORTHY_VEX",
        value_delimiter = ','
    )]
    pub vex: Vec<PathBuf>,
    /// Colors: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_COLOR", default_value = "auto")]
    pub color: ColorChoice,
    /// Progress bar on standard error: auto (only on a terminal), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_PROGRESS", default_value = "auto")]
    pub progress: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the advisory feeds (Debian tracker, Alpine secdb, OSV exports, RustSec) and the
    /// per-CVE intelligence (NVD CVE 2.0 feeds, CISA KEV, FIRST EPSS) and rebuild the database.
    /// Base URLs: SEAWORTHY_DEBIAN_TRACKER_URL, SEAWORTHY_ALPINE_SECDB_URL, SEAWORTHY_OSV_URL,
    /// SEAWORTHY_RUSTSEC_URL, SEAWORTHY_NVD_URL, SEAWORTHY_KEV_URL, SEAWORTHY_EPSS_URL (or `[db]`
    /// in seaworthy.toml); an empty value disables a source. A feed that cannot be downloaded
    /// or read is named in one warning and replaced by its last good copy (stale) or left out;
    /// the rest is imported (exit 0). Exit 3 only when no feed could be imported.
    Update(Box<DbUpdateArgs>),
    /// Build the database from feed files on disk (air-gapped CI): OSV `all.zip` exports and
    /// records, Debian tracker JSON and `data/{CVE,DSA,DLA,DTSA}/list`, Alpine secdb JSON, the
    /// RustSec, rubysec, FriendsOfPHP and Node.js security-wg archives (`.tar.gz`), NVD CVE 2.0
    /// feeds (`nvdcve-2.0-*.json[.gz]`), the CISA KEV catalogue and FIRST EPSS scores
    /// (`.csv[.gz]`); directories are searched. An NVD, KEV, EPSS, Wolfi or Chainguard secdb
    /// file that cannot be read is named and left out, the rest is imported (exit 2). A `.db` file written by `db export` is
    /// copied as is.
    Import(DbImportArgs),
    /// Write the database to one portable file (use it with `--db FILE` or `db import FILE`).
    Export(DbExportArgs),
    /// Show the database: sources, advisory counts, build time, schema version.
    Status(DbStatusArgs),
    /// Look up advisories by id (CVE-…, GHSA-…, DSA-…, alias) or by package name.
    Search(DbSearchArgs),
    /// Upload the database to a registry as an OCI artifact (REGISTRY/REPO:TAG): the exported
    /// file zstd-compressed, with its schema version, build time and each feed's date as
    /// annotations. Credentials as for images (Docker config, --username).
    Push(DbPushArgs),
    /// Download the database from a registry (an artifact `db push` wrote): the blob's digest
    /// is checked, its size bounded, the file validated and installed atomically; nothing is
    /// downloaded when the local database came from the same blob.
    Pull(DbPullArgs),
}

/// How to reach a registry for `db push` / `db pull` (the same flags as for images).
#[derive(Debug, Clone, Args)]
pub struct DbRegistryArgs {
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
}

#[derive(Debug, Clone, Args)]
pub struct DbPushArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Where to push: REGISTRY/REPO:TAG.
    pub reference: String,
    #[command(flatten)]
    pub registry: DbRegistryArgs,
}

#[derive(Debug, Clone, Args)]
pub struct DbPullArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// What to pull: REGISTRY/REPO[:TAG][@DIGEST].
    pub reference: String,
    #[command(flatten)]
    pub registry: DbRegistryArgs,
    /// Largest database accepted after decompression, in MiB.
    #[arg(long, env = "SEAWORTHY_MAX_DB_MIB", default_value_t = seaworthy_vulndb::store::MAX_DB_BYTES >> 20)]
    pub max_db_mib: u64,
}

#[derive(Debug, Clone, Args)]
pub struct DbUpdateArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Directory for downloaded feed files (kept for conditional requests).
    #[arg(long, env = "SEAWORTHY_FEED_CACHE")]
    pub cache_dir: Option<PathBuf>,
    /// Debian security tracker JSON URL.
    #[arg(long, env = "SEAWORTHY_DEBIAN_TRACKER_URL")]
    pub debian_tracker_url: Option<String>,
    /// Alpine secdb base URL (`<url>/v3.N/main.json`).
    #[arg(long, env = "SEAWORTHY_ALPINE_SECDB_URL")]
    pub alpine_secdb_url: Option<String>,
    /// Alpine branches (comma-separated, e.g. v3.19,v3.20).
    #[arg(long, env = "SEAWORTHY_ALPINE_BRANCHES", value_delimiter = ',')]
    pub alpine_branches: Vec<String>,
    /// OSV export base URL (`<url>/<Ecosystem>/all.zip`).
    #[arg(long, env = "SEAWORTHY_OSV_URL")]
    pub osv_url: Option<String>,
    /// OSV ecosystems (comma-separated, e.g. PyPI,npm,Debian).
    #[arg(long, env = "SEAWORTHY_OSV_ECOSYSTEMS", value_delimiter = ',')]
    pub osv_ecosystems: Vec<String>,
    /// RustSec advisory-db archive URL (`.tar.gz`).
    #[arg(long, env = "SEAWORTHY_RUSTSEC_URL")]
    pub rustsec_url: Option<String>,
    /// Wolfi secdb URL (`security.json`, Alpine's shape; empty to skip).
    #[arg(long, env = "SEAWORTHY_WOLFI_URL")]
    pub wolfi_url: Option<String>,
    /// Chainguard secdb URL (`security.json`, Alpine's shape; empty to skip).
    #[arg(long, env = "SEAWORTHY_CHAINGUARD_URL")]
    pub chainguard_url: Option<String>,
    /// NVD CVE 2.0 feed base URL (`<url>/nvdcve-2.0-<year>.json.gz` for 2002 to this year, and
    /// `<url>/nvdcve-2.0-modified.json.gz`).
    #[arg(long, env = "SEAWORTHY_NVD_URL")]
    pub nvd_url: Option<String>,
    /// CISA Known Exploited Vulnerabilities catalogue URL (JSON).
    #[arg(long, env = "SEAWORTHY_KEV_URL")]
    pub kev_url: Option<String>,
    /// FIRST EPSS scores URL (`epss_scores-current.csv.gz`).
    #[arg(long, env = "SEAWORTHY_EPSS_URL")]
    pub epss_url: Option<String>,
    /// Time limit for all the downloads of the update (`90s`, `5m`, `1h`; plain seconds): a feed
    /// not done by then counts as failed (its last good copy is used, if any).
    #[arg(long, env = "SEAWORTHY_DB_UPDATE_TIMEOUT", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Progress bars on standard error: auto (only on a terminal), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_PROGRESS", default_value = "auto")]
    pub progress: ColorChoice,
}

#[derive(Debug, Clone, Args)]
pub struct DbImportArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Feed files or directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct DbExportArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// The file to write.
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct DbStatusArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_DB_FORMAT",
        default_value = "table"
    )]
    pub format: TableOrJson,
}

#[derive(Debug, Clone, Args)]
pub struct DbSearchArgs {
    #[command(flatten)]
    pub db: DbPathArgs,
    /// CVE-…, GHSA-…, DSA-…, RUSTSEC-…, or a package name.
    pub query: String,
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_DB_FORMAT",
        default_value = "table"
    )]
    pub format: TableOrJson,
    /// Most advisories shown.
    #[arg(long, env = "SEAWORTHY_SEARCH_LIMIT", default_value_t = 50)]
    pub limit: usize,
}

#[derive(Debug, Clone, Args)]
pub struct ContainerArgs {
    /// Container ids or names; when given, exactly these are checked (stopped or labelled
    /// `seaworthy.ignore=true` ones too). Default: every running container not labelled
    /// `seaworthy.ignore=true`.
    pub containers: Vec<String>,
    /// Include stopped containers.
    #[arg(
        long,
        short = 'a',
        env = "SEAWORTHY_CONTAINER_ALL",
        value_parser = BoolishValueParser::new()
    )]
    pub all: bool,
    /// Only containers matching this filter, KEY=VALUE as `docker ps --filter` takes it
    /// (`label=app=web`, `name=web`, `ancestor=nginx`; repeatable).
    #[arg(
        long = "filter",
        value_name = "K=V",
        env = "SEAWORTHY_CONTAINER_FILTER",
        value_delimiter = ',',
        value_parser = parse_filter
    )]
    pub filters: Vec<(String, String)>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Fail (exit 1) on findings at or above this severity, or `none` to report only
    /// [default: high].
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Skip the vulnerability scan of the containers' images (no database needed).
    #[arg(long, env = "SEAWORTHY_NO_VULNS", value_parser = BoolishValueParser::new())]
    pub no_vulns: bool,
    /// Leave out vulnerabilities without a fixed version.
    #[arg(long, env = "SEAWORTHY_IGNORE_UNFIXED", value_parser = BoolishValueParser::new())]
    pub ignore_unfixed: bool,
}

/// `KEY=VALUE` of a container filter; the value may contain `=` (`label=app=web`).
fn parse_filter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!(
            "expected KEY=VALUE (e.g. label=app=web), got `{s}`"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssessFormat {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
    /// GitHub Actions workflow commands: an annotation per active item.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AreaArg {
    Dockerfile,
    Image,
    Container,
    Host,
}

#[derive(Debug, Clone, Args)]
pub struct AssessArgs {
    /// Report format on standard output (or in --output FILE).
    #[arg(
        long,
        short = 'f',
        value_enum,
        env = "SEAWORTHY_FORMAT",
        default_value = "table"
    )]
    pub format: AssessFormat,
    /// Whether --format (or SEAWORTHY_FORMAT) was given; without it, a plain `-o FILE` takes
    /// its format from the file's extension.
    #[arg(skip)]
    pub format_given: bool,
    /// Where to write: FILE (the --format report, or the format its extension names) or
    /// FORMAT=FILE, repeatable, so one run writes every format:
    /// `-o sarif=out.sarif -o junit=junit.xml -o html=report.html`.
    #[arg(
        long,
        short = 'o',
        value_name = "[FORMAT=]FILE",
        env = "SEAWORTHY_OUTPUT",
        value_delimiter = ','
    )]
    pub output: Vec<String>,
    /// A previous `assess --format json` report: every item is new, unchanged or resolved.
    #[arg(long, env = "SEAWORTHY_BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Gate on new items only (needs --baseline).
    #[arg(long, env = "SEAWORTHY_FAIL_ON_NEW", value_parser = BoolishValueParser::new())]
    pub fail_on_new: bool,
    /// Items from the base image's layers are shown apart and do not gate (the image's
    /// Dockerfile or `base-image` tells which layers those are).
    #[arg(long, env = "SEAWORTHY_IGNORE_BASE", value_parser = BoolishValueParser::new())]
    pub ignore_base: bool,
    /// Image to scan (repeatable); with one image configured, replaces its reference.
    #[arg(
        long = "image",
        value_name = "REF",
        env = "SEAWORTHY_IMAGE",
        value_delimiter = ','
    )]
    pub images: Vec<String>,
    /// OpenVEX documents (also `vex = [...]` in seaworthy.toml).
    #[arg(
        long = "vex",
        value_name = "FILE",
        env = "SEAWORTHY_VEX",
        value_delimiter = ','
    )]
    pub vex: Vec<PathBuf>,
    /// Threshold of every area, over the configuration; `none` puts every area in report mode.
    #[arg(long, env = "SEAWORTHY_FAIL_ON", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Leave these areas out (comma-separated).
    #[arg(long, value_enum, env = "SEAWORTHY_SKIP", value_delimiter = ',')]
    pub skip: Vec<AreaArg>,
    #[command(flatten)]
    pub risk: RiskArgs,
    /// An image with a part of a file skipped (a damaged database record, a package without a
    /// version, a nested archive past a bound) is an input error (exit 2), not a note.
    #[arg(long, env = "SEAWORTHY_STRICT", value_parser = BoolishValueParser::new())]
    pub strict: bool,
    #[command(flatten)]
    pub db: DbPathArgs,
    /// Colors: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_COLOR", default_value = "auto")]
    pub color: ColorChoice,
    /// Progress on standard error: auto (bars on a terminal outside CI, else one line per
    /// step), always, never.
    #[arg(long, value_enum, env = "SEAWORTHY_PROGRESS", default_value = "auto")]
    pub progress: ColorChoice,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Overwrite an existing seaworthy.toml.
    #[arg(long, env = "SEAWORTHY_INIT_FORCE", value_parser = BoolishValueParser::new())]
    pub force: bool,
    /// Print the file instead of writing it.
    #[arg(long, env = "SEAWORTHY_INIT_STDOUT", value_parser = BoolishValueParser::new())]
    pub stdout: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every option of every command has a `SEAWORTHY_*` variable (README's promise).
    #[test]
    fn every_option_has_a_variable() {
        fn walk(
            cmd: &clap::Command,
            path: &str,
            missing: &mut Vec<String>,
            vars: &mut Vec<String>,
        ) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_positional() || id == "help" || id == "version" {
                    continue;
                }
                match arg.get_env() {
                    Some(v) => vars.push(v.to_string_lossy().into_owned()),
                    None => missing.push(format!("{path} --{id}")),
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing, vars);
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let (mut missing, mut vars) = (Vec::new(), Vec::new());
        walk(&cmd, "seaworthy", &mut missing, &mut vars);
        assert!(
            missing.is_empty(),
            "options without a variable: {missing:?}"
        );
        assert!(vars.iter().all(|v| v.starts_with("SEAWORTHY_")), "{vars:?}");
        for v in [
            "SEAWORTHY_SKIP",
            "SEAWORTHY_COLOR",
            "SEAWORTHY_PROGRESS",
            "SEAWORTHY_QUIET",
        ] {
            assert!(vars.iter().any(|x| x == v), "{v} missing");
        }
    }

    /// Every on/off option reads its variable as CI systems write booleans: `SEAWORTHY_QUIET=1`
    /// was an error ("invalid value '1'"), only `true`/`false` were understood.
    #[test]
    fn every_switch_variable_takes_1_0_yes_no_on_off() {
        /// The command at `path`, not built: settings and global arguments not yet applied.
        fn unbuilt(path: &[String]) -> Option<clap::Command> {
            let mut c = Cli::command();
            for name in path {
                c = c.find_subcommand(name)?.clone();
            }
            Some(c)
        }
        fn walk(cmd: &clap::Command, path: &mut Vec<String>, checked: &mut usize) {
            // The generated `help` subcommand has no switches of ours.
            let Some(own) = unbuilt(path) else {
                return;
            };
            for arg in own.get_arguments() {
                if !matches!(arg.get_action(), clap::ArgAction::SetTrue) || arg.get_env().is_none()
                {
                    continue;
                }
                let (id, long) = (arg.get_id().clone(), arg.get_long().unwrap_or_default());
                // The switch as an option taking one value through its own value parser, every
                // other argument optional: `--quiet 1` parses as the variable would.
                let probe = own
                    .clone()
                    .mut_args(|a| a.required(false))
                    .mut_arg(id.clone(), |a| a.action(clap::ArgAction::Set).num_args(1))
                    .subcommand_required(false)
                    .arg_required_else_help(false)
                    .no_binary_name(true);
                for (text, want) in [
                    ("1", true),
                    ("yes", true),
                    ("on", true),
                    ("true", true),
                    ("0", false),
                    ("no", false),
                    ("off", false),
                    ("false", false),
                ] {
                    let matches = probe
                        .clone()
                        .try_get_matches_from([format!("--{long}"), text.to_string()])
                        .unwrap_or_else(|e| panic!("--{long} {text}: {e}"));
                    assert_eq!(
                        matches.get_one::<bool>(id.as_str()),
                        Some(&want),
                        "--{long} {text}"
                    );
                }
                *checked += 1;
            }
            for sub in cmd.get_subcommands() {
                path.push(sub.get_name().to_string());
                walk(sub, path, checked);
                path.pop();
            }
        }
        let mut cmd = Cli::command();
        cmd.build();
        let mut checked = 0;
        walk(&cmd, &mut Vec::new(), &mut checked);
        assert!(checked >= 15, "{checked} switches");
    }
}

//! What `seaworthy assess` runs: the inputs and per-area policy of seaworthy.toml with the
//! command line on top, as the argument sets of the single-area commands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use seaworthy_core::{Scanner, Severity};
use seaworthy_policy::selection::Selection;
use seaworthy_report::assess::{AreaKind, Mode, SourceLine};
use seaworthy_vulndb::RiskGate;

use super::declared::Declarations;
use crate::cli::{
    AreaArg, AssessArgs, ColorChoice, ComposeArgs, ContainerArgs, DockerfileArgs, FailOn, HostArgs,
    HostFormat, ImageArgs, ImageScanArgs, OutputArgs, OutputFormat, VulnFormat,
};
use crate::config::{self, FileConfig, ImageTarget};

/// How one area is judged.
pub struct AreaPolicy {
    pub kind: AreaKind,
    pub mode: Mode,
    pub fail_on: Severity,
    /// Image area: per-scanner thresholds (`[image.scanner-fail-on]`), unless `--fail-on`.
    pub scanner_fail_on: BTreeMap<Scanner, Option<Severity>>,
    /// Image and container areas' vulnerabilities: `[image] unknown-severity`, `fail-on-kev`,
    /// `fail-on-epss` (kept in a report area, where they warn and never gate).
    pub risk: RiskGate,
    /// The configuration line that enabled the area, and per image its Dockerfile or line.
    pub declared_at: Option<SourceLine>,
    pub target_declared_at: BTreeMap<String, SourceLine>,
    pub selection: Selection,
}

pub struct ImageJob {
    pub args: ImageScanArgs,
    /// The base image named in the config: its layers are the base.
    pub base_image: Option<String>,
}

pub struct ContainerJob {
    pub compose: Option<ComposeArgs>,
    pub running: Option<ContainerArgs>,
}

pub struct Plan {
    pub config: Option<PathBuf>,
    pub file: FileConfig,
    pub dockerfile: Option<(AreaPolicy, DockerfileArgs)>,
    pub image: Option<(AreaPolicy, Vec<ImageJob>)>,
    pub container: Option<(AreaPolicy, ContainerJob)>,
    pub host: Option<(AreaPolicy, HostArgs)>,
}

impl Plan {
    pub fn areas(&self) -> Vec<AreaKind> {
        let mut v = Vec::new();
        if self.dockerfile.is_some() {
            v.push(AreaKind::Dockerfile);
        }
        if self.image.is_some() {
            v.push(AreaKind::Image);
        }
        if self.container.is_some() {
            v.push(AreaKind::Container);
        }
        if self.host.is_some() {
            v.push(AreaKind::Host);
        }
        v
    }
}

fn quiet_output() -> OutputArgs {
    OutputArgs {
        format: OutputFormat::Json,
        output: None,
        color: ColorChoice::Never,
    }
}

pub fn plan(args: &AssessArgs) -> Result<Plan> {
    let (file, config) = config::load_file(args.db.config.as_deref())?;
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let base = config
        .as_deref()
        .and_then(Path::parent)
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let at = |p: &Path| relative(&cwd, &base, p);
    let declared = Declarations::read(config.as_deref(), |p| {
        relative(&cwd, Path::new("."), p).display().to_string()
    });
    let skip = |a: AreaArg| args.skip.contains(&a);
    let threshold = |own: Option<Severity>| {
        args.fail_on
            .and_then(FailOn::threshold)
            .or(own)
            .or(file.fail_on)
            .unwrap_or(Severity::High)
    };
    // `--fail-on none`: every area reports, none gates.
    let report_only = args.fail_on == Some(FailOn::None);
    let policy = |kind, mode: Option<Mode>, default, fail_on, enable, disable, severity| {
        Ok::<_, anyhow::Error>(AreaPolicy {
            kind,
            mode: if report_only {
                Mode::Report
            } else {
                mode.unwrap_or(default)
            },
            fail_on,
            scanner_fail_on: BTreeMap::new(),
            risk: RiskGate::default(),
            declared_at: None,
            target_declared_at: BTreeMap::new(),
            selection: Selection::new(enable, disable, severity).map_err(|e| {
                anyhow::anyhow!("{}: [{}] {e}", config_name(&config), kind.as_str())
            })?,
        })
    };

    let container_names = !file.container.names.is_empty() || !file.container.filters.is_empty();
    // No seaworthy.toml (or one that names no input): the working directory's Dockerfiles and
    // compose file, plus the `--image` references. `--image` adds to these defaults; it does
    // not replace them (the CI templates run `assess --image REF` to assess every area).
    let nothing_named = file.dockerfile.paths.is_empty()
        && file.image.targets.is_empty()
        && file.container.compose.is_empty()
        && !file.container.running
        && !container_names
        && !file.host.enabled;
    // With an image to assess, a working directory without Dockerfiles is no error.
    let default_dockerfiles =
        nothing_named && (args.images.is_empty() || !crate::inputs::collect(&[]).0.is_empty());

    let d = &file.dockerfile;
    let dockerfile = if skip(AreaArg::Dockerfile) || (d.paths.is_empty() && !default_dockerfiles) {
        None
    } else {
        let fail_on = threshold(d.fail_on);
        let dargs = DockerfileArgs {
            // Nothing named at all: the Dockerfiles of the working directory.
            paths: d.paths.iter().map(|p| at(p)).collect(),
            output: quiet_output(),
            fail_on: Some(FailOn::At(fail_on)),
            config: config.clone(),
            build_args: Vec::new(),
            target: None,
            no_hadolint_config: false,
            no_shellcheck: false,
            no_shellcheck_cache: false,
        };
        let p = policy(
            AreaKind::Dockerfile,
            d.mode,
            Mode::Gate,
            fail_on,
            &d.enable,
            &d.disable,
            &d.severity,
        )?;
        Some((p, dargs))
    };

    let i = &file.image;
    // What gates a vulnerability besides its severity, as in `seaworthy image`.
    let risk = args.risk.resolve(i);
    let mut targets = i.targets.clone();
    if targets.len() == 1 && args.images.len() == 1 {
        let reference = args.images[0].clone();
        let only = targets.remove(0);
        targets.push(match only {
            ImageTarget::Ref(_) => ImageTarget::Ref(reference),
            ImageTarget::Built(mut b) => {
                b.reference = reference;
                ImageTarget::Built(b)
            }
        });
    } else {
        targets.extend(args.images.iter().cloned().map(ImageTarget::Ref));
    }
    let image = if skip(AreaArg::Image) || targets.is_empty() {
        None
    } else {
        let fail_on = threshold(i.fail_on);
        let jobs = targets
            .iter()
            .map(|t| image_job(t, args, fail_on, risk, &at))
            .collect();
        let mut p = policy(
            AreaKind::Image,
            i.mode,
            Mode::Gate,
            fail_on,
            &i.enable,
            &i.disable,
            &i.severity,
        )?;
        if args.fail_on.is_none() {
            p.scanner_fail_on = i.scanner_fail_on.clone();
        }
        p.risk = risk;
        for t in &targets {
            let reference = t.reference().to_string();
            let dockerfile = match t {
                ImageTarget::Built(b) => b.dockerfile.as_deref().map(|d| SourceLine {
                    path: at(d).display().to_string(),
                    line: None,
                }),
                ImageTarget::Ref(_) => None,
            };
            let named = dockerfile.or_else(|| declared.as_ref()?.quoted(&reference));
            if let Some(line) = named {
                p.target_declared_at.insert(reference, line);
            }
        }
        p.declared_at = declared.as_ref().and_then(|d| d.table("image"));
        Some((p, jobs))
    };

    let c = &file.container;
    let compose_files: Vec<PathBuf> = if c.compose.is_empty() && nothing_named {
        crate::commands::compose::DEFAULT_FILES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .into_iter()
            .collect()
    } else {
        c.compose.iter().map(|p| at(p)).collect()
    };
    let running = c.running || container_names;
    let container = if skip(AreaArg::Container) || (compose_files.is_empty() && !running) {
        None
    } else {
        let fail_on = threshold(c.fail_on);
        let compose = (!compose_files.is_empty()).then(|| ComposeArgs {
            files: compose_files,
            output: quiet_output(),
            fail_on: Some(FailOn::At(fail_on)),
            config: config.clone(),
        });
        let filters = c
            .filters
            .iter()
            .map(|f| {
                f.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .with_context(|| {
                        format!(
                            "{}: [container] filter `{f}` is not KEY=VALUE",
                            config_name(&config)
                        )
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let running = running.then(|| ContainerArgs {
            containers: c.names.clone(),
            all: false,
            filters,
            output: quiet_output(),
            fail_on: Some(FailOn::At(fail_on)),
            db: args.db.clone(),
            no_vulns: !c.vulnerabilities,
            ignore_unfixed: i.ignore_unfixed,
        });
        let mut p = policy(
            AreaKind::Container,
            c.mode,
            Mode::Gate,
            fail_on,
            &c.enable,
            &c.disable,
            &c.severity,
        )?;
        // The running containers' vulnerabilities are judged as the image area's.
        p.risk = risk;
        p.declared_at = declared.as_ref().and_then(|d| {
            let key = if c.running { "running" } else { "names" };
            d.key_in("container", key)
        });
        Some((p, ContainerJob { compose, running }))
    };

    let h = &file.host;
    let host = if skip(AreaArg::Host) || !h.enabled {
        None
    } else {
        let fail_on = threshold(h.fail_on);
        let hargs = HostArgs {
            root: h.root.clone().unwrap_or_else(|| PathBuf::from("/")),
            level: h.level.unwrap_or(1).clamp(1, 2),
            format: HostFormat::Json,
            output: None,
            color: ColorChoice::Never,
            fail_on: Some(FailOn::At(fail_on)),
            no_packages: !h.packages,
            no_daemon: !h.daemon,
            db: args.db.clone(),
        };
        // The host reports by default: it is the platform team's, not the change's.
        let mut p = policy(
            AreaKind::Host,
            h.mode,
            Mode::Report,
            fail_on,
            &h.enable,
            &h.disable,
            &h.severity,
        )?;
        p.declared_at = declared.as_ref().and_then(|d| d.key_in("host", "enabled"));
        Some((p, hargs))
    };

    Ok(Plan {
        config,
        file,
        dockerfile,
        image,
        container,
        host,
    })
}

fn image_job(
    target: &ImageTarget,
    args: &AssessArgs,
    fail_on: Severity,
    risk: RiskGate,
    at: &dyn Fn(&Path) -> PathBuf,
) -> ImageJob {
    let (dockerfile, build_args, target_stage, base_image) = match target {
        ImageTarget::Ref(_) => (None, Vec::new(), None, None),
        ImageTarget::Built(b) => (
            b.dockerfile.as_deref().map(at),
            b.build_args
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
            b.target.clone(),
            b.base_image.clone(),
        ),
    };
    let insecure = std::env::var("SEAWORTHY_INSECURE_REGISTRY")
        .map(|v| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    // The image limits' environment variables apply as they do to `seaworthy image`.
    let defaults = seaworthy_oci::Limits::default();
    ImageJob {
        args: ImageScanArgs {
            image: ImageArgs {
                image: target.reference().to_string(),
                platform: None,
                insecure_registries: insecure,
                username: std::env::var("SEAWORTHY_REGISTRY_USERNAME").ok(),
                max_layer_mib: env_or("SEAWORTHY_MAX_LAYER_MIB", defaults.max_layer_bytes >> 20),
                max_compression_ratio: env_or(
                    "SEAWORTHY_MAX_COMPRESSION_RATIO",
                    defaults.max_compression_ratio,
                ),
                max_captured_mib: env_or(
                    "SEAWORTHY_MAX_CAPTURED_MIB",
                    defaults.max_captured_bytes >> 20,
                ),
                max_parse_mib: env_or("SEAWORTHY_MAX_PARSE_MIB", defaults.max_parse_bytes >> 20),
                max_packages: env_or("SEAWORTHY_MAX_PACKAGES", defaults.max_packages),
                max_packages_per_file: env_or(
                    "SEAWORTHY_MAX_PACKAGES_PER_FILE",
                    defaults.max_packages_per_file,
                ),
                strict: args.strict,
            },
            db: args.db.clone(),
            format: VulnFormat::Json,
            output: None,
            fail_on: Some(FailOn::At(fail_on)),
            severity: Vec::new(),
            scanners: Vec::new(),
            ignore_unfixed: false,
            match_os_owned: false,
            risk: crate::cli::RiskArgs::from_gate(risk),
            sort: None,
            dockerfile,
            build_args,
            target: target_stage,
            // Base items are marked, not dropped: assess shows them apart.
            ignore_base: false,
            keys: Vec::new(),
            vex: Vec::new(),
            color: ColorChoice::Never,
            progress: ColorChoice::Never,
        },
        base_image,
    }
}

/// A path of the config file, as the report should show it: relative to the working directory
/// when it is below it.
fn relative(cwd: &Path, base: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let joined = joined
        .strip_prefix(cwd)
        .map(Path::to_path_buf)
        .unwrap_or(joined);
    match joined.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => joined,
    }
}

fn config_name(config: &Option<PathBuf>) -> String {
    config.as_deref().map_or_else(
        || config::FILE_NAME.to_string(),
        |p| p.display().to_string(),
    )
}

/// A number from the environment variable `name`, else `default` (unset or not a number).
fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

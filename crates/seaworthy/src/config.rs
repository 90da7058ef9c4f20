//! `seaworthy.toml` (found upward from the working directory) and, for hadolint users,
//! `.hadolint.yaml`: read, validated, and turned into the Dockerfile area's settings.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use seaworthy_core::{Scanner, Severity};
use seaworthy_dockerfile::{Config as DockerfileConfig, rules};
use serde::Deserialize;

pub const FILE_NAME: &str = "seaworthy.toml";
const HADOLINT_NAMES: &[&str] = &[".hadolint.yaml", ".hadolint.yml"];
/// Config files are small; a larger one is refused before parsing.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FileConfig {
    /// Default threshold of every area.
    #[serde(default, deserialize_with = "rated")]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub dockerfile: DockerfileSection,
    #[serde(default)]
    pub rules: RulesSection,
    #[serde(default)]
    pub db: DbSection,
    #[serde(default)]
    pub image: ImageSection,
    #[serde(default)]
    pub container: ContainerSection,
    #[serde(default)]
    pub host: HostSection,
    /// `[[waiver]]`: findings or advisories accepted for a reason until a date.
    #[serde(default)]
    pub waiver: Vec<seaworthy_policy::waiver::RawWaiver>,
    /// OpenVEX documents (paths relative to this file).
    #[serde(default)]
    pub vex: Vec<PathBuf>,
}

/// `[db]`: where the vulnerability database lives and where its feeds come from.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DbSection {
    pub path: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub debian_tracker_url: Option<String>,
    pub alpine_secdb_url: Option<String>,
    pub alpine_branches: Option<Vec<String>>,
    pub osv_url: Option<String>,
    pub osv_ecosystems: Option<Vec<String>>,
    pub rustsec_url: Option<String>,
    pub wolfi_url: Option<String>,
    pub chainguard_url: Option<String>,
    pub nvd_url: Option<String>,
    pub kev_url: Option<String>,
    pub epss_url: Option<String>,
}

/// `[image]`: the image scan's defaults.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ImageSection {
    #[serde(default, deserialize_with = "rated")]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub ignore_unfixed: bool,
    /// Also match language packages owned by OS packages against their language's advisories
    /// (`--match-os-owned`).
    #[serde(default)]
    pub match_os_owned: bool,
    /// The image is meant to be minimal: shells and package managers in it are noted (SW-IMG-014).
    #[serde(default)]
    pub minimal: bool,
    /// Image rules not to run, by id or name.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity of an unsigned or unverifiable image when keys are given (default high).
    pub signature_severity: Option<Severity>,
    /// Public keys (PEM) that must have signed the image, as `--key`.
    #[serde(default)]
    pub keys: Vec<PathBuf>,
    /// `seaworthy assess`: the images to scan.
    #[serde(default)]
    pub targets: Vec<ImageTarget>,
    /// `seaworthy assess`: findings from the base image's layers do not gate.
    #[serde(default)]
    pub ignore_base: bool,
    /// `gate` (fails the run) or `report` (shown only), in `assess` and `seaworthy image`.
    pub mode: Option<seaworthy_report::assess::Mode>,
    /// `seaworthy assess`: when given, only these rule or advisory ids (globs) are reported.
    #[serde(default)]
    pub enable: Vec<String>,
    /// `seaworthy assess`: severity overrides by rule or advisory id (globs).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// The scanners to run (default all), as `--scanners`.
    pub scanners: Option<Vec<Scanner>>,
    /// `[image.scanner-fail-on]`: a scanner's own threshold over `fail-on` (`"none"`: that
    /// scanner reports only).
    #[serde(default, deserialize_with = "scanner_thresholds")]
    pub scanner_fail_on: BTreeMap<Scanner, Option<Severity>>,
    /// What a vulnerability no source rates counts as at the gate (default: it never gates).
    #[serde(default, deserialize_with = "rated")]
    pub unknown_severity: Option<Severity>,
    /// A vulnerability listed in CISA KEV fails the gate whatever its severity.
    #[serde(default)]
    pub fail_on_kev: bool,
    /// A vulnerability whose EPSS score is at least this (0 to 1) fails the gate.
    #[serde(default, deserialize_with = "probability")]
    pub fail_on_epss: Option<f64>,
    /// The order of the report's vulnerabilities: risk (default), severity or package.
    #[serde(default, deserialize_with = "sort_order")]
    pub sort: Option<seaworthy_vulndb::SortOrder>,
}

/// A threshold: one of the rated severities (`unknown` is not one).
fn rated<'de, D>(d: D) -> Result<Option<Severity>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(d)?;
    raw.map(|v| crate::cli::parse_rated_severity(&v).map_err(serde::de::Error::custom))
        .transpose()
}

fn probability<'de, D>(d: D) -> Result<Option<f64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<f64>::deserialize(d)?;
    raw.map(|v| crate::cli::check_probability(v).map_err(serde::de::Error::custom))
        .transpose()
}

fn sort_order<'de, D>(d: D) -> Result<Option<seaworthy_vulndb::SortOrder>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(d)?;
    raw.map(|v| v.parse().map_err(serde::de::Error::custom))
        .transpose()
}

/// `vuln = "critical"`, `config = "none"`.
fn scanner_thresholds<'de, D>(d: D) -> Result<BTreeMap<Scanner, Option<Severity>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = BTreeMap::<Scanner, String>::deserialize(d)?;
    raw.into_iter()
        .map(|(scanner, value)| {
            crate::cli::parse_fail_on(&value)
                .map(|f| (scanner, f.threshold()))
                .map_err(|e| serde::de::Error::custom(format!("`{scanner}`: {e}")))
        })
        .collect()
}

/// An image `seaworthy assess` scans: a reference, or a table naming how it was built.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ImageTarget {
    Ref(String),
    Built(BuiltImage),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BuiltImage {
    #[serde(rename = "ref")]
    pub reference: String,
    /// The Dockerfile it was built from: findings name the line that brought them in.
    pub dockerfile: Option<PathBuf>,
    #[serde(default)]
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    /// The base image: findings from its layers are shown apart and do not gate.
    pub base_image: Option<String>,
}

impl ImageTarget {
    pub fn reference(&self) -> &str {
        match self {
            ImageTarget::Ref(r) => r,
            ImageTarget::Built(b) => &b.reference,
        }
    }
}

/// `[container]`: compose files and running containers for `seaworthy assess`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContainerSection {
    #[serde(default, deserialize_with = "rated")]
    pub fail_on: Option<Severity>,
    /// Compose files checked before deploy.
    #[serde(default)]
    pub compose: Vec<PathBuf>,
    /// Check running containers (also implied by `names` or `filters`).
    #[serde(default)]
    pub running: bool,
    #[serde(default)]
    pub names: Vec<String>,
    /// `docker ps` filters, `label=app=web`.
    #[serde(default)]
    pub filters: Vec<String>,
    /// Match the running containers' packages against the vulnerability database.
    #[serde(default = "yes")]
    pub vulnerabilities: bool,
    #[serde(default)]
    pub disable: Vec<String>,
    /// `seaworthy assess`: `gate` (fails the run) or `report` (shown only).
    pub mode: Option<seaworthy_report::assess::Mode>,
    /// `seaworthy assess`: when given, only these rule or advisory ids (globs) are reported.
    #[serde(default)]
    pub enable: Vec<String>,
    /// `seaworthy assess`: severity overrides by rule or advisory id (globs).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// `[host]`: the Docker host checks in `seaworthy assess`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HostSection {
    /// Run the host checks.
    #[serde(default)]
    pub enabled: bool,
    #[serde(default, deserialize_with = "rated")]
    pub fail_on: Option<Severity>,
    pub root: Option<PathBuf>,
    pub level: Option<u8>,
    #[serde(default = "yes")]
    pub packages: bool,
    #[serde(default = "yes")]
    pub daemon: bool,
    #[serde(default)]
    pub disable: Vec<String>,
    /// `seaworthy assess`: `gate` (fails the run) or `report` (shown only).
    pub mode: Option<seaworthy_report::assess::Mode>,
    /// `seaworthy assess`: when given, only these rule or advisory ids (globs) are reported.
    #[serde(default)]
    pub enable: Vec<String>,
    /// `seaworthy assess`: severity overrides by rule or advisory id (globs).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DockerfileSection {
    #[serde(default, deserialize_with = "rated")]
    pub fail_on: Option<Severity>,
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    #[serde(default)]
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    /// `seaworthy assess`: Dockerfiles or directories to lint.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    #[serde(default)]
    pub disable: Vec<String>,
    /// `gate` (fails the run) or `report` (shown only), in `assess` and `seaworthy dockerfile`.
    pub mode: Option<seaworthy_report::assess::Mode>,
    /// `seaworthy assess`: when given, only these rule or advisory ids (globs) are reported.
    #[serde(default)]
    pub enable: Vec<String>,
    /// `seaworthy assess`: severity overrides by rule or advisory id (globs).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Run ShellCheck on RUN scripts when `shellcheck` is installed (default true).
    pub shellcheck: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RulesSection {
    /// Rule ids (or hadolint codes) that do not run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity overrides by rule id (or hadolint code).
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// The subset of hadolint's configuration that maps onto ours.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HadolintConfig {
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default)]
    trusted_registries: Vec<String>,
    #[serde(default, rename = "failure-threshold")]
    failure_threshold: Option<String>,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<String, Vec<String>>,
}

/// Settings after merging files; the CLI applies its own flags on top.
#[derive(Debug, Default)]
pub struct Settings {
    pub fail_on: Option<Severity>,
    /// `[dockerfile] mode`: `report` makes `seaworthy dockerfile` report only.
    pub dockerfile_mode: Option<seaworthy_report::assess::Mode>,
    pub dockerfile: DockerfileConfig,
    pub build_args: HashMap<String, String>,
    pub target: Option<String>,
    /// `[dockerfile] shellcheck`: `false` turns ShellCheck off.
    pub shellcheck: Option<bool>,
    /// Files that were read, for messages.
    pub sources: Vec<PathBuf>,
}

/// Finds `name` in `start` or one of its parents.
fn find_upward(start: &Path, names: &[&str]) -> Option<PathBuf> {
    start
        .ancestors()
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A regular file (never a FIFO or device) of at most 1 MiB of UTF-8 text.
pub fn read_small(path: &Path) -> Result<String> {
    use seaworthy_core::files::{self, FileErrorKind, Links};
    let bytes = files::read(path, MAX_CONFIG_BYTES, Links::Follow).map_err(|e| match e.kind {
        FileErrorKind::TooLarge(_) => {
            anyhow::anyhow!("{}: config file is larger than 1 MiB", path.display())
        }
        _ => anyhow::Error::new(e),
    })?;
    String::from_utf8(bytes)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))
}

/// Resolves a rule id, rule name or hadolint code to our rule ids.
fn rule_ids(id: &str, file: &Path) -> Result<Vec<String>> {
    if let Some(rule) = rules::REGISTRY.get(id) {
        return Ok(vec![rule.meta().id.to_string()]);
    }
    // ShellCheck codes are rule ids of their own (the findings of ShellCheck on RUN).
    if let Some(code) = seaworthy_dockerfile::shellcheck::code(id) {
        return Ok(vec![code]);
    }
    let mapped = rules::from_hadolint(id);
    if id.to_ascii_uppercase().starts_with("DL") || id.to_ascii_uppercase().starts_with("SC") {
        // Hadolint codes we have no twin for are accepted and ignored.
        return Ok(mapped.into_iter().map(str::to_string).collect());
    }
    bail!(
        "{}: unknown rule `{id}` (see `seaworthy rules` for the list)",
        file.display()
    )
}

/// The whole `seaworthy.toml` (explicit path, or found upward), or defaults when there is none.
pub fn load_file(explicit: Option<&Path>) -> Result<(FileConfig, Option<PathBuf>)> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        // Shown relative to the working directory when found there or below (`seaworthy.toml:12`).
        None => find_upward(&cwd, &[FILE_NAME])
            .map(|p| p.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(p)),
    };
    match path {
        Some(path) => {
            let text = read_small(&path)?;
            let file: FileConfig =
                toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            Ok((file, Some(path)))
        }
        None => Ok((FileConfig::default(), None)),
    }
}

pub fn load(explicit: Option<&Path>, use_hadolint: bool) -> Result<Settings> {
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let mut settings = Settings::default();
    if use_hadolint && let Some(path) = find_upward(&cwd, HADOLINT_NAMES) {
        apply_hadolint(&path, &mut settings)?;
    }
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => find_upward(&cwd, &[FILE_NAME]),
    };
    if let Some(path) = path {
        let text = read_small(&path)?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        apply_file(&path, file, &mut settings)?;
    }
    Ok(settings)
}

fn apply_file(path: &Path, file: FileConfig, s: &mut Settings) -> Result<()> {
    s.fail_on = file.dockerfile.fail_on.or(file.fail_on).or(s.fail_on);
    s.dockerfile_mode = file.dockerfile.mode;
    if !file.dockerfile.trusted_registries.is_empty() {
        s.dockerfile.trusted_registries = file.dockerfile.trusted_registries;
        s.dockerfile.trusted_source = Some(path.display().to_string());
    }
    for id in &file.rules.disable {
        s.dockerfile.disabled.extend(rule_ids(id, path)?);
    }
    for (id, sev) in &file.rules.severity {
        for rid in rule_ids(id, path)? {
            s.dockerfile.severity.insert(rid, *sev);
        }
    }
    s.build_args.extend(file.dockerfile.build_args);
    if file.dockerfile.target.is_some() {
        s.target = file.dockerfile.target;
    }
    if file.dockerfile.shellcheck.is_some() {
        s.shellcheck = file.dockerfile.shellcheck;
    }
    s.sources.push(path.to_path_buf());
    Ok(())
}

fn apply_hadolint(path: &Path, s: &mut Settings) -> Result<()> {
    let text = read_small(path)?;
    let cfg: HadolintConfig = if text.trim().is_empty() {
        HadolintConfig::default()
    } else {
        serde_saphyr::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
    };
    for code in &cfg.ignored {
        s.dockerfile.disabled.extend(rule_ids(code, path)?);
    }
    if !cfg.trusted_registries.is_empty() {
        s.dockerfile.trusted_registries = cfg.trusted_registries;
        s.dockerfile.trusted_source = Some(path.display().to_string());
    }
    for (level, codes) in &cfg.overrides {
        let Some(sev) = hadolint_level(level) else {
            continue;
        };
        for code in codes {
            for rid in rule_ids(code, path)? {
                s.dockerfile.severity.insert(rid, sev);
            }
        }
    }
    if let Some(t) = cfg.failure_threshold.as_deref().and_then(hadolint_level) {
        s.fail_on = Some(t);
    }
    s.sources.push(path.to_path_buf());
    Ok(())
}

/// hadolint's levels on our scale.
fn hadolint_level(level: &str) -> Option<Severity> {
    match level.to_ascii_lowercase().as_str() {
        "error" => Some(Severity::High),
        "warning" => Some(Severity::Medium),
        "info" => Some(Severity::Low),
        "style" => Some(Severity::Info),
        _ => None,
    }
}

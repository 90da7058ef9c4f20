//! `seaworthy image REF`: inventory the image, match every package against the vulnerability
//! database, report, and gate on `--fail-on`. REF may also be an SBOM (`sbom:FILE`) or an
//! unpacked root filesystem (`dir:PATH`, `rootfs:PATH`): see [`ScanInput`].

use std::collections::BTreeMap;

use seaworthy_core::{Scanner, Severity, Thresholds};
use seaworthy_oci::ImageError;
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, MatchResult, match_packages};
use seaworthy_vulndb::{LayerRef, RiskGate, SortOrder};

use crate::cli;
use crate::cli::ImageScanArgs;
use crate::cli::{OutputArgs, OutputFormat};
use crate::commands::db::{self, Failure};
use crate::commands::provenance;
use crate::commands::sbom::{load_options, show_progress};
use crate::commands::scan_input::ScanInput;
use crate::config;
use crate::exit::ExitCode;
use crate::output::{emit, use_color};
use crate::progress::LayerBar;
use seaworthy_image::SignatureCheck;

pub struct Outcome {
    pub image: seaworthy_oci::Image,
    pub inventory: seaworthy_inventory::Inventory,
    pub result: MatchResult,
    /// Image configuration, secret and trust findings.
    pub findings: Vec<seaworthy_core::Finding>,
    pub db: seaworthy_vulndb::DbSummary,
    /// None: report only (`--fail-on none`, `[image] mode = "report"`).
    pub fail_on: Option<Severity>,
    /// Findings and matches left out by `--ignore-base`.
    pub ignored_base: usize,
    /// With `--dockerfile`: how many of the lowest layers the base image made.
    pub base_layers: usize,
    /// Matches a waiver or VEX statement took out of the gate.
    pub waived: Vec<seaworthy_report::vulns::WaivedMatch>,
    /// Expired waivers that matched an item that gates: each fails the run.
    pub expired_waivers: Vec<String>,
    /// Expired waivers that matched only items below the threshold: warnings.
    pub expired_warnings: Vec<String>,
    /// The scanners that ran.
    pub scanners: Vec<Scanner>,
    /// `[image.scanner-fail-on]`: per-scanner thresholds over `fail_on`.
    pub scanner_fail_on: BTreeMap<Scanner, Option<Severity>>,
    /// `unknown-severity`, `fail-on-kev`, `fail-on-epss` (all off in report mode but the first).
    pub risk: RiskGate,
    pub sort: SortOrder,
}

/// `--scanners`, else `[image] scanners`, else all of them; sorted, each once.
pub fn selected_scanners(flag: &[Scanner], file: &config::FileConfig) -> Vec<Scanner> {
    let mut chosen: Vec<Scanner> = if !flag.is_empty() {
        flag.to_vec()
    } else {
        file.image
            .scanners
            .clone()
            .unwrap_or_else(|| Scanner::ALL.to_vec())
    };
    chosen.sort();
    chosen.dedup();
    chosen
}

/// The ids of the image rules that belong to scanners not chosen.
fn rules_not_chosen(scanners: &[Scanner]) -> Vec<String> {
    seaworthy_image::rules::REGISTRY
        .iter()
        .map(|r| r.meta().id)
        .filter(|id| !scanners.contains(&Scanner::of_rule(id)))
        .map(str::to_string)
        .collect()
}

fn image_failure(e: ImageError) -> Failure {
    let input = e.is_input_error();
    Failure {
        error: e.into(),
        input,
    }
}

pub fn run(args: &ImageScanArgs) -> Result<Outcome, Failure> {
    if args.dockerfile.is_none()
        && (args.target.is_some() || !args.build_args.is_empty() || args.ignore_base)
    {
        // Not an error: the variables may be set for every command of a CI job.
        crate::note!(
            "seaworthy: note: --target, --build-arg and --ignore-base have no effect without --dockerfile"
        );
    }
    let (file, config_path) = config::load_file(args.db.config.as_deref())?;
    let mut policy = crate::policy::Policy::load(&file, config_path.as_deref(), &args.vex)?;
    let mut outcome = scan(args, &file)?;
    let gate = Thresholds {
        default: outcome.fail_on,
        by_scanner: outcome.scanner_fail_on.clone(),
    };
    policy.apply_to_findings(&mut outcome.findings, |f| gate.for_rule(&f.rule_id));
    let threshold = gate.for_scanner(Scanner::Vuln);
    let risk = outcome.risk;
    outcome.waived = policy.split_matches(&mut outcome.result.matches, &args.image.image, |m| {
        risk.gates(m, threshold)
    });
    outcome.expired_waivers = policy.expired();
    outcome.expired_warnings = policy.expired_warnings();
    Ok(outcome)
}

/// Loads, inventories, matches and checks the image; waivers are the caller's.
pub fn scan(args: &ImageScanArgs, file: &config::FileConfig) -> Result<Outcome, Failure> {
    let scanners = selected_scanners(&args.scanners, file);
    let vulns = scanners.contains(&Scanner::Vuln);
    // Open the database first: without one there is nothing to scan against.
    let store = if vulns {
        Some(db::open(&args.db)?)
    } else {
        None
    };
    let status = match &store {
        Some(store) => Some(store.status().map_err(db::store_failure)?),
        None => None,
    };
    let catalogers = crate::commands::sbom::catalogers(&args.image);
    let bar = show_progress(args.progress).then(LayerBar::new);
    let none = seaworthy_oci::NoProgress;
    let progress: &dyn seaworthy_oci::Progress = match &bar {
        Some(b) => b,
        None => &none,
    };
    let filter = seaworthy_image::WithRuleFiles(&catalogers);
    let opts = load_options(&args.image, &filter, progress);
    let scan_input = ScanInput::of(&args.image.image);
    let loaded = scan_input.load(&args.image.image, &opts, &catalogers, &scanners);
    if let Some(b) = &bar {
        b.finish();
    }
    let (mut image, inventory) = loaded.map_err(image_failure)?;
    let layers = layer_refs(&image.info);
    let options = MatchOptions {
        ignore_unfixed: args.ignore_unfixed || file.image.ignore_unfixed,
        match_os_owned: args.match_os_owned || file.image.match_os_owned,
    };
    let input = MatchInput {
        os: inventory.os.as_ref(),
        packages: &inventory.packages,
        layers: &layers,
    };
    let mut result = match &store {
        Some(store) => match_packages(store, &input, options).map_err(db::store_failure)?,
        None => MatchResult::default(),
    };
    if !args.severity.is_empty() {
        result
            .matches
            .retain(|m| args.severity.contains(&m.severity));
    }
    let keys: Vec<_> = args.keys.iter().chain(&file.image.keys).collect();
    let signature =
        if keys.is_empty() || !scanners.contains(&Scanner::Trust) || !scan_input.has_image() {
            None
        } else {
            Some(verify_signature(&image.info, &keys, &opts)?)
        };
    let settings = seaworthy_image::Settings {
        trusted_registries: file.dockerfile.trusted_registries.clone(),
        minimal: file.image.minimal,
        disabled: file
            .image
            .disable
            .iter()
            .cloned()
            .chain(rules_not_chosen(&scanners))
            .chain(scan_input.rules_not_applicable())
            .collect(),
        signature,
        signature_severity: file.image.signature_severity,
        today: None,
    };
    let mut findings = seaworthy_image::check(&image, &settings);
    let mut ignored_base = 0;
    let mut base_layers = 0;
    if let Some(path) = &args.dockerfile {
        let mapping = provenance::map(path, &args.build_args, args.target.as_deref(), &image.info)?;
        base_layers = mapping.base_layers(image.info.layers.len());
        ignored_base += mapping.findings(&mut findings, args.ignore_base);
        ignored_base += mapping.matches(&mut result.matches, args.ignore_base);
    }
    if !args.severity.is_empty() {
        findings.retain(|f| args.severity.contains(&f.severity));
    }
    crate::commands::sbom::redact_history(&mut image.info);
    let db = match status {
        Some(status) => seaworthy_vulndb::DbSummary {
            schema_version: status.schema_version,
            built: status.built,
            sources: status.sources.iter().map(|s| s.name.clone()).collect(),
        },
        None => seaworthy_vulndb::DbSummary::default(),
    };
    let report_mode = file.image.mode == Some(seaworthy_report::assess::Mode::Report);
    let fail_on = crate::cli::FailOn::resolve(
        args.fail_on,
        report_mode,
        file.image.fail_on.or(file.fail_on),
    );
    let mut risk = args.risk.resolve(&file.image);
    if report_mode {
        // Report mode gates nothing; an unrated match still counts as asked in the summary.
        risk.kev = false;
        risk.epss = None;
    }
    Ok(Outcome {
        risk,
        sort: args.sort.or(file.image.sort).unwrap_or_default(),
        image,
        inventory,
        result,
        findings,
        db,
        fail_on,
        ignored_base,
        base_layers,
        waived: Vec::new(),
        expired_waivers: Vec::new(),
        expired_warnings: Vec::new(),
        scanners,
        // `--fail-on` on the command line (or `mode = "report"`) decides for every scanner.
        scanner_fail_on: if args.fail_on.is_some() || report_mode {
            BTreeMap::new()
        } else {
            file.image.scanner_fail_on.clone()
        },
    })
}

/// The image's layers as the matcher names them: index, diff_id (or blob digest) and the
/// history command, secrets masked.
pub fn layer_refs(info: &seaworthy_oci::ImageInfo) -> Vec<LayerRef> {
    info.layers
        .iter()
        .enumerate()
        .map(|(index, l)| LayerRef {
            index,
            diff_id: l
                .diff_id
                .as_ref()
                .or(l.digest.as_ref())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            created_by: l
                .history
                .as_ref()
                .and_then(|h| h.created_by.as_deref())
                .map(seaworthy_dockerfile::redact::redact),
        })
        .collect()
}

/// Checks the image's cosign-style signatures against the given public keys.
fn verify_signature(
    info: &seaworthy_oci::ImageInfo,
    keys: &[&std::path::PathBuf],
    opts: &seaworthy_oci::LoadOptions<'_>,
) -> Result<SignatureCheck, Failure> {
    use seaworthy_oci::signature::{self, Problem, PublicKey, Verification};
    let keys = keys
        .iter()
        .map(|k| PublicKey::read(k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure {
            error: e.into(),
            input: true,
        })?;
    let found = signature::verify(info, &keys, opts).map_err(image_failure)?;
    Ok(match found {
        Verification::Verified { key, .. } => SignatureCheck::Verified { key },
        Verification::Unsigned { looked_for } => SignatureCheck::Unsigned { looked_for },
        Verification::NotApplicable { why } => SignatureCheck::NotApplicable { why },
        Verification::Invalid { problems } => {
            let detail = problems
                .iter()
                .map(|p| format!("{}: {}", p.signature, p.problem))
                .collect::<Vec<_>>()
                .join("; ");
            if problems
                .iter()
                .any(|p| matches!(p.problem, Problem::UnknownKey))
            {
                SignatureCheck::UnknownKey { detail }
            } else {
                SignatureCheck::Invalid { detail }
            }
        }
    })
}

/// `seaworthy image` (and `vex`, which is `image --format openvex`).
pub fn execute(args: &cli::ImageScanArgs) -> ExitCode {
    use seaworthy_report::vulns::{VulnFormat, VulnReportInput, render_vulns};
    let outcome = match run(args) {
        Ok(o) => o,
        Err(f) => return db::failure_code(&f),
    };
    let created = crate::commands::sbom::created_now();
    let input = VulnReportInput {
        image: &outcome.image.info,
        inventory: &outcome.inventory,
        matches: &outcome.result.matches,
        db: &outcome.db,
        ignored_unfixed: outcome.result.ignored_unfixed,
        uncovered: &outcome.result.uncovered,
        waived: &outcome.waived,
        expired_waivers: &outcome.expired_waivers,
        findings: &outcome.findings,
        ignored_base: outcome.ignored_base,
        fail_on: outcome.fail_on,
        scanner_fail_on: &outcome.scanner_fail_on,
        scanners: &outcome.scanners,
        risk: outcome.risk,
        sort: outcome.sort,
        tool_version: env!("CARGO_PKG_VERSION"),
        created: &created,
    };
    let format = match args.format {
        cli::VulnFormat::Table => VulnFormat::Table,
        cli::VulnFormat::Json => VulnFormat::Json,
        cli::VulnFormat::Sarif => VulnFormat::Sarif,
        cli::VulnFormat::Cyclonedx => VulnFormat::Cyclonedx,
        cli::VulnFormat::Openvex => VulnFormat::Openvex,
        cli::VulnFormat::Junit => VulnFormat::Junit,
        cli::VulnFormat::Github => VulnFormat::Github,
    };
    let out = OutputArgs {
        format: if args.format == cli::VulnFormat::Table {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        },
        output: args.output.clone(),
        color: args.color,
    };
    let text = render_vulns(&input, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        crate::say!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    for e in &outcome.expired_waivers {
        crate::say!("seaworthy: policy failed: {e}");
    }
    for e in &outcome.expired_warnings {
        crate::note!("seaworthy: warning: {e}");
    }
    if outcome.scanners.len() < Scanner::ALL.len() {
        let off: Vec<&str> = Scanner::ALL
            .iter()
            .filter(|s| !outcome.scanners.contains(s))
            .map(|s| s.name())
            .collect();
        crate::note!(
            "seaworthy: note: not scanned for: {} (--scanners)",
            off.join(", ")
        );
    }
    for (reason, count) in &outcome.result.not_matched {
        crate::note!("seaworthy: note: {count} {reason} were not checked for vulnerabilities");
    }
    for u in &outcome.result.uncovered {
        crate::note!("seaworthy: note: {}", u.message());
    }
    let owned = outcome.result.os_owned_skipped;
    if owned > 0 {
        let packages = if owned == 1 {
            "language package owned by an OS package was"
        } else {
            "language packages owned by OS packages were"
        };
        crate::note!(
            "seaworthy: note: {owned} {packages} left to the distribution's advisories \
             (--match-os-owned)"
        );
    }
    for e in outcome.result.range_errors.iter().take(5) {
        crate::note!("seaworthy: warning: advisory range not understood: {e}");
    }
    if crate::commands::sbom::report_unread(&outcome.inventory, args.image.strict) {
        return ExitCode::Usage;
    }
    // Writing VEX documents decisions; it does not gate.
    if args.format != cli::VulnFormat::Openvex && !input.passed() {
        ExitCode::PolicyFailed
    } else {
        ExitCode::Pass
    }
}

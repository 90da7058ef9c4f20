//! `seaworthy container [ID|NAME…]`: reads running containers through the Docker Engine and
//! reports, per container, the CIS section 5 checks and those beyond (a root user, secrets in the
//! environment), drift since start (files and packages) and the known vulnerabilities of what it
//! runs. Each image is scanned once per run, however many containers use it; a container whose
//! package database changed is matched on its live list.

use std::collections::{BTreeSet, HashMap};

use seaworthy_container::drift::{self, PackageChange, Subject as Who};
use seaworthy_core::{Finding, Location, Report, Severity};
use seaworthy_engine::containers::{ObserveError, Observed, Selection, host_context, observe};
use seaworthy_engine::engine;
use seaworthy_inventory::{Inventory, Package, all_catalogers};
use seaworthy_vulndb::matcher::{MatchInput, MatchOptions, match_packages};
use seaworthy_vulndb::store::Store;
use seaworthy_vulndb::{LayerRef, VulnMatch};

use crate::cli;
use crate::cli::ContainerArgs;
use crate::commands::db::{self, Failure};
use crate::config;
use crate::exit::ExitCode;
use crate::output::{emit, format_of, use_color};
use seaworthy_report::{RenderOptions, render};

pub struct Outcome {
    pub report: Report,
    /// Things that could not be read, for standard error.
    pub warnings: Vec<String>,
}

/// An image's packages and their vulnerabilities, shared by its containers.
#[derive(Clone)]
pub struct ImageScan {
    pub inventory: Inventory,
    pub layers: Vec<LayerRef>,
    pub matches: Vec<VulnMatch>,
}

/// Scans another part of the run has made, by image id (`sha256:…`).
pub type Prescanned<'a> = &'a (dyn Fn(&str) -> Option<ImageScan> + Sync);

fn engine_failure(e: ObserveError) -> Failure {
    let input = e.is_input_error();
    Failure {
        error: e.into(),
        input,
    }
}

/// Findings before waivers.
pub struct Observations {
    /// None: report only (`--fail-on none`).
    pub fail_on: Option<Severity>,
    pub inputs: Vec<String>,
    pub findings: Vec<Finding>,
    /// The match behind each vulnerability finding, by its index in `findings`.
    pub matches: Vec<(usize, VulnMatch)>,
    pub warnings: Vec<String>,
}

pub fn run(args: &ContainerArgs) -> Result<Outcome, Failure> {
    let Observations {
        fail_on,
        inputs,
        mut findings,
        mut warnings,
        ..
    } = observe_all(args)?;
    let waived = crate::policy::waive_findings(args.db.config.as_deref(), &mut findings, fail_on)?;
    let expired = waived.failing;
    let mut report =
        crate::commands::dockerfile::findings_report(fail_on, inputs, findings, Vec::new());
    report.passed &= expired.is_empty();
    warnings.extend(expired.into_iter().map(|e| format!("policy failed: {e}")));
    warnings.extend(waived.warnings);
    Ok(Outcome { report, warnings })
}

/// Checks the selected containers; waivers are the caller's.
pub fn observe_all(args: &ContainerArgs) -> Result<Observations, Failure> {
    observe_with(args, &|_| None)
}

/// As [`observe_all`], taking an image's scan from `prescanned` when it has one (an image the
/// same assessment already read) instead of reading the image again.
pub fn observe_with(
    args: &ContainerArgs,
    prescanned: Prescanned<'_>,
) -> Result<Observations, Failure> {
    let (file, _) = config::load_file(args.db.config.as_deref())?;
    let fail_on = crate::cli::FailOn::resolve(args.fail_on, false, file.fail_on);
    // Open the database before touching the daemon: without one there is nothing to match.
    let store = if args.no_vulns {
        None
    } else {
        Some(db::open(&args.db)?)
    };
    let selection = Selection {
        names: args.containers.clone(),
        all: args.all,
        filters: args.filters.clone(),
    };
    let endpoint = engine::endpoint();
    let (ctx, observed) = engine::block_on(async {
        let docker = engine::connect(&endpoint).await?;
        let ctx = host_context(&docker, &endpoint).await?;
        Ok::<_, ObserveError>((ctx, observe(&docker, &endpoint, &selection).await?))
    })
    .map_err(|e| engine_failure(ObserveError::Engine(e)))?
    .map_err(engine_failure)?;

    let mut scans: HashMap<String, Result<ImageScan, String>> = HashMap::new();
    let mut findings = Vec::new();
    let mut vuln_matches = Vec::new();
    let mut warnings = Vec::new();
    let mut inputs = Vec::new();
    for o in &observed {
        let (name, image, image_id) = identity(o);
        inputs.push(name.to_string());
        warnings.extend(o.problems.iter().map(|p| format!("{name}: {p}")));
        let who = Who {
            container: name,
            image,
        };
        findings.extend(seaworthy_container::findings(&o.spec, &ctx));
        findings.extend(drift::file_drift(&who, &o.changes, &o.spec.mounts));
        // The image's inventory is needed to match it, and to compare a changed package database.
        if store.is_none() && o.package_files.is_empty() {
            continue;
        }
        let scan =
            scans
                .entry(image_id.to_string())
                .or_insert_with(|| match prescanned(image_id) {
                    Some(scan) => Ok(scan),
                    None => scan_image(store.as_ref(), image_id, args.ignore_unfixed),
                });
        let scan = match scan {
            Ok(s) => s,
            Err(e) => {
                warnings.push(format!("{name}: image {image} not scanned: {e}"));
                continue;
            }
        };
        let (changes, live_matches) =
            live_state(store.as_ref(), o, scan, args.ignore_unfixed, &mut warnings);
        let matches = live_matches.as_ref().unwrap_or(&scan.matches);
        let mut drifted = drift::package_drift(&who, &changes);
        if store.is_some() {
            credit_fixes(&mut drifted, &changes, &scan.matches, matches);
        }
        findings.extend(drifted);
        let changed: BTreeSet<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        for m in matches {
            vuln_matches.push((findings.len(), m.clone()));
            findings.push(vuln_finding(&who, m, &changed));
        }
    }
    Ok(Observations {
        fail_on,
        inputs,
        findings,
        matches: vuln_matches,
        warnings,
    })
}

fn identity(o: &Observed) -> (&str, &str, &str) {
    match &o.spec.subject {
        seaworthy_container::Subject::Running {
            name,
            image,
            image_id,
            ..
        } => (name, image, image_id),
        _ => ("", "", ""),
    }
}

/// Inventories the image through the daemon source and matches it (without a store: no matches).
fn scan_image(
    store: Option<&Store>,
    image_id: &str,
    ignore_unfixed: bool,
) -> Result<ImageScan, String> {
    let catalogers = all_catalogers();
    let opts = seaworthy_oci::LoadOptions::new(&catalogers);
    let image =
        seaworthy_oci::load(&format!("docker:{image_id}"), &opts).map_err(|e| e.to_string())?;
    let inventory = catalogers.catalog(&image.fs);
    let layers = crate::commands::image::layer_refs(&image.info);
    let matches = match store {
        Some(store) => matched(
            store,
            &inventory,
            &inventory.packages,
            &layers,
            ignore_unfixed,
        )?,
        None => Vec::new(),
    };
    Ok(ImageScan {
        inventory,
        layers,
        matches,
    })
}

fn matched(
    store: &Store,
    inventory: &Inventory,
    packages: &[Package],
    layers: &[LayerRef],
    ignore_unfixed: bool,
) -> Result<Vec<VulnMatch>, String> {
    let input = MatchInput {
        os: inventory.os.as_ref(),
        packages,
        layers,
    };
    match_packages(
        store,
        &input,
        MatchOptions {
            ignore_unfixed,
            ..MatchOptions::default()
        },
    )
    .map(|r| r.matches)
    .map_err(|e| e.to_string())
}

/// Package changes since start and, when there are any, the matches of the live package list
/// (the image's packages with the live OS packages in place of the image's).
fn live_state(
    store: Option<&Store>,
    o: &Observed,
    scan: &ImageScan,
    ignore_unfixed: bool,
    warnings: &mut Vec<String>,
) -> (Vec<PackageChange>, Option<Vec<VulnMatch>>) {
    if o.package_files.is_empty() {
        return (Vec::new(), None);
    }
    let (name, ..) = identity(o);
    let live = drift::live_packages(&o.package_files, scan.inventory.os.as_ref());
    warnings.extend(live.errors.iter().map(|e| format!("{name}: {e}")));
    let changes = drift::package_changes(&scan.inventory.packages, &live);
    let Some(store) = store.filter(|_| !changes.is_empty()) else {
        return (changes, None);
    };
    let mut packages: Vec<Package> = scan
        .inventory
        .packages
        .iter()
        .filter(|p| !live.ecosystems.contains(&p.ecosystem))
        .cloned()
        .collect();
    packages.extend(live.packages.iter().cloned());
    match matched(
        store,
        &scan.inventory,
        &packages,
        &scan.layers,
        ignore_unfixed,
    ) {
        Ok(m) => (changes, Some(m)),
        Err(e) => {
            warnings.push(format!("{name}: live packages not matched: {e}"));
            (changes, None)
        }
    }
}

/// Says in each package-change finding which of the image's vulnerabilities the container no
/// longer has (fixed by a runtime upgrade or removal).
fn credit_fixes(
    drifted: &mut [Finding],
    changes: &[PackageChange],
    image: &[VulnMatch],
    live: &[VulnMatch],
) {
    for (finding, change) in drifted.iter_mut().zip(changes) {
        let still: BTreeSet<&str> = live
            .iter()
            .filter(|m| m.package.name == change.name)
            .map(|m| m.id.as_str())
            .collect();
        let fixed: BTreeSet<&str> = image
            .iter()
            .filter(|m| m.package.name == change.name && !still.contains(m.id.as_str()))
            .map(|m| m.id.as_str())
            .collect();
        if !fixed.is_empty() {
            let ids: Vec<&str> = fixed.into_iter().collect();
            finding.message.push_str(&format!(
                "; the container no longer has the image's {}",
                ids.join(", ")
            ));
        }
    }
}

fn vuln_finding(who: &Who<'_>, m: &VulnMatch, changed: &BTreeSet<&str>) -> Finding {
    let p = &m.package;
    let runtime = if changed.contains(p.name.as_str()) {
        " (installed or changed at runtime)"
    } else {
        ""
    };
    let fix = match &m.fixed_version {
        Some(v) => format!(", fixed in {v}"),
        None => format!(" ({})", m.status.as_str()),
    };
    let remediation = match &m.fixed_version {
        Some(v) => format!(
            "Upgrade {} to {v} or later in the image, rebuild and redeploy the container",
            p.name
        ),
        None => format!(
            "No fixed version of {} yet: remove the package if it is not needed, or waive with \
             a reason",
            p.name
        ),
    };
    Finding {
        rule_id: m.id.clone(),
        severity: m.severity,
        title: m
            .title
            .as_deref()
            .and_then(crate::commands::assess::items::one_line_title)
            .unwrap_or_else(|| format!("{} in {}", m.id, p.name)),
        message: format!(
            "{} {}{runtime} in container {} is vulnerable to {}{fix}",
            p.name, p.version, who.container, m.id
        ),
        location: Location::Container {
            container: who.container.to_string(),
            image: Some(who.image.to_string()),
            field: Some(format!("packages:{}:{}", p.ecosystem, p.name)),
        },
        // Packages installed at runtime have no file of their own in the image.
        evidence: Some(if p.path.is_empty() {
            format!("{} {}", p.name, p.version)
        } else {
            format!("{} {} ({})", p.name, p.version, p.path)
        }),
        remediation,
        references: m.aliases.clone(),
        suppressed: None,
        origin: None,
    }
}

/// `seaworthy container`.
pub fn execute(args: &cli::ContainerArgs) -> ExitCode {
    let outcome = match run(args) {
        Ok(o) => o,
        Err(f) => return db::failure_code(&f),
    };
    for w in &outcome.warnings {
        if w.starts_with("policy failed") {
            crate::say!("seaworthy: {w}");
        } else {
            crate::note!("seaworthy: warning: {w}");
        }
    }
    let rules = crate::commands::rules::all_rules();
    let no_source = |_: &str| None;
    let opts = RenderOptions {
        color: use_color(&args.output),
        rules: &rules,
        source: &no_source,
    };
    let text = render(&outcome.report, format_of(args.output.format), &opts);
    if let Err(e) = emit(&args.output, &text) {
        crate::say!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    if outcome.report.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

//! Each area run through its single-area command, its results turned into assess items
//! (before waivers: the assessment applies one policy to every area).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

use seaworthy_core::{InputError, Location};
use seaworthy_report::assess::{AreaReport, Item};
use seaworthy_vulndb::LayerRef;

use super::items::{as_vulnerability, finding_item, vuln_item};
use super::plan::{AreaPolicy, ContainerJob, ImageJob};
use crate::cli::{DockerfileArgs, HostArgs};
use crate::commands::container::ImageScan;
use crate::commands::db::Failure;
use crate::commands::{compose, container, dockerfile, host, image};
use crate::config::FileConfig;

/// An area's report before policy, and what rendering needs besides.
pub struct AreaRun {
    pub report: AreaReport,
    /// Per image: its layers and how many of them are the base image's.
    pub layers: Vec<(String, Vec<LayerRef>, usize)>,
    /// A failure that is ours, not the input's (exit code 3).
    pub internal: bool,
}

impl AreaRun {
    fn new(policy: &AreaPolicy) -> Self {
        let mut report = AreaReport::new(policy.kind, policy.mode, policy.fail_on);
        report.scanner_fail_on = policy.scanner_fail_on.clone();
        report.unknown_severity = policy.risk.unknown_as;
        report.fail_on_kev = policy.risk.kev;
        report.fail_on_epss = policy.risk.epss;
        report.declared_at = policy.declared_at.clone();
        report.target_declared_at = policy.target_declared_at.clone();
        AreaRun {
            report,
            layers: Vec::new(),
            internal: false,
        }
    }

    /// An area whose thread panicked: reported as an error of ours.
    pub fn panicked(policy: &AreaPolicy) -> Self {
        let mut run = AreaRun::new(policy);
        run.internal = true;
        run.error(
            policy.kind.as_str(),
            "internal error (this is a bug; please report it)".to_string(),
        );
        run
    }

    fn error(&mut self, path: &str, message: String) {
        self.report.errors.push(InputError {
            path: path.to_string(),
            line: None,
            column: None,
            message,
        });
    }

    fn failure(&mut self, path: &str, f: Failure) {
        self.internal |= !f.input;
        self.error(path, format!("{:#}", f.error));
    }

    fn timed(mut self, started: Instant) -> Self {
        self.report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self
    }
}

pub fn dockerfiles(policy: &AreaPolicy, args: &DockerfileArgs) -> AreaRun {
    let started = Instant::now();
    let mut run = AreaRun::new(policy);
    match dockerfile::lint(args) {
        Ok((l, notes)) => {
            run.report.targets = l.inputs;
            run.report.items = l.findings.into_iter().map(finding_item).collect();
            run.report.errors = l.errors;
            run.report.notes.extend(notes);
        }
        Err(e) => run.error("Dockerfile", format!("{e:#}")),
    }
    run.timed(started)
}

/// Scans the image area made, by image id, for the container area (set once the image area
/// is done, even if it failed: the container area waits for it).
pub type SharedScans = OnceLock<HashMap<String, ImageScan>>;

/// Sets the shared scans when dropped, so a panicking image area cannot leave the container
/// area waiting.
struct Publish<'a> {
    shared: &'a SharedScans,
    scans: HashMap<String, ImageScan>,
}

impl Drop for Publish<'_> {
    fn drop(&mut self) {
        let _ = self.shared.set(std::mem::take(&mut self.scans));
    }
}

pub fn images(
    policy: &AreaPolicy,
    jobs: &[ImageJob],
    file: &FileConfig,
    shared: &SharedScans,
) -> AreaRun {
    let started = Instant::now();
    let mut run = AreaRun::new(policy);
    let mut publish = Publish {
        shared,
        scans: HashMap::new(),
    };
    for job in jobs {
        let reference = job.args.image.image.clone();
        run.report.targets.push(reference.clone());
        let outcome = match image::scan(&job.args, file) {
            Ok(o) => o,
            Err(f) => {
                run.failure(&reference, f);
                continue;
            }
        };
        // The base image's layers: named by `base-image`, else the Dockerfile's FROM.
        let base_layers = match &job.base_image {
            Some(base) => match base_layer_count(base, &outcome.image.info, &job.args) {
                Ok(n) => n,
                Err(f) => {
                    run.failure(base, f);
                    continue;
                }
            },
            None => outcome.base_layers,
        };
        let from_base = |origin: Option<&seaworthy_core::Origin>| {
            origin.is_some_and(|o| {
                o.dockerfile
                    .as_ref()
                    .is_some_and(|d| d.instruction == "FROM")
                    || o.layer.is_some_and(|l| (l as usize) < base_layers)
            })
        };
        for f in outcome.findings {
            let mut item = finding_item(f);
            item.from_base = from_base(item.finding.origin.as_ref());
            run.report.items.push(item);
        }
        for m in &outcome.result.matches {
            // Image paths are kept without their leading `/` (shown as `IMAGE /PATH`).
            let location = Location::Image {
                image: reference.clone(),
                path: Some(m.package.path.trim_start_matches('/').to_string()),
            };
            let mut item = vuln_item(m, location);
            item.from_base = from_base(item.finding.origin.as_ref());
            run.report.items.push(item);
        }
        for (reason, count) in &outcome.result.not_matched {
            run.report.notes.push(format!(
                "{reference}: {count} {reason} were not checked for vulnerabilities"
            ));
        }
        for u in &outcome.result.uncovered {
            run.report
                .notes
                .push(format!("{reference}: {}", u.message()));
        }
        for e in &outcome.inventory.errors {
            run.error(
                &reference,
                format!(
                    "{} (layer {}): {}: {}",
                    e.path, e.layer, e.cataloger, e.message
                ),
            );
        }
        // Parts of files skipped: notes in every format, input errors under `--strict`.
        for s in &outcome.inventory.skipped {
            let message = format!(
                "{} (layer {}): {}: skipped {}",
                s.path, s.layer, s.cataloger, s.message
            );
            if job.args.image.strict {
                run.error(&reference, message);
            } else {
                run.report.notes.push(format!("{reference}: {message}"));
            }
        }
        let layers = image::layer_refs(&outcome.image.info);
        if let Some(id) = &outcome.image.info.config_digest {
            publish.scans.insert(
                id.to_string(),
                ImageScan {
                    inventory: outcome.inventory.clone(),
                    layers: layers.clone(),
                    matches: outcome.result.matches.clone(),
                },
            );
        }
        run.layers.push((reference, layers, base_layers));
    }
    run.timed(started)
}

/// How many of the image's lowest layers are the base image's (same diff_ids, in order).
fn base_layer_count(
    base: &str,
    info: &seaworthy_oci::ImageInfo,
    args: &crate::cli::ImageScanArgs,
) -> Result<usize, Failure> {
    let nothing = seaworthy_oci::NoContent;
    let none = seaworthy_oci::NoProgress;
    let opts = crate::commands::sbom::load_options(&args.image, &nothing, &none);
    let base_image = seaworthy_oci::load(base, &opts).map_err(|e| Failure {
        input: e.is_input_error(),
        error: anyhow::anyhow!("base image {base}: {e}"),
    })?;
    let ids = |i: &seaworthy_oci::ImageInfo| -> Vec<Option<String>> {
        i.layers
            .iter()
            .map(|l| l.diff_id.as_ref().map(ToString::to_string))
            .collect()
    };
    let (mine, theirs) = (ids(info), ids(&base_image.info));
    let shared = mine
        .iter()
        .zip(&theirs)
        .take_while(|(a, b)| a.is_some() && a == b)
        .count();
    if shared < theirs.len() {
        return Err(Failure {
            input: true,
            error: anyhow::anyhow!(
                "{base} is not the base of {}: only {shared} of its {} layers are the image's lowest",
                info.reference,
                theirs.len()
            ),
        });
    }
    Ok(shared)
}

/// `shared`: the image area's scans, when there is an image area (waited for only when a
/// container's image needs scanning).
pub fn containers(
    policy: &AreaPolicy,
    job: &ContainerJob,
    shared: Option<&SharedScans>,
) -> AreaRun {
    let started = Instant::now();
    let mut run = AreaRun::new(policy);
    if let Some(args) = &job.compose {
        match compose::check_all(args) {
            Ok(l) => {
                run.report.targets.extend(l.inputs);
                run.report
                    .items
                    .extend(l.findings.into_iter().map(finding_item));
                run.report.errors.extend(l.errors);
            }
            Err(e) => run.error("compose", format!("{e:#}")),
        }
    }
    if let Some(args) = &job.running {
        let prescanned = |id: &str| shared.and_then(|s| s.wait().get(id).cloned());
        match container::observe_with(args, &prescanned) {
            Ok(o) => {
                run.report.targets.extend(o.inputs);
                let mut matches = o.matches.into_iter().peekable();
                for (i, f) in o.findings.into_iter().enumerate() {
                    let item = match matches.next_if(|(at, _)| *at == i) {
                        Some((_, m)) => as_vulnerability(f, &m),
                        None => finding_item(f),
                    };
                    run.report.items.push(item);
                }
                run.report.notes.extend(o.warnings);
            }
            Err(f) => run.failure("containers", f),
        }
    }
    run.timed(started)
}

pub fn host(policy: &AreaPolicy, args: &HostArgs) -> AreaRun {
    let started = Instant::now();
    let mut run = AreaRun::new(policy);
    match host::run(args) {
        Ok(o) => {
            run.report.targets.push(o.target.clone());
            let items: Vec<Item> = o
                .results
                .iter()
                .filter_map(|r| r.to_finding())
                .map(finding_item)
                .collect();
            run.report.items = items;
            for m in &o.vulnerabilities {
                // Where the package is installed, on the host the checks name.
                let location = Location::Host {
                    host: o.host.clone(),
                    object: format!("{} {}", m.package.path, m.package.name),
                };
                run.report.items.push(vuln_item(m, location));
            }
            run.report.checks = o.results;
            run.report.notes = o.notes;
        }
        Err(e) => run.error(&args.root.display().to_string(), format!("{e:#}")),
    }
    run.timed(started)
}

//! `seaworthy assess`: every area seaworthy.toml names, run in parallel through the single-area
//! commands, then one policy (rule selection, waivers, VEX, baseline, base image, mode) over all
//! of them, and one report.

mod areas;
mod baseline;
mod declared;
pub(crate) mod items;
mod plan;
mod progress;

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;
use seaworthy_core::{Location, Severity};
use seaworthy_report::assess::{
    ASSESS_SCHEMA_VERSION, AreaReport, Assessment, Item, ItemKind, LayerCount, Totals,
    WaiverSummary,
};

use crate::cli::AssessArgs;
use crate::cli::{self, OutputArgs, OutputFormat};
use crate::exit::ExitCode;
use crate::output::{emit, use_color};
use crate::policy::{ExpiredMatch, Policy, target_of};
use areas::AreaRun;
use plan::AreaPolicy;

pub struct Outcome {
    pub assessment: Assessment,
    /// Some area failed for a reason of ours (exit code 3).
    pub internal: bool,
}

pub fn run(args: &AssessArgs) -> Result<Outcome> {
    let started = Instant::now();
    let created = crate::commands::sbom::created_now();
    let plan = plan::plan(args)?;
    let mut policy = Policy::load(&plan.file, plan.config.as_deref(), &args.vex)?;
    let mut previous = args.baseline.as_deref().map(baseline::load).transpose()?;
    if args.fail_on_new && previous.is_none() {
        // Not an error: the variable may be set for every run of a CI job.
        crate::note!("seaworthy: note: --fail-on-new has no effect without --baseline");
    }
    let fail_on_new = args.fail_on_new && previous.is_some();
    let kinds = plan.areas();
    if kinds.is_empty() {
        anyhow::bail!(
            "nothing to assess: every area is skipped or seaworthy.toml names no input \
             (run `seaworthy init`)"
        );
    }
    let progress = progress::AreaProgress::new(args.progress, &kinds);

    let shared = areas::SharedScans::new();
    let runs: Vec<(&AreaPolicy, AreaRun)> = std::thread::scope(|s| {
        let progress = &progress;
        let file = &plan.file;
        let shared = &shared;
        // The container area reuses the image area's scans of the images its containers run.
        let image_scans = plan.image.is_some().then_some(shared);
        let mut handles = Vec::new();
        if let Some((p, a)) = &plan.dockerfile {
            let run = move || progress.around(p.kind, || areas::dockerfiles(p, a));
            handles.push((p, s.spawn(run)));
        }
        if let Some((p, jobs)) = &plan.image {
            let run = move || progress.around(p.kind, || areas::images(p, jobs, file, shared));
            handles.push((p, s.spawn(run)));
        }
        if let Some((p, job)) = &plan.container {
            let run = move || progress.around(p.kind, || areas::containers(p, job, image_scans));
            handles.push((p, s.spawn(run)));
        }
        if let Some((p, a)) = &plan.host {
            let run = move || progress.around(p.kind, || areas::host(p, a));
            handles.push((p, s.spawn(run)));
        }
        handles
            .into_iter()
            .map(|(p, h)| (p, h.join().unwrap_or_else(|_| AreaRun::panicked(p))))
            .collect()
    });
    progress.finish();

    let ignore_base = args.ignore_base || plan.file.image.ignore_base;
    let based: std::collections::BTreeSet<&str> = plan
        .image
        .iter()
        .flat_map(|(_, jobs)| jobs)
        .filter(|j| j.base_image.is_some())
        .map(|j| j.args.image.image.as_str())
        .collect();
    let mut internal = false;
    let mut reports = Vec::new();
    for (p, run) in runs {
        internal |= run.internal;
        let mut report = run.report;
        select(p, &mut report);
        let mut expired = Vec::with_capacity(report.items.len());
        for item in &mut report.items {
            expired.push(waive(&mut policy, item));
            if let Some(prev) = previous.as_mut() {
                item.change = Some(prev.classify(&item.fingerprint));
            }
        }
        report.layers = layer_counts(&report.items, &run.layers);
        report.mark_gating(fail_on_new, ignore_base);
        // An image whose base is named (`base-image`) never gates on what that base brought.
        for item in report.items.iter_mut().filter(|i| i.from_base) {
            if let Location::Image { image, .. } = &item.finding.location
                && based.contains(image.as_str())
            {
                item.gating = false;
            }
        }
        // An expired waiver fails the run only when the item it covered gates without it.
        for (item, e) in report.items.iter().zip(expired) {
            if let Some(e) = e {
                policy.record_expired(e, item.gating);
            }
        }
        reports.push(report);
    }
    let (expired, expired_warnings, unused) = policy.waiver_notes();
    let mut assessment = Assessment {
        schema_version: ASSESS_SCHEMA_VERSION.to_string(),
        kind: "assessment".to_string(),
        tool: "seaworthy".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        created,
        config: plan.config.as_ref().map(|p| p.display().to_string()),
        passed: false,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        summary: Totals::default(),
        baseline: previous.as_ref().map(|p| p.summary(fail_on_new, &kinds)),
        waivers: WaiverSummary {
            expired,
            expired_warnings,
            unused,
        },
        areas: reports,
    };
    assessment.finish();
    Ok(Outcome {
        assessment,
        internal,
    })
}

/// The area's `enable`/`disable` lists and severity overrides, by rule id or a peer id.
fn select(p: &AreaPolicy, report: &mut AreaReport) {
    report.items.retain_mut(|item| {
        let ids = target_of(&item.finding).ids;
        if !p.selection.keeps(&ids) {
            return false;
        }
        if let Some(s) = p.selection.severity(&ids) {
            item.finding.severity = s;
        }
        true
    });
}

/// Waivers for every item; VEX statements for vulnerabilities. Returns the expired waiver that
/// matched, to be recorded once the item's gating is known.
fn waive(policy: &mut Policy, item: &mut Item) -> Option<ExpiredMatch> {
    if item.is_waived() {
        return None;
    }
    let mut target = target_of(&item.finding);
    if let Some(v) = &item.vulnerability {
        target.package = Some(&v.package);
        target.purl = Some(v.purl.as_str()).filter(|p| !p.is_empty());
    }
    let vex = item.kind == ItemKind::Vulnerability;
    let (decision, expired) = policy.decide_only(&target, vex);
    item.finding.suppressed = decision;
    expired
}

/// Active items per image layer, every layer listed (a clean layer shows as zero).
fn layer_counts(
    items: &[Item],
    layers: &[(String, Vec<seaworthy_vulndb::LayerRef>, usize)],
) -> Vec<LayerCount> {
    let mut counts: BTreeMap<(&str, u32), [usize; 6]> = BTreeMap::new();
    for item in items.iter().filter(|i| !i.is_waived()) {
        let (Location::Image { image, .. }, Some(layer)) = (
            &item.finding.location,
            item.finding.origin.as_ref().and_then(|o| o.layer),
        ) else {
            continue;
        };
        let slot = Severity::ALL
            .iter()
            .position(|s| *s == item.finding.severity)
            .unwrap_or(0);
        if let Some(n) = counts
            .entry((image.as_str(), layer))
            .or_default()
            .get_mut(slot)
        {
            *n += 1;
        }
    }
    let mut out = Vec::new();
    for (image, refs, base) in layers {
        for r in refs {
            let layer = u32::try_from(r.index).unwrap_or(u32::MAX);
            let c = counts
                .get(&(image.as_str(), layer))
                .copied()
                .unwrap_or_default();
            out.push(LayerCount {
                image: image.clone(),
                layer,
                created_by: r.created_by.clone(),
                from_base: r.index < *base,
                critical: c[0],
                high: c[1],
                medium: c[2],
                low: c[3],
                info: c[4],
                unknown: c[5],
            });
        }
    }
    out
}

/// `--format` and `--output [FORMAT=]FILE` as (format, file) pairs; standard output when no
/// plain FILE is given and no FORMAT=FILE names the `--format` one.
pub fn outputs(
    args: &AssessArgs,
) -> Result<Vec<(crate::cli::AssessFormat, Option<std::path::PathBuf>)>> {
    use clap::ValueEnum as _;
    let mut out = Vec::new();
    let mut main_written = false;
    for spec in &args.output {
        match spec.split_once('=') {
            Some((name, file)) if !name.contains(['/', '\\', '.']) => {
                let format = crate::cli::AssessFormat::from_str(name, true).map_err(|_| {
                    anyhow::anyhow!(
                        "--output {spec}: unknown format `{name}` (table, json, sarif, junit, \
                         markdown, html, github)"
                    )
                })?;
                if file.is_empty() {
                    anyhow::bail!("--output {spec}: no file after `=`");
                }
                main_written |= format == args.format;
                out.push((format, Some(std::path::PathBuf::from(file))));
            }
            _ => {
                let path = std::path::PathBuf::from(spec);
                let mut format = args.format;
                crate::formats::settle("assess", &mut format, args.format_given, Some(&path))
                    .map_err(anyhow::Error::msg)?;
                if main_written && args.format_given {
                    anyhow::bail!("--output {spec}: the --format report is written twice");
                }
                main_written = true;
                out.push((format, Some(path)));
            }
        }
    }
    if !main_written {
        out.insert(0, (args.format, None));
    }
    Ok(out)
}

/// `seaworthy assess`.
pub fn execute(args: &cli::AssessArgs) -> ExitCode {
    use seaworthy_report::assess;
    let targets = match outputs(args) {
        Ok(t) => t,
        Err(e) => {
            crate::say!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let outcome = match run(args) {
        Ok(o) => o,
        Err(e) => {
            crate::say!("seaworthy: error: {e:#}");
            return ExitCode::Usage;
        }
    };
    let a = &outcome.assessment;
    for (format, path) in &targets {
        let out = OutputArgs {
            format: if *format == cli::AssessFormat::Table {
                OutputFormat::Table
            } else {
                OutputFormat::Json
            },
            output: path.clone(),
            color: args.color,
        };
        let text = match format {
            cli::AssessFormat::Table => assess::render_table(a, use_color(&out)),
            cli::AssessFormat::Json => assess::render_json(a),
            cli::AssessFormat::Sarif => assess::render_sarif(a),
            cli::AssessFormat::Junit => assess::render_junit(a),
            cli::AssessFormat::Markdown => assess::render_markdown(a),
            cli::AssessFormat::Html => assess::render_html(a),
            cli::AssessFormat::Github => assess::render_github(a),
        };
        if let Err(e) = emit(&out, &text) {
            crate::say!("seaworthy: {e}");
            return ExitCode::Usage;
        }
    }
    for area in &a.areas {
        for err in &area.errors {
            crate::say!(
                "seaworthy: error: {}: {}",
                area.area.as_str(),
                err.display()
            );
        }
    }
    for w in &a.waivers.expired {
        crate::say!(
            "seaworthy: policy failed: waiver for {} at {} expired on {} ({}); renew it with a new \
             date or fix the finding",
            w.id,
            w.source,
            w.expires.as_deref().unwrap_or("?"),
            w.reason
        );
    }
    for w in &a.waivers.expired_warnings {
        crate::note!(
            "seaworthy: warning: waiver for {} at {} expired on {} ({}); what it covers does not \
             gate, so it does not fail the run: renew it or remove it",
            w.id,
            w.source,
            w.expires.as_deref().unwrap_or("?"),
            w.reason
        );
    }
    for w in &a.waivers.unused {
        crate::note!(
            "seaworthy: note: waiver for {} at {} matched nothing; remove it",
            w.id,
            w.source
        );
    }
    if outcome.internal {
        ExitCode::Internal
    } else if a.has_errors() {
        ExitCode::Usage
    } else if a.passed {
        ExitCode::Pass
    } else {
        ExitCode::PolicyFailed
    }
}

//! `seaworthy sbom`: read an image and list every package in it.

use std::io::IsTerminal;

use anyhow::Result;
use seaworthy_inventory::{Inventory, all_catalogers};
use seaworthy_oci::{ImageError, Limits, LoadOptions, load};

use crate::cli;
use crate::cli::{ColorChoice, ImageArgs, SbomArgs};
use crate::cli::{OutputArgs, OutputFormat};
use crate::exit::ExitCode;
use crate::output::{emit, use_color};
use crate::progress::LayerBar;

pub struct Outcome {
    pub image: seaworthy_oci::Image,
    pub inventory: Inventory,
}

/// The limits an image is read and catalogued within, from the command line.
pub fn limits(args: &ImageArgs) -> Limits {
    Limits {
        max_layer_bytes: args.max_layer_mib.saturating_mul(1 << 20),
        max_compression_ratio: args.max_compression_ratio,
        max_captured_bytes: args.max_captured_mib.saturating_mul(1 << 20),
        max_parse_bytes: args.max_parse_mib.saturating_mul(1 << 20),
        max_packages: args.max_packages,
        max_packages_per_file: args.max_packages_per_file,
        ..Limits::default()
    }
}

/// Every cataloger, within the command line's limits.
pub fn catalogers(args: &ImageArgs) -> seaworthy_inventory::CatalogerSet {
    all_catalogers().with_limits(limits(args))
}

/// Image loading options from the command line; the caller owns filter and progress.
pub fn load_options<'a>(
    args: &ImageArgs,
    filter: &'a dyn seaworthy_oci::ContentFilter,
    progress: &'a dyn seaworthy_oci::Progress,
) -> LoadOptions<'a> {
    let mut opts = LoadOptions::new(filter);
    opts.platform = args.platform.clone();
    opts.insecure_registries = args.insecure_registries.clone();
    opts.limits = limits(args);
    if let Some(user) = &args.username {
        let password = std::env::var("SEAWORTHY_REGISTRY_PASSWORD").unwrap_or_default();
        opts.credentials = Some((user.clone(), password));
    }
    opts.progress = progress;
    opts
}

/// Bars only on a terminal outside CI (`CI` set to anything but `false`/empty means CI), never
/// with `-q`.
pub fn show_progress(choice: ColorChoice) -> bool {
    if crate::output::quiet() {
        return false;
    }
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stderr().is_terminal() && !in_ci(),
    }
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

pub fn run(args: &SbomArgs) -> Result<Outcome, ImageError> {
    let catalogers = catalogers(&args.image);
    let bar = show_progress(args.progress).then(LayerBar::new);
    let none = seaworthy_oci::NoProgress;
    let progress: &dyn seaworthy_oci::Progress = match &bar {
        Some(b) => b,
        None => &none,
    };
    let opts = load_options(&args.image, &catalogers, progress);
    let image = load(&args.image.image, &opts);
    if let Some(b) = &bar {
        b.finish();
    }
    let mut image = image?;
    let inventory = catalogers.catalog(&image.fs);
    redact_history(&mut image.info);
    Ok(Outcome { image, inventory })
}

/// Masks secrets in the history commands (`|1 NPM_TOKEN=… /bin/sh -c …`, `curl -u user:pass`)
/// before any report shows them. Rules and provenance read the history before this.
pub fn redact_history(info: &mut seaworthy_oci::ImageInfo) {
    let history = info
        .config
        .history
        .iter_mut()
        .chain(info.layers.iter_mut().filter_map(|l| l.history.as_mut()));
    for h in history {
        if let Some(c) = &h.created_by {
            h.created_by = Some(seaworthy_dockerfile::redact::redact(c));
        }
    }
}

/// RFC 3339 creation time: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn created_now() -> String {
    let ts = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .unwrap_or_else(jiff::Timestamp::now);
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `seaworthy sbom`.
pub fn execute(args: &cli::SbomArgs) -> ExitCode {
    let outcome = match run(args) {
        Ok(o) => o,
        Err(e) => {
            crate::say!("seaworthy: error: {e}");
            return if e.is_input_error() {
                ExitCode::Usage
            } else {
                ExitCode::Internal
            };
        }
    };
    let created = created_now();
    let input = seaworthy_report::sbom::SbomInput {
        image: &outcome.image.info,
        inventory: &outcome.inventory,
        tool_version: env!("CARGO_PKG_VERSION"),
        created: &created,
    };
    let format = match args.format {
        cli::SbomFormat::Table => seaworthy_report::sbom::SbomFormat::Table,
        cli::SbomFormat::Json => seaworthy_report::sbom::SbomFormat::Json,
        cli::SbomFormat::Cyclonedx => seaworthy_report::sbom::SbomFormat::CycloneDx,
        cli::SbomFormat::Spdx => seaworthy_report::sbom::SbomFormat::Spdx,
    };
    let out = OutputArgs {
        format: if args.format == cli::SbomFormat::Table {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        },
        output: args.output.clone(),
        color: args.color,
    };
    let text = seaworthy_report::sbom::render_sbom(&input, format, use_color(&out));
    if let Err(e) = emit(&out, &text) {
        crate::say!("seaworthy: {e}");
        return ExitCode::Usage;
    }
    if report_unread(&outcome.inventory, args.image.strict) {
        ExitCode::Usage
    } else {
        ExitCode::Pass
    }
}

/// Says on stderr which files of the image were not read (errors) and which parts of files
/// were skipped (warnings); true when that makes the run an input error (exit 2): any error,
/// or anything skipped under `--strict`.
pub fn report_unread(inventory: &seaworthy_inventory::Inventory, strict: bool) -> bool {
    for err in &inventory.errors {
        crate::say!(
            "seaworthy: error: {} (layer {}): {}: {}",
            err.path,
            err.layer,
            err.cataloger,
            err.message
        );
    }
    for s in &inventory.skipped {
        let (path, layer, cataloger, message) = (&s.path, s.layer, &s.cataloger, &s.message);
        if strict {
            crate::say!("seaworthy: error: {path} (layer {layer}): {cataloger}: skipped {message}");
        } else {
            crate::note!(
                "seaworthy: warning: {path} (layer {layer}): {cataloger}: skipped {message}"
            );
        }
    }
    !inventory.errors.is_empty() || (strict && !inventory.skipped.is_empty())
}

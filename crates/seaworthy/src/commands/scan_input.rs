//! What `seaworthy image` scans besides an image: an SBOM (`sbom:FILE`, packages without an
//! image) and an unpacked root filesystem (`dir:PATH`, `rootfs:PATH`, one pseudo-layer without
//! an image config). Each says which checks cannot run on it.

use std::path::PathBuf;

use seaworthy_core::Scanner;
use seaworthy_core::files::{self, FileErrorKind, Links};
use seaworthy_inventory::{CatalogerSet, Inventory};
use seaworthy_oci::{Digest, FsView, Image, ImageConfig, ImageError, ImageInfo, LayerInfo};
use seaworthy_oci::{LoadOptions, Reference};

/// Image rules that read the image config, its history or its reference: nothing to read for
/// a root filesystem. The rules on files (setuid, passwords, world-writable `PATH` directories
/// by Docker's default `PATH`, secrets in files, …) run.
const CONFIG_RULES: &[&str] = &[
    "SW-IMG-001", // root user: `User` of the config
    "SW-IMG-002", // HEALTHCHECK
    "SW-IMG-003", // history
    "SW-IMG-005", // history
    "SW-IMG-006", // exposed ports
    "SW-IMG-007", // volumes
    "SW-IMG-008", // tag
    "SW-IMG-021", // ENV
    "SW-IMG-022", // history
    "SW-IMG-023", // labels
];

/// What the reference names.
pub enum ScanInput {
    Image,
    Rootfs,
    Sbom(PathBuf),
}

impl ScanInput {
    pub fn of(reference: &str) -> ScanInput {
        match Reference::parse(reference) {
            Reference::Rootfs(_) => ScanInput::Rootfs,
            Reference::Sbom(path) => ScanInput::Sbom(path),
            _ => ScanInput::Image,
        }
    }

    /// Whether there is an image (with a config and a digest) to check and verify.
    pub fn has_image(&self) -> bool {
        matches!(self, ScanInput::Image)
    }

    /// The image rules that cannot run on this input.
    pub fn rules_not_applicable(&self) -> Vec<String> {
        match self {
            ScanInput::Image => Vec::new(),
            ScanInput::Rootfs => CONFIG_RULES.iter().map(|s| s.to_string()).collect(),
            ScanInput::Sbom(_) => seaworthy_image::rules::REGISTRY
                .iter()
                .map(|r| r.meta().id.to_string())
                .collect(),
        }
    }

    /// Reads the input and inventories it; says once on stderr which of the chosen scanners
    /// do not apply to it.
    pub fn load(
        &self,
        reference: &str,
        opts: &LoadOptions<'_>,
        catalogers: &CatalogerSet,
        scanners: &[Scanner],
    ) -> Result<(Image, Inventory), ImageError> {
        match self {
            ScanInput::Image => {
                let image = seaworthy_oci::load(reference, opts)?;
                let inventory = catalogers.catalog(&image.fs);
                Ok((image, inventory))
            }
            ScanInput::Rootfs => {
                let image = seaworthy_oci::load(reference, opts)?;
                let inventory = catalogers.catalog(&image.fs);
                if scanners.contains(&Scanner::Config) {
                    crate::note!(
                        "seaworthy: note: a root filesystem has no image config: the rules that \
                         read one ({}) did not run",
                        CONFIG_RULES.join(", ")
                    );
                }
                if scanners.contains(&Scanner::Trust) {
                    crate::note!(
                        "seaworthy: note: not scanned for: trust (a root filesystem has no image \
                         digest, signature or registry)"
                    );
                }
                Ok((image, inventory))
            }
            ScanInput::Sbom(path) => {
                let loaded = read_sbom(path, reference, opts)?;
                let off: Vec<&str> = scanners
                    .iter()
                    .filter(|s| **s != Scanner::Vuln)
                    .map(|s| s.name())
                    .collect();
                if !off.is_empty() {
                    crate::note!(
                        "seaworthy: note: not scanned for: {} (an SBOM lists packages: there is \
                         no image to check)",
                        off.join(", ")
                    );
                }
                Ok(loaded)
            }
        }
    }
}

/// Reads `sbom:FILE` within `--max-parse-mib` into an image without files: its layers are the
/// ones the SBOM's locations name.
fn read_sbom(
    path: &std::path::Path,
    reference: &str,
    opts: &LoadOptions<'_>,
) -> Result<(Image, Inventory), ImageError> {
    let shown = path.display().to_string();
    let limit = opts.limits.max_parse_bytes;
    let bytes = files::read(path, limit, Links::Follow).map_err(|e| match e.kind {
        FileErrorKind::NotFound => ImageError::not_found(&shown),
        FileErrorKind::TooLarge(limit) => ImageError::bad(
            &shown,
            format!("SBOM is larger than the {limit} byte limit (--max-parse-mib)"),
        ),
        FileErrorKind::Io(source) => ImageError::io(&shown, source),
        _ => ImageError::bad(&shown, e.message()),
    })?;
    let doc = seaworthy_inventory::sbom::read(&bytes, &opts.limits)
        .map_err(|m| ImageError::bad(&shown, format!("not a readable SBOM: {m}")))?;
    for (why, count) in &doc.left_out {
        let (entries, were) = if *count == 1 {
            ("entry", "was")
        } else {
            ("entries", "were")
        };
        crate::note!("seaworthy: note: {count} SBOM {entries} {why} {were} not read");
    }
    let layers = doc
        .layers
        .iter()
        .map(|digest| LayerInfo {
            digest: None,
            diff_id: digest.as_deref().and_then(|d| Digest::parse(d).ok()),
            media_type: "application/vnd.seaworthy.sbom.layer".into(),
            size: None,
            history: None,
        })
        .collect();
    let info = ImageInfo {
        reference: reference.to_string(),
        source: "sbom",
        manifest_digest: None,
        config_digest: None,
        repo_tags: Vec::new(),
        config: ImageConfig::default(),
        layers,
    };
    let image = Image {
        info,
        fs: FsView::default(),
    };
    Ok((image, doc.inventory))
}

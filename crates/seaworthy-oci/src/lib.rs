//! Container images read without unpacking: sources (docker-archive, OCI layout and archive,
//! registry, Docker daemon), layers streamed once in parallel, whiteouts applied, and a merged
//! filesystem view in which every path knows the layer that last wrote it.

pub mod capture;
pub mod digest;
pub mod error;
pub mod fsview;
pub mod image;
pub mod layer;
pub mod limits;
pub mod manifest;
pub mod progress;
pub mod reference;
pub mod scan;
pub mod signature;
pub mod sniff;
pub mod sources;
pub mod store;

use std::path::{Path, PathBuf};

pub use capture::{ContentFilter, ExactPaths, NoContent};
pub use digest::Digest;
pub use error::{ImageError, Result};
pub use fsview::{EarlierVersion, FileRef, FsView, LayerSecrets, Node, SkippedFile};
pub use image::{HistoryEntry, ImageConfig, ImageInfo, LayerInfo, Platform};
pub use layer::EntryKind;
pub use limits::{CaptureBudget, Limits};
pub use progress::{NoProgress, Progress};
pub use reference::Reference;
pub use scan::Image;
/// The vulnerability database as an OCI artifact (`db push`, `db pull`).
pub use sources::registry::artifact;

use sources::docker_archive::DockerArchive;
use sources::oci_layout::OciLayout;
use store::{DirStore, TarStore};

/// How to read an image.
pub struct LoadOptions<'a> {
    /// Image to pick from a multi-platform index; the host's platform when `None`.
    pub platform: Option<Platform>,
    pub limits: Limits,
    /// Registries (host[:port]) reached over plain HTTP; only loopback addresses are allowed.
    pub insecure_registries: Vec<String>,
    /// Docker CLI config directory holding `config.json` (credentials); `$DOCKER_CONFIG` or
    /// `~/.docker` when `None`.
    pub docker_config: Option<PathBuf>,
    /// Explicit registry credentials, preferred over `config.json`.
    pub credentials: Option<(String, String)>,
    pub filter: &'a dyn ContentFilter,
    pub progress: &'a dyn Progress,
}

impl<'a> LoadOptions<'a> {
    pub fn new(filter: &'a dyn ContentFilter) -> Self {
        LoadOptions {
            platform: None,
            limits: Limits::default(),
            insecure_registries: Vec::new(),
            docker_config: None,
            credentials: None,
            filter,
            progress: &NoProgress,
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform.clone().unwrap_or_else(Platform::host)
    }
}

/// Reads the image `reference` names (see [`Reference::parse`]) into a filesystem view; an
/// unpacked root filesystem (`dir:`, `rootfs:`) is read as an image of one layer.
pub fn load(reference: &str, opts: &LoadOptions<'_>) -> Result<Image> {
    match Reference::parse(reference) {
        Reference::DockerArchive { path, tag } => load_archive(reference, &path, tag, opts),
        Reference::OciDir { path, tag } => {
            if !path.exists() {
                return Err(ImageError::not_found(path.display().to_string()));
            }
            load_layout(DirStore::open(&path)?, reference, "oci-dir", tag, opts)
        }
        Reference::OciArchive { path, tag } => {
            load_layout(TarStore::open(&path)?, reference, "oci-archive", tag, opts)
        }
        Reference::Daemon(name) => sources::daemon::load(&name, reference, opts),
        Reference::Rootfs(path) => {
            let src = sources::rootfs::Rootfs::open(&path, reference, &opts.limits)?;
            scan::scan_source(&src, opts.filter, &opts.limits, opts.progress)
        }
        Reference::Sbom(path) => Err(ImageError::bad(
            path.display().to_string(),
            "`sbom:` names an SBOM, which has packages but no image: `seaworthy image sbom:FILE` \
             scans it for vulnerabilities",
        )),
        Reference::Registry(name) => load_registry(&name, reference, opts),
        Reference::Name(name) => {
            if sources::daemon::has_image(&name)? {
                sources::daemon::load(&name, reference, opts)
            } else {
                load_registry(&name, reference, opts)
            }
        }
    }
}

/// A tar file: docker-archive when it has `manifest.json`, else an OCI archive.
fn load_archive(
    reference: &str,
    path: &Path,
    tag: Option<String>,
    opts: &LoadOptions<'_>,
) -> Result<Image> {
    let store = TarStore::open(path)?;
    if store.contains("manifest.json") {
        let src = DockerArchive::open(store, reference, tag.as_deref(), &opts.limits)?;
        scan::scan_source(&src, opts.filter, &opts.limits, opts.progress)
    } else if store.contains("oci-layout") {
        load_layout(store, reference, "oci-archive", tag, opts)
    } else {
        Err(ImageError::bad(
            path.display().to_string(),
            "neither a docker-archive (no manifest.json) nor an OCI archive (no oci-layout)",
        ))
    }
}

/// An OCI image layout in `store` (a directory or an archive).
fn load_layout<S: store::BlobStore>(
    store: S,
    reference: &str,
    source: &'static str,
    tag: Option<String>,
    opts: &LoadOptions<'_>,
) -> Result<Image> {
    let platform = opts.platform();
    let src = OciLayout::open(
        store,
        reference,
        source,
        tag.as_deref(),
        &platform,
        &opts.limits,
    )?;
    scan::scan_source(&src, opts.filter, &opts.limits, opts.progress)
}

fn load_registry(name: &str, reference: &str, opts: &LoadOptions<'_>) -> Result<Image> {
    let src = sources::registry::RegistryImage::open(name, reference, opts)?;
    scan::scan_source(&src, opts.filter, &opts.limits, opts.progress)
}

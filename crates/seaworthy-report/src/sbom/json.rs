//! seaworthy's own SBOM JSON (documented in `docs/sbom-format.md`): the image, its layers, the
//! OS and every package as the inventory models it, sorted.

use seaworthy_inventory::{CatalogError, OsInfo, Package};
use seaworthy_oci::{ImageInfo, Platform};
use serde::Serialize;

use super::{SbomInput, sorted_packages};

/// Bump the major version on any breaking change to the document's shape.
pub(crate) const SCHEMA_VERSION: &str = "1.2.0";

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool_version: &'a str,
    created: &'a str,
    image: Image<'a>,
    os: Option<&'a OsInfo>,
    packages: Vec<&'a Package>,
    errors: Vec<&'a CatalogError>,
    /// Parts of files that could not be read while the rest was (warnings).
    skipped: Vec<&'a CatalogError>,
}

#[derive(Serialize)]
struct Image<'a> {
    reference: &'a str,
    source: &'a str,
    manifest_digest: Option<String>,
    config_digest: Option<String>,
    platform: Platform,
    repo_tags: Vec<&'a str>,
    layers: Vec<Layer<'a>>,
}

#[derive(Serialize)]
struct Layer<'a> {
    index: usize,
    digest: Option<String>,
    diff_id: Option<String>,
    media_type: &'a str,
    size: Option<u64>,
    created_by: Option<&'a str>,
}

fn image(info: &ImageInfo) -> Image<'_> {
    let mut repo_tags: Vec<&str> = info.repo_tags.iter().map(String::as_str).collect();
    repo_tags.sort_unstable();
    repo_tags.dedup();
    Image {
        reference: &info.reference,
        source: info.source,
        manifest_digest: info.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: info.config_digest.as_ref().map(ToString::to_string),
        platform: info.platform(),
        repo_tags,
        layers: info
            .layers
            .iter()
            .enumerate()
            .map(|(index, l)| Layer {
                index,
                digest: l.digest.as_ref().map(ToString::to_string),
                diff_id: l.diff_id.as_ref().map(ToString::to_string),
                media_type: &l.media_type,
                size: l.size,
                created_by: l.history.as_ref().and_then(|h| h.created_by.as_deref()),
            })
            .collect(),
    }
}

/// `list` sorted by path, layer, cataloger and message.
pub(crate) fn sorted_problems(list: &[CatalogError]) -> Vec<&CatalogError> {
    let mut sorted: Vec<&CatalogError> = list.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.path, a.layer, a.cataloger, &a.message).cmp(&(
            &b.path,
            b.layer,
            b.cataloger,
            &b.message,
        ))
    });
    sorted
}

pub(crate) fn render(input: &SbomInput<'_>) -> String {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool_version: input.tool_version,
        created: input.created,
        image: image(input.image),
        os: input.inventory.os.as_ref(),
        packages: sorted_packages(input.inventory),
        errors: sorted_problems(&input.inventory.errors),
        skipped: sorted_problems(&input.inventory.skipped),
    };
    crate::json_pretty(&doc)
}

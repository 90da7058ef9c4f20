//! SBOM output: an image's package inventory as a table for people, seaworthy's own JSON
//! (`docs/sbom-format.md`), CycloneDX 1.6 JSON or SPDX 2.3 JSON.
//!
//! Every format is a pure function of [`SbomInput`]: packages are sorted here, ids are derived
//! from the content, and the only time in the output is the caller's `created`.

mod cyclonedx;
mod json;
mod license;
mod spdx;
mod table;

pub(crate) use json::sorted_problems;
pub(crate) use table::problems;

use std::str::FromStr;

use seaworthy_inventory::{Inventory, Package, PackageLocation};
use seaworthy_oci::{ImageInfo, LayerInfo};
use sha2::{Digest as _, Sha256};

/// Output formats of `seaworthy sbom --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomFormat {
    Table,
    Json,
    CycloneDx,
    Spdx,
}

impl SbomFormat {
    pub const NAMES: &[&str] = &["table", "json", "cyclonedx", "spdx"];
}

impl FromStr for SbomFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "table" => SbomFormat::Table,
            "json" => SbomFormat::Json,
            "cyclonedx" | "cyclonedx-json" => SbomFormat::CycloneDx,
            "spdx" | "spdx-json" => SbomFormat::Spdx,
            _ => {
                return Err(format!(
                    "unknown SBOM format `{s}` (expected one of: {})",
                    SbomFormat::NAMES.join(", ")
                ));
            }
        })
    }
}

/// What an SBOM is made of.
pub struct SbomInput<'a> {
    pub image: &'a ImageInfo,
    pub inventory: &'a Inventory,
    pub tool_version: &'a str,
    /// RFC 3339 UTC creation time
    pub created: &'a str,
}

/// Renders the SBOM in `format`, ending with a newline. `color` only affects the table.
pub fn render_sbom(input: &SbomInput<'_>, format: SbomFormat, color: bool) -> String {
    let mut out = match format {
        SbomFormat::Table => table::render(input, color),
        SbomFormat::Json => json::render(input),
        SbomFormat::CycloneDx => cyclonedx::render(input),
        SbomFormat::Spdx => spdx::render(input),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The packages in a stable order, whatever order the inventory holds them in.
fn sorted_packages(inventory: &Inventory) -> Vec<&Package> {
    let mut packages: Vec<&Package> = inventory.packages.iter().collect();
    packages.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    packages
}

/// The layer a location points at, when the image has it.
fn layer_of<'a>(image: &'a ImageInfo, location: &PackageLocation) -> Option<&'a LayerInfo> {
    image.layers.get(location.layer)
}

/// The layer's identity (diff_id, else blob digest); empty when unknown.
fn layer_digest(image: &ImageInfo, location: &PackageLocation) -> String {
    layer_of(image, location)
        .map(LayerInfo::id)
        .unwrap_or_default()
}

/// The command that created a layer on one line, without the shell Docker records around it
/// (`/bin/sh -c #(nop) `, `/bin/sh -c `, ` # buildkit`); `None` when the history does not say.
fn layer_command(layer: &LayerInfo) -> Option<String> {
    clean_created_by(layer.history.as_ref()?.created_by.as_deref()?)
}

/// A history `created_by` on one line without the shell wrapper; `None` when nothing is left.
pub(crate) fn clean_created_by(created_by: &str) -> Option<String> {
    let cmd = match created_by.split_once("/bin/sh -c #(nop) ") {
        Some((_, rest)) => rest.to_string(),
        None => created_by.replacen("/bin/sh -c ", "", 1),
    };
    let cmd = cmd.trim().trim_end_matches("# buildkit");
    let cmd = cmd.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cmd.is_empty()).then_some(cmd)
}

/// The image's most stable identity: config digest (image id), manifest digest, or reference.
fn image_identity(image: &ImageInfo) -> String {
    image
        .config_digest
        .as_ref()
        .or(image.manifest_digest.as_ref())
        .map_or_else(|| image.reference.clone(), |d| d.to_string())
}

/// A UUID derived from the image and the tool version, so the same scan gives the same
/// document: SHA-256 of both, cut to 128 bits, marked as RFC 9562 version 8 (custom),
/// variant `10`.
fn document_uuid(image: &ImageInfo, tool_version: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(image_identity(image).as_bytes());
    hasher.update([0u8]);
    hasher.update(tool_version.as_bytes());
    let hash = hasher.finalize();
    let mut bytes = [0u8; 16];
    for (dst, src) in bytes.iter_mut().zip(hash.iter()) {
        *dst = *src;
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    let part = |r: std::ops::Range<usize>| hex.get(r).unwrap_or_default();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_parse() {
        for name in SbomFormat::NAMES {
            assert!(name.parse::<SbomFormat>().is_ok(), "{name}");
        }
        assert_eq!("CycloneDX".parse(), Ok(SbomFormat::CycloneDx));
        assert!("syft".parse::<SbomFormat>().is_err());
    }
}

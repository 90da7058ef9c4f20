//! OCI / Docker schema2 manifests and indexes: parsing and platform selection.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::digest::Digest;
use crate::image::Platform;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub platform: Option<DescPlatform>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DescPlatform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Descriptor {
    pub fn digest(&self) -> Result<Digest, String> {
        Digest::parse(&self.digest)
    }

    pub fn is_index(&self) -> bool {
        self.media_type == OCI_INDEX || self.media_type == DOCKER_LIST
    }
}

/// A manifest document: either an index (manifest list) or an image manifest.
#[derive(Debug, Clone)]
pub enum ManifestDoc {
    Index(Vec<Descriptor>),
    Image {
        config: Descriptor,
        layers: Vec<Descriptor>,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDoc {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
}

impl ManifestDoc {
    /// Parses a manifest or index; `media_type` is the transport's claim (HTTP header or
    /// descriptor), used when the document has none.
    pub fn parse(bytes: &[u8], media_type: Option<&str>) -> Result<ManifestDoc, String> {
        let raw: RawDoc =
            serde_json::from_slice(bytes).map_err(|e| format!("manifest is not valid: {e}"))?;
        if raw.schema_version == Some(1) {
            return Err(
                "Docker schema1 manifests are not supported (deprecated since 2017)".into(),
            );
        }
        let kind = raw.media_type.as_deref().or(media_type).unwrap_or_default();
        match (raw.manifests, raw.config, raw.layers) {
            (Some(manifests), None, _) if kind != OCI_MANIFEST && kind != DOCKER_MANIFEST => {
                Ok(ManifestDoc::Index(manifests))
            }
            (None, Some(config), Some(layers)) => Ok(ManifestDoc::Image { config, layers }),
            _ => Err(format!(
                "manifest of type {kind:?} has neither `manifests` nor `config` and `layers`"
            )),
        }
    }
}

/// Picks the image for `platform` from an index. Attestation and unknown entries never match.
pub fn select_platform<'a>(
    entries: &'a [Descriptor],
    platform: &Platform,
) -> Result<&'a Descriptor, String> {
    let candidates: Vec<&Descriptor> = entries
        .iter()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_some_and(|p| platform.matches(&p.os, &p.architecture, p.variant.as_deref()))
        })
        .collect();
    if let Some(first) = candidates.first() {
        return Ok(first);
    }
    // A single untagged-by-platform entry (as umoci writes) is the image.
    let plain: Vec<&Descriptor> = entries
        .iter()
        .filter(|d| {
            d.platform.is_none() && !d.annotations.contains_key("vnd.docker.reference.type")
        })
        .collect();
    if let [only] = plain.as_slice() {
        return Ok(only);
    }
    let available: Vec<String> = entries
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .filter(|p| p.os != "unknown")
        .map(|p| {
            let mut s = format!("{}/{}", p.os, p.architecture);
            if let Some(v) = &p.variant {
                s.push('/');
                s.push_str(v);
            }
            s
        })
        .collect();
    Err(format!(
        "no image for platform {platform} (available: {})",
        if available.is_empty() {
            "none".to_string()
        } else {
            seaworthy_core::text::list(&available, false)
        }
    ))
}

/// Layer media types seaworthy can read (compression is detected from the bytes).
pub fn is_layer_media_type(media_type: &str) -> bool {
    media_type.is_empty()
        || media_type.starts_with("application/vnd.oci.image.layer.")
        || media_type.starts_with("application/vnd.docker.image.rootfs.")
}

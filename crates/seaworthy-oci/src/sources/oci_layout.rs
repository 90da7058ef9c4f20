//! OCI image layout, as a directory (`oci-dir:`) or a tar of one (`oci-archive:`).

use serde::Deserialize;

use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::image::{ImageConfig, ImageInfo, LayerInfo, Platform};
use crate::limits::Limits;
use crate::manifest::{Descriptor, ManifestDoc, REF_NAME, is_layer_media_type, select_platform};
use crate::sources::{ImageSource, LayerBlob};
use crate::store::BlobStore;

pub struct OciLayout<S> {
    store: S,
    info: ImageInfo,
}

#[derive(Deserialize)]
struct IndexFile {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

fn blob_path(d: &Digest) -> String {
    format!("blobs/{}/{}", d.algorithm(), d.hex())
}

/// Reads a small blob and checks its digest and size against the descriptor.
pub(crate) fn read_verified<S: BlobStore + ?Sized>(
    store: &S,
    desc: &Descriptor,
    limits: &Limits,
) -> Result<(Digest, Vec<u8>)> {
    let what = format!("{}: blob {}", store.name(), desc.digest);
    let digest = desc.digest().map_err(|m| ImageError::bad(&what, m))?;
    let bytes = store
        .read_small(&blob_path(&digest), limits.max_json_bytes)
        .map_err(|e| match e {
            ImageError::BadInput { message, .. } => ImageError::bad(&what, message),
            other => other,
        })?;
    let mut sink = Vec::new();
    std::io::Read::read_to_end(
        &mut VerifyingReader::new(&bytes[..], digest.clone(), desc.size),
        &mut sink,
    )
    .map_err(|e| ImageError::bad(&what, e.to_string()))?;
    Ok((digest, bytes))
}

impl<S: BlobStore> OciLayout<S> {
    /// Opens the image `tag` (the `org.opencontainers.image.ref.name` annotation) or the only one.
    pub fn open(
        store: S,
        reference: &str,
        source: &'static str,
        tag: Option<&str>,
        platform: &Platform,
        limits: &Limits,
    ) -> Result<Self> {
        let name = store.name();
        if store.open("oci-layout")?.is_none() {
            return Err(ImageError::bad(
                &name,
                "not an OCI image layout (no oci-layout file)",
            ));
        }
        let manifests = read_index(&store, limits)?;
        let chosen = choose_tagged(&manifests, tag)
            .map_err(|m| ImageError::bad(format!("{name}: index.json"), m))?;

        let mut desc = chosen.clone();
        for _ in 0..4 {
            let (digest, bytes) = read_verified(&store, &desc, limits)?;
            let what = format!("{name}: manifest {digest}");
            match ManifestDoc::parse(&bytes, Some(&desc.media_type))
                .map_err(|m| ImageError::bad(&what, m))?
            {
                ManifestDoc::Index(entries) => {
                    desc = select_platform(&entries, platform)
                        .map_err(|m| ImageError::bad(&what, m))?
                        .clone();
                }
                ManifestDoc::Image { config, layers } => {
                    let (config_digest, config_bytes) = read_verified(&store, &config, limits)?;
                    let config = ImageConfig::parse(&config_bytes).map_err(|m| {
                        ImageError::bad(format!("{name}: config {config_digest}"), m)
                    })?;
                    let info = image_info(
                        reference,
                        source,
                        digest,
                        config_digest,
                        config,
                        &layers,
                        limits,
                    )
                    .map_err(|m| ImageError::bad(&what, m))?;
                    return Ok(OciLayout { store, info });
                }
            }
        }
        Err(ImageError::bad(&name, "indexes nested more than 4 deep"))
    }
}

/// The `manifests` of the layout's `index.json`.
pub(crate) fn read_index<S: BlobStore + ?Sized>(
    store: &S,
    limits: &Limits,
) -> Result<Vec<Descriptor>> {
    let index_bytes = store.read_small("index.json", limits.max_json_bytes)?;
    let index: IndexFile = serde_json::from_slice(&index_bytes)
        .map_err(|e| ImageError::bad(format!("{}: index.json", store.name()), e.to_string()))?;
    Ok(index.manifests)
}

/// Builds the image description from a manifest's layers and the config.
pub(crate) fn image_info(
    reference: &str,
    source: &'static str,
    manifest_digest: Digest,
    config_digest: Digest,
    config: ImageConfig,
    layers: &[Descriptor],
    limits: &Limits,
) -> Result<ImageInfo, String> {
    if layers.len() > limits.max_layers {
        return Err(format!(
            "{} layers, more than the {} allowed",
            layers.len(),
            limits.max_layers
        ));
    }
    let layers = layers
        .iter()
        .map(|l| {
            if !is_layer_media_type(&l.media_type) {
                return Err(format!(
                    "layer media type {:?} is not supported",
                    l.media_type
                ));
            }
            Ok(LayerInfo {
                digest: Some(l.digest()?),
                diff_id: None,
                media_type: l.media_type.clone(),
                size: l.size,
                history: None,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if !config.diff_ids.is_empty() && config.diff_ids.len() != layers.len() {
        return Err(format!(
            "manifest lists {} layers but the config has {} diff_ids",
            layers.len(),
            config.diff_ids.len()
        ));
    }
    let mut info = ImageInfo {
        reference: reference.to_string(),
        source,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        repo_tags: Vec::new(),
        config,
        layers,
    };
    info.link_layers();
    Ok(info)
}

/// The entry whose ref name is `tag`, bare or after a `name:` prefix.
pub(crate) fn find_tagged<'a>(entries: &'a [Descriptor], tag: &str) -> Option<&'a Descriptor> {
    entries.iter().find(|d| {
        d.annotations
            .get(REF_NAME)
            .is_some_and(|r| r == tag || r.rsplit_once(':').is_some_and(|(_, t)| t == tag))
    })
}

/// cosign's signatures, attestations and SBOMs (`sha256-HEX.sig`, `.att`, `.sbom`) stored
/// beside an image: never the image itself.
fn is_cosign_artifact(d: &Descriptor) -> bool {
    d.annotations.get(REF_NAME).is_some_and(|r| {
        let tag = r.rsplit_once(':').map_or(r.as_str(), |(_, t)| t);
        (tag.starts_with("sha256-") || tag.starts_with("sha512-"))
            && [".sig", ".att", ".sbom"].iter().any(|s| tag.ends_with(s))
    })
}

/// The image `tag` names, or the only image when no tag is given.
pub(crate) fn choose_tagged<'a>(
    entries: &'a [Descriptor],
    tag: Option<&str>,
) -> Result<&'a Descriptor, String> {
    match tag {
        Some(tag) => find_tagged(entries, tag).ok_or_else(|| format!("no image tagged {tag:?}")),
        None => {
            let images: Vec<&Descriptor> =
                entries.iter().filter(|d| !is_cosign_artifact(d)).collect();
            match images.as_slice() {
                [] => Err("lists no images".into()),
                [only] => Ok(only),
                _ => {
                    // An index may list 70,000 tags: the first few, escaped, and a count.
                    let tags = seaworthy_core::text::list(
                        images
                            .iter()
                            .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str)),
                        false,
                    );
                    Err(format!(
                        "lists {} images; pick one with PATH:TAG (tags: {tags})",
                        images.len(),
                    ))
                }
            }
        }
    }
}

impl<S: BlobStore> ImageSource for OciLayout<S> {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>> {
        let layer = &self.info.layers[index];
        let digest = layer
            .digest
            .clone()
            .ok_or_else(|| ImageError::bad(self.store.name(), "layer without digest"))?;
        let path = blob_path(&digest);
        let (reader, _) = self.store.open(&path)?.ok_or_else(|| {
            ImageError::bad(
                format!("{}: layer {digest}", self.store.name()),
                "blob is missing from the image",
            )
        })?;
        Ok(LayerBlob {
            reader,
            verify: Some(digest),
            size: layer.size,
        })
    }
}

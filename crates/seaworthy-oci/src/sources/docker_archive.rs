//! `docker save` archives (`docker-archive:`): legacy `<id>/layer.tar` and the OCI-style
//! `blobs/sha256/…` layout Docker 25+ writes, both described by `manifest.json`.

use std::io::{BufRead, BufReader};

use serde::Deserialize;

use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::image::{ImageConfig, ImageInfo, LayerInfo};
use crate::limits::Limits;
use crate::sources::{ImageSource, LayerBlob};
use crate::store::{BlobStore, TarStore};

pub struct DockerArchive {
    store: TarStore,
    layer_paths: Vec<String>,
    info: ImageInfo,
}

/// One image in a `docker save` archive's `manifest.json`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ManifestEntry {
    pub config: String,
    #[serde(default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(default)]
    pub layers: Vec<String>,
}

/// The digest a member's path names: `blobs/sha256/<hex>` or `<hex>.json` / `<hex>.tar`.
fn digest_from_path(path: &str) -> Option<Digest> {
    let name = path.rsplit('/').next()?;
    if let Some(rest) = path.strip_prefix("blobs/")
        && let Some((alg, hex)) = rest.split_once('/')
    {
        return Digest::parse(&format!("{alg}:{hex}")).ok();
    }
    let stem = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".tar"))?;
    Digest::parse(&format!("sha256:{stem}")).ok()
}

impl DockerArchive {
    pub fn open(
        store: TarStore,
        reference: &str,
        tag: Option<&str>,
        limits: &Limits,
    ) -> Result<Self> {
        let name = store.name();
        let what = format!("{name}: manifest.json");
        let bytes = store.read_small("manifest.json", limits.max_json_bytes)?;
        let entries: Vec<ManifestEntry> =
            serde_json::from_slice(&bytes).map_err(|e| ImageError::bad(&what, e.to_string()))?;
        let entry = match tag {
            Some(tag) => entries
                .iter()
                .find(|e| {
                    e.repo_tags
                        .iter()
                        .flatten()
                        .any(|t| t == tag || t.rsplit_once(':').is_some_and(|(_, t)| t == tag))
                })
                .ok_or_else(|| ImageError::bad(&what, format!("no image tagged {tag:?}")))?,
            None => match entries.as_slice() {
                [] => return Err(ImageError::bad(&what, "lists no images")),
                [only] => only,
                _ => {
                    return Err(ImageError::bad(
                        &what,
                        format!("lists {} images; pick one with PATH:TAG", entries.len()),
                    ));
                }
            },
        };
        if entry.layers.len() > limits.max_layers {
            return Err(ImageError::bad(&what, "too many layers"));
        }
        let config_what = format!("{name}: {}", entry.config);
        let config_bytes = store.read_small(&entry.config, limits.max_json_bytes)?;
        let config_digest = match digest_from_path(&entry.config) {
            Some(expected) => {
                let mut sink = Vec::new();
                std::io::Read::read_to_end(
                    &mut VerifyingReader::new(&config_bytes[..], expected.clone(), None),
                    &mut sink,
                )
                .map_err(|e| ImageError::bad(&config_what, e.to_string()))?;
                expected
            }
            None => Digest::sha256_of(&config_bytes),
        };
        let config =
            ImageConfig::parse(&config_bytes).map_err(|m| ImageError::bad(&config_what, m))?;
        if config.diff_ids.len() != entry.layers.len() {
            return Err(ImageError::bad(
                &what,
                format!(
                    "lists {} layers but the config has {} diff_ids",
                    entry.layers.len(),
                    config.diff_ids.len()
                ),
            ));
        }
        let mut layers = Vec::with_capacity(entry.layers.len());
        for path in &entry.layers {
            if !store.contains(path) {
                return Err(ImageError::bad(
                    format!("{name}: {path}"),
                    "layer listed in manifest.json is missing from the archive",
                ));
            }
            layers.push(LayerInfo {
                digest: digest_from_path(path).filter(|_| path.starts_with("blobs/")),
                diff_id: None,
                media_type: "application/vnd.docker.image.rootfs.diff.tar".into(),
                size: None,
                history: None,
            });
        }
        let mut info = ImageInfo {
            reference: reference.to_string(),
            source: "docker-archive",
            manifest_digest: None,
            config_digest: Some(config_digest),
            repo_tags: entry.repo_tags.clone().unwrap_or_default(),
            config,
            layers,
        };
        info.link_layers();
        Ok(DockerArchive {
            store,
            layer_paths: entry.layers.clone(),
            info,
        })
    }
}

impl ImageSource for DockerArchive {
    fn info(&self) -> &ImageInfo {
        &self.info
    }

    /// The member's path: a layer listed twice in `manifest.json` is one member, read once.
    fn layer_key(&self, index: usize) -> Option<String> {
        self.layer_paths.get(index).map(|p| format!("member {p}"))
    }

    fn open_layer(&self, index: usize) -> Result<LayerBlob<'_>> {
        let path = &self.layer_paths[index];
        let what = format!("{}: {path}", self.store.name());
        let (reader, size) = self
            .store
            .open(path)?
            .ok_or_else(|| ImageError::bad(&what, "missing from the archive"))?;
        let layer = &self.info.layers[index];
        let mut reader = BufReader::with_capacity(64 << 10, reader);
        // An uncompressed layer must hash to its diff_id; a compressed one to its blob digest.
        let head = reader
            .fill_buf()
            .map_err(|e| ImageError::from_read(&what, e))?;
        let compressed =
            head.starts_with(&[0x1f, 0x8b]) || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]);
        let verify = if compressed {
            layer.digest.clone()
        } else {
            layer.diff_id.clone()
        };
        Ok(LayerBlob {
            reader: Box::new(reader),
            verify,
            size: Some(size),
        })
    }
}

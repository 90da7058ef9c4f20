//! What an image is, independent of where it came from: platform, config, layers and history.

use serde::Deserialize;
use serde_json::Value;

use crate::digest::Digest;

/// `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: os.to_string(),
                    architecture: arch.to_string(),
                    variant: Some(variant.to_string()),
                })
            }
            _ => Err(format!("platform {s:?} is not os/arch[/variant]")),
        }
    }

    /// The platform this binary runs on, in OCI terms.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        Platform {
            os: "linux".into(),
            architecture: architecture.into(),
            variant: None,
        }
    }

    /// Does an index entry's platform satisfy this request? A missing variant matches any.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == architecture
            && (self.variant.is_none() || self.variant.as_deref() == variant)
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// One `history` entry of the image config.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct HistoryEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

/// The parts of the image config seaworthy reads; `raw` keeps the whole document.
#[derive(Debug, Clone, Default)]
pub struct ImageConfig {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub diff_ids: Vec<Digest>,
    pub history: Vec<HistoryEntry>,
    pub raw: Value,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    rootfs: Option<RawRootfs>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
}

#[derive(Deserialize)]
struct RawRootfs {
    #[serde(default)]
    diff_ids: Vec<String>,
}

impl ImageConfig {
    pub fn parse(bytes: &[u8]) -> Result<ImageConfig, String> {
        let raw: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("image config is not JSON: {e}"))?;
        let parsed: RawConfig = serde_json::from_value(raw.clone())
            .map_err(|e| format!("image config is malformed: {e}"))?;
        let diff_ids = parsed
            .rootfs
            .map(|r| r.diff_ids)
            .unwrap_or_default()
            .iter()
            .map(|d| Digest::parse(d).map_err(|e| format!("image config rootfs.diff_ids: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ImageConfig {
            os: parsed.os,
            architecture: parsed.architecture,
            variant: parsed.variant,
            diff_ids,
            history: parsed.history,
            raw,
        })
    }

    /// History entries of the layers that exist (those not marked `empty_layer`), in order.
    pub fn layer_history(&self) -> Vec<HistoryEntry> {
        self.history
            .iter()
            .filter(|h| !h.empty_layer)
            .cloned()
            .collect()
    }
}

/// A layer as the manifest describes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    /// Digest of the blob as stored (compressed); `None` when the source does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<Digest>,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The config history entry that created this layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryEntry>,
}

impl LayerInfo {
    /// The most stable identity available: diff_id, else blob digest.
    pub fn id(&self) -> String {
        self.diff_id
            .as_ref()
            .or(self.digest.as_ref())
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

/// Where the image came from and what it is.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// The reference as the user gave it.
    pub reference: String,
    /// `docker-archive`, `oci-dir`, `oci-archive`, `docker` or `registry`.
    pub source: &'static str,
    pub manifest_digest: Option<Digest>,
    pub config_digest: Option<Digest>,
    pub repo_tags: Vec<String>,
    pub config: ImageConfig,
    pub layers: Vec<LayerInfo>,
}

impl ImageInfo {
    pub fn platform(&self) -> Platform {
        Platform {
            os: self.config.os.clone(),
            architecture: self.config.architecture.clone(),
            variant: self.config.variant.clone(),
        }
    }

    /// Attaches diff_ids and history entries to `layers`, in order.
    pub fn link_layers(&mut self) {
        let history = self.config.layer_history();
        for (i, layer) in self.layers.iter_mut().enumerate() {
            if layer.diff_id.is_none() {
                layer.diff_id = self.config.diff_ids.get(i).cloned();
            }
            if layer.history.is_none() {
                layer.history = history.get(i).cloned();
            }
        }
    }
}

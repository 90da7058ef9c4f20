//! After the export has streamed by: picks the image in `manifest.json`, parses and checks its
//! config, puts the layer indexes in order and checks each against its diff_id.

use std::collections::HashMap;

use crate::LoadOptions;
use crate::digest::Digest;
use crate::error::{ImageError, Result};
use crate::image::{ImageConfig, ImageInfo, LayerInfo};
use crate::layer::{LayerIndex, index_layer};
use crate::limits::CaptureBudget;
use crate::sources::daemon::export::{Export, LayerMember, blob_digest};
use crate::sources::docker_archive::ManifestEntry;

/// Most hops followed through linked members.
const MAX_LINK_HOPS: usize = 8;

/// What `docker image inspect` said about the image.
#[derive(Debug, Default)]
pub(super) struct Inspected {
    pub id: Option<String>,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    pub layer_count: Option<usize>,
}

/// Builds the image's description, the indexes of its distinct layers and, for each layer it
/// lists (lowest first), the index of that layer's index: a member listed twice is one index.
pub(super) fn assemble(
    mut export: Export,
    inspected: &Inspected,
    name: &str,
    reference: &str,
    what: &str,
    opts: &LoadOptions<'_>,
    budget: &CaptureBudget,
) -> Result<(ImageInfo, Vec<LayerIndex>, Vec<usize>)> {
    let manifest_what = format!("{what}: manifest.json");
    let bytes = export
        .json
        .get("manifest.json")
        .ok_or_else(|| ImageError::bad(what, "the export has no manifest.json"))?;
    let entries: Vec<ManifestEntry> = serde_json::from_slice(bytes)
        .map_err(|e| ImageError::bad(&manifest_what, e.to_string()))?;
    let entry = choose(&entries, &export, inspected)
        .ok_or_else(|| ImageError::bad(&manifest_what, "lists no images"))?;
    if entry.layers.len() > opts.limits.max_layers {
        return Err(ImageError::bad(&manifest_what, "too many layers"));
    }

    let (config_path, config_bytes) = config_of(entry, &export).ok_or_else(|| {
        ImageError::bad(
            &manifest_what,
            format!("config {} is missing", entry.config),
        )
    })?;
    let config_what = format!("{what}: {config_path}");
    let config_digest = check_config_digest(&config_path, config_bytes)
        .map_err(|m| ImageError::bad(&config_what, m))?;
    let config = ImageConfig::parse(config_bytes).map_err(|m| ImageError::bad(&config_what, m))?;
    if config.diff_ids.len() != entry.layers.len() {
        return Err(ImageError::bad(
            &manifest_what,
            format!(
                "lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                config.diff_ids.len()
            ),
        ));
    }

    let paths: Vec<String> = entry
        .layers
        .iter()
        .map(|p| {
            resolve(&export, p)
                .ok_or_else(|| ImageError::bad(&manifest_what, format!("layer {p} is missing")))
        })
        .collect::<Result<_>>()?;
    let mut distinct: HashMap<&str, usize> = HashMap::new();
    let mut members: Vec<LayerMember> = Vec::new();
    let mut order = Vec::with_capacity(paths.len());
    let mut layers = Vec::with_capacity(paths.len());
    for ((path, diff_id), listed) in paths.iter().zip(&config.diff_ids).zip(&entry.layers) {
        let member_what = format!("{what}: {listed}");
        let d = match distinct.get(path.as_str()) {
            Some(&d) => d,
            None => {
                let member = match export.layers.remove(path) {
                    Some(m) => m,
                    // A small blob that began with `{` was kept as JSON; it is the layer after
                    // all.
                    None => layer_from_json(&export, path, &member_what, opts, budget)?,
                };
                members.push(member);
                distinct.insert(path.as_str(), members.len() - 1);
                members.len() - 1
            }
        };
        order.push(d);
        let member = &members[d];
        if member.compression.is_none()
            && diff_id.algorithm() == "sha256"
            && let Some(actual) = &member.sha256
            && actual != diff_id.hex()
        {
            return Err(ImageError::bad(
                member_what,
                format!("layer hashes to sha256:{actual}, the config's diff_id is {diff_id}"),
            ));
        }
        layers.push(LayerInfo {
            digest: member.blob_digest.clone(),
            diff_id: None,
            media_type: media_type(member.compression).into(),
            size: Some(member.size),
            history: None,
        });
    }
    let indexes = members.into_iter().map(|m| m.index).collect();

    let mut info = ImageInfo {
        reference: reference.to_string(),
        source: "docker",
        manifest_digest: repo_digest(name, &inspected.repo_digests),
        config_digest: Some(config_digest),
        repo_tags: if inspected.repo_tags.is_empty() {
            entry.repo_tags.clone().unwrap_or_default()
        } else {
            inspected.repo_tags.clone()
        },
        config,
        layers,
    };
    info.link_layers();
    Ok((info, indexes, order))
}

/// The entry whose config is the inspected image id, else one sharing a tag, else the first.
fn choose<'a>(
    entries: &'a [ManifestEntry],
    export: &Export,
    inspected: &Inspected,
) -> Option<&'a ManifestEntry> {
    let by_id = inspected.id.as_deref().and_then(|id| {
        entries.iter().find(|e| {
            config_of(e, export).is_some_and(|(path, bytes)| {
                check_config_digest(&path, bytes).is_ok_and(|d| d.to_string() == id)
            })
        })
    });
    by_id
        .or_else(|| {
            entries.iter().find(|e| {
                e.repo_tags
                    .iter()
                    .flatten()
                    .any(|t| inspected.repo_tags.contains(t))
            })
        })
        .or_else(|| entries.first())
}

fn config_of<'a>(entry: &ManifestEntry, export: &'a Export) -> Option<(String, &'a [u8])> {
    let path = resolve(export, &entry.config)?;
    let bytes = export.json.get(&path)?;
    Some((path, bytes))
}

/// The config's digest; a legacy `<hex>.json` name must match it (blob paths were checked
/// while reading).
fn check_config_digest(path: &str, bytes: &[u8]) -> Result<Digest, String> {
    if let Some(d) = blob_digest(path) {
        return Ok(d);
    }
    let actual = Digest::sha256_of(bytes);
    match path.strip_suffix(".json") {
        Some(stem) if stem.len() == 64 && stem != actual.hex() => Err(format!(
            "config hashes to {actual}, its name says sha256:{stem}"
        )),
        _ => Ok(actual),
    }
}

/// Follows linked members to the path of a real one.
fn resolve(export: &Export, listed: &str) -> Option<String> {
    let mut path = crate::layer::normalize(listed.as_bytes()).ok()??;
    for _ in 0..=MAX_LINK_HOPS {
        if export.layers.contains_key(&path) || export.json.contains_key(&path) {
            return Some(path);
        }
        path = export.aliases.get(&path)?.clone();
    }
    None
}

fn layer_from_json(
    export: &Export,
    path: &str,
    what: &str,
    opts: &LoadOptions<'_>,
    budget: &CaptureBudget,
) -> Result<LayerMember> {
    let bytes = export
        .json
        .get(path)
        .ok_or_else(|| ImageError::bad(what, "layer is missing from the export"))?;
    let index = index_layer(
        &bytes[..],
        what,
        opts.filter,
        &opts.limits,
        budget,
        opts.progress,
    )?;
    Ok(LayerMember {
        index,
        sha256: Some(Digest::sha256_of(bytes).hex().to_string()),
        blob_digest: blob_digest(path),
        compression: None,
        size: bytes.len() as u64,
    })
}

fn media_type(compression: Option<&str>) -> &'static str {
    match compression {
        Some("gzip") => "application/vnd.docker.image.rootfs.diff.tar.gzip",
        Some(_) => "application/vnd.oci.image.layer.v1.tar+zstd",
        None => "application/vnd.docker.image.rootfs.diff.tar",
    }
}

/// The manifest digest from `RepoDigests` (`repo@sha256:…`), preferring the named repository.
fn repo_digest(name: &str, repo_digests: &[String]) -> Option<Digest> {
    let repo = repository(name);
    let parsed: Vec<(&str, Digest)> = repo_digests
        .iter()
        .filter_map(|rd| {
            let (r, d) = rd.split_once('@')?;
            Some((r, Digest::parse(d).ok()?))
        })
        .collect();
    parsed
        .iter()
        .find(|(r, _)| *r == repo || repository(r) == repo)
        .or(parsed.first())
        .map(|(_, d)| d.clone())
}

/// `name` without its tag or digest.
fn repository(name: &str) -> &str {
    let name = name.split_once('@').map_or(name, |(r, _)| r);
    match name.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn repo_digest_prefers_named_repository() {
        let digests = vec![
            format!("other@{D}"),
            "broken@sha256:12".to_string(),
            format!("localhost:5000/app@{D}"),
        ];
        assert_eq!(repository("localhost:5000/app:1"), "localhost:5000/app");
        assert_eq!(
            repo_digest("localhost:5000/app:1", &digests).map(|d| d.to_string()),
            Some(D.to_string())
        );
        assert_eq!(repo_digest("x", &[]), None);
    }

    #[test]
    fn legacy_config_name_must_match() {
        let name = format!("{}.json", &D[7..]);
        assert!(check_config_digest(&name, b"").is_ok());
        assert!(check_config_digest(&name, b"{}").is_err());
        assert!(check_config_digest("config.json", b"{}").is_ok());
    }
}

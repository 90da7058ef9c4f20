//! One pass over the daemon's export (a `docker save` tar): layer members are indexed as they
//! stream by, small JSON members are kept for the end, links between members are remembered.
//! Nothing is buffered but JSON documents within `max_json_bytes`.

use std::collections::HashMap;
use std::io::{self, Read};

use sha2::{Digest as _, Sha256};

use crate::LoadOptions;
use crate::digest::{Digest, VerifyingReader};
use crate::error::{ImageError, Result};
use crate::layer::{LayerIndex, index_layer, normalize, split_parent};
use crate::limits::CaptureBudget;

/// Most members (of any kind) read from one export.
const MAX_MEMBERS: u64 = 1_000_000;

/// What the walk kept.
#[derive(Default)]
pub(super) struct Export {
    /// Layer members, by normalised path.
    pub layers: HashMap<String, LayerMember>,
    /// JSON members (manifest.json, configs, OCI manifests), by normalised path.
    pub json: HashMap<String, Vec<u8>>,
    /// Symlinked or hardlinked members: path → the path they point at.
    pub aliases: HashMap<String, String>,
}

/// A layer member, indexed.
pub(super) struct LayerMember {
    pub index: LayerIndex,
    /// sha256 (hex) of the member's bytes, when computed or named by its path.
    pub sha256: Option<String>,
    /// The digest its `blobs/<alg>/<hex>` path names (already verified).
    pub blob_digest: Option<Digest>,
    pub compression: Option<&'static str>,
    pub size: u64,
}

/// The digest a `blobs/<alg>/<hex>` path names.
pub(super) fn blob_digest(path: &str) -> Option<Digest> {
    let (alg, hex) = path.strip_prefix("blobs/")?.split_once('/')?;
    Digest::parse(&format!("{alg}:{hex}")).ok()
}

/// Walks the export tar. `what` names the export in errors (`REF: export`).
pub(super) fn walk(
    reader: impl Read,
    what: &str,
    opts: &LoadOptions<'_>,
    budget: &CaptureBudget,
) -> Result<Export> {
    let limits = &opts.limits;
    let max_kept = limits.max_layers.saturating_mul(4).saturating_add(64);
    let max_json_total = limits.max_json_bytes.saturating_mul(4);
    let mut json_total: u64 = 0;
    let mut out = Export::default();
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::from_read(what, e))?;
    for (count, entry) in entries.enumerate() {
        if count as u64 >= MAX_MEMBERS {
            return Err(ImageError::bad(
                what,
                format!("more than {MAX_MEMBERS} members"),
            ));
        }
        let mut entry = entry.map_err(|e| ImageError::from_read(what, e))?;
        let Some(path) = normalize(&entry.path_bytes()).map_err(|m| ImageError::bad(what, m))?
        else {
            continue;
        };
        let member = format!("{what}: {path}");
        let size = entry.size();
        match entry.header().entry_type() {
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let symbolic = entry.header().entry_type() == tar::EntryType::Symlink;
                let raw = entry
                    .link_name_bytes()
                    .ok_or_else(|| ImageError::bad(&member, "link without a target"))?;
                let target = if symbolic {
                    resolve_relative(split_parent(&path).0, &String::from_utf8_lossy(&raw))
                } else {
                    normalize(&raw).ok().flatten()
                }
                .ok_or_else(|| ImageError::bad(&member, "link points outside the export"))?;
                if out.aliases.len() >= max_kept {
                    return Err(ImageError::bad(what, "too many linked members"));
                }
                out.aliases.insert(path, target);
                continue;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            _ => continue,
        }
        let digest = blob_digest(&path);
        let top_level_json = !path.contains('/') && path.ends_with(".json");
        let is_layer_name = path.ends_with(".tar");
        if digest.is_none() && !top_level_json && !is_layer_name {
            continue; // VERSION, <id>/json, repositories, index.json, oci-layout
        }
        let mut head = [0u8; 4];
        let n = read_up_to(&mut entry, &mut head).map_err(|e| ImageError::from_read(&member, e))?;
        let head = head.get(..n).unwrap_or_default();
        let looks_json = head.first() == Some(&b'{') && size <= limits.max_json_bytes;
        if top_level_json || (digest.is_some() && looks_json) {
            if size > limits.max_json_bytes {
                return Err(ImageError::bad(
                    &member,
                    format!("JSON larger than {} bytes", limits.max_json_bytes),
                ));
            }
            json_total = json_total.saturating_add(size);
            if json_total > max_json_total || out.json.len() >= max_kept {
                return Err(ImageError::bad(what, "too many JSON documents"));
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            let mut body = head.chain(&mut entry);
            let read = match &digest {
                Some(d) => {
                    VerifyingReader::new(body, d.clone(), Some(size)).read_to_end(&mut bytes)
                }
                None => body.read_to_end(&mut bytes),
            };
            read.map_err(|e| ImageError::from_read(&member, e))?;
            out.json.insert(path, bytes);
            continue;
        }
        if out.layers.len() >= limits.max_layers {
            return Err(ImageError::bad(
                what,
                format!("more than {} layers", limits.max_layers),
            ));
        }
        let compression = match head {
            [0x1f, 0x8b, ..] => Some("gzip"),
            [0x28, 0xb5, 0x2f, 0xfd] => Some("zstd"),
            _ => None,
        };
        let body = head.chain(&mut entry);
        let (index, sha256) = match &digest {
            Some(d) => {
                let index = index_layer(
                    VerifyingReader::new(body, d.clone(), Some(size)),
                    &member,
                    opts.filter,
                    limits,
                    budget,
                    opts.progress,
                )?;
                (
                    index,
                    (d.algorithm() == "sha256").then(|| d.hex().to_string()),
                )
            }
            None => {
                let mut hashing = HashingReader::new(body);
                let index = index_layer(
                    &mut hashing,
                    &member,
                    opts.filter,
                    limits,
                    budget,
                    opts.progress,
                )?;
                io::copy(&mut hashing, &mut io::sink())
                    .map_err(|e| ImageError::from_read(&member, e))?;
                (index, Some(hashing.finish_hex()))
            }
        };
        opts.progress.layer_done();
        out.layers.insert(
            path,
            LayerMember {
                index,
                sha256,
                blob_digest: digest,
                compression,
                size,
            },
        );
    }
    Ok(out)
}

/// `target` of a symlink in directory `dir`, as a path from the export's root; `None` when it
/// climbs above the root.
pub(super) fn resolve_relative(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match r.read(rest)? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Passes bytes through and hashes them (sha256); the digest of a legacy `layer.tar` is only
/// known once the config, which may come later in the stream, is read.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
        }
    }

    fn finish_hex(self) -> String {
        hex::encode(self.hasher.finalize())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(
            resolve_relative("b", "../a/layer.tar").as_deref(),
            Some("a/layer.tar")
        );
        assert_eq!(resolve_relative("blobs/sha256", "/x").as_deref(), Some("x"));
        assert_eq!(resolve_relative("b", "../../etc/passwd"), None);
        assert_eq!(resolve_relative("", ".."), None);
    }

    #[test]
    fn hashing_reader() {
        let mut r = HashingReader::new(&b""[..]);
        io::copy(&mut r, &mut io::sink()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.finish_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}

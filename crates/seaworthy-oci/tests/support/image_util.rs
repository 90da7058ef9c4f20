//! Builds images for tests: layer tars (with hostile entries when asked), OCI layouts and
//! docker-archives, all written by the test itself.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use sha2::{Digest as _, Sha256};

pub fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// One layer, as tar entries in order.
#[derive(Default, Clone)]
pub struct Layer {
    builder_entries: Vec<TarEntry>,
}

#[derive(Clone)]
enum TarEntry {
    File(String, Vec<u8>, u32),
    Dir(String),
    Symlink(String, String),
    Hardlink(String, String),
    /// Path bytes written verbatim into the header (for `../` and other hostile names).
    RawFile(Vec<u8>, Vec<u8>),
}

impl Layer {
    pub fn new() -> Layer {
        Layer::default()
    }
    pub fn file(mut self, path: &str, data: &[u8]) -> Layer {
        self.builder_entries
            .push(TarEntry::File(path.into(), data.to_vec(), 0o644));
        self
    }
    pub fn exe(mut self, path: &str, data: &[u8]) -> Layer {
        self.builder_entries
            .push(TarEntry::File(path.into(), data.to_vec(), 0o755));
        self
    }
    pub fn dir(mut self, path: &str) -> Layer {
        self.builder_entries.push(TarEntry::Dir(path.into()));
        self
    }
    pub fn symlink(mut self, path: &str, target: &str) -> Layer {
        self.builder_entries
            .push(TarEntry::Symlink(path.into(), target.into()));
        self
    }
    pub fn hardlink(mut self, path: &str, target: &str) -> Layer {
        self.builder_entries
            .push(TarEntry::Hardlink(path.into(), target.into()));
        self
    }
    pub fn whiteout(self, path: &str) -> Layer {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wh = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&wh, b"")
    }
    pub fn opaque(self, dir: &str) -> Layer {
        self.file(&format!("{dir}/.wh..wh..opq"), b"")
    }
    pub fn raw_file(mut self, path: &[u8], data: &[u8]) -> Layer {
        self.builder_entries
            .push(TarEntry::RawFile(path.to_vec(), data.to_vec()));
        self
    }

    /// The uncompressed tar.
    pub fn tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for e in &self.builder_entries {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(1_700_000_000);
            h.set_uid(0);
            h.set_gid(0);
            let ok = match e {
                TarEntry::File(p, d, mode) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(*mode);
                    h.set_size(d.len() as u64);
                    b.append_data(&mut h, p, &d[..])
                }
                TarEntry::Dir(p) => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_mode(0o755);
                    h.set_size(0);
                    b.append_data(&mut h, p, &b""[..])
                }
                TarEntry::Symlink(p, t) => {
                    h.set_entry_type(tar::EntryType::Symlink);
                    h.set_mode(0o777);
                    h.set_size(0);
                    b.append_link(&mut h, p, t)
                }
                TarEntry::Hardlink(p, t) => {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_link(&mut h, p, t)
                }
                TarEntry::RawFile(p, d) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(d.len() as u64);
                    let name = &mut h.as_old_mut().name;
                    name.fill(0);
                    name[..p.len()].copy_from_slice(p);
                    h.set_cksum();
                    b.append(&h, &d[..])
                }
            };
            ok.unwrap_or_else(|e| panic!("tar entry: {e}"));
        }
        b.into_inner().unwrap_or_else(|e| panic!("tar: {e}"))
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    enc.finish().unwrap_or_else(|e| panic!("{e}"))
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap_or_else(|e| panic!("{e}"))
}

/// A layer blob: the bytes as stored, its media type and the diff_id of the tar inside.
pub struct Blob {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub diff_id: String,
}

impl Blob {
    pub fn plain(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha256(&tar),
            bytes: tar,
            media_type: "application/vnd.oci.image.layer.v1.tar",
        }
    }
    pub fn gzip(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha256(&tar),
            bytes: gzip(&tar),
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip",
        }
    }
    pub fn zstd(tar: Vec<u8>) -> Blob {
        Blob {
            diff_id: sha256(&tar),
            bytes: zstd(&tar),
            media_type: "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// An image config with diff_ids and one history entry per layer.
pub fn config(blobs: &[Blob]) -> Vec<u8> {
    let history: Vec<serde_json::Value> = (0..blobs.len())
        .map(|i| serde_json::json!({"created_by": format!("RUN step {}", i + 1)}))
        .collect();
    let mut history = history;
    history.insert(
        1.min(history.len()),
        serde_json::json!({"created_by": "ENV A=1", "empty_layer": true}),
    );
    config_with_history(blobs, history)
}

/// An image config with diff_ids and the given history entries.
pub fn config_with_history(blobs: &[Blob], history: Vec<serde_json::Value>) -> Vec<u8> {
    let diff_ids: Vec<&str> = blobs.iter().map(|b| b.diff_id.as_str()).collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap_or_default()
}

fn put_blob(dir: &Path, data: &[u8]) -> String {
    let digest = sha256(data);
    let hex = digest.trim_start_matches("sha256:");
    let path = dir.join("blobs/sha256").join(hex);
    std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, data).unwrap_or_else(|e| panic!("{e}"));
    digest
}

/// Writes an OCI layout with one image tagged `tag`; returns the manifest digest.
pub fn oci_layout(dir: &Path, blobs: &[Blob], tag: &str) -> String {
    oci_layout_with_config(dir, blobs, tag, &config(blobs))
}

/// [`oci_layout`] with the image config given.
pub fn oci_layout_with_config(dir: &Path, blobs: &[Blob], tag: &str, cfg: &[u8]) -> String {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let cfg = cfg.to_vec();
    let cfg_digest = put_blob(dir, &cfg);
    let layers: Vec<serde_json::Value> = blobs
        .iter()
        .map(|b| {
            serde_json::json!({"mediaType": b.media_type, "digest": put_blob(dir, &b.bytes), "size": b.bytes.len()})
        })
        .collect();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg.len()},
        "layers": layers,
    }))
    .unwrap_or_default();
    let m_digest = put_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m_digest,
                       "size": manifest.len(), "annotations": {"org.opencontainers.image.ref.name": tag}}],
    });
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    m_digest
}

/// Tars up a directory tree (an OCI layout) into an archive file.
pub fn tar_dir(dir: &Path, out: &Path) {
    let file = std::fs::File::create(out).unwrap_or_else(|e| panic!("{e}"));
    let mut b = tar::Builder::new(file);
    b.append_dir_all(".", dir).unwrap_or_else(|e| panic!("{e}"));
    b.finish().unwrap_or_else(|e| panic!("{e}"));
}

/// Writes a legacy `docker save` archive (`<id>/layer.tar`, `<hex>.json`, manifest.json).
pub fn docker_archive(out: &Path, layer_tars: &[Vec<u8>], tag: &str) {
    let blobs: Vec<Blob> = layer_tars.iter().cloned().map(Blob::plain).collect();
    let cfg = config(&blobs);
    let cfg_name = format!("{}.json", sha256(&cfg).trim_start_matches("sha256:"));
    let file = std::fs::File::create(out).unwrap_or_else(|e| panic!("{e}"));
    let mut b = tar::Builder::new(file);
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data)
            .unwrap_or_else(|e| panic!("{e}"));
    };
    let mut layer_paths = Vec::new();
    for (i, blob) in blobs.iter().enumerate() {
        let path = format!("layer{i}/layer.tar");
        add(&path, &blob.bytes);
        layer_paths.push(path);
    }
    add(&cfg_name, &cfg);
    let manifest =
        serde_json::json!([{"Config": cfg_name, "RepoTags": [tag], "Layers": layer_paths}]);
    add(
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap_or_default(),
    );
    b.finish().unwrap_or_else(|e| panic!("{e}"));
}

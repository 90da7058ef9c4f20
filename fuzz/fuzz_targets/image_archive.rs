//! Arbitrary bytes as an image on disk; the first byte picks how the rest is read:
//! - even: as an archive file (docker-archive with `manifest.json`, else an OCI archive), so
//!   member links, layers listed many times and nested indexes are fuzzed;
//! - odd: as a tar unpacked into an OCI layout directory (symbolic links kept, never followed
//!   while unpacking), so blobs and `index.json` that are links out of the layout are fuzzed.
//!
//! Loading must never panic and must stay within the limits.
#![no_main]

use std::fs;
use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use seaworthy_oci::{ContentFilter, Limits, LoadOptions, Platform};

struct Everything;

impl ContentFilter for Everything {
    fn wants_path(&self, _path: &str) -> bool {
        true
    }
}

/// Per-process scratch space (tmpfs when there is one).
fn scratch() -> PathBuf {
    let base = Path::new("/dev/shm");
    let base = if base.is_dir() { base.to_path_buf() } else { std::env::temp_dir() };
    base.join(format!("seaworthy-fuzz-image-{}", std::process::id()))
}

/// The member path as safe relative components, `None` for anything absolute or climbing.
fn safe_path(raw: &[u8]) -> Option<PathBuf> {
    let text = std::str::from_utf8(raw).ok()?;
    let parts: Vec<&str> = text.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if text.starts_with('/') || parts.is_empty() || parts.contains(&"..") || parts.len() > 8 {
        return None;
    }
    Some(parts.iter().collect())
}

/// Whether every component of `rel` below `root` is a real directory (no link to follow).
fn real_dirs(root: &Path, rel: &Path) -> bool {
    let mut at = root.to_path_buf();
    rel.components().all(|c| {
        at.push(c);
        fs::symlink_metadata(&at).is_ok_and(|m| m.is_dir())
    })
}

/// Unpacks directories and regular files, then symbolic links (last, so nothing is ever
/// written through one). Hardlinks and everything else are dropped.
fn unpack(tar_bytes: &[u8], root: &Path) {
    let mut links = Vec::new();
    let mut archive = tar::Archive::new(tar_bytes);
    let Ok(entries) = archive.entries() else { return };
    for entry in entries.take(64) {
        let Ok(mut entry) = entry else { return };
        let Some(rel) = safe_path(&entry.path_bytes()) else { continue };
        let path = root.join(&rel);
        match entry.header().entry_type() {
            tar::EntryType::Directory => {
                let _ = fs::create_dir_all(&path);
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let mut data = Vec::new();
                if (&mut entry).take(1 << 20).read_to_end(&mut data).is_err() {
                    return;
                }
                if let Some(parent) = path.parent() {
                    let _ = fs::create_dir_all(parent);
                }
                let _ = fs::write(&path, data);
            }
            tar::EntryType::Symlink => {
                if let Some(target) = entry.link_name_bytes() {
                    links.push((rel, target.into_owned()));
                }
            }
            _ => {}
        }
    }
    for (rel, target) in links {
        let parent = rel.parent().unwrap_or(Path::new(""));
        if real_dirs(root, parent) {
            let target = String::from_utf8_lossy(&target).into_owned();
            let _ = symlink(target, root.join(rel));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((which, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_layer_bytes: 16 << 20,
        max_file_bytes: 1 << 20,
        max_entries_per_layer: 10_000,
        ratio_floor_bytes: 1 << 20,
        max_captured_bytes: 64 << 20,
        max_json_bytes: 1 << 20,
        max_layers: 64,
        ..Limits::default()
    };
    let filter = Everything;
    let opts = LoadOptions {
        platform: Some(Platform {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }),
        limits,
        ..LoadOptions::new(&filter)
    };
    let scratch = scratch();
    let _ = fs::remove_dir_all(&scratch);
    if fs::create_dir_all(&scratch).is_err() {
        return;
    }
    let reference = if which % 2 == 0 {
        let file = scratch.join("image.tar");
        if fs::write(&file, rest).is_err() {
            return;
        }
        format!("docker-archive:{}", file.display())
    } else {
        let dir = scratch.join("layout");
        if fs::create_dir(&dir).is_err() {
            return;
        }
        unpack(rest, &dir);
        format!("oci-dir:{}", dir.display())
    };
    if let Ok(image) = seaworthy_oci::load(&reference, &opts) {
        let paths: Vec<String> = image.fs.nodes().map(|(p, _)| p.to_string()).collect();
        for p in paths {
            let _ = image.fs.resolve(&p);
            let _ = image.fs.read(&p);
        }
    }
});

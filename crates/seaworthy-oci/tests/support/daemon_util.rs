//! Docker daemon helpers for tests: builds layer tars and docker-archives in memory, puts them
//! into the local daemon with the docker CLI (`load`, `import`) and removes them again on drop.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use sha2::{Digest as _, Sha256};

/// One entry of a layer tar.
#[derive(Clone, Debug)]
pub enum TarEntryKind {
    /// A regular file, mode 0644.
    File(Vec<u8>),
    /// A regular file, mode 0755.
    Exe(Vec<u8>),
    Dir,
    Symlink(String),
    /// Target path from the layer root.
    Hardlink(String),
    /// Deletes the path from the layers below (written as `.wh.<name>`).
    Whiteout,
    /// Hides the lower contents of this directory (written as `<dir>/.wh..wh..opq`).
    Opaque,
}

/// A layer: `(path, kind)` in tar order.
pub type LayerSpec<'a> = Vec<(&'a str, TarEntryKind)>;

pub fn file(data: &[u8]) -> TarEntryKind {
    TarEntryKind::File(data.to_vec())
}

pub fn symlink(target: &str) -> TarEntryKind {
    TarEntryKind::Symlink(target.to_string())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(1_700_000_000);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// `dir/.wh.name` for `dir/name`.
fn whiteout_path(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, base)) => format!("{dir}/.wh.{base}"),
        None => format!(".wh.{path}"),
    }
}

/// The uncompressed tar of one layer.
pub fn layer_tar(entries: &[(&str, TarEntryKind)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, kind) in entries {
        let res = match kind {
            TarEntryKind::File(d) | TarEntryKind::Exe(d) => {
                let mode = if matches!(kind, TarEntryKind::Exe(_)) {
                    0o755
                } else {
                    0o644
                };
                let mut h = header(tar::EntryType::Regular, mode, d.len() as u64);
                b.append_data(&mut h, path, &d[..])
            }
            TarEntryKind::Dir => {
                let mut h = header(tar::EntryType::Directory, 0o755, 0);
                b.append_data(&mut h, path, &b""[..])
            }
            TarEntryKind::Symlink(t) => {
                let mut h = header(tar::EntryType::Symlink, 0o777, 0);
                b.append_link(&mut h, path, t)
            }
            TarEntryKind::Hardlink(t) => {
                let mut h = header(tar::EntryType::Link, 0o644, 0);
                b.append_link(&mut h, path, t)
            }
            TarEntryKind::Whiteout => {
                let mut h = header(tar::EntryType::Regular, 0o644, 0);
                b.append_data(&mut h, whiteout_path(path), &b""[..])
            }
            TarEntryKind::Opaque => {
                let mut h = header(tar::EntryType::Regular, 0o644, 0);
                b.append_data(&mut h, format!("{path}/.wh..wh..opq"), &b""[..])
            }
        };
        res.unwrap_or_else(|e| panic!("layer entry {path}: {e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("layer tar: {e}"))
}

/// An image config (linux/amd64) with these diff_ids (`sha256:…`) and one history entry each.
pub fn image_config(diff_ids: &[String]) -> Vec<u8> {
    let history: Vec<serde_json::Value> = (0..diff_ids.len())
        .map(|i| serde_json::json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("layer {i}")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap_or_else(|e| panic!("config: {e}"))
}

/// A tar of regular members, in order.
pub fn outer_tar(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in members {
        let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
        b.append_data(&mut h, path, &data[..])
            .unwrap_or_else(|e| panic!("member {path}: {e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("archive: {e}"))
}

/// A legacy `docker save` archive (`<hex>/layer.tar`, `<hex>.json`, `manifest.json`) of one
/// image tagged `tag`. Identical layers are stored once and listed again.
pub fn docker_archive_from_tars(layer_tars: &[Vec<u8>], tag: &str) -> Vec<u8> {
    let diff_ids: Vec<String> = layer_tars
        .iter()
        .map(|t| format!("sha256:{}", sha256_hex(t)))
        .collect();
    let config = image_config(&diff_ids);
    let config_name = format!("{}.json", sha256_hex(&config));
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    let mut layer_paths = Vec::new();
    for tar in layer_tars {
        let path = format!("{}/layer.tar", sha256_hex(tar));
        if !members.iter().any(|(p, _)| *p == path) {
            members.push((path.clone(), tar.clone()));
        }
        layer_paths.push(path);
    }
    members.push((config_name.clone(), config));
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": [tag], "Layers": layer_paths}]);
    members.push((
        "manifest.json".into(),
        serde_json::to_vec(&manifest).unwrap_or_else(|e| panic!("manifest: {e}")),
    ));
    outer_tar(&members)
}

/// [`docker_archive_from_tars`] of layers described entry by entry.
pub fn docker_archive(layers: &[LayerSpec<'_>], tag: &str) -> Vec<u8> {
    let tars: Vec<Vec<u8>> = layers.iter().map(|l| layer_tar(l)).collect();
    docker_archive_from_tars(&tars, tag)
}

/// Is a Docker daemon answering? With `SEAWORTHY_REQUIRE_DOCKER=1` a missing daemon panics
/// (fails the test); otherwise the test should return early (this prints why).
pub fn docker_ready(test: &str) -> bool {
    let answered = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if answered {
        return true;
    }
    if std::env::var("SEAWORTHY_REQUIRE_DOCKER").as_deref() == Ok("1") {
        panic!("{test}: SEAWORTHY_REQUIRE_DOCKER=1 but no Docker daemon answers `docker version`");
    }
    eprintln!("skipping {test}: no Docker daemon (SEAWORTHY_REQUIRE_DOCKER=1 makes this fail)");
    false
}

/// `seaworthy-test-<label>-<pid>:latest`: unique per test and process.
pub fn unique_name(label: &str) -> String {
    format!("seaworthy-test-{label}-{}:latest", std::process::id())
}

/// An image in the daemon, removed (`docker rmi -f`) when dropped.
pub struct DaemonImage {
    pub name: String,
}

impl Drop for DaemonImage {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn docker_with_stdin(args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new("docker")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    let mut stdin = child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("docker {args:?}: no stdin"));
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("docker {args:?}: {e}"));
    let _ = writer.join();
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `docker load` of an archive whose manifest tags the image `name`.
pub fn docker_load(archive: &[u8], name: &str) -> DaemonImage {
    let image = DaemonImage {
        name: name.to_string(),
    };
    docker_with_stdin(&["load", "-q"], archive);
    image
}

/// `docker import FILE name`: a one-layer image from a root filesystem tar.
pub fn docker_import(rootfs_tar: &[u8], name: &str) -> DaemonImage {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let path = dir.path().join("rootfs.tar");
    std::fs::write(&path, rootfs_tar).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let image = DaemonImage {
        name: name.to_string(),
    };
    let path_str = path.to_string_lossy().into_owned();
    docker_with_stdin(&["import", &path_str, name], b"");
    image
}

/// Output of a docker CLI command that must succeed.
pub fn docker(args: &[&str]) -> String {
    docker_with_stdin(args, b"")
}

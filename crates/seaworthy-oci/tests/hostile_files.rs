//! Hostile files around an image on disk: an OCI layout whose blobs, `index.json` or
//! `oci-layout` are links to host files, FIFOs or hard links planted by another user, and archives
//! that are FIFOs. Each must be refused quickly, with an error that says nothing of a link's
//! target: no path, no content, no hash, no size.

#[path = "support/image_util.rs"]
mod image_util;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use image_util::{Blob, Layer, oci_layout, sha256};
use seaworthy_oci::{ExactPaths, ImageError, LoadOptions, load};

/// A "host file": distinctive content and size, outside the layout.
const SECRET: &[u8] = b"root:$6$hostile$c2VjcmV0LWhvc3QtZmlsZS1jb250ZW50:19000:0:99999:7:::\n";

fn host_file(dir: &Path) -> PathBuf {
    let path = dir.join("host-shadow");
    std::fs::write(&path, SECRET).unwrap_or_else(|e| panic!("{e}"));
    path
}

/// Loads `reference` on a thread; fails the test if it takes 5 s (a blocked `open()`).
fn load_bounded(reference: String) -> Result<(), ImageError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let filter = ExactPaths(&["etc/os-release"]);
        let result = load(&reference, &LoadOptions::new(&filter)).map(|_| ());
        let _ = tx.send(result);
    });
    rx.recv_timeout(Duration::from_secs(5))
        .unwrap_or_else(|_| panic!("reading the image did not finish within 5 s"))
}

/// Asserts an input error that reveals nothing about the secret host file.
fn assert_refused(result: Result<(), ImageError>, host: &Path, needle: &str) -> String {
    let err = match result {
        Ok(()) => panic!("hostile layout accepted"),
        Err(e) => e,
    };
    assert!(err.is_input_error(), "{err} should be an input error");
    let text = format!("{err} {err:?}");
    assert!(text.contains(needle), "{text} lacks {needle:?}");
    let hash = sha256(SECRET);
    let hex = hash.trim_start_matches("sha256:");
    assert!(
        !text.contains(&hex[..12]),
        "hash of the host file in {text}"
    );
    assert!(!text.contains("c2VjcmV0"), "host file content in {text}");
    assert!(
        !text.contains(&SECRET.len().to_string()),
        "size of the host file in {text}"
    );
    assert!(
        !text.contains("host-shadow") && !text.contains(&*host.to_string_lossy()),
        "link target in {text}"
    );
    err.to_string()
}

/// A layout with one layer; returns (layout dir, config blob path, layer blob path).
fn layout(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let layout = dir.join("oci");
    let layer = Layer::new().file("etc/os-release", b"ID=alpine\n");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "t");
    let blob = |digest: &str| {
        layout
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let read_json = |p: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let index = read_json(&layout.join("index.json"));
    let manifest = read_json(&blob(
        index["manifests"][0]["digest"].as_str().unwrap_or_default(),
    ));
    let config = blob(manifest["config"]["digest"].as_str().unwrap_or_default());
    let layer = blob(manifest["layers"][0]["digest"].as_str().unwrap_or_default());
    (layout, config, layer)
}

fn reference(layout: &Path) -> String {
    format!("oci-dir:{}", layout.display())
}

fn replace_with_symlink(path: &Path, target: &Path) {
    std::fs::remove_file(path).unwrap_or_else(|e| panic!("{e}"));
    symlink(target, path).unwrap_or_else(|e| panic!("{e}"));
}

fn replace_with_fifo(path: &Path) {
    std::fs::remove_file(path).unwrap_or_else(|e| panic!("{e}"));
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(status.success());
}

#[test]
fn an_intact_layout_still_loads() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (layout, _, _) = layout(dir.path());
    load_bounded(reference(&layout)).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn symlinked_layout_files_are_refused_without_reading_the_target() {
    for which in ["config", "layer", "index.json", "oci-layout"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let host = host_file(dir.path());
        let (layout, config, layer) = layout(dir.path());
        let path = match which {
            "config" => config,
            "layer" => layer,
            name => layout.join(name),
        };
        replace_with_symlink(&path, &host);
        let text = assert_refused(load_bounded(reference(&layout)), &host, "symbolic link");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        assert!(text.contains(&*name), "{which}: names the file: {text}");
    }
}

#[test]
fn a_symlinked_blobs_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let host = host_file(dir.path());
    let (layout, _, _) = layout(dir.path());
    // The blobs, moved out of the layout and linked back in: every blob is reached through a link.
    let outside = dir.path().join("elsewhere");
    std::fs::rename(layout.join("blobs"), &outside).unwrap_or_else(|e| panic!("{e}"));
    symlink(&outside, layout.join("blobs")).unwrap_or_else(|e| panic!("{e}"));
    let text = assert_refused(load_bounded(reference(&layout)), &host, "symbolic link");
    assert!(!text.contains("elsewhere"), "{text}");
}

#[test]
fn fifos_in_a_layout_are_refused_without_blocking() {
    for which in ["config", "layer", "index.json", "oci-layout"] {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let host = host_file(dir.path());
        let (layout, config, layer) = layout(dir.path());
        let path = match which {
            "config" => config,
            "layer" => layer,
            name => layout.join(name),
        };
        replace_with_fifo(&path);
        let text = assert_refused(load_bounded(reference(&layout)), &host, "FIFO");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        assert!(text.contains(&*name), "{which}: names the file: {text}");
    }
}

#[test]
fn archives_that_are_fifos_or_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let host = host_file(dir.path());
    let fifo = dir.path().join("image.tar");
    std::fs::write(&fifo, b"").unwrap_or_else(|e| panic!("{e}"));
    replace_with_fifo(&fifo);
    for prefix in ["docker-archive", "oci-archive"] {
        let reference = format!("{prefix}:{}", fifo.display());
        assert_refused(load_bounded(reference), &host, "FIFO");
        let reference = format!("{prefix}:{}", dir.path().display());
        assert_refused(load_bounded(reference), &host, "directory");
    }
    // An OCI layout "directory" that is a FIFO.
    assert_refused(
        load_bounded(format!("oci-dir:{}", fifo.display())),
        &host,
        "not a directory",
    );
}

/// A hard link cannot be told from the file it links to. One to a root-owned host file,
/// planted in a layout owned by another user, is refused. Needs root to set the owners up.
#[test]
fn a_foreign_hard_link_in_a_layout_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let host = host_file(dir.path());
    if std::fs::metadata(&host).map(|m| m.uid()).ok() != Some(0) {
        eprintln!("skipped: needs root");
        return;
    }
    let (layout, config, _) = layout(dir.path());
    std::fs::remove_file(&config).unwrap_or_else(|e| panic!("{e}"));
    std::fs::hard_link(&host, &config).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::chown(&layout, Some(65534), Some(65534)).unwrap_or_else(|e| panic!("{e}"));
    assert_refused(load_bounded(reference(&layout)), &host, "hard link");
}

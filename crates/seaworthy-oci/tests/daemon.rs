//! Images read from the local Docker daemon (`docker:`). Each test builds its image, puts it in
//! the daemon with the docker CLI, reads it back and removes it. Without a daemon the tests are
//! skipped, unless SEAWORTHY_REQUIRE_DOCKER=1.

#[path = "support/daemon_util.rs"]
mod daemon_util;

use daemon_util::{
    TarEntryKind, docker, docker_archive, docker_archive_from_tars, docker_import, docker_load,
    docker_ready, file, layer_tar, sha256_hex, symlink, unique_name,
};
use seaworthy_oci::sources::daemon::has_image;
use seaworthy_oci::{EntryKind, ExactPaths, ImageError, LoadOptions, load};

const WANTED: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "app/config.json",
    "app/hard",
];

const OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Seaworthy Test 1\"\nID=seaworthytest\nVERSION_ID=\"1\"\n";

fn base_layer() -> Vec<(&'static str, TarEntryKind)> {
    // Big enough to cross many chunks of the export stream.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    vec![
        ("etc", TarEntryKind::Dir),
        ("usr", TarEntryKind::Dir),
        ("usr/lib", TarEntryKind::Dir),
        ("usr/lib/os-release", file(OS_RELEASE)),
        ("etc/os-release", symlink("../usr/lib/os-release")),
        ("app", TarEntryKind::Dir),
        ("app/config.json", file(b"{\"v\":1}")),
        ("app/old.txt", file(b"old")),
        ("app/big.bin", TarEntryKind::File(big)),
        ("bin", TarEntryKind::Dir),
        (
            "bin/tool",
            TarEntryKind::Exe(b"#!/bin/sh\necho hi\n".to_vec()),
        ),
    ]
}

fn top_layer() -> Vec<(&'static str, TarEntryKind)> {
    vec![
        ("app", TarEntryKind::Dir),
        ("app/old.txt", TarEntryKind::Whiteout),
        ("app/config.json", file(b"{\"v\":2}")),
        ("app/hard", TarEntryKind::Hardlink("app/config.json".into())),
    ]
}

fn read_image(reference: &str) -> seaworthy_oci::Image {
    let filter = ExactPaths(WANTED);
    load(reference, &LoadOptions::new(&filter)).unwrap_or_else(|e| panic!("{reference}: {e}"))
}

#[test]
fn loads_a_two_layer_image_from_the_daemon() {
    if !docker_ready("loads_a_two_layer_image_from_the_daemon") {
        return;
    }
    let name = unique_name("two-layers");
    let layers = [base_layer(), top_layer()];
    let _image = docker_load(&docker_archive(&layers, &name), &name);
    let image = read_image(&format!("docker:{name}"));

    let info = &image.info;
    assert_eq!(info.source, "docker");
    assert_eq!(info.repo_tags, vec![name.clone()]);
    assert_eq!(
        info.manifest_digest, None,
        "loaded images have no repo digest"
    );
    let id = docker(&["image", "inspect", "--format", "{{.Id}}", &name]);
    assert_eq!(
        info.config_digest.as_ref().map(|d| d.to_string()),
        Some(id.trim().to_string())
    );
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha256_hex(&layer_tar(l))))
        .collect();
    let got: Vec<String> = info.layers.iter().map(|l| l.id()).collect();
    assert_eq!(got, diff_ids);
    assert_eq!(
        info.layers[1]
            .history
            .as_ref()
            .and_then(|h| h.created_by.as_deref()),
        Some("layer 1")
    );
    assert_eq!(
        (info.config.os.as_str(), info.config.architecture.as_str()),
        ("linux", "amd64")
    );

    let fs = &image.fs;
    assert!(fs.node("app/old.txt").is_none(), "whiteout applied");
    assert_eq!(
        fs.node("bin/tool").map(|n| (n.layer, n.mode & 0o777)),
        Some((0, 0o755))
    );
    assert_eq!(fs.node("app/big.bin").map(|n| n.size), Some(3_000_000));
    let os = fs
        .read("etc/os-release")
        .unwrap_or_else(|| panic!("os-release captured"));
    assert_eq!(
        (os.path, os.layer, os.data),
        ("usr/lib/os-release", 0, OS_RELEASE)
    );
    assert!(matches!(
        fs.node("etc/os-release").map(|n| &n.kind),
        Some(EntryKind::Symlink(t)) if t == "../usr/lib/os-release"
    ));
    let cfg = fs
        .read("app/config.json")
        .unwrap_or_else(|| panic!("config captured"));
    assert_eq!((cfg.data, cfg.layer), (&b"{\"v\":2}"[..], 1));
    assert_eq!(fs.read("app/hard").map(|f| f.data), Some(&b"{\"v\":2}"[..]));
    assert!(
        fs.read("app/big.bin").is_none(),
        "unwanted contents are not kept"
    );
}

/// Docker's legacy export stores a layer that occurs twice once and symlinks the second copy.
#[test]
fn reads_symlinked_duplicate_layers() {
    if !docker_ready("reads_symlinked_duplicate_layers") {
        return;
    }
    let name = unique_name("dup-layers");
    let a = layer_tar(&[("data", TarEntryKind::Dir), ("data/a.txt", file(b"A"))]);
    let b = layer_tar(&[
        ("data", TarEntryKind::Dir),
        ("data/a.txt", TarEntryKind::Whiteout),
        ("data/b.txt", file(b"B")),
    ]);
    let _image = docker_load(&docker_archive_from_tars(&[a.clone(), b, a], &name), &name);

    // The export really links the duplicate (otherwise this test would prove nothing).
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let saved = dir.path().join("saved.tar");
    docker(&["save", "-o", &saved.to_string_lossy(), &name]);
    let bytes = std::fs::read(&saved).unwrap_or_else(|e| panic!("{e}"));
    let mut archive = tar::Archive::new(&bytes[..]);
    let links = archive
        .entries()
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .filter(|e| e.header().entry_type() == tar::EntryType::Symlink)
        .count();
    assert!(links >= 1, "docker save linked no layer");

    let filter = ExactPaths(&["data/a.txt", "data/b.txt"]);
    let image = load(&format!("docker:{name}"), &LoadOptions::new(&filter))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image.info.layers.len(), 3);
    let fs = &image.fs;
    assert_eq!(
        fs.read("data/a.txt").map(|f| (f.data, f.layer)),
        Some((&b"A"[..], 2))
    );
    assert_eq!(
        fs.read("data/b.txt").map(|f| (f.data, f.layer)),
        Some((&b"B"[..], 1))
    );
}

#[test]
fn reads_an_imported_rootfs() {
    if !docker_ready("reads_an_imported_rootfs") {
        return;
    }
    let name = unique_name("imported");
    let rootfs = layer_tar(&base_layer());
    let _image = docker_import(&rootfs, &name);
    let image = read_image(&format!("docker:{name}"));
    assert_eq!(image.info.layers.len(), 1);
    assert_eq!(image.info.repo_tags, vec![name.clone()]);
    let fs = &image.fs;
    assert_eq!(fs.read("etc/os-release").map(|f| f.data), Some(OS_RELEASE));
    assert_eq!(
        fs.read("app/config.json").map(|f| f.data),
        Some(&b"{\"v\":1}"[..])
    );
    assert!(fs.node("app/old.txt").is_some());
    assert_eq!(fs.node("bin/tool").map(|n| n.layer), Some(0));
}

#[test]
fn bare_name_resolves_to_the_daemon() {
    if !docker_ready("bare_name_resolves_to_the_daemon") {
        return;
    }
    let name = unique_name("bare");
    let _image = docker_load(&docker_archive(&[top_layer_standalone()], &name), &name);
    assert!(has_image(&name).unwrap_or_else(|e| panic!("{e}")));
    let image = read_image(&name);
    assert_eq!(image.info.source, "docker");
    assert_eq!(image.info.reference, name);
    assert_eq!(
        image.fs.read("app/config.json").map(|f| f.data),
        Some(&b"{\"v\":2}"[..])
    );
    // The image id works as a name too.
    let id = docker(&["image", "inspect", "--format", "{{.Id}}", &name]);
    let by_id = read_image(&format!("docker:{}", id.trim()));
    assert_eq!(by_id.info.config_digest, image.info.config_digest);
}

fn top_layer_standalone() -> Vec<(&'static str, TarEntryKind)> {
    vec![
        ("app", TarEntryKind::Dir),
        ("app/config.json", file(b"{\"v\":2}")),
    ]
}

#[test]
fn unknown_image_is_not_found() {
    if !docker_ready("unknown_image_is_not_found") {
        return;
    }
    let name = unique_name("never-created");
    assert!(!has_image(&name).unwrap_or_else(|e| panic!("{e}")));
    let filter = ExactPaths(&[]);
    let err = load(&format!("docker:{name}"), &LoadOptions::new(&filter))
        .err()
        .unwrap_or_else(|| panic!("loaded an image that does not exist"));
    assert!(matches!(err, ImageError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains(&name), "{err}");
    // The daemon rejects a malformed reference (uppercase) with 400: the input's fault.
    let err = load("docker:Seaworthy-Upper:1", &LoadOptions::new(&filter)).err();
    assert!(matches!(err, Some(ImageError::BadInput { .. })), "{err:?}");
}

#[test]
fn invalid_names_are_rejected_before_asking() {
    assert!(!has_image("../containers/json").unwrap_or_else(|e| panic!("{e}")));
    let filter = ExactPaths(&[]);
    let err = load("docker:a?b", &LoadOptions::new(&filter)).err();
    assert!(matches!(err, Some(ImageError::BadInput { .. })), "{err:?}");
}

/// Runs [`unreachable_daemon_child`] in a child process with DOCKER_HOST pointing nowhere
/// (the environment of this process is shared by all tests).
#[test]
fn unreachable_daemon_names_the_socket() {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let out = std::process::Command::new(exe)
        .args(["--exact", "unreachable_daemon_child", "--nocapture"])
        .env("DOCKER_HOST", "unix:///nonexistent/seaworthy/docker.sock")
        .env("SEAWORTHY_DAEMON_CHILD", "1")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
fn unreachable_daemon_child() {
    if std::env::var("SEAWORTHY_DAEMON_CHILD").is_err() {
        return;
    }
    assert!(!has_image("alpine:latest").unwrap_or_else(|e| panic!("{e}")));
    let filter = ExactPaths(&[]);
    let err = load("docker:alpine:latest", &LoadOptions::new(&filter))
        .err()
        .unwrap_or_else(|| panic!("no daemon, yet loaded"));
    assert!(matches!(err, ImageError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("/nonexistent/seaworthy/docker.sock"),
        "{err}"
    );
}

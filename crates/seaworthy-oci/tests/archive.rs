//! Image files on disk (OCI layout directory, OCI archive, docker-archive) read end to end,
//! including hostile layers: every case builds its image itself.

#[path = "support/image_util.rs"]
mod image_util;

use image_util::{Blob, Layer, docker_archive, oci_layout, tar_dir};
use seaworthy_oci::{ContentFilter, EntryKind, ExactPaths, ImageError, Limits, LoadOptions, load};

const WANTED: &[&str] = &[
    "etc/os-release",
    "usr/lib/os-release",
    "app/config.json",
    "app/hard",
    "var/lib/dpkg/status",
];

/// [`WANTED`], keeping the versions of `app/config.json` that later layers rewrite.
struct KeepsConfigVersions;

impl ContentFilter for KeepsConfigVersions {
    fn wants_path(&self, path: &str) -> bool {
        WANTED.contains(&path)
    }

    fn keeps_versions(&self, path: &str) -> bool {
        path == "app/config.json"
    }
}

fn opts(filter: &dyn ContentFilter) -> LoadOptions<'_> {
    LoadOptions::new(filter)
}

fn base_layer() -> Layer {
    Layer::new()
        .dir("etc")
        .dir("usr/lib")
        .file("usr/lib/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .symlink("etc/os-release", "../usr/lib/os-release")
        .dir("app")
        .file("app/config.json", b"{\"v\":1}")
        .file("app/old.txt", b"old")
        .dir("cache")
        .file("cache/a", b"a")
        .file("cache/sub/b", b"b")
        .file("var/lib/dpkg/status", b"Package: base\n")
}

fn top_layer() -> Layer {
    Layer::new()
        .whiteout("app/old.txt")
        .opaque("cache")
        .file("cache/new", b"new")
        .file("app/config.json", b"{\"v\":2}")
        .hardlink("app/hard", "app/config.json")
        .symlink("app/escape", "../../../../../etc/os-release")
        .symlink("loop/a", "b")
        .symlink("loop/b", "a")
}

fn check_view(image: &seaworthy_oci::Image) {
    let fs = &image.fs;
    assert!(fs.node("app/old.txt").is_none(), "whiteout applied");
    assert!(fs.node("cache/a").is_none(), "opaque dir hides lower files");
    assert!(
        fs.node("cache/sub/b").is_none(),
        "opaque dir hides lower subdirs"
    );
    assert_eq!(fs.node("cache/new").map(|n| n.layer), Some(1));
    assert_eq!(fs.node("usr/lib/os-release").map(|n| n.layer), Some(0));
    // The top layer rewrote config.json: its contents and layer are the top ones.
    let cfg = fs
        .read("app/config.json")
        .unwrap_or_else(|| panic!("config captured"));
    assert_eq!((cfg.data, cfg.layer), (&b"{\"v\":2}"[..], 1));
    // The version it rewrote is kept, with the layer that wrote it (package databases tell
    // which layer added each package from them).
    let earlier: Vec<(usize, Result<&[u8], &str>)> = fs
        .earlier_versions("app/config.json")
        .iter()
        .map(|v| (v.layer, v.data))
        .collect();
    assert_eq!(earlier, [(0, Ok(&b"{\"v\":1}"[..]))]);
    assert!(fs.earlier_versions("usr/lib/os-release").is_empty());
    assert!(fs.earlier_versions("app/hard").is_empty());
    // Hardlink shares its target's contents.
    assert_eq!(fs.read("app/hard").map(|f| f.data), Some(&b"{\"v\":2}"[..]));
    // Relative symlink followed; escaping symlink stays inside the image root.
    assert_eq!(
        fs.read("etc/os-release").map(|f| f.path),
        Some("usr/lib/os-release")
    );
    assert_eq!(
        fs.resolve("app/escape").as_deref(),
        Ok("usr/lib/os-release")
    );
    assert!(fs.resolve("loop/a").is_err(), "symlink loop detected");
    assert!(fs.read("loop/a").is_none());
    assert!(matches!(
        fs.node("etc/os-release").map(|n| &n.kind),
        Some(EntryKind::Symlink(_))
    ));
    // History: the empty ENV layer is skipped when linking history to layers.
    let hist: Vec<Option<&str>> = image
        .info
        .layers
        .iter()
        .map(|l| l.history.as_ref().and_then(|h| h.created_by.as_deref()))
        .collect();
    assert_eq!(hist, [Some("RUN step 1"), Some("RUN step 2")]);
    assert!(image.info.layers.iter().all(|l| l.diff_id.is_some()));
}

#[test]
fn oci_dir_with_gzip_and_zstd_layers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    let manifest = oci_layout(
        &layout,
        &[
            Blob::gzip(base_layer().tar()),
            Blob::zstd(top_layer().tar()),
        ],
        "v1",
    );
    let filter = KeepsConfigVersions;
    let reference = format!("oci-dir:{}:v1", layout.display());
    let image = load(&reference, &opts(&filter)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image.info.source, "oci-dir");
    assert_eq!(
        image.info.manifest_digest.as_ref().map(|d| d.to_string()),
        Some(manifest)
    );
    check_view(&image);
    // A bare existing directory is auto-detected as an OCI layout.
    let auto =
        load(&layout.display().to_string(), &opts(&filter)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(auto.info.source, "oci-dir");
    // A filter that does not keep versions: the rewritten one is dropped.
    let plain = ExactPaths(WANTED);
    let image = load(&reference, &opts(&plain)).unwrap_or_else(|e| panic!("{e}"));
    assert!(image.fs.earlier_versions("app/config.json").is_empty());
}

#[test]
fn oci_archive_and_docker_archive() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    oci_layout(
        &layout,
        &[
            Blob::gzip(base_layer().tar()),
            Blob::plain(top_layer().tar()),
        ],
        "v1",
    );
    let archive = dir.path().join("oci.tar");
    tar_dir(&layout, &archive);
    let filter = KeepsConfigVersions;
    let image = load(
        &format!("oci-archive:{}", archive.display()),
        &opts(&filter),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image.info.source, "oci-archive");
    check_view(&image);

    let saved = dir.path().join("saved.tar");
    docker_archive(&saved, &[base_layer().tar(), top_layer().tar()], "demo:1");
    // A bare path to a docker-archive is detected from its manifest.json.
    let image =
        load(&saved.display().to_string(), &opts(&filter)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image.info.source, "docker-archive");
    assert_eq!(image.info.repo_tags, ["demo:1"]);
    check_view(&image);
}

fn load_err(blobs: Vec<Blob>, limits: Limits) -> ImageError {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    oci_layout(&layout, &blobs, "t");
    let filter = ExactPaths(WANTED);
    let mut o = opts(&filter);
    o.limits = limits;
    match load(&format!("oci-dir:{}", layout.display()), &o) {
        Ok(_) => panic!("hostile image was accepted"),
        Err(e) => e,
    }
}

fn assert_bad(err: &ImageError, needle: &str) {
    assert!(err.is_input_error(), "{err} should be an input error");
    assert!(err.to_string().contains(needle), "{err:?} lacks {needle:?}");
    assert!(err.to_string().contains("layer 0"), "{err} names the layer");
}

#[test]
fn path_traversal_is_rejected() {
    let evil = Layer::new().raw_file(b"../../etc/cron.d/evil", b"* * * * * root sh");
    let err = load_err(vec![Blob::gzip(evil.tar())], Limits::default());
    assert_bad(&err, "escapes the image root");
}

#[test]
fn absolute_paths_stay_inside_the_root() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    let layer = Layer::new().raw_file(b"/etc/os-release", b"ID=alpine\n");
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "t");
    let filter = ExactPaths(WANTED);
    let image = load(&format!("oci-dir:{}", layout.display()), &opts(&filter))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.fs.read("etc/os-release").map(|f| f.data),
        Some(&b"ID=alpine\n"[..])
    );
}

#[test]
fn hardlink_to_missing_target_is_rejected() {
    let layer = Layer::new().file("a", b"x").hardlink("b", "nowhere/c");
    let err = load_err(vec![Blob::gzip(layer.tar())], Limits::default());
    assert_bad(&err, "does not exist");
}

#[test]
fn gzip_bomb_is_stopped() {
    let big = vec![0u8; 8 << 20];
    let layer = Layer::new().file("zeros", &big);
    let limits = Limits {
        ratio_floor_bytes: 1 << 20,
        max_compression_ratio: 50,
        ..Limits::default()
    };
    let err = load_err(vec![Blob::gzip(layer.tar())], limits);
    assert_bad(&err, "compression bomb");
    let limits = Limits {
        max_layer_bytes: 1 << 20,
        ..Limits::default()
    };
    let err = load_err(vec![Blob::gzip(layer.tar())], limits);
    assert_bad(&err, "byte limit");
}

#[test]
fn truncated_and_tampered_layers_are_rejected() {
    let mut blob = Blob::gzip(base_layer().tar());
    let keep = blob.bytes.len() / 2;
    blob.bytes.truncate(keep);
    let err = load_err(vec![blob], Limits::default());
    assert!(err.is_input_error(), "{err}");

    // Same length, one byte of file contents changed: the tar still parses, the digest does not.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    let blob = Blob::plain(base_layer().tar());
    let digest = image_util::sha256(&blob.bytes);
    oci_layout(&layout, &[blob], "t");
    let path = layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"));
    let mut data = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
    data[1538] ^= 0x20; // inside usr/lib/os-release contents
    std::fs::write(&path, data).unwrap_or_else(|e| panic!("{e}"));
    let filter = ExactPaths(WANTED);
    let err = load(&format!("oci-dir:{}", layout.display()), &opts(&filter))
        .err()
        .unwrap_or_else(|| panic!("tampered blob accepted"));
    assert_bad(&err, "digest mismatch");

    // The manifest points at a blob that is not there.
    std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let err = load(&format!("oci-dir:{}", layout.display()), &opts(&filter))
        .err()
        .unwrap_or_else(|| panic!("missing blob accepted"));
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn malformed_layout_files_are_named() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let layout = dir.path().join("oci");
    oci_layout(&layout, &[Blob::gzip(base_layer().tar())], "t");
    std::fs::write(layout.join("index.json"), b"{\"manifests\": [")
        .unwrap_or_else(|e| panic!("{e}"));
    let filter = ExactPaths(WANTED);
    let err = load(&format!("oci-dir:{}", layout.display()), &opts(&filter))
        .err()
        .unwrap_or_else(|| panic!("bad index accepted"));
    assert!(err.is_input_error());
    assert!(err.to_string().contains("index.json"), "{err}");

    let err = load(
        &format!("oci-dir:{}", dir.path().join("nope").display()),
        &opts(&filter),
    )
    .err()
    .unwrap_or_else(|| panic!("missing dir accepted"));
    assert!(matches!(err, ImageError::NotFound { .. }), "{err:?}");
}

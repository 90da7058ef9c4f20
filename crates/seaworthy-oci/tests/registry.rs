//! Images pulled from a real registry (Debian's `docker-registry`, started per test on a
//! loopback port): anonymous and Basic-auth pulls, multi-platform indexes, and a registry that
//! serves tampered or missing blobs. Every image is built and pushed by the test itself.

#[path = "support/image_util.rs"]
mod image_util;
#[path = "support/registry_util.rs"]
mod registry_util;

use image_util::{Blob, Layer, sha256};
use registry_util::{Pusher, Registry, TokenServer};
use seaworthy_oci::{ExactPaths, ImageError, LoadOptions, Platform, load};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

const WANTED: &[&str] = &[
    "etc/os-release",
    "usr/bin/hello",
    "app/data.txt",
    "arch.txt",
];
static FILTER: ExactPaths = ExactPaths(WANTED);

/// Options for a loopback test registry, with an empty Docker config dir so the user's
/// credentials never leak in.
fn options(registry: &Registry, config_dir: &std::path::Path) -> LoadOptions<'static> {
    let mut opts = LoadOptions::new(&FILTER);
    opts.insecure_registries = vec![registry.addr.clone()];
    opts.docker_config = Some(config_dir.to_path_buf());
    opts
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn base_layer() -> Layer {
    Layer::new()
        .dir("etc")
        .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .dir("usr/bin")
        .exe("usr/bin/hello", b"#!/bin/sh\necho hello\n")
}

fn app_layer() -> Layer {
    Layer::new()
        .dir("app")
        .file("app/data.txt", b"payload from the zstd layer\n")
}

/// An image config for `arch` with one history entry per layer.
fn config_for(blobs: &[Blob], arch: &str) -> Vec<u8> {
    let mut cfg: serde_json::Value =
        serde_json::from_slice(&image_util::config(blobs)).unwrap_or_else(|e| panic!("{e}"));
    cfg["architecture"] = serde_json::Value::from(arch);
    serde_json::to_vec(&cfg).unwrap_or_else(|e| panic!("{e}"))
}

/// What a pushed image is made of.
struct Pushed {
    manifest: String,
    config: String,
    layers: Vec<String>,
    diff_ids: Vec<String>,
}

/// Pushes blobs, config and a manifest of `manifest_type`, tagged `tag`.
fn push_image(
    pusher: &Pusher,
    repo: &str,
    tag: &str,
    blobs: &[Blob],
    arch: &str,
    manifest_type: &str,
) -> (Pushed, Vec<u8>) {
    let cfg = config_for(blobs, arch);
    let config = pusher.blob(repo, &cfg);
    let layers: Vec<String> = blobs.iter().map(|b| pusher.blob(repo, &b.bytes)).collect();
    let (config_type, layer_type) = if manifest_type == DOCKER_MANIFEST {
        (
            "application/vnd.docker.container.image.v1+json",
            Some("application/vnd.docker.image.rootfs.diff.tar.gzip"),
        )
    } else {
        (OCI_CONFIG, None)
    };
    let layer_descs: Vec<serde_json::Value> = blobs
        .iter()
        .zip(&layers)
        .map(|(b, d)| {
            serde_json::json!({
                "mediaType": layer_type.unwrap_or(b.media_type),
                "digest": d,
                "size": b.bytes.len(),
            })
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {"mediaType": config_type, "digest": config, "size": cfg.len()},
        "layers": layer_descs,
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let manifest = pusher.manifest(repo, tag, manifest_type, &body);
    let pushed = Pushed {
        manifest,
        config,
        layers,
        diff_ids: blobs.iter().map(|b| b.diff_id.clone()).collect(),
    };
    (pushed, body)
}

fn strings(digests: impl IntoIterator<Item = Option<String>>) -> Vec<Option<String>> {
    digests.into_iter().collect()
}

fn expect_err(result: seaworthy_oci::Result<seaworthy_oci::Image>) -> ImageError {
    match result {
        Ok(image) => panic!("expected an error, read {:?}", image.info.reference),
        Err(e) => {
            eprintln!("expected error: {e}");
            e
        }
    }
}

#[test]
fn anonymous_pull_of_a_single_platform_image() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    let blobs = [
        Blob::gzip(base_layer().tar()),
        Blob::zstd(app_layer().tar()),
        Blob::plain(Layer::new().whiteout("usr/bin/hello").tar()),
    ];
    let (pushed, _) = push_image(&pusher, "team/app", "v1", &blobs, "amd64", OCI_MANIFEST);
    let config_dir = tempdir();
    let opts = options(&registry, config_dir.path());

    let reference = registry.reference("team/app:v1");
    let image = load(&reference, &opts).unwrap_or_else(|e| panic!("{e}"));
    let info = &image.info;
    assert_eq!(info.source, "registry");
    assert_eq!(info.reference, reference);
    assert_eq!(info.repo_tags, [format!("{}/team/app:v1", registry.addr)]);
    assert_eq!(
        info.manifest_digest.as_ref().map(|d| d.to_string()),
        Some(pushed.manifest.clone())
    );
    assert_eq!(
        info.config_digest.as_ref().map(|d| d.to_string()),
        Some(pushed.config.clone())
    );
    assert_eq!(
        strings(
            info.layers
                .iter()
                .map(|l| l.digest.as_ref().map(|d| d.to_string()))
        ),
        strings(pushed.layers.iter().cloned().map(Some))
    );
    assert_eq!(
        strings(
            info.layers
                .iter()
                .map(|l| l.diff_id.as_ref().map(|d| d.to_string()))
        ),
        strings(pushed.diff_ids.iter().cloned().map(Some))
    );
    let sizes: Vec<Option<u64>> = info.layers.iter().map(|l| l.size).collect();
    let expected: Vec<Option<u64>> = blobs.iter().map(|b| Some(b.bytes.len() as u64)).collect();
    assert_eq!(sizes, expected);
    assert_eq!(
        info.layers
            .first()
            .and_then(|l| l.history.as_ref())
            .and_then(|h| h.created_by.as_deref()),
        Some("RUN step 1")
    );

    // Files, and the layer that wrote each; the top layer's whiteout removed usr/bin/hello.
    let fs = &image.fs;
    let os = fs
        .read("etc/os-release")
        .unwrap_or_else(|| panic!("os-release captured"));
    assert_eq!(
        (os.data, os.layer),
        (&b"ID=debian\nVERSION_ID=\"12\"\n"[..], 0)
    );
    let data = fs
        .read("app/data.txt")
        .unwrap_or_else(|| panic!("app/data.txt captured"));
    assert_eq!(
        (data.data, data.layer),
        (&b"payload from the zstd layer\n"[..], 1)
    );
    assert!(
        fs.node("usr/bin/hello").is_none(),
        "whiteout in layer 3 applied"
    );
    assert_eq!(fs.node("usr/bin").map(|n| n.layer), Some(0));

    // The same image by digest, and a digest that does not exist.
    let by_digest = registry.reference(&format!("team/app@{}", pushed.manifest));
    let again = load(&by_digest, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.info.manifest_digest, info.manifest_digest);
    assert!(again.info.repo_tags.is_empty());

    let missing = registry.reference(&format!("team/app@{}", sha256(b"no such manifest")));
    let err = expect_err(load(&missing, &opts));
    assert!(matches!(err, ImageError::NotFound { .. }), "{err}");
    let err = expect_err(load(&registry.reference("team/app:v2"), &opts));
    assert!(matches!(err, ImageError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("not found"), "{err}");
}

#[test]
fn docker_schema2_manifest() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    let blobs = [Blob::gzip(base_layer().tar())];
    let (pushed, _) = push_image(
        &pusher,
        "legacy",
        "latest",
        &blobs,
        "amd64",
        DOCKER_MANIFEST,
    );
    let config_dir = tempdir();
    // No tag: `latest` is implied.
    let image = load(
        &registry.reference("legacy"),
        &options(&registry, config_dir.path()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(pushed.manifest)
    );
    assert!(image.fs.read("etc/os-release").is_some());
}

#[test]
fn plain_http_needs_a_loopback_insecure_registry() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let config_dir = tempdir();
    let mut opts = options(&registry, config_dir.path());
    opts.insecure_registries.clear();
    let err = expect_err(load(&registry.reference("any:v1"), &opts));
    assert!(matches!(err, ImageError::Io { .. }), "{err}");
    assert!(
        err.to_string().contains("--insecure-registry"),
        "hint given: {err}"
    );

    opts.insecure_registries = vec!["registry.example.com:5000".into()];
    let err = expect_err(load(&registry.reference("any:v1"), &opts));
    assert!(err.to_string().contains("only loopback"), "{err}");
}

#[test]
fn basic_auth_registry() {
    let Some(registry) = Registry::start_with_auth("alice", "s3cret") else {
        return;
    };
    let pusher = Pusher::new(&registry, Some(("alice", "s3cret")));
    let blobs = [Blob::gzip(base_layer().tar())];
    let (pushed, _) = push_image(&pusher, "private/app", "v1", &blobs, "amd64", OCI_MANIFEST);
    let reference = registry.reference("private/app:v1");
    let empty_config = tempdir();

    // No credentials at all.
    let opts = options(&registry, empty_config.path());
    let err = expect_err(load(&reference, &opts));
    assert!(err.is_input_error(), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("authentication required for {}", registry.addr)),
        "{err}"
    );

    // Wrong password.
    let mut opts = options(&registry, empty_config.path());
    opts.credentials = Some(("alice".into(), "wrong".into()));
    let err = expect_err(load(&reference, &opts));
    assert!(
        err.to_string()
            .contains(&format!("authentication failed for {}", registry.addr)),
        "{err}"
    );

    // Explicit credentials.
    opts.credentials = Some(("alice".into(), "s3cret".into()));
    let image = load(&reference, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(pushed.manifest.clone())
    );
    assert!(image.fs.read("etc/os-release").is_some());

    // Docker's config.json `auths` entry ("alice:s3cret" in base64), as `docker login` writes.
    let docker_config = tempdir();
    let auths = serde_json::json!({"auths": {registry.addr.clone(): {"auth": "YWxpY2U6czNjcmV0"}}});
    std::fs::write(docker_config.path().join("config.json"), auths.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
    let opts = options(&registry, docker_config.path());
    let image = load(&reference, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(pushed.manifest)
    );

    // A credential helper that does not exist: anonymous, and the error says why.
    let helper_config = tempdir();
    let helpers =
        serde_json::json!({"credHelpers": {registry.addr.clone(): "seaworthy-test-missing"}});
    std::fs::write(
        helper_config.path().join("config.json"),
        helpers.to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = expect_err(load(&reference, &options(&registry, helper_config.path())));
    assert!(err.to_string().contains("credential helper"), "{err}");
}

/// Pushes an OCI index with amd64 and arm64 images whose layers differ.
fn push_multi_arch(pusher: &Pusher) -> (String, String, String) {
    let mut descs = Vec::new();
    let mut digests = Vec::new();
    for arch in ["amd64", "arm64"] {
        let layer = base_layer().file("arch.txt", arch.as_bytes());
        let blobs = [Blob::gzip(layer.tar())];
        let (pushed, body) = push_image(pusher, "multi", arch, &blobs, arch, OCI_MANIFEST);
        descs.push(serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": pushed.manifest,
            "size": body.len(),
            "platform": {"os": "linux", "architecture": arch},
        }));
        digests.push(pushed.manifest);
    }
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": descs,
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let index_digest = pusher.manifest("multi", "latest", OCI_INDEX, &index);
    let mut digests = digests.into_iter();
    (
        index_digest,
        digests.next().unwrap_or_default(),
        digests.next().unwrap_or_default(),
    )
}

#[test]
fn multi_platform_index_picks_the_requested_platform() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    let (index, amd64, arm64) = push_multi_arch(&pusher);
    let config_dir = tempdir();
    let mut opts = options(&registry, config_dir.path());

    for (platform, manifest) in [("linux/arm64", &arm64), ("linux/amd64", &amd64)] {
        opts.platform = Some(Platform::parse(platform).unwrap_or_else(|e| panic!("{e}")));
        let image =
            load(&registry.reference("multi:latest"), &opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            image
                .info
                .manifest_digest
                .as_ref()
                .map(|d| d.to_string())
                .as_ref(),
            Some(manifest)
        );
        assert_eq!(image.info.platform().to_string(), platform);
        let arch = platform.trim_start_matches("linux/");
        assert_eq!(
            image.fs.read("arch.txt").map(|f| f.data),
            Some(arch.as_bytes())
        );
    }

    // By the index's digest, too (its digest is checked before it is used).
    opts.platform = Some(Platform::parse("linux/arm64").unwrap_or_else(|e| panic!("{e}")));
    let image = load(&registry.reference(&format!("multi@{index}")), &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(arm64)
    );

    opts.platform = Some(Platform::parse("linux/s390x").unwrap_or_else(|e| panic!("{e}")));
    let err = expect_err(load(&registry.reference("multi"), &opts));
    let msg = err.to_string();
    assert!(err.is_input_error(), "{err:?}");
    assert!(
        msg.contains("no image for platform linux/s390x")
            && msg.contains("available: linux/amd64, linux/arm64"),
        "{msg}"
    );
}

#[test]
fn tampered_blob_fails_its_digest_check() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    // An uncompressed layer: flipping a byte of file content keeps the tar valid, so only the
    // digest check can notice.
    let layer = Layer::new()
        .file("app/data.txt", b"original content\n")
        .tar();
    let (pushed, _) = push_image(
        &pusher,
        "tampered",
        "v1",
        &[Blob::plain(layer.clone())],
        "amd64",
        OCI_MANIFEST,
    );
    let digest = pushed.layers.first().cloned().unwrap_or_default();
    let path = registry.blob_data_path(&digest);
    let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(stored, layer, "registry stores the blob as pushed");
    let at = layer
        .windows(8)
        .position(|w| w == b"original")
        .unwrap_or_else(|| panic!("content in tar"));
    let mut tampered = stored;
    if let Some(b) = tampered.get_mut(at) {
        *b = b'X';
    }
    std::fs::write(&path, &tampered).unwrap_or_else(|e| panic!("{e}"));

    let config_dir = tempdir();
    let err = expect_err(load(
        &registry.reference("tampered:v1"),
        &options(&registry, config_dir.path()),
    ));
    let msg = err.to_string();
    assert!(err.is_input_error(), "{err:?}");
    assert!(
        msg.contains("digest mismatch") && msg.contains(&digest),
        "{msg}"
    );
}

#[test]
fn missing_blob_is_a_clear_error() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let pusher = Pusher::new(&registry, None);
    let blobs = [
        Blob::gzip(base_layer().tar()),
        Blob::gzip(app_layer().tar()),
    ];
    let (pushed, _) = push_image(&pusher, "broken", "v1", &blobs, "amd64", OCI_MANIFEST);
    let gone = pushed.layers.get(1).cloned().unwrap_or_default();
    std::fs::remove_file(registry.blob_data_path(&gone)).unwrap_or_else(|e| panic!("{e}"));

    let config_dir = tempdir();
    let err = expect_err(load(
        &registry.reference("broken:v1"),
        &options(&registry, config_dir.path()),
    ));
    let msg = err.to_string();
    assert!(err.is_input_error(), "{err:?}");
    assert!(
        msg.contains(&gone) && msg.contains("does not have"),
        "{msg}"
    );

    // A missing config blob fails before any layer is read.
    std::fs::remove_file(registry.blob_data_path(&pushed.config)).unwrap_or_else(|e| panic!("{e}"));
    let err = expect_err(load(
        &registry.reference("broken:v1"),
        &options(&registry, config_dir.path()),
    ));
    assert!(err.to_string().contains(&pushed.config), "{err}");
}

#[test]
fn bearer_token_registry() {
    let Some(tokens) = TokenServer::start("bob", "hunter2") else {
        return;
    };
    let Some(registry) = Registry::start_with_tokens(&tokens) else {
        return;
    };
    let pusher = Pusher::new(&registry, Some(("bob", "hunter2")));
    let blobs = [Blob::gzip(base_layer().tar())];
    let (public, _) = push_image(&pusher, "public/app", "v1", &blobs, "amd64", OCI_MANIFEST);
    let (private, _) = push_image(&pusher, "private/app", "v1", &blobs, "amd64", OCI_MANIFEST);
    let config_dir = tempdir();
    let mut opts = options(&registry, config_dir.path());

    // Anonymous token, as Docker Hub hands out for public images.
    let before = tokens.requests.load(std::sync::atomic::Ordering::SeqCst);
    let image = load(&registry.reference("public/app:v1"), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(public.manifest)
    );
    assert!(image.fs.read("etc/os-release").is_some());
    assert!(
        tokens.requests.load(std::sync::atomic::Ordering::SeqCst) > before,
        "token fetched"
    );

    // An anonymous token grants nothing on a private repository.
    let err = expect_err(load(&registry.reference("private/app:v1"), &opts));
    assert!(
        err.to_string()
            .contains(&format!("authentication required for {}", registry.addr)),
        "{err}"
    );

    // The token service refuses wrong credentials.
    opts.credentials = Some(("bob".into(), "wrong".into()));
    let err = expect_err(load(&registry.reference("private/app:v1"), &opts));
    assert!(
        err.to_string()
            .contains(&format!("authentication failed for {}", registry.addr)),
        "{err}"
    );

    opts.credentials = Some(("bob".into(), "hunter2".into()));
    let image =
        load(&registry.reference("private/app:v1"), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        image.info.manifest_digest.map(|d| d.to_string()),
        Some(private.manifest)
    );
}

//! `seaworthy sbom` end to end on images the test builds: formats, exit codes, hostile input.
#![allow(clippy::expect_used)]

#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image_util::{Blob, Layer, oci_layout};

const BIN: &str = env!("CARGO_BIN_EXE_seaworthy");

fn fixture(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-inventory/testdata")
        .join(rel);
    std::fs::read(&path).expect("inventory fixture")
}

fn sbom(args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("sbom").args(args).env_remove("NO_COLOR");
    for (k, _) in std::env::vars() {
        if k.starts_with("SEAWORTHY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd.output().expect("run seaworthy")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A Debian base layer (real bookworm status file) and an app layer with a Python package and,
/// optionally, a corrupt apk database.
fn debian_image(dir: &Path, corrupt_apk: bool) -> PathBuf {
    let base = Layer::new()
        .file("usr/lib/os-release", &fixture("dpkg/os-release"))
        .symlink("etc/os-release", "../usr/lib/os-release")
        .file(
            "var/lib/dpkg/status",
            &fixture("dpkg/status-bookworm-minbase"),
        );
    let mut app = Layer::new().file(
        "usr/lib/python3/dist-packages/six-1.17.0.dist-info/METADATA",
        &fixture("python/six-1.17.0.dist-info/METADATA"),
    );
    if corrupt_apk {
        app = app.file("lib/apk/db/installed", &fixture("apk/installed-corrupt"));
    }
    let layout = dir.join("oci");
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::zstd(app.tar())],
        "latest",
    );
    layout
}

#[test]
fn json_inventory_with_layers_and_purls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = debian_image(dir.path(), false);
    let out = sbom(&[&format!("oci-dir:{}", layout.display()), "-f", "json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let packages = doc["packages"].as_array().expect("packages");
    let debs = packages.iter().filter(|p| p["ecosystem"] == "deb").count();
    assert_eq!(
        debs, 88,
        "every package dpkg-query lists for this status file"
    );
    let six = packages
        .iter()
        .find(|p| p["name"] == "six")
        .expect("python package found");
    assert_eq!(six["purl"], "pkg:pypi/six@1.17.0");
    assert_eq!(six["locations"][0]["layer"], 1, "found in the second layer");
    let libc = packages
        .iter()
        .find(|p| p["name"] == "libc6")
        .expect("libc6");
    assert!(
        libc["purl"]
            .as_str()
            .is_some_and(|p| p.contains("distro=debian-12")),
        "{libc}"
    );
    assert_eq!(doc["os"]["id"], "debian");
}

/// An apk database listing `packages` as (name, version).
fn apk_db(packages: &[(&str, &str)]) -> Vec<u8> {
    packages
        .iter()
        .map(|(name, version)| format!("P:{name}\nV:{version}\nA:x86_64\n\n"))
        .collect::<String>()
        .into_bytes()
}

/// `FROM alpine` then `RUN apk add curl`: the second layer rewrites the whole apk database, and
/// only curl comes from it.
#[test]
fn apk_packages_keep_the_layer_that_added_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = Layer::new()
        .file("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.3\n")
        .file(
            "lib/apk/db/installed",
            &apk_db(&[("musl", "1.2.5-r0"), ("busybox", "1.36.1-r29")]),
        );
    let add = Layer::new().file(
        "lib/apk/db/installed",
        &apk_db(&[
            ("musl", "1.2.5-r0"),
            ("busybox", "1.36.1-r29"),
            ("curl", "8.11.0-r2"),
        ]),
    );
    let layout = dir.path().join("oci");
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::gzip(add.tar())],
        "latest",
    );
    let out = sbom(&[&format!("oci-dir:{}", layout.display()), "-f", "json"]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let layers: Vec<(&str, i64)> = doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let layer = p["locations"][0]["layer"].as_i64().unwrap_or(-1);
            (p["name"].as_str().unwrap_or_default(), layer)
        })
        .collect();
    assert_eq!(layers, [("busybox", 0), ("curl", 1), ("musl", 0)]);
}

#[test]
fn cyclonedx_spdx_and_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = debian_image(dir.path(), false);
    let reference = format!("oci-dir:{}", layout.display());
    let out = sbom(&[&reference, "-f", "cyclonedx"]);
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cyclonedx json");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z");
    let out_path = dir.path().join("sbom.spdx.json");
    let out = sbom(&[
        &reference,
        "-f",
        "spdx",
        "-o",
        out_path.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&out), 0);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("written")).expect("spdx json");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    let out = sbom(&[&reference]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("libc6") && table.contains("six"), "{table}");
    assert!(
        !table.contains('\u{1b}'),
        "no color when stdout is not a terminal"
    );
}

#[test]
fn corrupt_database_is_reported_and_the_rest_inventoried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = debian_image(dir.path(), true);
    let out = sbom(&[&format!("oci-dir:{}", layout.display()), "-f", "json"]);
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/lib/apk/db/installed"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        doc["packages"].as_array().map(|p| p.len()),
        Some(89),
        "dpkg and python packages are still listed"
    );
}

#[test]
fn hostile_and_missing_images_exit_2_naming_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let layout = dir.path().join("evil");
    let evil = Layer::new().raw_file(b"../../../etc/passwd", b"root::0:0::/:/bin/sh\n");
    oci_layout(&layout, &[Blob::gzip(evil.tar())], "latest");
    let out = sbom(&[&format!("oci-dir:{}", layout.display())]);
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("layer 0") && stderr.contains("escapes the image root"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = sbom(&[&format!(
        "docker-archive:{}",
        dir.path().join("nope.tar").display()
    )]);
    assert_eq!(code(&out), 2, "{}", String::from_utf8_lossy(&out.stderr));
    let out = sbom(&["oci-dir:/x", "--platform", "linux"]);
    assert_eq!(code(&out), 2, "bad --platform is a usage error");
}

/// Files that are not images are named for what they are, with what to do, and nothing of
/// them is quoted; a path that does not exist is "no such file", not an image-name error
/// (issue 19 item 11).
#[test]
fn files_that_are_not_images_are_named_for_what_they_are() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "sbom.cdx.json",
            br#"{"$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json", "bomFormat": "CycloneDX"}"#,
            "is a CycloneDX SBOM, not an image",
        ),
        (
            "Dockerfile",
            b"# syntax=docker/dockerfile:1\nFROM debian:12\nRUN apt-get install -y curl\n",
            "looks like a Dockerfile, not an image: lint it with `seaworthy dockerfile`",
        ),
        ("hostname", b"buildhost-7\n", "is a text file, not an image archive"),
        ("image.tar.gz", &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0], "is gzip-compressed"),
        ("empty.tar", b"", "is empty"),
    ];
    for (name, data, says) in cases {
        let path = dir.join(name);
        std::fs::write(&path, data).expect("write");
        let out = sbom(&[path.to_str().expect("utf-8")]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        for quoted in ["$schema", "apt-get", "buildhost", "failed to read"] {
            assert!(!stderr.contains(quoted), "{name} quoted: {stderr}");
        }
    }
    for missing in ["/nonexistent/app.tar", "./nonexistent.tar"] {
        let out = sbom(&[missing]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(code(&out), 2, "{stderr}");
        assert!(
            stderr.contains("no such file or directory") && !stderr.contains("image name"),
            "{stderr}"
        );
    }
}

/// An unreachable daemon and an image the daemon lacks are each said once, with the cause and
/// what to check, not the client's layers of wrapping (issue 19 item 12).
#[test]
fn daemon_errors_are_said_once() {
    let out = Command::new(BIN)
        .args(["sbom", "docker:seaworthy-no-such-image:1"])
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .output()
        .expect("run seaworthy");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 3, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(stderr.matches("127.0.0.1:1").count(), 1, "{stderr}");
    assert!(
        stderr.contains("Connection refused") && stderr.contains("check DOCKER_HOST"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("hyper") && !stderr.contains("client error"),
        "{stderr}"
    );

    if !Path::new("/var/run/docker.sock").exists() {
        assert!(
            std::env::var_os("SEAWORTHY_REQUIRE_DOCKER").is_none(),
            "SEAWORTHY_REQUIRE_DOCKER is set but there is no Docker daemon"
        );
        return;
    }
    let out = sbom(&["docker:seaworthy-no-such-image:1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code(&out), 2, "{stderr}");
    assert_eq!(
        stderr.matches("seaworthy-no-such-image").count(),
        1,
        "the name said once: {stderr}"
    );
    assert!(stderr.contains("has no such image"), "{stderr}");
}

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

//! Issue 18 item 2 end to end: an Alpine-style image whose second layer rewrites the apk database
//! to add one package. Only that package belongs to the top layer, so `--ignore-base` leaves out
//! the base packages' vulnerabilities and keeps the added one's.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use cli_util::{code, run, stderr, vulndb_testdata};
use image_util::{Blob, Layer, config_with_history, oci_layout_with_config};
use serde_json::Value;

/// An apk database listing `packages` as (name, version).
fn apk_db(packages: &[(&str, &str)]) -> Vec<u8> {
    packages
        .iter()
        .map(|(name, version)| format!("P:{name}\nV:{version}\nA:x86_64\no:{name}\n\n"))
        .collect::<String>()
        .into_bytes()
}

/// (id, package, layer index) of every match, sorted.
fn matches(doc: &Value) -> Vec<(String, String, i64)> {
    let mut out: Vec<(String, String, i64)> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap().to_string(),
                m["package"]["name"].as_str().unwrap().to_string(),
                m["package"]["layer"]["index"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn ignore_base_drops_the_base_packages_of_a_rewritten_apk_database() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    // Real advisories: Alpine 3.9 main's secdb excerpt (xen and ansible).
    let db = dir.join("vuln.db");
    let out = run(
        &[
            "db",
            "import",
            vulndb_testdata("alpine/v3.9-main-excerpt.json")
                .to_str()
                .unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        dir,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // FROM alpine:3.9 (xen 4.11.1-r0 in the base), then RUN apk add ansible: the second layer
    // writes the whole database again, xen unchanged.
    let base = Layer::new()
        .file("etc/os-release", b"ID=alpine\nVERSION_ID=3.9.6\n")
        .file("lib/apk/db/installed", &apk_db(&[("xen", "4.11.1-r0")]));
    let add = Layer::new().file(
        "lib/apk/db/installed",
        &apk_db(&[("xen", "4.11.1-r0"), ("ansible", "2.7.10-r0")]),
    );
    let layout = dir.join("oci");
    let blobs = [Blob::gzip(base.tar()), Blob::gzip(add.tar())];
    // The history `docker build` records for the base image and the RUN.
    let history = vec![
        serde_json::json!({"created_by": "/bin/sh -c #(nop) ADD file:0a1b2c in / "}),
        serde_json::json!({"created_by": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", "empty_layer": true}),
        serde_json::json!({"created_by": "/bin/sh -c apk add ansible"}),
    ];
    oci_layout_with_config(
        &layout,
        &blobs,
        "latest",
        &config_with_history(&blobs, history),
    );
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM alpine:3.9\nRUN apk add ansible\n",
    )
    .unwrap();
    let image = format!("oci-dir:{}", layout.display());
    let scan = |extra: &[&str]| -> Value {
        let mut args = vec![
            "image",
            &image,
            "--db",
            db.to_str().unwrap(),
            "--scanners",
            "vuln",
            "--fail-on",
            "none",
            "-f",
            "json",
            "--dockerfile",
            "Dockerfile",
        ];
        args.extend_from_slice(extra);
        let out = run(&args, dir);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };

    let all = matches(&scan(&[]));
    let xen: Vec<_> = all.iter().filter(|m| m.1 == "xen").collect();
    let ansible: Vec<_> = all.iter().filter(|m| m.1 == "ansible").collect();
    assert!(!xen.is_empty() && !ansible.is_empty(), "{all:?}");
    // xen stays in the base layer although layer 1 rewrote the database; ansible is layer 1's.
    assert!(xen.iter().all(|m| m.2 == 0), "{xen:?}");
    assert!(ansible.iter().all(|m| m.2 == 1), "{ansible:?}");

    let doc = scan(&["--ignore-base"]);
    let kept = matches(&doc);
    assert_eq!(
        kept,
        ansible.into_iter().cloned().collect::<Vec<_>>(),
        "only the added package's vulnerabilities"
    );
    assert_eq!(doc["summary"]["ignored_base"], xen.len());
}

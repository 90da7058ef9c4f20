//! Issue 18 item 6 end to end: a Wolfi image matched against Wolfi's secdb, a RHEL (UBI-style)
//! image against a Red Hat OSV record, a distribution no loaded advisory covers named on stderr,
//! in the table and in the JSON summary, and an OS release past its end of support reported
//! (SW-IMG-040).
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use cli_util::{run, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;

use image_util::{Blob, Layer, oci_layout};
use serde_json::Value;

fn testdata(krate: &str, rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("testdata")
        .join(rel)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A one-layer OCI layout holding `files`.
fn image(dir: &Path, name: &str, files: &[(&str, Vec<u8>)]) -> String {
    let mut layer = Layer::new();
    for (path, data) in files {
        layer = layer.file(path, data);
    }
    let layout = dir.join(name);
    oci_layout(&layout, &[Blob::gzip(layer.tar())], "latest");
    format!("oci-dir:{}", layout.display())
}

/// Imports `feeds` into a new database under `home`.
fn import(home: &Path, name: &str, feeds: &[PathBuf]) -> String {
    let db = home.join(name);
    let mut args = vec!["db".to_string(), "import".to_string()];
    args.extend(feeds.iter().map(|f| f.display().to_string()));
    args.extend(["--db".to_string(), db.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args, home);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    db.display().to_string()
}

/// Wolfi's apk database: `ascan` 2.7.2-r0 (Wolfi's secdb fixes CVE-2026-55093 in 2.7.2-r1).
const WOLFI_APK: &str = "C:Q1yhJHGSZ80L7cL0y4UKKGrBPwrUQ=\nP:ascan\nV:2.7.2-r0\nA:x86_64\n\
S:1024\nI:4096\nT:ascan\nU:https://example.invalid/ascan\nL:Apache-2.0\no:ascan\n\
m:Wolfi <wolfi@example.invalid>\n\nC:Q1Kdmf7VvZmv4S4Gxh3v2gUkwnXSo=\nP:wolfi-baselayout\n\
V:20230201-r7\nA:x86_64\nS:1024\nI:4096\nT:Wolfi base layout\nU:https://wolfi.dev\nL:MIT\n\
o:wolfi-baselayout\nm:Wolfi <wolfi@example.invalid>\n\n";

fn wolfi_image(dir: &Path) -> String {
    image(
        dir,
        "wolfi",
        &[
            (
                "etc/os-release",
                b"ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\nHOME_URL=\"https://wolfi.dev\"\n"
                    .to_vec(),
            ),
            ("lib/apk/db/installed", WOLFI_APK.as_bytes().to_vec()),
        ],
    )
}

fn json(out: &Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))
}

fn match_ids(doc: &Value) -> Vec<String> {
    doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn wolfi_image_matches_wolfi_secdb() {
    let home = tempfile::tempdir().unwrap();
    let img = wolfi_image(home.path());
    let db = import(
        home.path(),
        "wolfi.db",
        &[testdata("seaworthy-vulndb", "wolfi/security.json")],
    );
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "--format",
            "json",
            "--scanners",
            "vuln",
        ],
        home.path(),
    );
    let doc = json(&out);
    assert_eq!(doc["image"]["os"]["id"], "wolfi");
    let ids = match_ids(&doc);
    assert!(ids.contains(&"CVE-2026-55093".to_string()), "{ids:?}");
    let m = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "CVE-2026-55093")
        .unwrap();
    assert_eq!(m["fixed_version"], "2.7.2-r1");
    assert_eq!(m["sources"], serde_json::json!(["wolfi-secdb"]));
    assert_eq!(doc["summary"]["uncovered"], serde_json::json!([]));
    assert!(
        !stderr(&out).contains("no advisories loaded"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_distribution_without_loaded_advisories_is_named_not_clean() {
    let home = tempfile::tempdir().unwrap();
    let img = wolfi_image(home.path());
    // Only Red Hat's record is loaded: nothing covers Wolfi.
    let db = import(
        home.path(),
        "rh.db",
        &[testdata("seaworthy-vulndb", "redhat/RHSA-2099-0001.json")],
    );
    let args = ["image", &img, "--db", &db, "--scanners", "vuln"];
    let out = run(&[&args[..], &["--format", "json"]].concat(), home.path());
    let doc = json(&out);
    assert_eq!(doc["matches"], serde_json::json!([]));
    assert_eq!(
        doc["summary"]["uncovered"],
        serde_json::json!([{"os": "Wolfi (rolling)", "ecosystem": "wolfi", "packages": 2}])
    );
    assert!(
        stderr(&out)
            .contains("note: no advisories loaded for Wolfi (rolling): 2 packages not matched"),
        "{}",
        stderr(&out)
    );
    let out = run(&args, home.path());
    let table = stdout(&out);
    assert!(
        table.contains(
            "Not checked: no advisories loaded for Wolfi (rolling): 2 packages not matched"
        ),
        "{table}"
    );
    assert!(
        !table.contains("No known vulnerabilities in 2 packages"),
        "{table}"
    );
}

/// A UBI-style RHEL 8 image: the rpm database is the real RHEL 8 `Packages` (Berkeley DB) of
/// `seaworthy-inventory/testdata/rpm/bdb-libuuid` (origin in its SOURCES.md; RHEL 9 UBI images
/// use rpm's sqlite backend, read by the same cataloger), `libuuid 2.32.1-42.el8_8`.
#[test]
fn rhel_image_matches_red_hat_osv_records() {
    let home = tempfile::tempdir().unwrap();
    let packages =
        std::fs::read(testdata("seaworthy-inventory", "rpm/bdb-libuuid/Packages")).unwrap();
    let img = image(
        home.path(),
        "ubi8",
        &[
            (
                "etc/os-release",
                b"NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.8 (Ootpa)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"8.8\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 8.8 (Ootpa)\"\n"
                    .to_vec(),
            ),
            ("var/lib/rpm/Packages", packages),
        ],
    );
    let db = import(
        home.path(),
        "rh.db",
        &[
            testdata("seaworthy-vulndb", "redhat/RHSA-2099-0001.json"),
            testdata("seaworthy-vulndb", "wolfi/security.json"),
        ],
    );
    let out = run(
        &[
            "image",
            &img,
            "--db",
            &db,
            "--format",
            "json",
            "--scanners",
            "vuln",
        ],
        home.path(),
    );
    let doc = json(&out);
    assert_eq!(match_ids(&doc), ["RHSA-2099:0001"]);
    let m = &doc["matches"][0];
    assert_eq!(m["package"]["name"], "libuuid");
    assert_eq!(m["fixed_version"], "0:2.32.1-46.el8");
    assert_eq!(doc["summary"]["uncovered"], serde_json::json!([]));
}

fn os_release_image(dir: &Path, name: &str, os_release: &str) -> String {
    image(
        dir,
        name,
        &[("etc/os-release", os_release.as_bytes().to_vec())],
    )
}

/// Debian 10's LTS support ended on 2024-06-30 (the date the table uses: the end of Debian
/// LTS, not the 2022-09-10 end of regular security support); Debian 12's runs to 2028-06-30.
#[test]
fn end_of_life_release_is_an_image_finding() {
    let home = tempfile::tempdir().unwrap();
    let buster = os_release_image(
        home.path(),
        "buster",
        "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"10\"\nVERSION=\"10 (buster)\"\nVERSION_CODENAME=buster\nID=debian\n",
    );
    let bookworm = os_release_image(
        home.path(),
        "bookworm",
        "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
    );
    let findings = |img: &str| -> Vec<Value> {
        let out = run(
            &[
                "image",
                img,
                "--format",
                "json",
                "--scanners",
                "config",
                "--fail-on",
                "none",
            ],
            home.path(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "SW-IMG-040")
            .cloned()
            .collect()
    };
    let eol = findings(&buster);
    assert_eq!(eol.len(), 1, "{eol:#?}");
    assert_eq!(eol[0]["severity"], "high");
    let message = eol[0]["message"].as_str().unwrap();
    assert!(
        message.contains("Debian 10 (buster)") && message.contains("2024-06-30"),
        "{message}"
    );
    assert!(findings(&bookworm).is_empty());
    // `explain` prints the rule's documentation.
    let out = run(&["explain", "SW-IMG-040"], home.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("OS release past end of support"),
        "{}",
        stdout(&out)
    );
}

//! Issue 18 end to end: verdicts from real severities on an image the test builds (a Debian
//! bookworm base from a recorded dpkg status with Debian's `python3-pip` and its dist-info, a
//! pip-installed old Django, a Go binary, an npm project with jquery 3.4.1 both installed and in
//! its lockfile) against a database imported from real records (testdata/verdicts/SOURCES.md):
//! NVD rates what the advisories do not, what nothing rates is `unknown`, a KEV listing gates
//! under `--fail-on-kev` whatever the threshold, each npm advisory is reported once, and the
//! OS-owned pip is left to Debian's advisories unless `--match-os-owned`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use cli_util::{BIN, code, run, stderr};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use image_util::{Blob, Layer, oci_layout};
use serde_json::Value;

fn testdata(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/verdicts")
        .join(rel)
}

fn crate_testdata(krate: &str, rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("testdata")
        .join(rel)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const PIP_DIST_INFO: &str = "usr/lib/python3/dist-packages/pip-23.0.1.dist-info";

/// Layer 0: Debian bookworm (recorded status) plus `python3-pip` 23.0.1+dfsg-1 as bookworm
/// ships it: its stanza, its file list and its dist-info. Layer 1: what the application adds.
fn image(dir: &Path, npm_only: bool) -> String {
    let mut status = read(&crate_testdata("seaworthy-vulndb", "bookworm/status"));
    status.extend_from_slice(
        b"\nPackage: python3-pip\nStatus: install ok installed\nPriority: optional\n\
          Section: python\nArchitecture: all\nSource: python-pip\nVersion: 23.0.1+dfsg-1\n\
          Description: Python package installer\n",
    );
    let list = format!(
        "/.\n/usr\n/usr/bin\n/usr/bin/pip3\n/usr/lib\n/usr/lib/python3\n\
         /usr/lib/python3/dist-packages\n/{PIP_DIST_INFO}\n/{PIP_DIST_INFO}/METADATA\n\
         /{PIP_DIST_INFO}/RECORD\n/usr/share/doc/python3-pip\n"
    );
    let mut base = Layer::new().file(
        "etc/os-release",
        &read(&crate_testdata("seaworthy-vulndb", "bookworm/os-release")),
    );
    if !npm_only {
        base = base
            .file("var/lib/dpkg/status", &status)
            .file("var/lib/dpkg/info/python3-pip.list", list.as_bytes())
            .file(
                &format!("{PIP_DIST_INFO}/METADATA"),
                b"Metadata-Version: 2.1\nName: pip\nVersion: 23.0.1\n",
            );
    }
    let mut go = Vec::new();
    flate2::read::GzDecoder::new(
        read(&crate_testdata("seaworthy-inventory", "go/hello-amd64.gz")).as_slice(),
    )
    .read_to_end(&mut go)
    .unwrap();
    let lock = br#"{
  "name": "web",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {"name": "web", "version": "1.0.0", "dependencies": {"jquery": "3.4.1"}},
    "node_modules/jquery": {"version": "3.4.1", "resolved": "https://registry.npmjs.org/jquery/-/jquery-3.4.1.tgz", "license": "MIT"}
  }
}
"#;
    let mut app = Layer::new()
        .file(
            "app/package.json",
            br#"{"name": "web", "version": "1.0.0"}"#,
        )
        .file("app/package-lock.json", lock)
        .file(
            "app/node_modules/jquery/package.json",
            br#"{"name": "jquery", "version": "3.4.1", "license": "MIT"}"#,
        );
    if !npm_only {
        app = app
            .file(
                "usr/local/lib/python3.11/dist-packages/Django-3.2.12.dist-info/METADATA",
                b"Metadata-Version: 2.1\nName: Django\nVersion: 3.2.12\n",
            )
            .file("usr/local/bin/hello", &go);
    }
    let layout = dir.join(if npm_only { "oci-npm" } else { "oci" });
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::gzip(app.tar())],
        "latest",
    );
    format!("oci-dir:{}", layout.display())
}

/// The advisories, NVD's record of CVE-2022-28346, the KEV entry of CVE-2020-11023, the EPSS
/// sample and the Debian CVE list excerpt.
fn import(home: &Path) -> String {
    let feeds = home.join("feeds");
    std::fs::create_dir_all(&feeds).unwrap();
    for f in [
        "PYSEC-2022-190.json",
        "PYSEC-2022-191.json",
        "PYSEC-2023-228.json",
        "GHSA-jpcq-cgw6-v4j6.json",
        "nvdcve-2.0-verdicts.json",
        "known_exploited_vulnerabilities.json",
    ] {
        std::fs::copy(testdata(f), feeds.join(f)).unwrap();
    }
    std::fs::copy(
        crate_testdata("seaworthy-vulndb", "intel/epss_scores-sample.csv"),
        feeds.join("epss_scores-current.csv"),
    )
    .unwrap();
    std::fs::copy(
        crate_testdata("seaworthy-vulndb", "debian/excerpts/CVE.list"),
        feeds.join("CVE.list"),
    )
    .unwrap();
    let db = home.join("vuln.db");
    let out = run(
        &[
            "db",
            "import",
            feeds.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    db.to_str().unwrap().to_string()
}

fn scan_json(img: &str, db: &str, extra: &[&str], home: &Path) -> (Output, Value) {
    let args = [
        &["image", img, "--db", db, "--scanners", "vuln", "-f", "json"][..],
        extra,
    ]
    .concat();
    let out = run(&args, home);
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out, doc)
}

fn matches_of<'a>(doc: &'a Value, id: &str) -> Vec<&'a Value> {
    doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["id"] == id
                || m["aliases"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|a| a == id))
        })
        .collect()
}

#[test]
fn verdicts_from_real_severities_end_to_end() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path(), false);

    let (out, doc) = scan_json(&img, &db, &["--fail-on", "none"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Django 3.2.12, CVE-2022-28346: PYSEC-2022-190 carries no severity (the GHSA advisory,
    // which rates it itself, is not imported), so NVD's v3.1 9.8 rates it: critical.
    let django = matches_of(&doc, "CVE-2022-28346");
    assert_eq!(django.len(), 1, "{doc:#}");
    assert_eq!(django[0]["package"]["name"], "Django");
    assert_eq!(django[0]["severity"], "critical", "{:#}", django[0]);
    let source = django[0]["severity_source"].as_str().unwrap();
    assert_eq!(source, "cvss 3.1 (nvd)", "{:#}", django[0]);

    // CVE-2022-28347: no severity in PYSEC-2022-191 and no NVD record here: unknown.
    let unrated = matches_of(&doc, "CVE-2022-28347");
    assert_eq!(unrated.len(), 1, "{doc:#}");
    assert_eq!(unrated[0]["severity"], "unknown", "{:#}", unrated[0]);

    // jquery 3.4.1 is both installed and in the lockfile: one package, one match, KEV-listed.
    let jquery = matches_of(&doc, "CVE-2020-11023");
    assert_eq!(jquery.len(), 1, "{doc:#}");
    assert_eq!(jquery[0]["package"]["name"], "jquery");
    assert!(!jquery[0]["kev"].is_null(), "{:#}", jquery[0]);
    // pip 23.0.1 is python3-pip's: CVE-2023-5752 (PYSEC-2023-228) is not matched against it.
    assert!(matches_of(&doc, "CVE-2023-5752").is_empty(), "{doc:#}");
    let err = stderr(&out);
    assert!(
        err.contains(
            "1 language package owned by an OS package was left to the distribution's \
             advisories (--match-os-owned)"
        ),
        "{err}"
    );

    // --match-os-owned (and its variable) match it against PyPI's advisories too.
    let (out, doc) = scan_json(
        &img,
        &db,
        &["--fail-on", "none", "--match-os-owned"],
        home.path(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let pip = matches_of(&doc, "CVE-2023-5752");
    assert_eq!(pip.len(), 1, "{doc:#}");
    assert_eq!(pip[0]["package"]["name"], "pip");
    assert!(
        !stderr(&out).contains("--match-os-owned"),
        "{}",
        stderr(&out)
    );
    let mut cmd_env = Command::new(BIN);
    cmd_env
        .args([
            "image",
            &img,
            "--db",
            &db,
            "--scanners",
            "vuln",
            "-f",
            "json",
            "--fail-on",
            "none",
        ])
        .env("SEAWORTHY_MATCH_OS_OWNED", "1")
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("HOME", home.path())
        .current_dir(home.path());
    let out = cmd_env.output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(matches_of(&doc, "CVE-2023-5752").len(), 1, "{doc:#}");
    // ...and so does `[image] match-os-owned = true` in seaworthy.toml.
    std::fs::write(
        home.path().join("seaworthy.toml"),
        "[image]\nmatch-os-owned = true\n",
    )
    .unwrap();
    let (out, doc) = scan_json(&img, &db, &["--fail-on", "none"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(matches_of(&doc, "CVE-2023-5752").len(), 1, "{doc:#}");
    std::fs::remove_file(home.path().join("seaworthy.toml")).unwrap();

    // Gates: Django's critical fails `--fail-on critical` on this image.
    let (out, _) = scan_json(&img, &db, &["--fail-on", "critical"], home.path());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn kev_gates_whatever_the_threshold() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    // The npm project alone: its worst is jquery's medium CVE-2020-11023, listed in KEV.
    let img = image(home.path(), true);
    let (out, doc) = scan_json(&img, &db, &["--fail-on", "critical"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let jquery = matches_of(&doc, "CVE-2020-11023");
    assert_eq!(jquery.len(), 1, "{doc:#}");
    assert_eq!(jquery[0]["severity"], "medium");
    let (out, _) = scan_json(
        &img,
        &db,
        &["--fail-on", "critical", "--fail-on-kev"],
        home.path(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
}

#[test]
fn sbom_records_what_owns_the_dist_info() {
    let home = tempfile::tempdir().unwrap();
    let img = image(home.path(), false);
    let owner = "pkg:deb/debian/python3-pip@23.0.1%2Bdfsg-1?arch=all&distro=debian-12";

    let out = run(&["sbom", &img, "-f", "json"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let pip = packages.iter().find(|p| p["name"] == "pip").unwrap();
    assert_eq!(pip["owned_by"], owner, "{pip:#}");
    let django = packages.iter().find(|p| p["name"] == "Django").unwrap();
    assert!(django.get("owned_by").is_none(), "{django:#}");
    // The Go binary the application added is its own.
    let go: Vec<&Value> = packages
        .iter()
        .filter(|p| p["ecosystem"] == "golang")
        .collect();
    assert!(!go.is_empty(), "{doc:#}");
    assert!(go.iter().all(|p| p.get("owned_by").is_none()), "{go:#?}");
    // jquery, installed and in the lockfile, is one package with both locations.
    let jquery: Vec<&Value> = packages.iter().filter(|p| p["name"] == "jquery").collect();
    assert_eq!(jquery.len(), 1, "{jquery:#?}");
    assert_eq!(jquery[0]["locations"].as_array().unwrap().len(), 2);

    let out = run(&["sbom", &img, "-f", "cyclonedx"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pip = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pip")
        .unwrap();
    assert!(
        pip["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "seaworthy:owned-by" && p["value"] == owner),
        "{pip:#}"
    );
    // Scanning the SBOM instead of the image keeps the ownership.
    let db = import(home.path());
    let file = home.path().join("bom.cdx.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let sbom_ref = format!("sbom:{}", file.display());
    let (out, doc) = scan_json(&sbom_ref, &db, &["--fail-on", "none"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(matches_of(&doc, "CVE-2023-5752").is_empty(), "{doc:#}");
    assert!(
        stderr(&out).contains("(--match-os-owned)"),
        "{}",
        stderr(&out)
    );

    let out = run(&["sbom", &img, "-f", "spdx"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id_of = |name: &str| {
        doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["SPDXID"].as_str().unwrap().to_string())
            .unwrap()
    };
    let (os_pip, pip) = (id_of("python3-pip"), id_of("pip"));
    assert!(
        doc["relationships"].as_array().unwrap().iter().any(|r| {
            r["spdxElementId"] == os_pip.as_str()
                && r["relationshipType"] == "CONTAINS"
                && r["relatedSpdxElement"] == pip.as_str()
        }),
        "{:#}",
        doc["relationships"]
    );
    let file = home.path().join("bom.spdx.json");
    std::fs::write(&file, &out.stdout).unwrap();
    let sbom_ref = format!("sbom:{}", file.display());
    let (out, doc) = scan_json(&sbom_ref, &db, &["--fail-on", "none"], home.path());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(matches_of(&doc, "CVE-2023-5752").is_empty(), "{doc:#}");
    assert!(
        stderr(&out).contains("(--match-os-owned)"),
        "{}",
        stderr(&out)
    );
}

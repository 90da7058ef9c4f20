//! `seaworthy image sbom:FILE` and `seaworthy image dir:PATH` / `rootfs:PATH` end to end (issue 18
//! item 5): a database imported from the vulndb fixtures (real advisories), an image the test
//! builds, the SBOMs seaworthy writes of it read back, a Syft JSON document, the image's files
//! as an unpacked root filesystem, and hostile SBOMs.
#![allow(clippy::expect_used, clippy::unwrap_used)]

#[path = "support/cli_util.rs"]
mod cli_util;
#[path = "../../seaworthy-oci/tests/support/image_util.rs"]
mod image_util;

use cli_util::{code, run, stderr, vulndb_testdata};
use std::collections::BTreeSet;
use std::path::Path;

use image_util::{Blob, Layer, oci_layout};

/// The files of the test image: the real bookworm status and os-release (layer 0) and the `py`
/// 1.11.0 Python package (layer 1).
fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "etc/os-release",
            std::fs::read(vulndb_testdata("bookworm/os-release")).unwrap(),
        ),
        (
            "var/lib/dpkg/status",
            std::fs::read(vulndb_testdata("bookworm/status")).unwrap(),
        ),
        (
            "usr/lib/python3/dist-packages/py-1.11.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: py\nVersion: 1.11.0\n".to_vec(),
        ),
    ]
}

fn image(dir: &Path) -> String {
    let files = files();
    let mut base = Layer::new();
    for (path, data) in &files[..2] {
        base = base.file(path, data);
    }
    let app = Layer::new().file(files[2].0, &files[2].1);
    let layout = dir.join("oci");
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::gzip(app.tar())],
        "latest",
    );
    format!("oci-dir:{}", layout.display())
}

fn import(home: &Path) -> String {
    let db = home.join("vuln.db");
    let cve = vulndb_testdata("debian/excerpts/CVE.list");
    let py = vulndb_testdata("osv/PYSEC-2022-42969.json");
    let out = run(
        &[
            "db",
            "import",
            cve.to_str().unwrap(),
            py.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
        home,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    db.to_str().unwrap().to_string()
}

/// Each match as (id, package, version, ecosystem, path, layer index, layer digest), sorted.
type Seen = (String, String, String, String, String, i64, String);

fn matches(target: &str, db: &str, home: &Path) -> (BTreeSet<Seen>, String) {
    let out = run(
        &[
            "image",
            target,
            "--db",
            db,
            "--scanners",
            "vuln",
            "-f",
            "json",
        ],
        home,
    );
    assert_eq!(code(&out), 0, "{target}: {}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seen = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let p = &m["package"];
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            (
                s(&m["id"]),
                s(&p["name"]),
                s(&p["version"]),
                s(&p["ecosystem"]),
                s(&p["path"]),
                p["layer"]["index"].as_i64().unwrap_or(-1),
                s(&p["layer"]["diff_id"]),
            )
        })
        .collect();
    (seen, stderr(&out))
}

#[test]
fn seaworthys_own_cyclonedx_and_spdx_scan_back_to_the_same_matches() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let img = image(home.path());
    let (from_image, _) = matches(&img, &db, home.path());
    let ids: BTreeSet<&str> = from_image.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from(["CVE-2022-42969", "CVE-2026-27171"]),
        "{from_image:?}"
    );
    for format in ["cyclonedx", "spdx"] {
        let file = home.path().join(format!("app.{format}.json"));
        let out = run(
            &["sbom", &img, "-f", format, "-o", file.to_str().unwrap()],
            home.path(),
        );
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let target = format!("sbom:{}", file.display());
        let (from_sbom, err) = matches(&target, &db, home.path());
        assert_eq!(from_sbom, from_image, "{format}");
        assert!(!err.contains("no image to check"), "--scanners vuln: {err}");
        // All scanners: the image-only ones are said not to apply, once.
        let out = run(&["image", &target, "--db", &db, "-f", "json"], home.path());
        let err = stderr(&out);
        assert_eq!(code(&out), 0, "no image findings to gate on: {err}");
        assert_eq!(
            err.matches("not scanned for: config, secret, trust")
                .count(),
            1,
            "{err}"
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0), "{doc:#}");
        assert_eq!(doc["image"]["reference"], target.as_str(), "{doc:#}");
    }
}

#[test]
fn a_syft_json_document_is_read() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    let syft = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seaworthy-inventory/testdata/sbom/debian-py.syft.json");
    let target = format!("sbom:{}", syft.display());
    let (seen, err) = matches(&target, &db, home.path());
    let got: Vec<(&str, &str, &str, i64)> = seen
        .iter()
        .map(|m| (m.0.as_str(), m.1.as_str(), m.2.as_str(), m.5))
        .collect();
    assert_eq!(
        got,
        [
            ("CVE-2022-42969", "py", "1.11.0", 1),
            ("CVE-2026-27171", "zlib1g", "1:1.2.13.dfsg-1", 0)
        ],
        "{seen:?}"
    );
    assert!(
        err.contains("1 SBOM entry of package-url type generic was not read"),
        "{err}"
    );
}

#[test]
fn a_root_filesystem_gives_the_packages_of_the_image_built_from_it() {
    let home = tempfile::tempdir().unwrap();
    let img = image(home.path());
    let root = home.path().join("rootfs");
    for (path, data) in files() {
        let at = root.join(path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, data).unwrap();
    }
    // A link out of the root leads nowhere: the view resolves it inside the root.
    std::os::unix::fs::symlink("/etc/hostname", root.join("etc/hostname")).unwrap();
    let packages = |target: &str| {
        let out = run(&["sbom", target, "-f", "json"], home.path());
        assert_eq!(code(&out), 0, "{target}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let list: BTreeSet<(String, String, String, String)> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                (s("ecosystem"), s("name"), s("version"), s("purl"))
            })
            .collect();
        (list, doc)
    };
    let (from_image, _) = packages(&img);
    assert!(from_image.len() > 50, "{}", from_image.len());
    for scheme in ["dir", "rootfs"] {
        let target = format!("{scheme}:{}", root.display());
        let (from_dir, doc) = packages(&target);
        assert_eq!(from_dir, from_image, "{scheme}");
        assert_eq!(doc["image"]["reference"], target.as_str(), "{doc:#}");
    }

    // `image`: the config rules do not run, and it says so.
    let db = import(home.path());
    let target = format!("rootfs:{}", root.display());
    let out = run(&["image", &target, "--db", &db, "-f", "json"], home.path());
    let err = stderr(&out);
    assert!(
        err.contains("a root filesystem has no image config"),
        "{err}"
    );
    assert!(err.contains("not scanned for: trust"), "{err}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"SW-IMG-001"), "{rules:?}");
    let ids: BTreeSet<&str> = doc["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, BTreeSet::from(["CVE-2022-42969", "CVE-2026-27171"]));
}

#[test]
fn malformed_sboms_are_input_errors_that_name_the_file_and_quote_nothing() {
    let home = tempfile::tempdir().unwrap();
    let db = import(home.path());
    // JSON-escaped: the documents are valid JSON whose strings hold a terminal escape.
    let secret = "\\u001b[31mSECRET-CONTENT";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.json",
            br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "SECRET-CONTENT"#
                .to_vec(),
            "ends early",
        ),
        (
            "types.json",
            format!(r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{{"name": "x", "purl": ["{secret}"]}}]}}"#)
                .into_bytes(),
            "components[0].purl is an array, expected a string",
        ),
        (
            "spdx-types.json",
            format!(r#"{{"spdxVersion": "SPDX-2.3", "packages": {{"{secret}": 1}}}}"#).into_bytes(),
            "packages is an object, expected an array",
        ),
        (
            "syft-types.json",
            format!(r#"{{"artifacts": [{{"name": "x", "locations": "{secret}"}}]}}"#).into_bytes(),
            "artifacts[0].locations is a string, expected an array",
        ),
        (
            "version.json",
            format!(r#"{{"bomFormat": "CycloneDX", "specVersion": "{secret}"}}"#).into_bytes(),
            "specVersion 1.4, 1.5 or 1.6",
        ),
        (
            "other.json",
            format!(r#"{{"{secret}": true}}"#).into_bytes(),
            "not a CycloneDX, SPDX or Syft SBOM",
        ),
        (
            "text.txt",
            b"\x1b[31mSECRET-CONTENT".to_vec(),
            "not a JSON object",
        ),
        (
            "deep.json",
            format!(
                r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}{}}}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            )
            .into_bytes(),
            "deeper than seaworthy reads",
        ),
    ];
    for (name, data, says) in cases {
        let file = home.path().join(name);
        std::fs::write(&file, data).unwrap();
        let out = run(
            &["image", &format!("sbom:{}", file.display()), "--db", &db],
            home.path(),
        );
        let err = stderr(&out);
        assert_eq!(code(&out), 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(says), "{name}: {err}");
        assert!(!err.contains("SECRET"), "{name} quoted: {err}");
        assert!(!err.contains('\u{1b}'), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
    }

    // Absurd sizes: over --max-parse-mib, refused before it is parsed.
    let big = home.path().join("big.cdx.json");
    let mut data = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": ["#.to_vec();
    data.resize(3 << 20, b' ');
    data.extend_from_slice(b"]}");
    std::fs::write(&big, data).unwrap();
    let target = format!("sbom:{}", big.display());
    let out = run(
        &["image", &target, "--db", &db, "--max-parse-mib", "2"],
        home.path(),
    );
    let err = stderr(&out);
    assert_eq!(code(&out), 2, "{err}");
    assert!(
        err.contains("big.cdx.json") && err.contains("--max-parse-mib"),
        "{err}"
    );

    // Too many packages: over --max-packages.
    let many = home.path().join("many.cdx.json");
    let components: Vec<String> = (0..20)
        .map(|i| format!(r#"{{"type": "library", "name": "p{i}", "purl": "pkg:npm/p{i}@1.0.0"}}"#))
        .collect();
    std::fs::write(
        &many,
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [{}]}}"#,
            components.join(",")
        ),
    )
    .unwrap();
    let target = format!("sbom:{}", many.display());
    let out = run(
        &["image", &target, "--db", &db, "--max-packages", "10"],
        home.path(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("max_packages"), "{}", stderr(&out));

    // A name with control characters is escaped where it is shown.
    let out = run(
        &["image", "sbom:/nonexistent/\u{1b}[2Jx.json", "--db", &db],
        home.path(),
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(!stderr(&out).contains('\u{1b}'), "{}", stderr(&out));

    // `sbom` (and every command that needs an image) says what to do with one.
    let out = run(&["sbom", &format!("sbom:{}", many.display())], home.path());
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("seaworthy image sbom:FILE"),
        "{}",
        stderr(&out)
    );
}

//! The image and database several CLI tests scan: bookworm's real dpkg status in the base layer,
//! the `py` 1.11.0 Python package in a second one, and real advisories for both (a Debian CVE
//! list excerpt and PYSEC-2022-42969). Needs `mod image_util` and `mod cli_util` beside it.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;

use crate::cli_util::{code, run, stderr, vulndb_testdata};
use crate::image_util::{Blob, Layer, oci_layout};

/// Base layer: the real bookworm status; app layer: the `py` 1.11.0 Python package.
pub fn image(dir: &Path) -> String {
    let base = Layer::new()
        .file(
            "etc/os-release",
            &std::fs::read(vulndb_testdata("bookworm/os-release")).unwrap(),
        )
        .file(
            "var/lib/dpkg/status",
            &std::fs::read(vulndb_testdata("bookworm/status")).unwrap(),
        );
    let app = Layer::new().file(
        "usr/lib/python3/dist-packages/py-1.11.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: py\nVersion: 1.11.0\n",
    );
    let layout = dir.join("oci");
    oci_layout(
        &layout,
        &[Blob::gzip(base.tar()), Blob::gzip(app.tar())],
        "latest",
    );
    format!("oci-dir:{}", layout.display())
}

/// The database of real advisories for the image's packages.
pub fn import(home: &Path) -> String {
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

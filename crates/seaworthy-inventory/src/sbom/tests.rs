use super::*;

fn limits() -> Limits {
    Limits::default()
}

#[test]
fn syft_fixture_reads_os_sources_and_layers() {
    let data = include_bytes!("../../testdata/sbom/debian-py.syft.json");
    let doc = read(data, &limits()).unwrap();
    assert_eq!(doc.kind, SbomKind::Syft);
    let os = doc.inventory.os.unwrap();
    assert_eq!((os.id.as_str(), os.version_id.as_str()), ("debian", "12"));
    assert_eq!(os.version_codename.as_deref(), Some("bookworm"));
    assert_eq!(doc.layers.len(), 2);
    let zlib = &doc
        .inventory
        .packages
        .iter()
        .find(|p| p.name == "zlib1g")
        .unwrap();
    assert_eq!(zlib.version, "1:1.2.13.dfsg-1");
    assert_eq!(
        zlib.source,
        Some(SourcePackage {
            name: "zlib".into(),
            version: "1:1.2.13.dfsg-1".into()
        })
    );
    assert_eq!(zlib.arch.as_deref(), Some("amd64"));
    let py = &doc
        .inventory
        .packages
        .iter()
        .find(|p| p.name == "py")
        .unwrap();
    assert_eq!(py.locations[0].layer, 1);
    assert_eq!(doc.left_out.get("of package-url type generic"), Some(&1));
}

#[test]
fn purls_give_names_versions_and_the_os() {
    let doc = br#"{"bomFormat": "CycloneDX", "specVersion": "1.4", "components": [
        {"type": "library", "name": "core", "group": "@babel", "purl": "pkg:npm/%40babel/core@7.0.0"},
        {"type": "library", "name": "x", "purl": "pkg:rpm/rocky/bash@5.1.8-9.el9?epoch=1&upstream=bash-5.1.8-9.el9.src.rpm&distro=rocky-9.3"},
        {"type": "library", "name": "PyYAML", "purl": "pkg:pypi/pyyaml@6.0"},
        {"type": "library", "name": "k", "purl": "pkg:golang/github.com/a/b@v1.2.3"}
    ]}"#;
    let doc = read(doc, &limits()).unwrap();
    let got: Vec<(&str, &str)> = doc
        .inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("bash", "1:5.1.8-9.el9"),
            ("github.com/a/b", "v1.2.3"),
            ("@babel/core", "7.0.0"),
            ("PyYAML", "6.0")
        ]
    );
    let bash = &doc.inventory.packages[0];
    assert_eq!(
        bash.source.as_ref().map(|s| s.version.as_str()),
        Some("1:5.1.8-9.el9")
    );
    let os = doc.inventory.os.unwrap();
    assert_eq!((os.id.as_str(), os.version_id.as_str()), ("rocky", "9.3"));
}

#[test]
fn hostile_documents_are_errors_that_quote_nothing() {
    for (doc, says) in [
        (&b""[..], "is empty"),
        (b"<bom/>", "is XML"),
        (
            b"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": [",
            "ends early",
        ),
        (
            b"{\"spdxVersion\": \"SPDX-2.3\", \"packages\": [{\"name\": 5}]}",
            "packages[0].name is a number",
        ),
        (b"{\"artifacts\": {}}", "artifacts is an object"),
    ] {
        let err = read(doc, &limits()).unwrap_err();
        assert!(err.contains(says), "{err}");
    }
    let long = format!(
        r#"{{"artifacts": [{{"name": "x", "purl": "pkg:npm/x@{}"}}]}}"#,
        "1".repeat(MAX_STRING + 1)
    );
    let err = read(long.as_bytes(), &limits()).unwrap_err();
    assert!(err.contains("longer than") && !err.contains("111"), "{err}");
}

//! SBOM renderers on a hand-built image and inventory: a Debian base with dpkg packages (real
//! names, versions and licenses from this machine's dpkg database), npm, Maven and Rust
//! packages, a license expression, a license outside the SPDX list, and one purl found at two
//! paths. CycloneDX and SPDX output is validated against the vendored official schemas.

use std::path::PathBuf;

use seaworthy_inventory::purl::purl;
use seaworthy_inventory::{
    CatalogError, Ecosystem, Inventory, OsInfo, Package, PackageLocation, SourcePackage,
};
use seaworthy_oci::{Digest, HistoryEntry, ImageConfig, ImageInfo, LayerInfo};
use seaworthy_report::sbom::{SbomFormat, SbomInput, render_sbom};
use serde_json::Value;

const CREATED: &str = "2025-01-02T03:04:05Z";
const TOOL_VERSION: &str = "0.1.0";

fn sha256(data: &str) -> Digest {
    Digest::sha256_of(data.as_bytes())
}

fn history(created_by: &str, empty_layer: bool) -> HistoryEntry {
    HistoryEntry {
        created: Some("2025-01-01T00:00:00Z".to_string()),
        created_by: Some(created_by.to_string()),
        comment: None,
        empty_layer,
    }
}

fn image() -> ImageInfo {
    let diff_ids: Vec<Digest> = (0..3).map(|i| sha256(&format!("layer {i} tar"))).collect();
    let config = ImageConfig {
        os: "linux".to_string(),
        architecture: "amd64".to_string(),
        variant: None,
        diff_ids,
        history: vec![
            history(
                "/bin/sh -c #(nop) ADD file:2b2a5ca3e8b6b9e1c5bd2fb8bc1a2d0ef2f3e4c5d6a7b8c9d0e1f2a3b4c5d6e7 in / ",
                false,
            ),
            history("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
            history(
                "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends adduser zlib1g && rm -rf /var/lib/apt/lists/* # buildkit",
                false,
            ),
            history("COPY app /app # buildkit", false),
        ],
        raw: Value::Null,
    };
    let layers = (0..3)
        .map(|i| LayerInfo {
            digest: Some(sha256(&format!("layer {i} blob"))),
            diff_id: None,
            media_type: "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
            size: Some(1000 * (i + 1)),
            history: None,
        })
        .collect();
    let mut info = ImageInfo {
        reference: "oci-archive:build/app.tar".to_string(),
        source: "oci-archive",
        manifest_digest: Some(sha256("manifest")),
        config_digest: Some(sha256("config")),
        repo_tags: vec!["example.com/app:1.0".to_string(), "app:latest".to_string()],
        config,
        layers,
    };
    info.link_layers();
    info
}

fn at(path: &str, layer: usize) -> PackageLocation {
    PackageLocation {
        path: path.to_string(),
        layer,
    }
}

fn debian() -> OsInfo {
    OsInfo {
        id: "debian".to_string(),
        version_id: "12".to_string(),
        version_codename: Some("bookworm".to_string()),
        pretty_name: Some("Debian GNU/Linux 12 (bookworm)".to_string()),
        id_like: vec![],
    }
}

fn deb(name: &str, version: &str, arch: &str, source: Option<&str>, licenses: &[&str]) -> Package {
    let qualifiers = [("arch", arch), ("distro", "debian-12")];
    let mut p = Package::new(
        "dpkg",
        Ecosystem::Deb,
        name,
        version,
        purl("deb", Some("debian"), name, version, &qualifiers),
    );
    p.arch = Some(arch.to_string());
    p.source = source.map(|s| SourcePackage {
        name: s.to_string(),
        version: version.to_string(),
    });
    p.licenses = licenses.iter().map(|l| l.to_string()).collect();
    p.locations = vec![at("/var/lib/dpkg/status", 1)];
    p
}

fn npm(namespace: Option<&str>, name: &str, version: &str, path: &str) -> Package {
    let full = match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    };
    let mut p = Package::new(
        "npm-package",
        Ecosystem::Npm,
        full,
        version,
        purl("npm", namespace, name, version, &[]),
    );
    p.licenses = vec!["MIT".to_string()];
    p.locations = vec![at(path, 2)];
    p
}

/// Packages in no particular order: the renderers sort.
fn inventory() -> Inventory {
    let mut serde = Package::new(
        "binary",
        Ecosystem::Cargo,
        "serde",
        "1.0.228",
        purl("cargo", None, "serde", "1.0.228", &[]),
    );
    serde.licenses = vec!["MIT OR Apache-2.0".to_string()];
    serde.locations = vec![at("/app/bin/server", 2)];

    let mut lang3 = Package::new(
        "java",
        Ecosystem::Maven,
        "commons-lang3",
        "3.14.0",
        purl(
            "maven",
            Some("org.apache.commons"),
            "commons-lang3",
            "3.14.0",
            &[],
        ),
    );
    lang3.licenses = vec!["Apache-2.0".to_string()];
    lang3.locations = vec![at("/app/lib/commons-lang3-3.14.0.jar", 2)];
    lang3.metadata = vec![("group-id".to_string(), "org.apache.commons".to_string())];

    Inventory {
        os: Some(debian()),
        packages: vec![
            npm(
                None,
                "ms",
                "2.1.3",
                "/app/node_modules/debug/node_modules/ms/package.json",
            ),
            serde,
            deb(
                "zlib1g",
                "1:1.2.13.dfsg-1",
                "amd64",
                Some("zlib"),
                &["Zlib"],
            ),
            npm(
                Some("@babel"),
                "code-frame",
                "7.24.7",
                "/app/node_modules/@babel/code-frame/package.json",
            ),
            lang3,
            deb("adduser", "3.134", "all", None, &["GPL-2+"]),
            deb("libc6", "2.36-9+deb12u14", "amd64", Some("glibc"), &[]),
            npm(None, "ms", "2.1.3", "/app/node_modules/ms/package.json"),
        ],
        errors: vec![CatalogError {
            cataloger: "java",
            path: "/app/lib/broken.jar".to_string(),
            layer: 2,
            message: "not a zip archive: no end of central directory".to_string(),
        }],
        skipped: vec![CatalogError {
            cataloger: "rpm",
            path: "/var/lib/rpm/rpmdb.sqlite".to_string(),
            layer: 1,
            message: "record 3: header: index count 70000 is over 65536".to_string(),
        }],
    }
}

fn render(image: &ImageInfo, inventory: &Inventory, format: SbomFormat, color: bool) -> String {
    let input = SbomInput {
        image,
        inventory,
        tool_version: TOOL_VERSION,
        created: CREATED,
    };
    render_sbom(&input, format, color)
}

fn render_fixture(format: SbomFormat) -> String {
    render(&image(), &inventory(), format, false)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn testdata(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(path)
}

fn load_schema(path: &str) -> Value {
    let path = testdata(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json(&text)
}

/// A validator for a vendored schema, offline: the schemas it references are registered
/// under the URIs its `$ref`s resolve to, and anything else fails to build.
fn validator(schema: &str, referenced: &[(&str, &str)]) -> jsonschema::Validator {
    let mut builder = jsonschema::Registry::new();
    for (uri, path) in referenced {
        builder = builder
            .add(*uri, load_schema(path))
            .unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
    let registry = builder
        .prepare()
        .unwrap_or_else(|e| panic!("registry: {e}"));
    jsonschema::options()
        .offline()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&load_schema(schema))
        .unwrap_or_else(|e| panic!("{schema}: {e}"))
}

fn cyclonedx_validator() -> jsonschema::Validator {
    validator(
        "cyclonedx-1.6/bom-1.6.schema.json",
        &[
            (
                "http://cyclonedx.org/schema/spdx.schema.json",
                "cyclonedx-1.6/spdx.schema.json",
            ),
            (
                "http://cyclonedx.org/schema/jsf-0.82.schema.json",
                "cyclonedx-1.6/jsf-0.82.schema.json",
            ),
        ],
    )
}

fn spdx_validator() -> jsonschema::Validator {
    validator("spdx-2.3/spdx-schema.json", &[])
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn table_snapshot() {
    insta::assert_snapshot!(render_fixture(SbomFormat::Table));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render_fixture(SbomFormat::Json));
}

#[test]
fn cyclonedx_snapshot() {
    insta::assert_snapshot!(render_fixture(SbomFormat::CycloneDx));
}

#[test]
fn spdx_snapshot() {
    insta::assert_snapshot!(render_fixture(SbomFormat::Spdx));
}

#[test]
fn cyclonedx_validates_against_the_1_6_schema() {
    let validator = cyclonedx_validator();
    let bom = json(&render_fixture(SbomFormat::CycloneDx));
    let found = errors(&validator, &bom);
    assert!(found.is_empty(), "{found:#?}");
    // The validation has teeth: an unknown component type, a license id off the SPDX list and
    // a malformed serial number are all caught.
    let mut bad = bom.clone();
    bad["components"][1]["type"] = "librar".into();
    bad["components"][2]["licenses"] = serde_json::json!([{"license": {"id": "GPL-2+"}}]);
    bad["serialNumber"] = "urn:uuid:not-a-uuid".into();
    assert_eq!(
        errors(&validator, &bad).len(),
        3,
        "{:#?}",
        errors(&validator, &bad)
    );
}

#[test]
fn spdx_validates_against_the_2_3_schema() {
    let validator = spdx_validator();
    let doc = json(&render_fixture(SbomFormat::Spdx));
    let found = errors(&validator, &doc);
    assert!(found.is_empty(), "{found:#?}");
    let mut bad = doc.clone();
    bad["relationships"][0]["relationshipType"] = "HAS".into();
    bad["packages"][1]
        .as_object_mut()
        .map(|p| p.remove("downloadLocation"));
    assert_eq!(
        errors(&validator, &bad).len(),
        2,
        "{:#?}",
        errors(&validator, &bad)
    );
}

#[test]
fn an_image_without_os_or_packages_is_valid_too() {
    let empty = Inventory::default();
    let image = image();
    let bom = json(&render(&image, &empty, SbomFormat::CycloneDx, false));
    assert!(errors(&cyclonedx_validator(), &bom).is_empty());
    let doc = json(&render(&image, &empty, SbomFormat::Spdx, false));
    assert!(errors(&spdx_validator(), &doc).is_empty());
    let table = render(&image, &empty, SbomFormat::Table, false);
    assert!(table.contains("unknown OS, 0 packages"), "{table}");
    assert!(table.contains("No packages found."), "{table}");
}

/// A package seen in several files (an npm package installed in `/app` and listed in its
/// lockfile, as the inventory merges them) lists every file as `evidence.occurrences`, the
/// primary one first, beside the `seaworthy:location:path` properties; the output stays valid.
#[test]
fn cyclonedx_lists_every_location_as_an_evidence_occurrence() {
    let mut lodash = npm(
        None,
        "lodash",
        "4.17.20",
        "/app/node_modules/lodash/package.json",
    );
    lodash.locations.push(at("/app/package-lock.json", 0));
    let inventory = Inventory {
        os: None,
        packages: vec![
            lodash,
            npm(None, "ms", "2.1.3", "/app/node_modules/ms/package.json"),
        ],
        errors: Vec::new(),
        skipped: Vec::new(),
    };
    let bom = json(&render(&image(), &inventory, SbomFormat::CycloneDx, false));
    assert!(
        errors(&cyclonedx_validator(), &bom).is_empty(),
        "{:#?}",
        errors(&cyclonedx_validator(), &bom)
    );
    let component = |name: &str| -> Value {
        bom["components"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let lodash = component("lodash");
    assert_eq!(
        lodash["evidence"],
        serde_json::json!({"occurrences": [
            {"location": "/app/node_modules/lodash/package.json"},
            {"location": "/app/package-lock.json"},
        ]})
    );
    let paths: Vec<&Value> = lodash["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == "seaworthy:location:path")
        .map(|p| &p["value"])
        .collect();
    assert_eq!(
        paths,
        [
            "/app/node_modules/lodash/package.json",
            "/app/package-lock.json"
        ]
    );
    assert_eq!(
        component("ms")["evidence"],
        serde_json::json!({"occurrences": [{"location": "/app/node_modules/ms/package.json"}]})
    );
    // The schema checks occurrences: one without its location is caught.
    let mut bad = bom.clone();
    bad["components"][0]["evidence"]["occurrences"][0] = serde_json::json!({"line": 1});
    assert_eq!(errors(&cyclonedx_validator(), &bad).len(), 1);
}

/// Every id on the SPDX license list that the renderer emits as a CycloneDX `license.id` is
/// in the schema's enumeration (the `spdx` crate and the vendored schema track the same list).
#[test]
fn every_listed_license_id_validates_in_cyclonedx() {
    let image = image();
    let packages = spdx::identifiers::LICENSES
        .iter()
        .map(|l| {
            let mut p = Package::new(
                "npm-package",
                Ecosystem::Npm,
                "x",
                "1.0.0",
                format!("pkg:npm/x@1.0.0?l={}", l.name),
            );
            p.licenses = vec![l.name.to_string()];
            p
        })
        .collect();
    let inventory = Inventory {
        os: None,
        packages,
        errors: vec![],
        skipped: vec![],
    };
    let bom = json(&render(&image, &inventory, SbomFormat::CycloneDx, false));
    let found = errors(&cyclonedx_validator(), &bom);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn output_is_deterministic_and_independent_of_input_order() {
    let image = image();
    let inventory = inventory();
    let mut reversed = inventory.clone();
    reversed.packages.reverse();
    for format in [
        SbomFormat::Table,
        SbomFormat::Json,
        SbomFormat::CycloneDx,
        SbomFormat::Spdx,
    ] {
        let first = render(&image, &inventory, format, false);
        assert_eq!(
            first,
            render(&image, &inventory, format, false),
            "{format:?}"
        );
        assert_eq!(
            first,
            render(&image, &reversed, format, false),
            "{format:?}"
        );
    }
}

#[test]
fn cyclonedx_refs_and_licenses() {
    let bom = json(&render_fixture(SbomFormat::CycloneDx));
    let components = bom["components"].as_array().cloned().unwrap_or_default();
    let refs: Vec<&str> = components
        .iter()
        .filter_map(|c| c["bom-ref"].as_str())
        .collect();
    let mut unique = refs.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(refs.len(), components.len());
    assert_eq!(refs.len(), unique.len(), "{refs:#?}");
    // The purl found twice gets a path after `#`; the others are their purl.
    assert!(refs.contains(&"pkg:npm/ms@2.1.3#/app/node_modules/ms/package.json"));
    assert!(
        refs.contains(&"pkg:npm/ms@2.1.3#/app/node_modules/debug/node_modules/ms/package.json")
    );
    assert!(refs.contains(&"pkg:cargo/serde@1.0.228"));

    let by_name = |name: &str| -> Value {
        components
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["licenses"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        by_name("serde"),
        serde_json::json!([{"expression": "MIT OR Apache-2.0"}])
    );
    assert_eq!(
        by_name("zlib1g"),
        serde_json::json!([{"license": {"id": "Zlib"}}])
    );
    assert_eq!(
        by_name("adduser"),
        serde_json::json!([{"license": {"name": "GPL-2+"}}])
    );
    assert_eq!(by_name("libc6"), Value::Null);
    assert_eq!(components[0]["type"], "operating-system");
    assert_eq!(bom["metadata"]["component"]["type"], "container");
}

#[test]
fn spdx_ids_are_well_formed_and_unique() {
    let doc = json(&render_fixture(SbomFormat::Spdx));
    let packages = doc["packages"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = packages
        .iter()
        .filter_map(|p| p["SPDXID"].as_str())
        .collect();
    assert_eq!(ids.len(), packages.len());
    for id in &ids {
        let rest = id
            .strip_prefix("SPDXRef-")
            .unwrap_or_else(|| panic!("{id}"));
        assert!(
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:#?}");
    // Every relationship points at a package of the document.
    for r in doc["relationships"].as_array().cloned().unwrap_or_default() {
        let to = r["relatedSpdxElement"].as_str().unwrap_or_default();
        assert!(ids.contains(&to), "{r}");
    }
    let declared = |name: &str| -> Value {
        packages
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["licenseDeclared"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(declared("serde"), "MIT OR Apache-2.0");
    assert_eq!(declared("adduser"), "NOASSERTION");
    assert_eq!(declared("commons-lang3"), "Apache-2.0");
}

#[test]
fn table_colors_only_when_asked_and_neutralises_escapes() {
    let image = image();
    let mut inventory = inventory();
    inventory.packages[0].name = "evil\u{1b}[31m".to_string();
    let plain = render(&image, &inventory, SbomFormat::Table, false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let colored = render(&image, &inventory, SbomFormat::Table, true);
    assert!(colored.contains("\u{1b}["));
    assert!(!colored.contains("evil\u{1b}"));
}

#[test]
fn json_format_is_documented() {
    let doc = json(&render_fixture(SbomFormat::Json));
    assert_eq!(doc["schema_version"], "1.2.0");
    let docs = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/sbom-format.md"),
    )
    .unwrap_or_else(|e| panic!("docs/sbom-format.md: {e}"));
    for key in [
        "schema_version",
        "image",
        "os",
        "packages",
        "errors",
        "layers",
    ] {
        assert!(
            doc.get(key).is_some() || doc["image"].get(key).is_some(),
            "{key}"
        );
        assert!(
            docs.contains(&format!("`{key}`")),
            "docs/sbom-format.md lacks `{key}`"
        );
    }
}

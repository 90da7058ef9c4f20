//! SPDX 2.3 JSON: the document DESCRIBES the image package, which CONTAINS the OS and every
//! package. Packages carry their purl as a PACKAGE-MANAGER external ref, the declared license
//! when it is valid SPDX (else NOASSERTION, with the declared text in `licenseComments`) and
//! where they were found in `sourceInfo`.
//!
//! Own serde structs; the tests validate the output against the vendored official schema.

use std::collections::BTreeSet;

use seaworthy_inventory::{OsInfo, Package};
use seaworthy_oci::ImageInfo;
use serde::Serialize;

use super::license::{License, classify_all, combined_expression};
use super::{SbomInput, document_uuid, image_identity, layer_digest, sorted_packages};

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";
const NAMESPACE_BASE: &str = "https://seaworthy.invalid/spdxdocs";
/// SPDX ids and namespace names are cut to this many characters before the uniqueness suffix.
const MAX_ID_LEN: usize = 120;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo<'a>,
    packages: Vec<SpdxPackage>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo<'a> {
    created: &'a str,
    creators: Vec<String>,
    license_list_version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<&'static str>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_concluded: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_declared: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_package_purpose: Option<&'static str>,
}

impl SpdxPackage {
    fn new(spdx_id: String, name: String) -> SpdxPackage {
        SpdxPackage {
            spdx_id,
            name,
            version_info: None,
            supplier: None,
            download_location: NOASSERTION,
            files_analyzed: false,
            license_concluded: None,
            license_declared: None,
            license_comments: None,
            description: None,
            external_refs: Vec::new(),
            source_info: None,
            primary_package_purpose: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

fn relationship(from: &str, kind: &'static str, to: &str) -> Relationship {
    Relationship {
        spdx_element_id: from.to_string(),
        relationship_type: kind,
        related_spdx_element: to.to_string(),
    }
}

pub(crate) fn render(input: &SbomInput<'_>) -> String {
    let image = input.image;
    let uuid = document_uuid(image, input.tool_version);
    let mut packages = vec![image_package(image)];
    let mut relationships = vec![relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)];
    if let Some(os) = &input.inventory.os {
        packages.push(os_package(os));
        relationships.push(relationship(IMAGE_ID, "CONTAINS", OS_ID));
    }
    let sorted = sorted_packages(input.inventory);
    let ids = package_ids(&sorted);
    let mut by_purl: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
    for (package, id) in sorted.iter().zip(&ids) {
        if package.ecosystem.is_os() {
            by_purl.entry(package.purl.as_str()).or_insert(id);
        }
    }
    let mut owned = Vec::new();
    for (package, id) in sorted.iter().zip(&ids) {
        relationships.push(relationship(IMAGE_ID, "CONTAINS", id));
        // A language package that is a file of an OS package: the OS package CONTAINS it.
        if let Some(owner) = package.owned_by.as_deref().and_then(|o| by_purl.get(o)) {
            owned.push(relationship(owner, "CONTAINS", id));
        }
        packages.push(package_entry(image, package, id.clone()));
    }
    relationships.extend(owned);
    let doc = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: &image.reference,
        document_namespace: format!(
            "{NAMESPACE_BASE}/{}-{uuid}",
            sanitize(&image.reference, |c| c.is_ascii_alphanumeric()
                || matches!(c, '.' | '-' | '_'))
        ),
        creation_info: CreationInfo {
            created: input.created,
            creators: vec![format!("Tool: seaworthy-{}", input.tool_version)],
            license_list_version: spdx::license_version(),
        },
        packages,
        relationships,
    };
    crate::json_pretty(&doc)
}

fn image_package(image: &ImageInfo) -> SpdxPackage {
    let mut p = SpdxPackage::new(IMAGE_ID.to_string(), image.reference.clone());
    p.version_info = Some(image_identity(image));
    p.supplier = Some(NOASSERTION);
    p.primary_package_purpose = Some("CONTAINER");
    p.license_concluded = Some(NOASSERTION);
    p.license_declared = Some(NOASSERTION.to_string());
    p
}

fn os_package(os: &OsInfo) -> SpdxPackage {
    let mut p = SpdxPackage::new(OS_ID.to_string(), os.id.clone());
    p.version_info = (!os.version_id.is_empty()).then(|| os.version_id.clone());
    p.supplier = Some(NOASSERTION);
    p.description = os.pretty_name.clone();
    p.primary_package_purpose = Some("OPERATING_SYSTEM");
    p.license_concluded = Some(NOASSERTION);
    p.license_declared = Some(NOASSERTION.to_string());
    p
}

fn package_entry(image: &ImageInfo, package: &Package, spdx_id: String) -> SpdxPackage {
    let mut p = SpdxPackage::new(spdx_id, package.name.clone());
    p.version_info = (!package.version.is_empty()).then(|| package.version.clone());
    p.supplier = Some(NOASSERTION);
    p.license_concluded = Some(NOASSERTION);
    let licenses = classify_all(&package.licenses);
    let declared = combined_expression(&licenses);
    if licenses.iter().any(|l| matches!(l, License::Name(_))) {
        let texts: Vec<&str> = licenses
            .iter()
            .map(|l| match l {
                License::Id(t) | License::Expression(t) | License::Name(t) => t.as_str(),
            })
            .collect();
        p.license_comments = Some(format!(
            "declared licenses, not all valid SPDX: {}",
            texts.join("; ")
        ));
    }
    p.license_declared = Some(declared.unwrap_or_else(|| NOASSERTION.to_string()));
    if !package.purl.is_empty() {
        p.external_refs.push(ExternalRef {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: package.purl.clone(),
        });
    }
    p.source_info = Some(source_info(image, package));
    p
}

/// `cataloger dpkg: layer 0 sha256:…, path /var/lib/dpkg/status; source package glibc 2.36-9`
fn source_info(image: &ImageInfo, package: &Package) -> String {
    let mut parts: Vec<String> = package
        .locations
        .iter()
        .map(|l| {
            let digest = layer_digest(image, l);
            if digest.is_empty() {
                format!("layer {}, path {}", l.layer, l.path)
            } else {
                format!("layer {} {digest}, path {}", l.layer, l.path)
            }
        })
        .collect();
    if let Some(source) = &package.source {
        parts.push(
            format!("source package {} {}", source.name, source.version)
                .trim_end()
                .to_string(),
        );
    }
    format!("cataloger {}: {}", package.cataloger, parts.join("; "))
}

/// `SPDXRef-Package-<ecosystem>-<name>-<version>`, reduced to the characters SPDX ids allow
/// (`[A-Za-z0-9.-]`), unique within the document.
fn package_ids(packages: &[&Package]) -> Vec<String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut ids = Vec::with_capacity(packages.len());
    for p in packages {
        let raw = format!("{}-{}-{}", p.ecosystem, p.name, p.version);
        let base = sanitize(&raw, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
        });
        let base = format!("SPDXRef-Package-{base}");
        let mut candidate = base.clone();
        let mut n: usize = 1;
        while used.contains(&candidate) {
            n = n.saturating_add(1);
            candidate = format!("{base}-{n}");
        }
        used.insert(candidate.clone());
        ids.push(candidate);
    }
    ids
}

/// Keeps the characters `keep` accepts, turns runs of others into one `-`, trims `-` at the
/// ends and cuts to [`MAX_ID_LEN`]; `unknown` when nothing is left. ASCII only, so cutting by
/// bytes is safe.
fn sanitize(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_ID_LEN));
    for c in s.chars() {
        if out.len() >= MAX_ID_LEN {
            break;
        }
        if keep(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unknown".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_spdx_id_characters() {
        let keep = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
        assert_eq!(
            sanitize("npm-@babel/core-7.0.0+x", keep),
            "npm-babel-core-7.0.0-x"
        );
        assert_eq!(sanitize("////", keep), "unknown");
        assert_eq!(sanitize("é", keep), "unknown");
        assert!(sanitize(&"a".repeat(1000), keep).len() <= MAX_ID_LEN);
    }
}

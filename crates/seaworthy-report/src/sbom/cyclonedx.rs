//! CycloneDX 1.6 JSON: the image as `metadata.component` (type container), the OS as an
//! `operating-system` component, one `library` component per package with its purl, licenses
//! and where it was found as `seaworthy:*` properties (a language package that is a file of an
//! OS package names that package's `bom-ref` in `seaworthy:owned-by`), and every file it was
//! seen in as `evidence.occurrences[].location`. No dependency graph:
//! the inventory does not know one, and an absent graph means "unknown" in CycloneDX.
//!
//! Own serde structs (the `cyclonedx-bom` crate stops at 1.5); the tests validate the output
//! against the vendored official schema.

use std::collections::{BTreeMap, BTreeSet};

use seaworthy_inventory::{OsInfo, Package};
use seaworthy_oci::{Digest, ImageInfo};
use serde::Serialize;

use super::license::{License, classify_all, combined_expression};
use super::{SbomInput, document_uuid, image_identity, layer_digest, sorted_packages};

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

/// The SBOM document; the vulnerability report's CycloneDX extends it (`crate::vulns`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    bom_format: &'static str,
    spec_version: &'static str,
    pub(crate) serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools,
    component: Component,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Component>,
}

#[derive(Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
}

/// Where a component was seen (CycloneDX 1.5+ `componentEvidence`): one occurrence per location.
#[derive(Serialize)]
struct Evidence {
    occurrences: Vec<Occurrence>,
}

#[derive(Serialize)]
struct Occurrence {
    location: String,
}

impl Component {
    fn new(kind: &'static str, name: impl Into<String>) -> Component {
        Component {
            kind,
            bom_ref: None,
            name: name.into(),
            version: None,
            description: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            purl: None,
            properties: Vec::new(),
            evidence: None,
        }
    }
}

#[derive(Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// Either a list of `{license}` objects or exactly one `{expression}` (the schema's `oneOf`).
#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice {
    License { license: LicenseObject },
    Expression { expression: String },
}

#[derive(Serialize)]
struct LicenseObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

fn property(name: impl Into<String>, value: impl Into<String>) -> Property {
    Property {
        name: name.into(),
        value: value.into(),
    }
}

pub(crate) fn render(input: &SbomInput<'_>) -> String {
    let (bom, _) = input.cyclonedx_bom();
    crate::json_pretty(&bom)
}

impl<'a> SbomInput<'a> {
    /// The CycloneDX document, and each package with the `bom-ref` of its component. A method
    /// so that the vulnerability report (`crate::vulns`) builds on the same components.
    pub(crate) fn cyclonedx_bom(&self) -> (Bom<'a>, Vec<(&'a Package, String)>) {
        bom(self)
    }

    /// The serial number of another document about the same image (the vulnerability report):
    /// the SBOM's derivation with `what` mixed in, so the two documents never share one.
    pub(crate) fn derived_serial_number(&self, what: &str) -> String {
        let salted = format!("{}\0{what}", self.tool_version);
        format!("urn:uuid:{}", document_uuid(self.image, &salted))
    }
}

fn bom<'a>(input: &SbomInput<'a>) -> (Bom<'a>, Vec<(&'a Package, String)>) {
    let packages = sorted_packages(input.inventory);
    let refs = bom_refs(&packages);
    let mut components = Vec::with_capacity(packages.len().saturating_add(1));
    if let Some(os) = &input.inventory.os {
        components.push(os_component(os));
    }
    // The OS package that owns a language package, by purl (the first of a shared purl).
    let mut by_purl: BTreeMap<&str, &str> = BTreeMap::new();
    for (package, bom_ref) in packages.iter().zip(&refs) {
        if package.ecosystem.is_os() {
            by_purl.entry(package.purl.as_str()).or_insert(bom_ref);
        }
    }
    for (package, bom_ref) in packages.iter().zip(&refs) {
        let mut c = package_component(input.image, package, bom_ref.clone());
        if let Some(owner) = &package.owned_by {
            let owner = by_purl.get(owner.as_str()).copied().unwrap_or(owner);
            c.properties.push(property("seaworthy:owned-by", owner));
        }
        components.push(c);
    }
    let mut tool = Component::new("application", "seaworthy");
    tool.version = Some(input.tool_version.to_string());
    let bom = Bom {
        schema: SCHEMA,
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!(
            "urn:uuid:{}",
            document_uuid(input.image, input.tool_version)
        ),
        version: 1,
        metadata: Metadata {
            timestamp: input.created,
            tools: Tools {
                components: vec![tool],
            },
            component: image_component(input.image),
        },
        components,
    };
    (bom, packages.into_iter().zip(refs).collect())
}

fn image_component(image: &ImageInfo) -> Component {
    let mut c = Component::new("container", image.reference.clone());
    c.bom_ref = Some(format!("image:{}", image_identity(image)));
    c.version = image
        .config_digest
        .as_ref()
        .or(image.manifest_digest.as_ref())
        .map(ToString::to_string);
    c.hashes = image.config_digest.iter().filter_map(hash).collect();
    c.properties
        .push(property("seaworthy:image:source", image.source));
    if let Some(d) = &image.manifest_digest {
        c.properties
            .push(property("seaworthy:image:manifest-digest", d.to_string()));
    }
    c.properties.push(property(
        "seaworthy:image:platform",
        image.platform().to_string(),
    ));
    let tags: BTreeSet<&String> = image.repo_tags.iter().collect();
    for tag in tags {
        c.properties
            .push(property("seaworthy:image:repo-tag", tag.as_str()));
    }
    c
}

fn hash(digest: &Digest) -> Option<Hash> {
    let alg = match digest.algorithm() {
        "sha256" => "SHA-256",
        "sha512" => "SHA-512",
        _ => return None,
    };
    Some(Hash {
        alg,
        content: digest.hex().to_string(),
    })
}

fn os_component(os: &OsInfo) -> Component {
    let mut c = Component::new("operating-system", os.id.clone());
    c.bom_ref = Some(format!("os:{}", os.distro()));
    c.version = (!os.version_id.is_empty()).then(|| os.version_id.clone());
    c.description = os.pretty_name.clone();
    c
}

fn package_component(image: &ImageInfo, p: &Package, bom_ref: String) -> Component {
    let mut c = Component::new("library", p.name.clone());
    c.bom_ref = Some(bom_ref);
    c.version = (!p.version.is_empty()).then(|| p.version.clone());
    c.purl = (!p.purl.is_empty()).then(|| p.purl.clone());
    c.licenses = licenses(&classify_all(&p.licenses));
    let props = &mut c.properties;
    props.push(property("seaworthy:cataloger", p.cataloger));
    if let Some(source) = &p.source {
        props.push(property("seaworthy:source:name", source.name.as_str()));
        if !source.version.is_empty() {
            props.push(property(
                "seaworthy:source:version",
                source.version.as_str(),
            ));
        }
    }
    if let Some(arch) = &p.arch {
        props.push(property("seaworthy:arch", arch.as_str()));
    }
    for location in &p.locations {
        props.push(property("seaworthy:location:path", location.path.as_str()));
        props.push(property(
            "seaworthy:layer:index",
            location.layer.to_string(),
        ));
        let digest = layer_digest(image, location);
        if !digest.is_empty() {
            props.push(property("seaworthy:layer:digest", digest));
        }
    }
    for (key, value) in &p.metadata {
        props.push(property(
            format!("seaworthy:metadata:{key}"),
            value.as_str(),
        ));
    }
    // Every file the package was seen in, the primary one first (an npm package installed in a
    // project and listed in its lockfile is one component with both), as the standard field
    // beside the `seaworthy:location:path` properties that also carry the layers.
    c.evidence = (!p.locations.is_empty()).then(|| Evidence {
        occurrences: p
            .locations
            .iter()
            .map(|l| Occurrence {
                location: l.path.clone(),
            })
            .collect(),
    });
    c
}

/// SPDX ids as `{license: {id}}`, free-form names as `{license: {name}}`; expressions as the one
/// `{expression}` the schema allows, when every license can join it.
fn licenses(licenses: &[License]) -> Vec<LicenseChoice> {
    let has_expression = licenses.iter().any(|l| matches!(l, License::Expression(_)));
    if has_expression && let Some(expression) = combined_expression(licenses) {
        return vec![LicenseChoice::Expression { expression }];
    }
    licenses
        .iter()
        .map(|l| {
            let license = match l {
                License::Id(id) => LicenseObject {
                    id: Some(id.clone()),
                    name: None,
                },
                License::Expression(text) | License::Name(text) => LicenseObject {
                    id: None,
                    name: Some(text.clone()),
                },
            };
            LicenseChoice::License { license }
        })
        .collect()
}

/// One unique `bom-ref` per package: its purl, with `#<first path>` when several packages share
/// the purl, and a `-N` suffix as the last resort.
fn bom_refs(packages: &[&Package]) -> Vec<String> {
    let bases: Vec<String> = packages
        .iter()
        .map(|p| {
            if p.purl.is_empty() {
                format!("{}:{}@{}", p.ecosystem, p.name, p.version)
            } else {
                p.purl.clone()
            }
        })
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for base in &bases {
        let n = counts.entry(base).or_default();
        *n = n.saturating_add(1);
    }
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut refs = Vec::with_capacity(packages.len());
    for (package, base) in packages.iter().zip(&bases) {
        let mut candidate = if counts.get(base.as_str()).copied().unwrap_or(0) > 1 {
            let at = package
                .locations
                .first()
                .map_or(package.cataloger, |l| l.path.as_str());
            format!("{base}#{at}")
        } else {
            base.clone()
        };
        let mut n: usize = 1;
        while used.contains(&candidate) {
            n = n.saturating_add(1);
            candidate = format!("{base}#{n}");
        }
        used.insert(candidate.clone());
        refs.push(candidate);
    }
    refs
}

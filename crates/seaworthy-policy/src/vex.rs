//! OpenVEX (v0.2.0, and the string `vulnerability` of earlier drafts): statements that a product
//! is `not_affected` by or has `fixed` a vulnerability take the finding out of the gate, with the
//! justification; `seaworthy vex` writes such a document from waived findings.

use serde::{Deserialize, Serialize};

use crate::Target;

/// Larger documents are refused (a VEX file is written by people and tools, not streamed).
pub const MAX_LEN: usize = 16 << 20;

pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct VexError {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    /// `not_affected` and `fixed` take a finding out of the gate.
    pub fn clears(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    #[serde(rename = "@context")]
    pub context: String,
    #[serde(rename = "@id")]
    pub id: String,
    pub author: String,
    pub timestamp: String,
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tooling: Option<String>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Statement {
    pub vulnerability: Vulnerability,
    #[serde(default)]
    pub products: Vec<Product>,
    pub status: VexStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

/// `{"name": "CVE-…", "aliases": […]}`, or a bare id in early documents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Vulnerability {
    Named {
        name: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aliases: Vec<String>,
    },
    Bare(String),
}

impl Vulnerability {
    fn names(&self) -> impl Iterator<Item = &str> {
        let (first, rest): (&str, &[String]) = match self {
            Vulnerability::Named { name, aliases } => (name, aliases),
            Vulnerability::Bare(name) => (name, &[]),
        };
        std::iter::once(first).chain(rest.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subcomponents: Vec<Component>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Component {
    #[serde(rename = "@id")]
    pub id: String,
}

/// What a VEX document says about one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDecision<'a> {
    pub status: VexStatus,
    pub justification: Option<&'a str>,
    pub impact_statement: Option<&'a str>,
    /// The document's `@id`.
    pub document: &'a str,
}

/// Parses a document; errors name the file.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Document, VexError> {
    let fail = |message: String| VexError {
        file: file.to_string(),
        message,
    };
    if bytes.len() > MAX_LEN {
        return Err(fail(format!("larger than {MAX_LEN} bytes")));
    }
    let doc: Document =
        serde_json::from_slice(bytes).map_err(|e| fail(format!("not an OpenVEX document: {e}")))?;
    if !doc.context.starts_with("https://openvex.dev/ns") {
        return Err(fail(format!("@context {:?} is not OpenVEX", doc.context)));
    }
    Ok(doc)
}

/// The latest statement (by timestamp, then document order) about `target`'s vulnerability and
/// product. A product matches by package URL (a product purl without `@version` covers every
/// version) or by the image name; an image product with subcomponents narrows to those packages.
pub fn decide<'a>(docs: &'a [Document], target: &Target<'_>) -> Option<VexDecision<'a>> {
    let mut best: Option<(Option<jiff::Timestamp>, VexDecision<'a>)> = None;
    for doc in docs {
        for s in &doc.statements {
            let about = s
                .vulnerability
                .names()
                .any(|n| target.ids.iter().any(|id| id.eq_ignore_ascii_case(n)));
            if !about || !s.products.iter().any(|p| product_matches(p, target)) {
                continue;
            }
            // RFC 3339 with any offset; an unreadable time sorts oldest.
            let when = s
                .timestamp
                .as_deref()
                .unwrap_or(&doc.timestamp)
                .parse::<jiff::Timestamp>()
                .ok();
            if best.as_ref().is_some_and(|(t, _)| *t > when) {
                continue;
            }
            best = Some((
                when,
                VexDecision {
                    status: s.status,
                    justification: s.justification.as_deref(),
                    impact_statement: s.impact_statement.as_deref(),
                    document: &doc.id,
                },
            ));
        }
    }
    best.map(|(_, d)| d)
}

fn product_matches(p: &Product, t: &Target<'_>) -> bool {
    let purl_matches = |id: &str| t.purl.is_some_and(|purl| purl_covers(id, purl));
    if purl_matches(&p.id) {
        return true;
    }
    let image = t.image.is_some_and(|image| image_matches(&p.id, image));
    image && (p.subcomponents.is_empty() || p.subcomponents.iter().any(|c| purl_matches(&c.id)))
}

/// `pkg:deb/debian/openssl` covers `pkg:deb/debian/openssl@3.0.11-1?arch=amd64`; a versioned
/// product purl must name the same version. Qualifiers and subpaths are ignored.
fn purl_covers(product: &str, purl: &str) -> bool {
    let strip =
        |p: &str| -> String { p.split(['?', '#']).next().unwrap_or(p).to_ascii_lowercase() };
    let (product, purl) = (strip(product), strip(purl));
    if product.contains('@') {
        return product == purl;
    }
    purl.split('@').next() == Some(product.as_str())
}

/// The image as written (`app:1.2`, `registry/app@sha256:…`) or as `pkg:oci/app…`.
fn image_matches(product: &str, image: &str) -> bool {
    if product.eq_ignore_ascii_case(image) {
        return true;
    }
    let Some(oci) = product.strip_prefix("pkg:oci/") else {
        return false;
    };
    let name = oci.split(['@', '?']).next().unwrap_or(oci);
    let image_name = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split(['@', ':'])
        .next()
        .unwrap_or(image);
    name.eq_ignore_ascii_case(image_name)
}

/// One waived vulnerability to write as a `not_affected` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaivedVuln {
    pub vulnerability: String,
    pub aliases: Vec<String>,
    /// The package URL, or the image when there is none.
    pub product: String,
    pub reason: String,
    pub justification: Option<String>,
}

/// An OpenVEX document with one `not_affected` statement per waived vulnerability (the reason
/// becomes the impact statement, which OpenVEX accepts in place of a justification).
pub fn write(id: &str, author: &str, timestamp: &str, mut waived: Vec<WaivedVuln>) -> Document {
    waived.sort_by(|a, b| (&a.vulnerability, &a.product).cmp(&(&b.vulnerability, &b.product)));
    waived.dedup_by(|a, b| a.vulnerability == b.vulnerability && a.product == b.product);
    Document {
        context: CONTEXT.to_string(),
        id: id.to_string(),
        author: author.to_string(),
        timestamp: timestamp.to_string(),
        version: 1,
        tooling: Some(format!("seaworthy {}", env!("CARGO_PKG_VERSION"))),
        statements: waived
            .into_iter()
            .map(|w| Statement {
                vulnerability: Vulnerability::Named {
                    name: w.vulnerability,
                    aliases: w.aliases,
                },
                products: vec![Product {
                    id: w.product,
                    subcomponents: Vec::new(),
                }],
                status: VexStatus::NotAffected,
                justification: w.justification,
                impact_statement: Some(w.reason),
                status_notes: None,
                timestamp: None,
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    // Shaped like the examples of the OpenVEX v0.2.0 specification.
    const DOC: &str = r#"{
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://example.invalid/vex/2026-11-01",
      "author": "Example Security Team",
      "timestamp": "2026-11-01T10:00:00Z",
      "version": 1,
      "statements": [
        {
          "vulnerability": {"name": "CVE-2023-4911", "aliases": ["DSA-5514-1"]},
          "products": [{"@id": "pkg:deb/debian/libc6"}],
          "status": "not_affected",
          "justification": "vulnerable_code_not_in_execute_path"
        },
        {
          "vulnerability": "CVE-2024-5535",
          "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u2"}]}],
          "status": "fixed"
        },
        {
          "vulnerability": {"name": "CVE-2024-5535"},
          "products": [{"@id": "pkg:oci/app", "subcomponents": [{"@id": "pkg:deb/debian/openssl@3.0.11-1~deb12u2"}]}],
          "status": "affected",
          "timestamp": "2026-11-01T11:30:00+02:00"
        }
      ]
    }"#;

    fn target<'a>(ids: Vec<&'a str>, purl: &'a str) -> Target<'a> {
        Target {
            ids,
            purl: Some(purl),
            image: Some("registry.example/app:1.2"),
            ..Target::default()
        }
    }

    #[test]
    fn statements_clear_by_purl_alias_and_image_subcomponent() {
        let docs = vec![parse("app.vex.json", DOC.as_bytes()).unwrap()];
        let glibc = target(vec!["DSA-5514-1"], "pkg:deb/debian/libc6@2.36-9?arch=amd64");
        let d = decide(&docs, &glibc).expect("matched through the alias");
        assert_eq!(d.status, VexStatus::NotAffected);
        assert_eq!(d.justification, Some("vulnerable_code_not_in_execute_path"));
        // The `affected` statement (09:30Z) is older than the document-dated `fixed` one (10:00Z).
        let openssl = target(
            vec!["CVE-2024-5535"],
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64",
        );
        assert_eq!(
            decide(&docs, &openssl).map(|d| d.status),
            Some(VexStatus::Fixed)
        );
        let other_version = target(vec!["CVE-2024-5535"], "pkg:deb/debian/openssl@3.0.9-1");
        assert_eq!(decide(&docs, &other_version), None);
        let other_cve = target(vec!["CVE-2020-1"], "pkg:deb/debian/libc6@2.36-9");
        assert_eq!(decide(&docs, &other_cve), None);
    }

    #[test]
    fn written_documents_read_back() {
        let doc = write(
            "urn:seaworthy:vex:test",
            "seaworthy",
            "2026-11-29T00:00:00Z",
            vec![WaivedVuln {
                vulnerability: "CVE-2023-4911".into(),
                aliases: vec![],
                product: "pkg:deb/debian/libc6@2.36-9".into(),
                reason: "no setuid binaries in the image".into(),
                justification: None,
            }],
        );
        let json = serde_json::to_vec(&doc).unwrap();
        let back = parse("out.vex.json", &json).unwrap();
        let t = target(vec!["CVE-2023-4911"], "pkg:deb/debian/libc6@2.36-9");
        let d = decide(std::slice::from_ref(&back), &t).unwrap();
        assert_eq!(d.status, VexStatus::NotAffected);
        assert_eq!(d.impact_statement, Some("no setuid binaries in the image"));
    }

    #[test]
    fn bad_documents_name_the_file() {
        let e = parse("x.json", b"{\"@context\": \"https://example.com\"}").unwrap_err();
        assert!(e.to_string().starts_with("x.json: not an OpenVEX document"));
        let mut doc: serde_json::Value = serde_json::from_str(DOC).unwrap();
        doc["@context"] = "https://cyclonedx.org".into();
        let e = parse("y.json", &serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert!(e.to_string().contains("is not OpenVEX"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            if let Ok(doc) = parse("fuzz.json", &bytes) {
                let t = target(vec!["CVE-1"], "pkg:deb/debian/x@1");
                let _ = decide(std::slice::from_ref(&doc), &t);
            }
        }
    }
}

//! CycloneDX 1.6 JSON: the image's SBOM, its components made by the SBOM renderer, plus one
//! `vulnerabilities` entry per match, pointing at the affected component's `bom-ref`.
//!
//! Each entry has the advisory id and where it is published (`source`), the other ids as
//! `references`, one rating per CVSS score plus the rating the severity came from when that was
//! no CVSS score (Debian urgency, a distribution's label: method `other`), the references as
//! `advisories`, what to upgrade to as `recommendation`, and the match's status, path and layer
//! as `seaworthy:*` properties. The tests validate the output against the vendored schema.

use std::collections::BTreeMap;

use seaworthy_inventory::Package;
use seaworthy_vulndb::{CvssScore, VulnMatch};
use serde::Serialize;

use super::VulnReportInput;
use crate::sbom::SbomInput;

/// The SBOM document with the vulnerabilities after it.
#[derive(Serialize)]
struct VulnBom<B> {
    #[serde(flatten)]
    bom: B,
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Serialize)]
struct Vulnerability {
    id: String,
    source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ratings: Vec<Rating>,
    /// CWE numbers (`CWE-79` → 79).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cwes: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory>,
    affects: Vec<Affects>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    id: String,
    source: Source,
}

#[derive(Serialize)]
struct Rating {
    source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

#[derive(Serialize)]
struct Advisory {
    url: String,
}

#[derive(Serialize)]
struct Affects {
    #[serde(rename = "ref")]
    bom_ref: String,
    versions: Vec<AffectedVersion>,
}

#[derive(Serialize)]
struct AffectedVersion {
    version: String,
    status: &'static str,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

pub(crate) fn render(input: &VulnReportInput<'_>) -> String {
    let sbom = SbomInput {
        image: input.image,
        inventory: input.inventory,
        tool_version: input.tool_version,
        created: input.created,
    };
    let (mut bom, packages) = sbom.cyclonedx_bom();
    bom.serial_number = sbom.derived_serial_number(&format!("vulnerabilities\0{}", input.db.built));
    let refs = ComponentRefs::new(&packages);
    let doc = VulnBom {
        bom,
        vulnerabilities: input
            .sorted_matches()
            .into_iter()
            .map(|m| vulnerability(m, refs.find(m)))
            .collect(),
    };
    crate::json_pretty(&doc)
}

/// The `bom-ref` of each package's component, by purl.
struct ComponentRefs<'a> {
    by_purl: BTreeMap<&'a str, Vec<(&'a Package, &'a str)>>,
}

impl<'a> ComponentRefs<'a> {
    fn new(packages: &'a [(&'a Package, String)]) -> Self {
        let mut by_purl: BTreeMap<&str, Vec<(&Package, &str)>> = BTreeMap::new();
        for (package, bom_ref) in packages {
            by_purl
                .entry(package.purl.as_str())
                .or_default()
                .push((package, bom_ref.as_str()));
        }
        ComponentRefs { by_purl }
    }

    /// The component of the matched package: same purl and found at the same path, else the
    /// first with that purl (and name and version, when it has no purl). A package the
    /// inventory does not hold is referred to by its purl.
    fn find(&self, m: &VulnMatch) -> String {
        let p = &m.package;
        let candidates: Vec<&(&Package, &str)> = self
            .by_purl
            .get(p.purl.as_str())
            .map(|c| {
                c.iter()
                    .filter(|(pkg, _)| {
                        !p.purl.is_empty() || (pkg.name == p.name && pkg.version == p.version)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let at_path = candidates
            .iter()
            .find(|(pkg, _)| pkg.locations.iter().any(|l| l.path == p.path));
        match at_path.or(candidates.first()) {
            Some((_, bom_ref)) => (*bom_ref).to_string(),
            None if !p.purl.is_empty() => p.purl.clone(),
            None => format!("{}:{}@{}", p.ecosystem, p.name, p.version),
        }
    }
}

fn vulnerability(m: &VulnMatch, bom_ref: String) -> Vulnerability {
    let p = &m.package;
    let mut ratings: Vec<Rating> = m.cvss.iter().map(cvss_rating).collect();
    if !m.severity_source.starts_with("cvss") {
        let name = if m.severity_source.is_empty() || m.severity_source == "default" {
            "seaworthy".to_string()
        } else {
            m.severity_source.clone()
        };
        ratings.push(Rating {
            source: Source { name, url: None },
            score: None,
            severity: m.severity.as_str(),
            method: "other",
            vector: None,
            justification: Some(format!("severity from {}", or_default(&m.severity_source))),
        });
    }
    let mut properties = vec![Property {
        name: "seaworthy:status",
        value: m.status.as_str().to_string(),
    }];
    if let Some(v) = &m.fixed_version {
        properties.push(Property {
            name: "seaworthy:fixed-version",
            value: v.clone(),
        });
    }
    properties.push(Property {
        name: "seaworthy:severity-source",
        value: or_default(&m.severity_source).to_string(),
    });
    if let Some(kev) = &m.kev {
        properties.push(Property {
            name: "seaworthy:kev-date-added",
            value: kev.date_added.clone(),
        });
        properties.push(Property {
            name: "seaworthy:kev-due-date",
            value: kev.due_date.clone(),
        });
        properties.push(Property {
            name: "seaworthy:kev-known-ransomware-use",
            value: kev.ransomware.to_string(),
        });
    }
    if let Some(e) = m.epss {
        properties.push(Property {
            name: "seaworthy:epss-score",
            value: e.score.to_string(),
        });
        properties.push(Property {
            name: "seaworthy:epss-percentile",
            value: e.percentile.to_string(),
        });
    }
    if let Some((name, version)) = &p.matched_as {
        properties.push(Property {
            name: "seaworthy:matched-as",
            value: format!("{name} {version}"),
        });
    }
    properties.push(Property {
        name: "seaworthy:location:path",
        value: p.path.clone(),
    });
    if let Some(layer) = &p.layer {
        properties.push(Property {
            name: "seaworthy:layer:index",
            value: layer.index.to_string(),
        });
        if !layer.diff_id.is_empty() {
            properties.push(Property {
                name: "seaworthy:layer:digest",
                value: layer.diff_id.clone(),
            });
        }
    }
    for source in &m.sources {
        properties.push(Property {
            name: "seaworthy:advisory-source",
            value: source.clone(),
        });
    }
    Vulnerability {
        id: m.id.clone(),
        source: source_of(&m.id),
        references: m
            .aliases
            .iter()
            .map(|a| Reference {
                id: a.clone(),
                source: source_of(a),
            })
            .collect(),
        ratings,
        cwes: m
            .cwes
            .iter()
            .filter_map(|c| c.strip_prefix("CWE-")?.parse().ok())
            .collect(),
        description: m.title.clone(),
        detail: (!m.notes.is_empty()).then(|| m.notes.join("\n")),
        recommendation: m
            .fixed_version
            .as_ref()
            .map(|v| format!("Upgrade {} to {v}", p.name)),
        advisories: m
            .references
            .iter()
            .filter(|r| is_url(r))
            .map(|r| Advisory { url: r.clone() })
            .collect(),
        affects: vec![Affects {
            bom_ref,
            versions: vec![AffectedVersion {
                version: p.version.clone(),
                status: "affected",
            }],
        }],
        properties,
    }
}

fn or_default(severity_source: &str) -> &str {
    if severity_source.is_empty() {
        "default"
    } else {
        severity_source
    }
}

fn cvss_rating(c: &CvssScore) -> Rating {
    let method = match c.version.as_str() {
        "2.0" | "2" => "CVSSv2",
        "3.0" => "CVSSv3",
        "3.1" => "CVSSv31",
        "4.0" | "4" => "CVSSv4",
        _ => "other",
    };
    Rating {
        source: Source {
            name: c.source.clone(),
            url: None,
        },
        score: c.score.is_finite().then_some(c.score),
        severity: c.severity.as_str(),
        method,
        vector: Some(c.vector.clone()),
        justification: None,
    }
}

/// Who publishes an id, by its prefix, with the id's page there: NVD for CVEs, GitHub for
/// GHSAs, the Debian security tracker for its `TEMP-` ids, OSV for everything else.
fn source_of(id: &str) -> Source {
    let segment = encode_segment(id);
    let (name, url) = if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{segment}"))
    } else if id.starts_with("GHSA-") {
        (
            "GitHub Advisories",
            format!("https://github.com/advisories/{segment}"),
        )
    } else if id.starts_with("TEMP-") {
        (
            "Debian Security Tracker",
            format!("https://security-tracker.debian.org/tracker/{segment}"),
        )
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{segment}"))
    };
    Source {
        name: name.to_string(),
        url: Some(url),
    }
}

/// An id as one URL path segment: unreserved characters kept, the rest percent-encoded.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A reference usable as an advisory URL: absolute, and only characters an IRI may hold as is.
fn is_url(s: &str) -> bool {
    s.contains("://")
        && !s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_by_prefix() {
        let s = source_of("CVE-2024-5535");
        assert_eq!(s.name, "NVD");
        assert_eq!(
            s.url.as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2024-5535")
        );
        assert_eq!(source_of("GHSA-xxxx-yyyy-zzzz").name, "GitHub Advisories");
        assert_eq!(
            source_of("GO-2024/../x").url.as_deref(),
            Some("https://osv.dev/vulnerability/GO-2024%2F..%2Fx")
        );
    }
}

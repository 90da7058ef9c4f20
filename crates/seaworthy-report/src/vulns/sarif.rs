//! SARIF 2.1.0 for GitHub code scanning: one run, one rule per advisory id (with the best CVSS
//! score as `security-severity`), one result per match. A result points at the file the package
//! was found in, as a path relative to the image root (code scanning accepts only relative
//! paths), and names the image and the layer in a logical location.
//!
//! Own serde structs, like the findings' SARIF; the tests validate the output against the
//! vendored official schema.

use std::collections::BTreeMap;

use seaworthy_core::{Finding, Location, Severity};
use seaworthy_vulndb::{MatchStatus, VulnMatch};
use serde::Serialize;

use super::VulnReportInput;
use crate::sarif::{Configuration, Help, Log, Text, encode_path as encode_uri_path, level};
use crate::text::fnv1a64;

/// Key of our entry in `partialFingerprints`; bump the suffix if the hashed fields change.
const FINGERPRINT_KEY: &str = "seaworthy/vuln/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    /// GitHub code scanning reads this as a CVSS score (a number in a string).
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    severity: Severity,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    /// Files of the image not inventoried (errors) and parts of files skipped (warnings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    properties: InvocationProperties,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

fn notifications(input: &VulnReportInput<'_>) -> Vec<Notification> {
    let lists = [
        ("error", &input.inventory.errors),
        ("warning", &input.inventory.skipped),
    ];
    lists
        .into_iter()
        .flat_map(|(level, list)| {
            crate::sbom::sorted_problems(list)
                .into_iter()
                .map(move |e| Notification {
                    level,
                    message: Text {
                        text: format!(
                            "{} (layer {}, {}): {}",
                            e.path, e.layer, e.cataloger, e.message
                        ),
                    },
                })
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvocationProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on: Option<Severity>,
    passed: bool,
    ignored_unfixed: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    image: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config_digest: Option<String>,
    database_built: &'a str,
    database_sources: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// Waived or otherwise suppressed results (SARIF 2.1.0 §3.35): code scanning closes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: Properties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifSuppression {
    /// `inSource` for pragmas in the Dockerfile, `external` for config, waivers and VEX.
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

fn suppression(s: &seaworthy_core::Suppression) -> SarifSuppression {
    let kind = match s.kind.as_str() {
        "inline" | "global" | "hadolint-pragma" => "inSource",
        _ => "external",
    };
    let mut justification = s.reason.clone().unwrap_or_else(|| s.kind.clone());
    if let Some(source) = &s.source {
        justification = format!("{justification} ({source})");
    }
    SarifSuppression {
        kind,
        justification: Some(justification),
    }
}

/// A vulnerability's or an image finding's properties.
#[derive(Serialize)]
#[serde(untagged)]
enum Properties {
    Vulnerability(ResultProperties),
    Finding(FindingProperties),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingProperties {
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer_diff_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    severity: Severity,
    status: MatchStatus,
    package: String,
    installed_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_version: Option<String>,
    purl: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    layer_diff_id: Option<String>,
    /// Where the severity comes from (`cvss 3.1 (nvd)`, `unrated`, …).
    severity_source: String,
    /// Listed in CISA's Known Exploited Vulnerabilities catalogue.
    #[serde(skip_serializing_if = "Option::is_none")]
    kev: Option<seaworthy_vulndb::KevEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    epss: Option<seaworthy_vulndb::EpssScore>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

impl ArtifactLocation {
    /// A file in the image, as a relative URI reference.
    fn in_image(path: &str) -> Self {
        ArtifactLocation {
            uri: encode_path(&crate::sarif::relative_segments(path)),
            uri_base_id: None,
        }
    }

    /// A file of the repository (the Dockerfile), as the Dockerfile report writes it.
    fn in_repo(path: &str) -> Self {
        let a = crate::sarif::artifact(path);
        ArtifactLocation {
            uri: a.uri,
            uri_base_id: a.uri_base_id,
        }
    }
}

/// Code scanning needs a region; a package database has no line to point at, so line 1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

/// Where a result points: the Dockerfile line that brought it in when known (so code scanning
/// annotates the Dockerfile), else the file in the image at line 1.
fn physical(origin: Option<&seaworthy_core::Origin>, image_path: &str) -> PhysicalLocation {
    match origin.and_then(|o| o.dockerfile.as_ref()) {
        Some(d) => PhysicalLocation {
            artifact_location: ArtifactLocation::in_repo(&d.path),
            region: Region {
                start_line: d.line.max(1),
            },
        },
        None => PhysicalLocation {
            artifact_location: ArtifactLocation::in_image(image_path),
            region: Region { start_line: 1 },
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

pub(crate) fn render(input: &VulnReportInput<'_>) -> String {
    let matches = input.sorted_matches();

    let mut by_id: BTreeMap<&str, Vec<&VulnMatch>> = BTreeMap::new();
    for m in matches
        .iter()
        .copied()
        .chain(input.waived.iter().map(|w| &w.vuln))
    {
        by_id.entry(m.id.as_str()).or_default().push(m);
    }
    let index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut rules: Vec<Rule> = by_id.iter().map(|(id, ms)| rule(id, ms)).collect();
    let rule_of = |m: &VulnMatch| index.get(m.id.as_str()).copied().unwrap_or(0);
    let mut results: Vec<SarifResult> = matches
        .iter()
        .map(|m| result(input, m, rule_of(m)))
        .collect();
    for w in input.waived {
        let mut r = result(input, &w.vuln, rule_of(&w.vuln));
        r.suppressions.push(suppression(&w.waived));
        results.push(r);
    }
    let mut finding_index: BTreeMap<&str, usize> = BTreeMap::new();
    for f in input.findings {
        let i = *finding_index.entry(&f.rule_id).or_insert_with(|| {
            rules.push(finding_rule(f));
            rules.len() - 1
        });
        let mut r = finding_result(input, f, i);
        r.suppressions
            .extend(f.suppressed.as_ref().map(suppression));
        results.push(r);
    }

    let image = input.image;
    let log = Log::one_run(Run {
        tool: Tool {
            driver: Driver {
                name: "seaworthy",
                version: input.tool_version,
                semantic_version: input.tool_version,
                information_uri: env!("CARGO_PKG_REPOSITORY"),
                rules,
            },
        },
        invocations: vec![Invocation {
            execution_successful: input.inventory.errors.is_empty(),
            tool_execution_notifications: notifications(input),
            properties: InvocationProperties {
                fail_on: input.fail_on,
                passed: input.passed(),
                ignored_unfixed: input.ignored_unfixed,
            },
        }],
        results,
        properties: RunProperties {
            image: &image.reference,
            manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
            config_digest: image.config_digest.as_ref().map(ToString::to_string),
            database_built: &input.db.built,
            database_sources: &input.db.sources,
        },
    });
    crate::json_pretty(&log)
}

/// One rule for every match of an advisory id: the worst severity, the best CVSS score, the
/// first title and reference any match has.
fn rule(id: &str, matches: &[&VulnMatch]) -> Rule {
    let severity = matches
        .iter()
        .map(|m| m.severity)
        .max()
        .unwrap_or(Severity::Info);
    let best_score = matches
        .iter()
        .flat_map(|m| &m.cvss)
        .map(|c| c.score)
        .filter(|s| s.is_finite())
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });
    let title = matches.iter().find_map(|m| m.title.clone());
    let mut aliases: Vec<String> = matches.iter().flat_map(|m| m.aliases.clone()).collect();
    aliases.sort();
    aliases.dedup();
    let mut references: Vec<String> = Vec::new();
    for m in matches {
        for r in &m.references {
            if !references.contains(r) {
                references.push(r.clone());
            }
        }
    }
    let help_uri = references.iter().find(|r| is_web_url(r)).cloned();

    let (text, markdown) = help(id, title.as_deref(), severity, &aliases, &references);
    let mut tags = vec![
        "security".to_string(),
        "vulnerability".to_string(),
        severity.as_str().to_string(),
    ];
    tags.sort();
    Rule {
        id: id.to_string(),
        short_description: Text {
            text: title.unwrap_or_else(|| id.to_string()),
        },
        help_uri,
        help: Help { text, markdown },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: best_score.map(|s| format!("{:.1}", s.clamp(0.0, 10.0))),
            severity,
            aliases,
        },
    }
}

/// The rule's help: title, severity, aliases and references, as text and as markdown.
fn help(
    id: &str,
    title: Option<&str>,
    severity: Severity,
    aliases: &[String],
    references: &[String],
) -> (String, String) {
    let mut text = format!("{id}: {}\nSeverity: {severity}", title.unwrap_or(id));
    let mut markdown = format!("**{id}**: {}\n\nSeverity: {severity}", title.unwrap_or(id));
    if !aliases.is_empty() {
        text.push_str(&format!("\nAliases: {}", aliases.join(", ")));
        markdown.push_str(&format!("\n\nAliases: {}", aliases.join(", ")));
    }
    if !references.is_empty() {
        text.push_str("\nReferences:");
        markdown.push_str("\n\nReferences:\n");
        for r in references {
            text.push_str(&format!("\n  {r}"));
            if is_web_url(r) {
                markdown.push_str(&format!("\n- <{r}>"));
            } else {
                markdown.push_str(&format!("\n- {r}"));
            }
        }
    }
    (text, markdown)
}

/// An `http(s)` URL made of printable ASCII that a URI may hold as is (what the schema's `uri`
/// format and code scanning accept); anything else is left out of `helpUri` and not linked.
fn is_web_url(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && s.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
}

fn result(input: &VulnReportInput<'_>, m: &VulnMatch, rule_index: usize) -> SarifResult {
    let p = &m.package;
    let path = p.path.trim_start_matches('/');
    let at = match &p.layer {
        Some(l) => format!("{}/layer/{}/{path}", input.image.reference, l.index),
        None => format!("{}/{path}", input.image.reference),
    };
    let fix = match &m.fixed_version {
        Some(v) => format!("fixed in {v}"),
        None if m.status == MatchStatus::Unfixed => "no fix yet".to_string(),
        None => format!("no fixed version ({})", m.status.as_str()),
    };
    let message = format!(
        "Package {} {} ({}) is affected by {}; {fix}.",
        p.name, p.version, p.ecosystem, m.id
    );
    let fingerprint = format!("{:016x}", fnv1a64(&[&m.id, &p.name, &p.version, &p.path]));
    SarifResult {
        rule_id: m.id.clone(),
        rule_index,
        level: level(m.severity),
        message: Text { text: message },
        locations: vec![SarifLocation {
            physical_location: physical(m.origin.as_ref(), path),
            logical_locations: vec![LogicalLocation {
                fully_qualified_name: at,
                kind: "module",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions: Vec::new(),
        properties: Properties::Vulnerability(ResultProperties {
            severity: m.severity,
            status: m.status,
            package: p.name.clone(),
            installed_version: p.version.clone(),
            fixed_version: m.fixed_version.clone(),
            purl: p.purl.clone(),
            layer: p.layer.as_ref().map(|l| l.index),
            layer_diff_id: p.layer.as_ref().map(|l| l.diff_id.clone()),
            severity_source: m.severity_source.clone(),
            kev: m.kev.clone(),
            epss: m.epss,
        }),
    }
}

/// One rule per image rule id that reported.
fn finding_rule(f: &Finding) -> Rule {
    let text = format!("{}: {}\nFix: {}", f.rule_id, f.title, f.remediation);
    let markdown = format!("**{}**: {}\n\nFix: {}", f.rule_id, f.title, f.remediation);
    Rule {
        id: f.rule_id.clone(),
        short_description: Text {
            text: f.title.clone(),
        },
        help_uri: None,
        help: Help { text, markdown },
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags: vec!["image".to_string(), "security".to_string()],
            security_severity: None,
            severity: f.severity,
            aliases: f.references.clone(),
        },
    }
}

fn finding_result(input: &VulnReportInput<'_>, f: &Finding, rule_index: usize) -> SarifResult {
    let path = match &f.location {
        Location::Image { path: Some(p), .. } => p.as_str(),
        _ => "",
    };
    let layer = f.origin.as_ref().and_then(|o| o.layer);
    let at = match layer {
        Some(l) => format!("{}/layer/{l}/{path}", input.image.reference),
        None => format!("{}/{path}", input.image.reference),
    };
    let what = f.evidence.as_deref().unwrap_or(&f.message);
    let fingerprint = format!("{:016x}", fnv1a64(&[&f.rule_id, path, what]));
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.clone(),
        },
        locations: vec![SarifLocation {
            physical_location: physical(
                f.origin.as_ref(),
                &if path.is_empty() {
                    crate::sarif::image_path(&input.image.reference)
                } else {
                    path.to_string()
                },
            ),
            logical_locations: vec![LogicalLocation {
                fully_qualified_name: at,
                kind: "module",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions: Vec::new(),
        properties: Properties::Finding(FindingProperties {
            severity: f.severity,
            evidence: f.evidence.clone(),
            layer,
            layer_diff_id: f.origin.as_ref().and_then(|o| o.layer_digest.clone()),
            fix: f.origin.as_ref().and_then(|o| o.fix.clone()),
        }),
    }
}

/// A path in the image as a relative URI reference (`:` encoded so that the first segment is
/// never read as a scheme).
fn encode_path(p: &str) -> String {
    encode_uri_path(p, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(encode_path("var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(encode_path("usr/local/go/bin/go"), "usr/local/go/bin/go");
        assert_eq!(encode_path("app/a b:c#%.jar"), "app/a%20b%3Ac%23%25.jar");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url(
            "https://security-tracker.debian.org/tracker/CVE-2024-5535"
        ));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://a b"));
        assert!(!is_web_url("ftp://example.com/x"));
        assert!(!is_web_url("https://example.com/ä"));
        assert!(!is_web_url("https://example.com/{x}"));
    }
}

//! SARIF 2.1.0 (OASIS), shaped for GitHub code scanning: one run, every known rule in
//! `tool.driver.rules` with a `security-severity`, one result per finding (suppressed ones carry
//! `suppressions`), input errors as tool execution notifications.
//!
//! Own serde structs rather than a SARIF crate: we emit a small, stable subset, and the tests
//! validate it against the vendored official schema.

use std::collections::BTreeMap;

use seaworthy_core::{Finding, InputError, Location, Report, RuleMeta, Severity, Span};
use serde::Serialize;

use crate::RenderOptions;
use crate::text::{fnv1a64, rule_docs, rule_refs, rule_summary};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// Key of our entry in `partialFingerprints`; bump the suffix if the hashed fields change.
const FINGERPRINT_KEY: &str = "seaworthy/v1";

/// The SARIF 2.1.0 envelope around one run, shared by every SARIF report seaworthy writes.
#[derive(Serialize)]
pub(crate) struct Log<R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<R>,
}

impl<R> Log<R> {
    pub(crate) fn one_run(run: R) -> Self {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: vec![run],
        }
    }

    /// A log of several runs (the assessment: one run per area).
    pub(crate) fn runs(runs: Vec<R>) -> Self {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    /// Our columns count Unicode scalar values, not the SARIF default of UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

/// SARIF `message`/`multiformatMessageString` with text only.
#[derive(Serialize)]
pub(crate) struct Text {
    pub(crate) text: String,
}

#[derive(Serialize)]
pub(crate) struct Help {
    pub(crate) text: String,
    pub(crate) markdown: String,
}

#[derive(Serialize)]
pub(crate) struct Configuration {
    pub(crate) level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    /// GitHub code scanning reads this as a CVSS-like score (a number in a string).
    #[serde(rename = "security-severity")]
    security_severity: String,
    severity: Severity,
    area: &'static str,
    group: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    properties: InvocationProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvocationProperties {
    fail_on: Severity,
    passed: bool,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct ResultProperties {
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
}

#[derive(Serialize)]
struct SarifSuppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

/// A host setting or container field: no file to point at (SARIF 2.1.0 §3.33).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

impl LogicalLocation {
    pub(crate) fn new(name: String, fully_qualified_name: String, kind: &'static str) -> Self {
        LogicalLocation {
            name,
            fully_qualified_name,
            kind,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub(crate) artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactLocation {
    pub(crate) uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

/// SARIF `level` of a severity.
pub(crate) fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The score GitHub code scanning maps back to critical (≥ 9), high (≥ 7), medium (≥ 4), low.
pub(crate) fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

pub(crate) fn render(report: &Report, opts: &RenderOptions<'_>) -> String {
    let metas = opts.sorted_rules();
    let index: BTreeMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let rules = metas.iter().map(|m| rule(m)).collect();

    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let key = fingerprint(f);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            result(
                f,
                index.get(f.rule_id.as_str()).copied(),
                format!("{key}:{n}"),
            )
        })
        .collect();

    let log = Log::one_run(Run {
        tool: Tool {
            driver: Driver {
                name: &report.tool,
                version: &report.version,
                semantic_version: &report.version,
                information_uri: env!("CARGO_PKG_REPOSITORY"),
                rules,
            },
        },
        invocations: vec![Invocation {
            execution_successful: report.errors.is_empty(),
            tool_execution_notifications: report.errors.iter().map(notification).collect(),
            properties: InvocationProperties {
                fail_on: report.fail_on,
                passed: report.passed,
            },
        }],
        column_kind: "unicodeCodePoints",
        results,
    });
    // Plain structs with string keys: serialization cannot fail.
    let mut out = crate::json_pretty(&log);
    out.push('\n');
    out
}

pub(crate) fn rule(m: &RuleMeta) -> Rule {
    let docs = rule_docs(m);
    let mut tags = vec![
        "security".to_string(),
        m.area.as_str().to_string(),
        m.group.to_string(),
    ];
    tags.sort();
    tags.dedup();
    Rule {
        id: m.id,
        name: m.name,
        short_description: Text {
            text: m.title.to_string(),
        },
        full_description: Text {
            text: rule_summary(m),
        },
        help: Help {
            text: format!("{}\n\nRemediation: {}", docs, m.remediation),
            markdown: format!("{}\n\n**Remediation:** {}", docs, m.remediation),
        },
        default_configuration: Configuration {
            level: level(m.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(m.severity).to_string(),
            severity: m.severity,
            area: m.area.as_str(),
            group: m.group,
            references: rule_refs(m),
        },
    }
}

/// A hash of what the finding is about, not where: rule, file and the evidence (or, without
/// evidence, the message). Line moves keep it; occurrences of the same text in one file get a
/// `:n` ordinal, counted in line order.
fn fingerprint(f: &Finding) -> String {
    let what = f.evidence.as_deref().unwrap_or(&f.message);
    let path = f.location.path().replace('\\', "/");
    format!("{:016x}", fnv1a64(&[&f.rule_id, &path, what]))
}

fn result(f: &Finding, rule_index: Option<usize>, fingerprint: String) -> SarifResult {
    let suppressions = f
        .suppressed
        .iter()
        .map(|s| {
            let (kind, by) = match s.kind.as_str() {
                "inline" => ("inSource", "an inline pragma"),
                "global" => ("inSource", "a file-wide pragma"),
                "hadolint-pragma" => ("inSource", "a hadolint ignore pragma"),
                "config" => ("external", "the configuration"),
                other => ("external", other),
            };
            let mut justification = match &s.source {
                Some(src) => format!("suppressed by {by} ({src})"),
                None => format!("suppressed by {by}"),
            };
            if let Some(reason) = &s.reason {
                justification = format!("{justification}: {reason}");
            }
            SarifSuppression {
                kind,
                justification,
            }
        })
        .collect();
    SarifResult {
        rule_id: f.rule_id.clone(),
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.clone(),
        },
        locations: vec![location(f)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        suppressions,
        properties: ResultProperties {
            severity: f.severity,
            evidence: f.evidence.clone(),
            references: f.references.clone(),
        },
    }
}

/// A file region; an image finding points at its Dockerfile line when that is known, else at
/// the file in the image (or the image itself).
fn location(f: &Finding) -> SarifLocation {
    if let Some(logical) = logical_location(&f.location) {
        return SarifLocation {
            physical_location: None,
            logical_locations: vec![logical],
        };
    }
    let dockerfile = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref());
    let (artifact_location, region) = match (&f.location, dockerfile) {
        (Location::File { path, span }, _) => (artifact(path), region(span)),
        (Location::Image { .. }, Some(d)) => (
            artifact(&d.path),
            Some(Region {
                start_line: d.line,
                start_column: None,
                end_line: None,
                end_column: None,
            }),
        ),
        (Location::Image { path: Some(p), .. }, None) => (artifact(p), None),
        (Location::Image { image, path: None }, None) => (artifact(image), None),
        (
            Location::Host { host, .. }
            | Location::Container {
                container: host, ..
            },
            _,
        ) => (artifact(host), None),
    };
    SarifLocation {
        physical_location: Some(PhysicalLocation {
            artifact_location,
            region,
        }),
        logical_locations: Vec::new(),
    }
}

/// Host and container findings have no file: `host/object` or `container/field`.
pub(crate) fn logical_location(location: &Location) -> Option<LogicalLocation> {
    let (scope, name, kind) = match location {
        Location::Host { host, object } => (host, object.clone(), "resource"),
        Location::Container {
            container, field, ..
        } => (
            container,
            field.clone().unwrap_or_else(|| container.clone()),
            "object",
        ),
        Location::File { .. } | Location::Image { .. } => return None,
    };
    Some(LogicalLocation {
        fully_qualified_name: format!("{scope}/{name}"),
        name,
        kind,
    })
}

impl Region {
    /// A whole line (an image item's Dockerfile instruction).
    pub(crate) fn line(start_line: u32) -> Self {
        Region {
            start_line,
            start_column: None,
            end_line: None,
            end_column: None,
        }
    }
}

pub(crate) fn region(span: &Span) -> Option<Region> {
    let (s, e) = (span.start, span.end);
    if s.line == 0 {
        return None;
    }
    let start_column = s.column.max(1);
    let (end_line, end_column) = if (e.line, e.column) >= (s.line, start_column) {
        (e.line, e.column.max(1))
    } else {
        (s.line, start_column)
    };
    Some(Region {
        start_line: s.line,
        start_column: Some(start_column),
        end_line: Some(end_line),
        end_column: Some(end_column),
    })
}

fn notification(e: &InputError) -> Notification {
    let region = e.line.filter(|&l| l > 0).map(|line| Region {
        start_line: line,
        start_column: e.column.filter(|&c| c > 0),
        end_line: None,
        end_column: None,
    });
    Notification {
        level: "error",
        message: Text {
            text: e.message.clone(),
        },
        locations: vec![SarifLocation {
            physical_location: Some(PhysicalLocation {
                artifact_location: artifact(&e.path),
                region,
            }),
            logical_locations: Vec::new(),
        }],
    }
}

/// A relative path becomes a relative URI under `%SRCROOT%`; an absolute one a `file:` URI.
pub(crate) fn artifact(path: &str) -> ArtifactLocation {
    let p = path.replace('\\', "/");
    let is_windows_abs = p.len() >= 3
        && p.as_bytes()[0].is_ascii_alphabetic()
        && p.as_bytes()[1] == b':'
        && p.as_bytes()[2] == b'/';
    if p.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode_path(&p, false)),
            uri_base_id: None,
        }
    } else if is_windows_abs {
        ArtifactLocation {
            uri: format!("file:///{}", encode_path(&p, false)),
            uri_base_id: None,
        }
    } else {
        let mut rel = p.as_str();
        while let Some(rest) = rel.strip_prefix("./") {
            rel = rest;
        }
        ArtifactLocation {
            uri: encode_path(rel, true),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// Percent-encodes what may not appear in a URI path. In a relative reference `:` is encoded
/// too, so that `a:b/Dockerfile` is not read as a scheme.
pub(crate) fn encode_path(p: &str, relative: bool) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            )
            || (b == b':' && !relative);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic
mod tests {
    use super::*;

    #[test]
    fn host_and_container_findings_have_logical_locations() {
        let host = Location::Host {
            host: "localhost".into(),
            object: "daemon:icc".into(),
        };
        let l = logical_location(&host).expect("a host location is logical");
        assert_eq!(l.fully_qualified_name, "localhost/daemon:icc");
        let ctr = Location::Container {
            container: "web".into(),
            image: Some("nginx:1".into()),
            field: Some("HostConfig.Privileged".into()),
        };
        let l = logical_location(&ctr).expect("a container location is logical");
        assert_eq!(l.fully_qualified_name, "web/HostConfig.Privileged");
        let file = Location::File {
            path: "Dockerfile".into(),
            span: Span::default(),
        };
        assert!(logical_location(&file).is_none());
    }

    #[test]
    fn artifact_uris() {
        let a = artifact("services/api v2/Dockerfile");
        assert_eq!(a.uri, "services/api%20v2/Dockerfile");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        assert_eq!(artifact("./Dockerfile").uri, "Dockerfile");
        assert_eq!(artifact(r"docker\Dockerfile").uri, "docker/Dockerfile");
        assert_eq!(artifact("a:b/Dockerfile").uri, "a%3Ab/Dockerfile");
        assert_eq!(artifact("<stdin>").uri, "%3Cstdin%3E");
        let abs = artifact("/src/app/Dockerfile");
        assert_eq!(abs.uri, "file:///src/app/Dockerfile");
        assert_eq!(abs.uri_base_id, None);
        assert_eq!(
            artifact(r"C:\src\Dockerfile").uri,
            "file:///C:/src/Dockerfile"
        );
        assert_eq!(artifact("é/#1").uri, "%C3%A9/%231");
    }

    #[test]
    fn levels_and_scores() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Info), "note");
        for s in Severity::ALL {
            let score: f64 = security_severity(s).parse().unwrap_or(-1.0);
            assert!((0.0..=10.0).contains(&score));
        }
    }
}

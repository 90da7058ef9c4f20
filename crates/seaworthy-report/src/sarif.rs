//! SARIF 2.1.0 (OASIS), shaped for GitHub code scanning: one run, every known rule in
//! `tool.driver.rules` with a `security-severity`, one result per finding (suppressed ones carry
//! `suppressions`), input errors as tool execution notifications.
//!
//! Own serde structs rather than a SARIF crate: we emit a small, stable subset, and the tests
//! validate it against the vendored official schema.

use std::borrow::Cow;
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
    id: Cow<'static, str>,
    name: Cow<'static, str>,
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
    #[serde(skip_serializing_if = "str::is_empty")]
    area: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
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
        Severity::Low | Severity::Info | Severity::Unknown => "note",
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
        // No rating: GitHub shows no severity for 0.0.
        Severity::Unknown => "0.0",
    }
}

pub(crate) fn render(report: &Report, opts: &RenderOptions<'_>) -> String {
    let metas = opts.sorted_rules();
    let mut rules: Vec<Rule> = metas.iter().map(|m| rule(m)).collect();
    // A finding of a rule no registry knows (a ShellCheck code, a newer area) gets a rule of
    // its own from the finding, so every result has help (GitHub code scanning shows it).
    for f in &report.findings {
        if !rules.iter().any(|r| r.id == f.rule_id) {
            rules.push(finding_rule(f));
        }
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let index: BTreeMap<String, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.to_string(), i))
        .collect();

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
        id: Cow::Borrowed(m.id),
        name: Cow::Borrowed(m.name),
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

/// The rule of a finding whose id no registry knows, from the finding itself.
fn finding_rule(f: &Finding) -> Rule {
    Rule {
        id: Cow::Owned(f.rule_id.clone()),
        name: Cow::Owned(f.rule_id.clone()),
        short_description: Text {
            text: f.title.clone(),
        },
        full_description: Text {
            text: f.title.clone(),
        },
        help: Help {
            text: format!("{}\n\nRemediation: {}", f.title, f.remediation),
            markdown: format!("{}\n\n**Remediation:** {}", f.title, f.remediation),
        },
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags: vec!["security".to_string()],
            security_severity: security_severity(f.severity).to_string(),
            severity: f.severity,
            area: "",
            group: "",
            references: f.references.clone(),
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
/// the file in the image (or the image itself); host and container findings keep their logical
/// location and get a [`stand_in`] physical one, as GitHub code scanning requires one.
fn location(f: &Finding) -> SarifLocation {
    let dockerfile = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref());
    let physical = match (&f.location, dockerfile) {
        (Location::File { path, span }, _) => PhysicalLocation {
            artifact_location: artifact(path),
            region: region(span),
        },
        (Location::Image { .. }, Some(d)) => PhysicalLocation {
            artifact_location: artifact(&d.path),
            region: Some(Region::line(d.line.max(1))),
        },
        (other, None) | (other @ (Location::Host { .. } | Location::Container { .. }), _) => {
            stand_in(other)
        }
    };
    SarifLocation {
        physical_location: Some(physical),
        logical_locations: logical_location(&f.location).into_iter().collect(),
    }
}

/// A repository-relative stand-in for what has no file in the repository, at line 1 (GitHub
/// code scanning rejects results without a physical location): the file in the image
/// (`var/lib/dpkg/status`) or the image's name (`docker.io/library/nginx`); a host file
/// (`etc/docker/daemon.json`) or setting (`docker/daemon/icc`); a container
/// (`containers/web`). The logical location keeps the exact place.
pub(crate) fn stand_in(location: &Location) -> PhysicalLocation {
    let path = match location {
        Location::File { path, .. } => {
            return PhysicalLocation {
                artifact_location: artifact(path),
                region: Some(Region::line(1)),
            };
        }
        Location::Image {
            path: Some(path), ..
        } => path.trim_start_matches('/').to_string(),
        Location::Image { image, path: None } => image_path(image),
        Location::Host { object, .. } => match object.strip_prefix('/') {
            Some(file) => file.to_string(),
            None => format!("docker/{}", object.replace(':', "/")),
        },
        Location::Container { container, .. } => format!("containers/{container}"),
    };
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: encode_path(&relative_segments(&path), true),
            uri_base_id: Some(SRCROOT),
        },
        region: Some(Region::line(1)),
    }
}

/// An image reference as a relative path: the source prefix (`docker:`, `oci-dir:`…), the tag
/// and the digest dropped (`reg.example:5000/team/app`, `tmp/build/app.tar`). An archive's `.tar`
/// stays: it is a file name.
pub(crate) fn image_path(image: &str) -> String {
    const SOURCES: [&str; 5] = [
        "docker-archive:",
        "oci-dir:",
        "oci-archive:",
        "docker:",
        "registry:",
    ];
    let without_source = SOURCES
        .iter()
        .find_map(|p| image.strip_prefix(p))
        .unwrap_or(image);
    let without_digest = without_source.split('@').next().unwrap_or(without_source);
    // A tag follows the last `:` after the last `/` (a registry port comes before a `/`).
    let name = match without_digest.rfind(':') {
        Some(i) if !without_digest[i..].contains('/') => &without_digest[..i],
        _ => without_digest,
    };
    if name.is_empty() {
        "image".to_string()
    } else {
        name.to_string()
    }
}

/// `path` without empty, `.` and `..` segments (no stand-in climbs out of the repository).
pub(crate) fn relative_segments(path: &str) -> String {
    let kept: Vec<&str> = path
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    if kept.is_empty() {
        "unknown".to_string()
    } else {
        kept.join("/")
    }
}

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
    fn stand_ins_are_repository_relative() {
        let uri = |l: Location| stand_in(&l).artifact_location.uri;
        let image = |image: &str, path: Option<&str>| Location::Image {
            image: image.into(),
            path: path.map(str::to_string),
        };
        assert_eq!(uri(image("docker:app:1.2", None)), "app");
        assert_eq!(
            uri(image("reg.example:5000/team/app@sha256:ab", None)),
            "reg.example%3A5000/team/app"
        );
        assert_eq!(uri(image("oci-dir:/tmp/x/oci", None)), "tmp/x/oci");
        assert_eq!(uri(image("nginx:latest", None)), "nginx");
        assert_eq!(
            uri(image("localhost:5000/app:1", None)),
            "localhost%3A5000/app"
        );
        assert_eq!(
            uri(image("nginx", Some("/var/lib/dpkg/status"))),
            "var/lib/dpkg/status"
        );
        assert_eq!(uri(image("x", Some("../../etc/shadow"))), "etc/shadow");
        let host = |object: &str| Location::Host {
            host: "localhost".into(),
            object: object.into(),
        };
        assert_eq!(
            uri(host("/etc/docker/daemon.json")),
            "etc/docker/daemon.json"
        );
        assert_eq!(uri(host("daemon:icc")), "docker/daemon/icc");
        let ctr = Location::Container {
            container: "web".into(),
            image: None,
            field: Some("HostConfig.Privileged".into()),
        };
        assert_eq!(uri(ctr), "containers/web");
        assert_eq!(stand_in(&host("")).artifact_location.uri, "docker");
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

//! The assessment as one SARIF 2.1.0 log with a run per area, each told apart by
//! `automationDetails.id` (`seaworthy/<area>/`), so GitHub code scanning keeps the areas as
//! separate analyses.
//!
//! Locations: every result has a repository-relative physical location (see [`location`]);
//! image, host and container items also name their exact place in a logical location.
//! Waived items carry a `suppressions` entry; with a baseline every result has a `baselineState`.
//! Expired and unused waivers are configuration notifications of the first run.

use std::collections::BTreeMap;

use seaworthy_core::{Location, Severity};
use serde::Serialize;

use super::{AreaKind, AreaReport, AreaStatus, Assessment, Change, Item, Mode, ResolvedItem};
use super::{SourceLine, Totals, WaiverNote};
use crate::sarif::{
    Configuration, Help, Log, LogicalLocation, PhysicalLocation, Region, Text, artifact, level,
    logical_location, region, security_severity, stand_in,
};

/// Key of the item fingerprint in `partialFingerprints` (the same string `--baseline` compares).
const FINGERPRINT_KEY: &str = "seaworthy/assess/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: Vec<Invocation<'a>>,
    /// Our columns count Unicode scalar values, not the SARIF default of UTF-16 code units.
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
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
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    /// GitHub code scanning reads this as a CVSS-like score (a number in a string).
    #[serde(rename = "security-severity")]
    security_severity: String,
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
    properties: InvocationProperties<'a>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InvocationProperties<'a> {
    mode: Mode,
    fail_on: Severity,
    /// What an unrated vulnerability counts as at the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown_severity: Option<Severity>,
    /// A vulnerability in CISA KEV gates whatever its severity.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fail_on_kev: bool,
    /// A vulnerability whose EPSS score is at least this gates.
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on_epss: Option<f64>,
    status: AreaStatus,
    /// The whole run's verdict (every area).
    passed: bool,
    duration_ms: u64,
    targets: &'a [String],
    summary: &'a Totals,
    /// Host checks by verdict, when the area has checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    checks: Option<CheckCounts>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CheckCounts {
    pass: usize,
    warn: usize,
    info: usize,
    not_applicable: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    area: AreaKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a str>,
    /// Baseline items of this area no longer found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resolved: Vec<&'a ResolvedItem>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: Severity,
    gating: bool,
    /// Why a vulnerability gates whatever its severity: `kev` or `epss`.
    #[serde(skip_serializing_if = "Option::is_none")]
    gating_reason: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    from_base: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    references: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vulnerability: Option<&'a super::VulnDetail>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

pub fn render_sarif(a: &Assessment) -> String {
    let runs = a
        .areas
        .iter()
        .enumerate()
        .map(|(n, area)| run(a, area, n == 0))
        .collect();
    // Plain structs with string keys: serialization cannot fail.
    let mut out = crate::json_pretty(&Log::runs(runs));
    out.push('\n');
    out
}

fn run<'a>(a: &'a Assessment, area: &'a AreaReport, first: bool) -> Run<'a> {
    // One rule per id, from its items (sorted worst first, so the first item names the rule).
    let mut by_id: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for i in &area.items {
        by_id.entry(&i.finding.rule_id).or_default().push(i);
    }
    let index: BTreeMap<&str, usize> = by_id.keys().enumerate().map(|(n, id)| (*id, n)).collect();
    let rules = by_id
        .iter()
        .map(|(id, items)| rule(area.area, id, items))
        .collect();
    let results = area
        .items
        .iter()
        .map(|i| {
            result(
                i,
                area,
                index.get(i.finding.rule_id.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let [pass, warn, info, not_applicable] = area.check_counts();
    let configuration = if first {
        let expired = a.waivers.expired.iter().map(|w| waiver_note(w, true));
        let unused = a.waivers.unused.iter().map(|w| waiver_note(w, false));
        expired.chain(unused).collect()
    } else {
        Vec::new()
    };
    Run {
        tool: Tool {
            driver: Driver {
                name: &a.tool,
                version: &a.version,
                semantic_version: &a.version,
                information_uri: env!("CARGO_PKG_REPOSITORY"),
                rules,
            },
        },
        automation_details: AutomationDetails {
            id: format!("seaworthy/{}/", area.area.as_str()),
        },
        invocations: vec![Invocation {
            execution_successful: area.errors.is_empty(),
            tool_execution_notifications: area
                .errors
                .iter()
                .map(|e| Notification {
                    level: "error",
                    message: Text { text: e.display() },
                })
                .collect(),
            tool_configuration_notifications: configuration,
            properties: InvocationProperties {
                mode: area.mode,
                fail_on: area.fail_on,
                unknown_severity: area.unknown_severity,
                fail_on_kev: area.fail_on_kev,
                fail_on_epss: area.fail_on_epss,
                status: area.status,
                passed: a.passed,
                duration_ms: area.duration_ms,
                targets: &area.targets,
                summary: &area.summary,
                checks: (!area.checks.is_empty()).then_some(CheckCounts {
                    pass,
                    warn,
                    info,
                    not_applicable,
                }),
                notes: &area.notes,
            },
        }],
        column_kind: "unicodeCodePoints",
        results,
        properties: RunProperties {
            area: area.area,
            baseline: a.baseline.as_ref().map(|b| b.path.as_str()),
            resolved: a
                .baseline
                .iter()
                .flat_map(|b| &b.resolved)
                .filter(|r| r.area == Some(area.area))
                .collect(),
        },
    }
}

/// An expired waiver fails the run (error); an unused one is stale configuration (note).
fn waiver_note(w: &WaiverNote, expired: bool) -> Notification {
    let mut text = if expired {
        format!("waiver for {} ({}) has expired", w.id, w.source)
    } else {
        format!("waiver for {} ({}) matched nothing", w.id, w.source)
    };
    if let Some(e) = &w.expires {
        text.push_str(&format!(" [expires {e}]"));
    }
    if !w.reason.is_empty() {
        text.push_str(&format!(": {}", w.reason));
    }
    Notification {
        level: if expired { "error" } else { "note" },
        message: Text { text },
    }
}

fn rule<'a>(area: AreaKind, id: &'a str, items: &[&'a Item]) -> Rule<'a> {
    let severity = items
        .iter()
        .map(|i| i.finding.severity)
        .max()
        .unwrap_or(Severity::Info);
    let first = items.first().map(|i| &i.finding);
    let title = first.map_or(id, |f| f.title.as_str());
    let remediation = first.map_or("", |f| f.remediation.as_str());
    let cvss = items
        .iter()
        .filter_map(|i| i.vulnerability.as_ref()?.cvss)
        .filter(|s| s.is_finite())
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });
    let score = cvss.map_or_else(
        || security_severity(severity).to_string(),
        |s| format!("{:.1}", s.clamp(0.0, 10.0)),
    );
    let vulnerability = items
        .iter()
        .any(|i| i.kind == super::ItemKind::Vulnerability);
    let mut tags = vec![
        "security".to_string(),
        area.as_str().to_string(),
        severity.as_str().to_string(),
    ];
    if vulnerability {
        tags.push("vulnerability".to_string());
    }
    // In CISA's Known Exploited Vulnerabilities catalogue: a filter for code-scanning views.
    if items
        .iter()
        .any(|i| i.vulnerability.as_ref().is_some_and(|v| v.kev.is_some()))
    {
        tags.push("kev".to_string());
    }
    tags.sort();
    Rule {
        id,
        short_description: Text {
            text: title.to_string(),
        },
        help: Help {
            text: format!("{title}\n\nRemediation: {remediation}"),
            markdown: format!("**{title}**\n\n**Remediation:** {remediation}"),
        },
        default_configuration: Configuration {
            level: level(severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: score,
            severity,
        },
    }
}

fn result<'a>(i: &'a Item, area: &AreaReport, rule_index: usize) -> SarifResult<'a> {
    let f = &i.finding;
    let suppressions = f
        .suppressed
        .iter()
        .map(|s| {
            let kind = match s.kind.as_str() {
                "inline" | "global" | "hadolint-pragma" => "inSource",
                _ => "external",
            };
            let mut justification = s.reason.clone().unwrap_or_else(|| s.kind.clone());
            if let Some(source) = &s.source {
                justification = format!("{justification} ({source})");
            }
            Suppression {
                kind,
                justification,
            }
        })
        .collect();
    SarifResult {
        rule_id: &f.rule_id,
        rule_index,
        level: level(f.severity),
        message: Text {
            text: f.message.clone(),
        },
        locations: vec![location(i, area)],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, i.fingerprint.as_str())]),
        suppressions,
        baseline_state: i.change.map(|c| match c {
            Change::New => "new",
            Change::Unchanged => "unchanged",
        }),
        properties: ResultProperties {
            severity: f.severity,
            gating: i.gating,
            gating_reason: area.exploit_reason(i).filter(|_| i.gating),
            from_base: i.from_base,
            evidence: f.evidence.as_deref(),
            references: &f.references,
            fix: f.origin.as_ref().and_then(|o| o.fix.as_deref()),
            vulnerability: i.vulnerability.as_ref(),
        },
    }
}

/// Every result has a repository-relative physical location, as GitHub code scanning requires:
/// a file item its region; an image item the Dockerfile line that brought it in, else the
/// image's Dockerfile, else the configuration line naming the image; a host or running-container
/// item the configuration line that enabled its area; else a [`stand_in`]. Image, host and
/// container items also keep their exact place as a logical location.
fn location(i: &Item, area: &AreaReport) -> SarifLocation {
    let f = &i.finding;
    let declared = |d: &SourceLine| PhysicalLocation {
        artifact_location: artifact(&d.path),
        region: Some(Region::line(d.line.unwrap_or(1).max(1))),
    };
    match &f.location {
        Location::File { path, span } => SarifLocation {
            physical_location: Some(PhysicalLocation {
                artifact_location: artifact(path),
                region: region(span),
            }),
            logical_locations: Vec::new(),
        },
        Location::Image { image, path } => {
            let dockerfile = f.origin.as_ref().and_then(|o| o.dockerfile.as_ref());
            let layer = f.origin.as_ref().and_then(|o| o.layer);
            let name = path.clone().unwrap_or_else(|| image.clone());
            let fully_qualified_name = match (layer, path) {
                (Some(l), Some(p)) => format!("{image}/layer/{l}/{p}"),
                (None, Some(p)) => format!("{image}/{p}"),
                (_, None) => image.clone(),
            };
            let physical = match dockerfile {
                Some(d) => PhysicalLocation {
                    artifact_location: artifact(&d.path),
                    region: Some(Region::line(d.line.max(1))),
                },
                None => area
                    .target_declared_at
                    .get(image)
                    .or(area.declared_at.as_ref())
                    .map_or_else(|| stand_in(&f.location), declared),
            };
            SarifLocation {
                physical_location: Some(physical),
                logical_locations: vec![LogicalLocation::new(name, fully_qualified_name, "module")],
            }
        }
        other => SarifLocation {
            physical_location: Some(
                area.declared_at
                    .as_ref()
                    .map_or_else(|| stand_in(other), declared),
            ),
            logical_locations: logical_location(other).into_iter().collect(),
        },
    }
}

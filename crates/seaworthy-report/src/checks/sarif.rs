//! SARIF 2.1.0 for checks: one run, the rules of every reported check in `tool.driver.rules`
//! (with their CIS cross-references), one result per warning at a logical location (a host
//! setting or file, a container field) plus a repository-relative stand-in physical location,
//! which GitHub code scanning requires. Passes, infos and not-applicable checks are counted in
//! the invocation's properties, not reported as results.

use std::collections::{BTreeMap, BTreeSet};

use seaworthy_core::{CheckResult, Evidence, Level, Severity, Status};
use serde::Serialize;

use super::{CheckReport, Summary};
use crate::sarif::{
    Log, LogicalLocation, PhysicalLocation, Rule, Text, level, logical_location, rule, stand_in,
};
use crate::text::fnv1a64;

const FINGERPRINT_KEY: &str = "seaworthy-check/v1";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation<'a>>,
    results: Vec<SarifResult<'a>>,
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
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
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
    area: &'static str,
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on: Option<Severity>,
    passed: bool,
    summary: Summary,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    /// A stand-in (`etc/docker/daemon.json`, `docker/daemon/icc`): code scanning needs one.
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    severity: Severity,
    cis_id: &'a str,
    cis_level: Level,
    #[serde(skip_serializing_if = "<[Evidence]>::is_empty")]
    evidence: &'a [Evidence],
    remediation: &'a str,
}

pub(crate) fn render(report: &CheckReport<'_>) -> String {
    let reported: BTreeSet<&str> = report.results.iter().map(|r| r.rule_id.as_str()).collect();
    let mut metas: Vec<_> = report
        .rules
        .iter()
        .copied()
        .filter(|m| reported.contains(m.id))
        .collect();
    metas.sort_by_key(|m| m.id);
    metas.dedup_by_key(|m| m.id);
    let index: BTreeMap<&str, usize> = metas.iter().enumerate().map(|(i, m)| (m.id, i)).collect();

    let results = report
        .sorted()
        .into_iter()
        .filter(|r| r.status == Status::Warn)
        .map(|r| result(r, index.get(r.rule_id.as_str()).copied()))
        .collect();
    let log = Log::one_run(Run {
        tool: Tool {
            driver: Driver {
                name: "seaworthy",
                version: report.tool_version,
                semantic_version: report.tool_version,
                information_uri: env!("CARGO_PKG_REPOSITORY"),
                rules: metas.iter().map(|m| rule(m)).collect(),
            },
        },
        invocations: vec![Invocation {
            execution_successful: true,
            tool_execution_notifications: report
                .notes
                .iter()
                .map(|n| Notification {
                    level: "note",
                    message: Text { text: n.clone() },
                })
                .collect(),
            properties: InvocationProperties {
                area: report.area.as_str(),
                target: report.target,
                fail_on: report.fail_on,
                passed: report.passed(),
                summary: report.summary(),
            },
        }],
        results,
    });
    let mut out = crate::json_pretty(&log);
    out.push('\n');
    out
}

fn result<'a>(r: &'a CheckResult, rule_index: Option<usize>) -> SarifResult<'a> {
    let fingerprint = format!("{:016x}", fnv1a64(&[&r.rule_id, &r.location.display()]));
    SarifResult {
        rule_id: &r.rule_id,
        rule_index,
        level: level(r.severity),
        message: Text {
            text: r.message.clone(),
        },
        locations: vec![Location {
            physical_location: stand_in(&r.location),
            logical_locations: logical_location(&r.location).into_iter().collect(),
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint)]),
        properties: ResultProperties {
            severity: r.severity,
            cis_id: &r.cis_id,
            cis_level: r.level,
            evidence: &r.evidence,
            remediation: &r.remediation,
        },
    }
}
